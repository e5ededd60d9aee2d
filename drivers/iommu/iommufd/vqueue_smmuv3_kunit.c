// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the SMMUv3 vqueue format: queue geometry, index and wrap
 * arithmetic, the decode and classification of every command a Linux guest
 * sends and of the ones it must not, the translation of what is forwarded,
 * and the completion of CMD_SYNC. The data is in vqueue_smmuv3_tests.h.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/string.h>

#include "vqueue_smmuv3_tests.h"

static const struct iommufd_vqueue_format *const fmt =
	&iommufd_vqueue_smmuv3_format;

static const struct iommufd_vqueue_geometry smmuv3_test_geo = {
	.entry_size = 16,
};

static int smmuv3_test_lookup(const struct iommufd_vqueue_vids *vids, u64 key,
			      u32 *target)
{
	switch (key) {
	case SMMUV3_TEST_VSID_A:
		*target = 0x1010;
		return 0;
	case SMMUV3_TEST_VSID_B:
		*target = 0x2011;
		return 0;
	}
	return -ENOENT;
}

static const struct iommufd_vqueue_vids smmuv3_test_vids = {
	.lookup = smmuv3_test_lookup,
};

static void smmuv3_test_decode(u64 w0, u64 w1, struct iommufd_vqueue_entry *e)
{
	const __le64 raw[2] = { cpu_to_le64(w0), cpu_to_le64(w1) };

	fmt->decode(&smmuv3_test_geo, raw, e);
}

static u8 smmuv3_test_class(u64 w0, u64 w1)
{
	struct iommufd_vqueue_entry e;

	smmuv3_test_decode(w0, w1, &e);
	return e.class;
}

static void smmuv3_test_cmd_desc(const struct smmuv3_test_cmd *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(smmuv3_test_cmds, smmuv3_test_cmds, smmuv3_test_cmd_desc);

static void smmuv3_test_command(struct kunit *test)
{
	const struct smmuv3_test_cmd *c = test->param_value;
	struct iommufd_vqueue_fields fields;
	struct iommufd_vqueue_entry e;
	const u64 *want = c->out[0] || c->out[1] ? c->out : c->cmd;
	unsigned int f;
	__le64 out[2];
	u32 target = 0xdead;
	int ret;

	/* What the stack held must not reach the VMM with a stopped entry */
	memset(&e, 0xa5, sizeof(e));
	smmuv3_test_decode(c->cmd[0], c->cmd[1], &e);
	KUNIT_EXPECT_EQ(test, e.words[2], 0);
	KUNIT_EXPECT_EQ(test, e.words[3], 0);
	KUNIT_EXPECT_EQ(test, e.opcode, c->cmd[0] & 0xff);
	KUNIT_EXPECT_EQ(test, e.class, c->class);
	KUNIT_EXPECT_EQ(test, e.error, c->error);

	iommufd_vqueue_smmuv3_debug.fields(&e, &fields);
	KUNIT_EXPECT_EQ(test, fields.present, c->present);
	for (f = 0; f < IOMMUFD_VQUEUE_NR_FIELDS; f++)
		if (c->present & BIT_ULL(f))
			KUNIT_EXPECT_EQ_MSG(test, fields.val[f], c->val[f],
					    "field %u", f);

	ret = fmt->translate(&e, &smmuv3_test_vids, out, &target);
	if (c->class != IOMMUFD_VQUEUE_CLASS_INVALIDATE) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, c->xlate);
	if (ret)
		return;
	KUNIT_EXPECT_EQ(test, target, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(out[0]), want[0]);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(out[1]), want[1]);
}

static void smmuv3_test_geometry_desc(const struct smmuv3_test_geometry *g,
				      char *desc)
{
	strscpy(desc, g->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(smmuv3_test_geometries, smmuv3_test_geometries,
		  smmuv3_test_geometry_desc);

static void smmuv3_test_geometry(struct kunit *test)
{
	const struct smmuv3_test_geometry *g = test->param_value;
	struct iommufd_vqueue_geometry geo;

	KUNIT_ASSERT_EQ(test, fmt->geometry(g->base_reg, g->max_log2, &geo), 0);
	KUNIT_EXPECT_EQ(test, geo.base, g->base);
	KUNIT_EXPECT_EQ(test, geo.log2_entries, g->log2_entries);
	KUNIT_EXPECT_EQ(test, geo.entry_size, 16);
}

static void smmuv3_test_index_desc(const struct smmuv3_test_index *x,
				   char *desc)
{
	strscpy(desc, x->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(smmuv3_test_indexes, smmuv3_test_indexes,
		  smmuv3_test_index_desc);

static void smmuv3_test_index(struct kunit *test)
{
	const struct smmuv3_test_index *x = test->param_value;
	const struct iommufd_vqueue_geometry geo = {
		.log2_entries = x->log2_entries, .entry_size = 16,
	};

	KUNIT_EXPECT_EQ(test, fmt->consistent(&geo, x->prod, x->cons),
			x->consistent);
	KUNIT_EXPECT_EQ(test, fmt->empty(&geo, x->prod, x->cons), x->empty);
	KUNIT_EXPECT_EQ(test, iommufd_vqueue_smmuv3_debug.full(&geo, x->prod,
							       x->cons),
			x->full);
	KUNIT_EXPECT_EQ(test, fmt->pending(&geo, x->prod, x->cons), x->pending);
	KUNIT_EXPECT_EQ(test, fmt->contig(&geo, x->prod, x->cons), x->contig);
	KUNIT_EXPECT_EQ(test, fmt->index(&geo, x->cons), x->index);
}

static void smmuv3_test_advance(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(smmuv3_test_advances); i++) {
		const struct smmuv3_test_advance *a = &smmuv3_test_advances[i];
		const struct iommufd_vqueue_geometry geo = {
			.log2_entries = a->log2_entries, .entry_size = 16,
		};

		KUNIT_EXPECT_EQ_MSG(test, fmt->advance(&geo, a->reg, a->n),
				    a->result, "CONS 0x%x + %u", a->reg, a->n);
	}
}

static void smmuv3_test_format_errors(struct kunit *test)
{
	/* Arm IHI 0070 6.3.28 CMDQ_CONS.ERR: 1 CERROR_ILL, 2 CERROR_ABT */
	KUNIT_EXPECT_EQ(test, fmt->error_illegal, 1);
	KUNIT_EXPECT_EQ(test, fmt->error_abort, 2);
	/* An inconsistent PROD is ignored until the next write (7.2) */
	KUNIT_EXPECT_EQ(test, fmt->error_prod, 0);
	KUNIT_EXPECT_EQ(test, fmt->max_log2_entries, 19);
	KUNIT_EXPECT_EQ(test, fmt->inv_size, 16);
	KUNIT_EXPECT_EQ(test, fmt->irq_latch, 0);
	KUNIT_EXPECT_NULL(test, fmt->vdomain_key);
}

static void smmuv3_test_cons_error(struct kunit *test)
{
	/* Arm IHI 0070 6.3.28 CMDQ_CONS: ERR is [30:24], RD stays */
	KUNIT_EXPECT_EQ(test, fmt->cons_error(0x1, 1), 0x01000001);
	KUNIT_EXPECT_EQ(test, fmt->cons_error(0x01000005, 2), 0x02000005);
	KUNIT_EXPECT_EQ(test, fmt->cons_error(0xc, 3), 0x0300000c);
	KUNIT_EXPECT_EQ(test, fmt->cons_error(0x03000007, 0), 0x7);
}

/* Every TLBI_NH_* with a VMID set reaches the host with VMID 0 */
static void smmuv3_test_tlbi_vmid_cleared(struct kunit *test)
{
	static const u64 cmds[][2] = {
		{ 0x0000123400000010ULL, 0 },
		{ 0x0005123400000011ULL, 0 },
		{ 0x0005123400000012ULL, 0x0000000010001001ULL },
		{ 0x0000123400101013ULL, 0x0000000000200701ULL },
	};
	struct iommufd_vqueue_entry e;
	unsigned int i;
	__le64 out[2];
	u32 target;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		smmuv3_test_decode(cmds[i][0], cmds[i][1], &e);
		KUNIT_ASSERT_EQ(test, e.class, IOMMUFD_VQUEUE_CLASS_INVALIDATE);
		KUNIT_ASSERT_EQ(test, fmt->translate(&e, NULL, out, &target), 0);
		/* VMID is dword 0 [47:32]; everything else is unchanged */
		KUNIT_EXPECT_EQ(test, le64_to_cpu(out[0]),
				cmds[i][0] & ~0x0000ffff00000000ULL);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(out[1]), cmds[i][1]);
	}
}

static void smmuv3_test_translate_unbound(struct kunit *test)
{
	struct iommufd_vqueue_entry e;
	__le64 out[2];
	u32 target;

	/* No table at all: nothing that names a device can be forwarded */
	smmuv3_test_decode(0x0000001000000005ULL, 0, &e);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, NULL, out, &target), -ENOENT);
	smmuv3_test_decode(0x0000001000000040ULL, 0x34, &e);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, NULL, out, &target), -ENOENT);
	/* Only invalidations are forwarded */
	smmuv3_test_decode(0x0fc02046, 0, &e);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, &smmuv3_test_vids, out,
					     &target), -EINVAL);
}

static void smmuv3_test_vdevice_key(struct kunit *test)
{
	u64 key = 0;

	/* The key is the StreamID, 32 bits (Arm IHI 0070 4.1.1) */
	KUNIT_EXPECT_EQ(test, fmt->vdevice_key(0x10, &key), 0);
	KUNIT_EXPECT_EQ(test, key, 0x10);
	KUNIT_EXPECT_EQ(test, fmt->vdevice_key(0xffffffffULL, &key), 0);
	KUNIT_EXPECT_EQ(test, key, 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, fmt->vdevice_key(0x100000000ULL, &key), -EINVAL);
	KUNIT_EXPECT_EQ(test, fmt->vdevice_key(~0ULL, &key), -EINVAL);
}

static void smmuv3_test_sync_desc(const struct smmuv3_test_sync *s, char *desc)
{
	strscpy(desc, s->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(smmuv3_test_syncs, smmuv3_test_syncs, smmuv3_test_sync_desc);

static void smmuv3_test_sync(struct kunit *test)
{
	const struct smmuv3_test_sync *t = test->param_value;
	struct iommufd_vqueue_entry e;
	struct iommufd_vqueue_sync s;

	smmuv3_test_decode(t->cmd[0], t->cmd[1], &e);
	KUNIT_ASSERT_EQ(test, e.class, IOMMUFD_VQUEUE_CLASS_SYNC);
	fmt->sync(&e, &s);
	KUNIT_EXPECT_EQ(test, s.flags, t->flags);
	if (s.flags & IOMMUFD_VQUEUE_SYNC_WRITE) {
		KUNIT_EXPECT_EQ(test, s.addr, t->addr);
		KUNIT_EXPECT_EQ(test, s.data, t->data);
	}
}

/* Every opcode with all-zero operands: only the listed ones are accepted */
static void smmuv3_test_opcode_sweep(struct kunit *test)
{
	unsigned int op;

	for (op = 0; op < 256; op++) {
		u8 want = IOMMUFD_VQUEUE_CLASS_ILLEGAL;

		switch (op) {
		case SMMUV3_CMD_CFGI_CD:
		case SMMUV3_CMD_CFGI_CD_ALL:
		case SMMUV3_CMD_TLBI_NH_ALL:
		case SMMUV3_CMD_TLBI_NH_ASID:
		case SMMUV3_CMD_TLBI_NH_VA:
		case SMMUV3_CMD_TLBI_NH_VAA:
		case SMMUV3_CMD_TLBI_NSNH_ALL:
		case SMMUV3_CMD_ATC_INV:
			want = IOMMUFD_VQUEUE_CLASS_INVALIDATE;
			break;
		case SMMUV3_CMD_PREFETCH_CONFIG:
		case SMMUV3_CMD_PREFETCH_ADDR:
		case SMMUV3_CMD_CFGI_STE:
		case SMMUV3_CMD_CFGI_STE_RANGE:
		case SMMUV3_CMD_PRI_RESP:
		case SMMUV3_CMD_RESUME:
		case SMMUV3_CMD_STALL_TERM:
			want = IOMMUFD_VQUEUE_CLASS_EXIT;
			break;
		case SMMUV3_CMD_SYNC:
			want = IOMMUFD_VQUEUE_CLASS_SYNC;
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, smmuv3_test_class(op, 0), want,
				    "opcode 0x%02x", op);
	}
}

static void smmuv3_test_res0_bits(struct kunit *test)
{
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(smmuv3_test_defined_bits); i++) {
		const u64 *m = smmuv3_test_defined_bits[i];

		KUNIT_EXPECT_NE(test, smmuv3_test_class(m[0], m[1]),
				IOMMUFD_VQUEUE_CLASS_ILLEGAL);
		for (b = 0; b < 128; b++) {
			u64 bit = BIT_ULL(b % 64);
			u64 w0 = m[0], w1 = m[1];

			if (m[2 + b / 64] & bit)
				continue;
			if (b < 64)
				w0 |= bit;
			else
				w1 |= bit;
			KUNIT_EXPECT_EQ_MSG(test, smmuv3_test_class(w0, w1),
					    IOMMUFD_VQUEUE_CLASS_ILLEGAL,
					    "opcode 0x%02llx bit %u", m[0], b);
		}
	}
}

/*
 * TLBI_NH_VA commands for [iova, iova + size) as a Linux guest with
 * IDR3.RIL builds them: granule pages, NUM and SCALE covering the number of
 * pages, TTL from the leaf granule, and one extra page when the count would
 * hit the reserved NUM=SCALE=TTL=0 encoding. Returns the command count.
 */
static unsigned int smmuv3_test_linux_tlbi(u64 (*cmds)[2], unsigned int max,
					   const struct smmuv3_test_tlbi_range *r)
{
	u64 pages = r->size >> r->pg_shift, iova = r->iova;
	unsigned int n = 0, tg = (r->pg_shift - 10) / 2, ttl = 0;

	if (r->leaf)
		ttl = 4 - (ilog2(r->granule) - 3) / (r->pg_shift - 3);
	else if ((pages & 31) == 1)
		pages++;

	while (pages && n < max) {
		unsigned int scale = __ffs64(pages);
		u64 num = (pages >> scale) & 31;

		cmds[n][0] = SMMUV3_CMD_TLBI_NH_VA |
			     FIELD_PREP(SMMUV3_CMD0_ASID, 9) |
			     FIELD_PREP(SMMUV3_CMD0_NUM, num - 1) |
			     FIELD_PREP(SMMUV3_CMD0_SCALE, scale);
		cmds[n][1] = iova | FIELD_PREP(SMMUV3_CMD1_TG, tg) |
			     FIELD_PREP(SMMUV3_CMD1_TTL, ttl) |
			     FIELD_PREP(SMMUV3_CMD1_LEAF, r->leaf);
		iova += num << (scale + r->pg_shift);
		pages -= num << scale;
		n++;
	}
	return n;
}

/* Linux's range invalidations are forwarded, and cover what was asked */
static void smmuv3_test_linux_range_tlbi(struct kunit *test)
{
	unsigned int i, j, n;
	u64 cmds[8][2];

	for (i = 0; i < ARRAY_SIZE(smmuv3_test_tlbi_ranges); i++) {
		const struct smmuv3_test_tlbi_range *r =
			&smmuv3_test_tlbi_ranges[i];
		u64 end = r->iova;

		n = smmuv3_test_linux_tlbi(cmds, ARRAY_SIZE(cmds), r);
		KUNIT_ASSERT_GT(test, n, 0);
		for (j = 0; j < n; j++) {
			struct iommufd_vqueue_fields f;
			struct iommufd_vqueue_entry e;

			smmuv3_test_decode(cmds[j][0], cmds[j][1], &e);
			KUNIT_EXPECT_EQ(test, e.class,
					IOMMUFD_VQUEUE_CLASS_INVALIDATE);
			iommufd_vqueue_smmuv3_debug.fields(&e, &f);
			/* The pieces are back to back from the start */
			KUNIT_EXPECT_EQ(test, f.val[IOMMUFD_VQUEUE_FIELD_ADDR],
					end);
			/* Range = (NUM + 1) << SCALE granules (4.4.1.1) */
			end += (f.val[IOMMUFD_VQUEUE_FIELD_NUM] + 1) <<
			       (f.val[IOMMUFD_VQUEUE_FIELD_SCALE] + 10 +
				2 * f.val[IOMMUFD_VQUEUE_FIELD_TG]);
		}
		KUNIT_EXPECT_GE(test, end, r->iova + r->size);
	}

	/* Without RIL: one TG=0 command per granule */
	KUNIT_EXPECT_EQ(test, smmuv3_test_class(0x0009000000000012ULL,
						0x10001001ULL),
			IOMMUFD_VQUEUE_CLASS_INVALIDATE);
	KUNIT_EXPECT_EQ(test, smmuv3_test_class(0x0009000000000012ULL,
						0x10001000ULL),
			IOMMUFD_VQUEUE_CLASS_INVALIDATE);
}

/*
 * Linux's ATC_INV for [iova, iova + size): the smallest naturally aligned
 * power-of-two span of 4KiB pages covering it, and Size=52 for everything.
 * Each is forwarded with the physical StreamID and covers the range.
 */
static void smmuv3_test_linux_atc_inv(struct kunit *test)
{
	struct iommufd_vqueue_entry e;
	unsigned int i;
	__le64 out[2];
	u32 target;

	for (i = 0; i < ARRAY_SIZE(smmuv3_test_atc_ranges); i++) {
		u64 iova = smmuv3_test_atc_ranges[i][0];
		u64 size = smmuv3_test_atc_ranges[i][1];
		u64 w0 = SMMUV3_CMD_ATC_INV |
			 FIELD_PREP(SMMUV3_CMD0_SID, SMMUV3_TEST_VSID_A);
		unsigned int log2_span = 0;
		u64 w1 = SMMUV3_ATC_INV_SIZE_ALL, start, last;

		if (size) {
			start = iova >> 12;
			last = (iova + size - 1) >> 12;
			while ((start ^ last) >> log2_span)
				log2_span++;
			w1 = ((start >> log2_span) << (log2_span + 12)) |
			     log2_span;
			/* Address [63:12], Size [5:0]: 2^Size pages */
			KUNIT_EXPECT_LE(test, w1 & ~0xfffULL, iova);
			KUNIT_EXPECT_GE(test, (w1 & ~0xfffULL) +
					(0x1000ULL << log2_span), iova + size);
		}
		smmuv3_test_decode(w0, w1, &e);
		KUNIT_EXPECT_EQ(test, e.class, IOMMUFD_VQUEUE_CLASS_INVALIDATE);
		KUNIT_ASSERT_EQ(test, fmt->translate(&e, &smmuv3_test_vids, out,
						     &target), 0);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(out[0]),
				SMMUV3_CMD_ATC_INV | 0x0000101000000000ULL);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(out[1]), w1);
	}
}

static struct kunit_case iommufd_vqueue_smmuv3_test_cases[] = {
	KUNIT_CASE_PARAM(smmuv3_test_command, smmuv3_test_cmds_gen_params),
	KUNIT_CASE_PARAM(smmuv3_test_geometry,
			 smmuv3_test_geometries_gen_params),
	KUNIT_CASE_PARAM(smmuv3_test_index, smmuv3_test_indexes_gen_params),
	KUNIT_CASE(smmuv3_test_advance),
	KUNIT_CASE(smmuv3_test_format_errors),
	KUNIT_CASE(smmuv3_test_cons_error),
	KUNIT_CASE(smmuv3_test_tlbi_vmid_cleared),
	KUNIT_CASE(smmuv3_test_translate_unbound),
	KUNIT_CASE(smmuv3_test_vdevice_key),
	KUNIT_CASE_PARAM(smmuv3_test_sync, smmuv3_test_syncs_gen_params),
	KUNIT_CASE(smmuv3_test_opcode_sweep),
	KUNIT_CASE(smmuv3_test_res0_bits),
	KUNIT_CASE(smmuv3_test_linux_range_tlbi),
	KUNIT_CASE(smmuv3_test_linux_atc_inv),
	{}
};

static struct kunit_suite iommufd_vqueue_smmuv3_test_suite = {
	.name = "iommufd_vqueue_smmuv3",
	.test_cases = iommufd_vqueue_smmuv3_test_cases,
};

kunit_test_suite(iommufd_vqueue_smmuv3_test_suite);
