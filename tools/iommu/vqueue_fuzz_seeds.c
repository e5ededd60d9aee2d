// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seed corpus of the vqueue format fuzzer (vqueue_fuzz.c), written at build
 * time from the test data headers and from the command sequences a Linux
 * guest issues, so that no binary input is kept in the tree.
 *
 *   vqueue_fuzz_seeds DIR     write one file per seed into DIR/smmuv3
 *                             and DIR/vtd
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/kernel.h>

#include "vqueue_fuzz.h"
#include "vqueue_smmuv3_tests.h"
#include "vqueue_vtd_tests.h"

#define SEED_MAX_ENTRIES	80

/**
 * struct seed - One fuzzer input being built
 * @h: The header.
 * @words: The entries, IOMMUFD_VQUEUE_MAX_ENTRY_WORDS words each.
 * @nr: Entries so far.
 * @entry_words: Words of each entry the input holds (2 or 4).
 */
struct seed {
	struct vq_fuzz_header h;
	u64 words[SEED_MAX_ENTRIES][IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
	unsigned int nr;
	unsigned int entry_words;
};

static const char *out_dir;

/* log2 of @n rounded up, as the kernel's order_base() */
static unsigned int order_base(u64 n)
{
	unsigned int order = 0;

	while (order < 64 && BIT_ULL(order) < n)
		order++;
	return order;
}

static unsigned int nr_seeds;

static void seed_init(struct seed *s, u8 format, u64 base, u8 max_log2)
{
	memset(s, 0, sizeof(*s));
	s->h.format = format;
	s->h.base = cpu_to_le64(base);
	s->h.max_log2 = max_log2;
	s->h.passes = 1;
	s->h.consumed = cpu_to_le32(1);
	s->entry_words = format == VQ_FUZZ_VTD && (base & VTD_IQA_DW) ? 4 : 2;
}

static void seed_add(struct seed *s, const u64 *words)
{
	if (s->nr == SEED_MAX_ENTRIES)
		return;
	memcpy(s->words[s->nr++], words, s->entry_words * sizeof(u64));
}

static void seed_add2(struct seed *s, u64 w0, u64 w1)
{
	u64 w[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS] = { w0, w1 };

	seed_add(s, w);
}

/* Producer at @nr entries past a consumer of 0 */
static void seed_prod(struct seed *s)
{
	u32 prod = s->nr;

	if (s->h.format == VQ_FUZZ_VTD)
		prod *= s->entry_words * sizeof(u64);
	s->h.prod = cpu_to_le32(prod);
}

static void seed_write(struct seed *s, const char *kind)
{
	char path[4096];
	unsigned int i, w;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s-%04u", out_dir,
		 s->h.format == VQ_FUZZ_VTD ? "vtd" : "smmuv3", kind, nr_seeds++);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(&s->h, sizeof(s->h), 1, f);
	for (i = 0; i < s->nr; i++) {
		for (w = 0; w < s->entry_words; w++) {
			__le64 v = cpu_to_le64(s->words[i][w]);

			fwrite(&v, sizeof(v), 1, f);
		}
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
}

#define SMMUV3_BASE	0x80000000ULL

/* Linux's CMD_SYNC: an MSI to its own slot, which it polls */
static void smmuv3_sync(struct seed *s)
{
	seed_add2(s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_SYNC) |
		     FIELD_PREP(SMMUV3_CMD0_CS, SMMUV3_SYNC_CS_IRQ) |
		     FIELD_PREP(SMMUV3_CMD0_MSH, SMMUV3_SYNC_MSH_ISH) |
		     FIELD_PREP(SMMUV3_CMD0_MSIATTR, SMMUV3_SYNC_MSIATTR_OIWB),
		  (SMMUV3_BASE + s->nr * 16) & SMMUV3_CMD1_MSIADDR);
}

static void make_dir(const char *dir, const char *sub)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "", sub ?: "");
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
}

static void smmuv3_seeds(void)
{
	struct seed s;
	unsigned int i, j;

	/* Every test command, then a CMD_SYNC */
	for (i = 0; i < ARRAY_SIZE(smmuv3_test_cmds); i++) {
		seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | 8, 19);
		seed_add(&s, smmuv3_test_cmds[i].cmd);
		smmuv3_sync(&s);
		seed_prod(&s);
		seed_write(&s, "smmuv3-cmd");
	}

	/* Linux unmapping: TLBI_NH_VA per granule, then a CMD_SYNC */
	for (i = 0; i < ARRAY_SIZE(smmuv3_test_tlbi_ranges); i++) {
		const struct smmuv3_test_tlbi_range *r = &smmuv3_test_tlbi_ranges[i];
		u64 tg = (r->pg_shift - 10) / 2;
		u64 iova;

		seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | 8, 19);
		for (iova = r->iova, j = 0; iova < r->iova + r->size && j < 16;
		     iova += r->granule, j++)
			seed_add2(&s,
				  FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NH_VA) |
				  FIELD_PREP(SMMUV3_CMD0_ASID, 5),
				  (iova & SMMUV3_CMD1_ADDR) |
				  FIELD_PREP(SMMUV3_CMD1_TG, tg) |
				  FIELD_PREP(SMMUV3_CMD1_TTL, 3) |
				  (r->leaf ? SMMUV3_CMD1_LEAF : 0));
		smmuv3_sync(&s);
		seed_prod(&s);
		seed_write(&s, "smmuv3-linux-tlbi");
	}

	/* Linux changing a context descriptor, then its ATCs */
	for (i = 0; i < ARRAY_SIZE(smmuv3_test_atc_ranges); i++) {
		u64 size = smmuv3_test_atc_ranges[i][1] ?
			   order_base(smmuv3_test_atc_ranges[i][1] >> 12 ?: 1) :
			   SMMUV3_ATC_INV_SIZE_ALL;

		seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | 8, 19);
		seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_CFGI_CD) |
			      FIELD_PREP(SMMUV3_CMD0_SID, SMMUV3_TEST_VSID_A),
			  SMMUV3_CMD1_LEAF);
		smmuv3_sync(&s);
		seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NH_ASID) |
			      FIELD_PREP(SMMUV3_CMD0_ASID, 5), 0);
		seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_ATC_INV) |
			      FIELD_PREP(SMMUV3_CMD0_SID, SMMUV3_TEST_VSID_B),
			  (smmuv3_test_atc_ranges[i][0] & SMMUV3_CMD1_ADDR) |
			  FIELD_PREP(SMMUV3_CMD1_SIZE, size));
		smmuv3_sync(&s);
		seed_prod(&s);
		seed_write(&s, "smmuv3-linux-cd");
	}

	/* Every ATC_INV size, every TLBI range encoding */
	seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | 8, 19);
	for (i = 0; i < 64; i++)
		seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_ATC_INV) |
			      FIELD_PREP(SMMUV3_CMD0_SID, SMMUV3_TEST_VSID_A),
			  0x12345678000ULL | FIELD_PREP(SMMUV3_CMD1_SIZE, i));
	smmuv3_sync(&s);
	seed_prod(&s);
	seed_write(&s, "smmuv3-atc-sizes");
	for (i = 0; i < 4; i++) {
		seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | 8, 19);
		for (j = 0; j < 64; j++)
			seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NH_VA) |
				      FIELD_PREP(SMMUV3_CMD0_NUM, j & 1 ? 0 : j >> 1) |
				      FIELD_PREP(SMMUV3_CMD0_SCALE, j >> 1) |
				      FIELD_PREP(SMMUV3_CMD0_ASID, 5),
				  0x40000000ULL | FIELD_PREP(SMMUV3_CMD1_TG, i) |
				  FIELD_PREP(SMMUV3_CMD1_TTL, j & 3));
		smmuv3_sync(&s);
		seed_prod(&s);
		seed_write(&s, "smmuv3-tlbi-ranges");
	}

	/* Queue sizes and the base register */
	for (i = 0; i < ARRAY_SIZE(smmuv3_test_geometries); i++) {
		const struct smmuv3_test_geometry *g = &smmuv3_test_geometries[i];

		seed_init(&s, VQ_FUZZ_SMMUV3, g->base_reg, min(g->max_log2, 19U));
		seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NSNH_ALL), 0);
		smmuv3_sync(&s);
		seed_prod(&s);
		seed_write(&s, "smmuv3-geometry");
	}

	/* PROD/CONS pairs, with commands in the slots they make pending */
	for (i = 0; i < ARRAY_SIZE(smmuv3_test_indexes); i++) {
		const struct smmuv3_test_index *x = &smmuv3_test_indexes[i];

		seed_init(&s, VQ_FUZZ_SMMUV3, SMMUV3_BASE | x->log2_entries, 19);
		for (j = 0; j + 1 < min(x->pending, 16U); j++)
			seed_add2(&s, FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NH_ALL), 0);
		smmuv3_sync(&s);
		s.h.prod = cpu_to_le32(x->prod);
		s.h.cons = cpu_to_le32(x->cons);
		seed_write(&s, "smmuv3-index");
	}
}

/* VT-d descriptors as Linux's intel-iommu builds them */
#define VTD_BASE_128	0x7f000000ULL
#define VTD_BASE_256	0x7f000801ULL
#define VTD_STATUS	0x7f100000ULL

static void vtd_wait(struct seed *s)
{
	/* qi_submit_sync(): status write of QI_DONE, fenced */
	seed_add2(s, VTD_DESC_WAIT | VTD_WAIT0_SW | VTD_WAIT0_FN |
		     FIELD_PREP(VTD_WAIT0_DATA, VTD_TEST_QI_DONE),
		  VTD_STATUS);
}

static void vtd_seeds(void)
{
	static const u64 bases[] = { VTD_BASE_128, VTD_BASE_256 };
	struct seed s;
	unsigned int i, j;

	/* Every test descriptor in each width it applies to, then a wait */
	for (i = 0; i < ARRAY_SIZE(vtd_test_descs); i++) {
		for (j = 0; j < ARRAY_SIZE(bases); j++) {
			if (vtd_test_descs[i].q && !(vtd_test_descs[i].q & BIT(j)))
				continue;
			seed_init(&s, VQ_FUZZ_VTD, bases[j], 15);
			seed_add(&s, vtd_test_descs[i].desc);
			vtd_wait(&s);
			seed_prod(&s);
			seed_write(&s, "vtd-desc");
		}
	}

	/* Linux unmapping: qi_flush_piotlb(), device TLBs, then a wait */
	for (i = 0; i < ARRAY_SIZE(vtd_test_piotlb_ranges); i++) {
		u64 addr = vtd_test_piotlb_ranges[i][0];
		u64 pages = vtd_test_piotlb_ranges[i][1];
		u64 am = order_base(pages);

		seed_init(&s, VQ_FUZZ_VTD, VTD_BASE_256, 15);
		if (pages == ~0ULL)
			seed_add2(&s, VTD_DESC_PASID_IOTLB |
				      FIELD_PREP(VTD_DESC0_GRAN, VTD_PIOTLB_G_PASID) |
				      FIELD_PREP(VTD_DESC0_DID, VTD_TEST_DID) |
				      FIELD_PREP(VTD_DESC0_PASID, VTD_TEST_PASID), 0);
		else
			seed_add2(&s, VTD_DESC_PASID_IOTLB |
				      FIELD_PREP(VTD_DESC0_GRAN, VTD_PIOTLB_G_PAGE) |
				      FIELD_PREP(VTD_DESC0_DID, VTD_TEST_DID) |
				      FIELD_PREP(VTD_DESC0_PASID, VTD_TEST_PASID),
				  (addr & ~(BIT_ULL(am + 12) - 1)) |
				  FIELD_PREP(VTD_DESC1_AM, am) | VTD_DESC1_IH);
		/* qi_flush_dev_iotlb_pasid() for one device */
		seed_add2(&s, VTD_DESC_PASID_DEV_TLB |
			      FIELD_PREP(VTD_DESC0_RID, 0x100) |
			      FIELD_PREP(VTD_DESC0_PASID, VTD_TEST_PASID),
			  (addr & VTD_DESC1_ADDR) | (am ? VTD_PDEV_TLB1_S : 0));
		vtd_wait(&s);
		seed_prod(&s);
		seed_write(&s, "vtd-linux-piotlb");

		/* The legacy-mode shape: IOTLB (to the VMM), dev-TLB, wait */
		seed_init(&s, VQ_FUZZ_VTD, VTD_BASE_128, 15);
		seed_add2(&s, VTD_DESC_IOTLB | FIELD_PREP(VTD_DESC0_GRAN, 3) |
			      VTD_IOTLB0_DW | VTD_IOTLB0_DR |
			      FIELD_PREP(VTD_DESC0_DID, 3),
			  (addr & VTD_DESC1_ADDR) | FIELD_PREP(VTD_DESC1_AM, min_t(u64, am, 9)));
		seed_add2(&s, VTD_DESC_DEV_TLB | FIELD_PREP(VTD_DESC0_SID, 0x100),
			  (addr & VTD_DESC1_ADDR) | (am ? VTD_DEV_TLB1_S : 0));
		vtd_wait(&s);
		seed_prod(&s);
		seed_write(&s, "vtd-linux-iotlb");
	}

	/* Every AM at the addresses the KUnit suite tries */
	for (i = 0; i < ARRAY_SIZE(vtd_test_am_addrs); i++) {
		seed_init(&s, VQ_FUZZ_VTD, VTD_BASE_256, 15);
		for (j = 0; j < 64; j++)
			seed_add2(&s, VTD_DESC_PASID_IOTLB |
				      FIELD_PREP(VTD_DESC0_GRAN, VTD_PIOTLB_G_PAGE) |
				      FIELD_PREP(VTD_DESC0_DID, VTD_TEST_DID) |
				      FIELD_PREP(VTD_DESC0_PASID, VTD_TEST_PASID),
				  vtd_test_am_addrs[i] | FIELD_PREP(VTD_DESC1_AM, j) |
				  (j & 1 ? VTD_DESC1_IH : 0));
		vtd_wait(&s);
		seed_prod(&s);
		seed_write(&s, "vtd-am");
	}

	for (i = 0; i < ARRAY_SIZE(vtd_test_geometries); i++) {
		const struct vtd_test_geometry *g = &vtd_test_geometries[i];

		seed_init(&s, VQ_FUZZ_VTD, g->iqa, min(g->max_log2, 15U));
		vtd_wait(&s);
		seed_prod(&s);
		seed_write(&s, "vtd-geometry");
	}

	for (i = 0; i < ARRAY_SIZE(vtd_test_indexes); i++) {
		const struct vtd_test_index *x = &vtd_test_indexes[i];

		seed_init(&s, VQ_FUZZ_VTD, x->iqa, 15);
		for (j = 0; j + 1 < min(x->pending, 16U); j++)
			seed_add2(&s, VTD_DESC_DEV_TLB, 0);
		vtd_wait(&s);
		s.h.prod = cpu_to_le32(x->iqt);
		s.h.cons = cpu_to_le32(x->iqh);
		seed_write(&s, "vtd-index");
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	make_dir(out_dir, NULL);
	make_dir(out_dir, "smmuv3");
	make_dir(out_dir, "vtd");
	smmuv3_seeds();
	vtd_seeds();
	printf("%u seeds in %s\n", nr_seeds, out_dir);
	return 0;
}
