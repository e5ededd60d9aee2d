// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the vqueue queue formats (SMMUv3 CMDQ, VT-d
 * invalidation queue): the kernel's own format code, built in userspace.
 *
 * Each input is a queue as a guest and its VMM left it (vqueue_fuzz.h).
 * The harness runs every format operation a vqueue runs on what the guest
 * or the VMM controls, in the order the worker's pass and the ioctls run
 * them, and the decoder tables and JSON rendering on top. It does not stop
 * at "no crash": every result is checked against what the operation
 * promises (vqueue_format.h) and against the architecture, and a broken
 * promise aborts:
 *
 * - geometry: the queue lies inside the address space the register can
 *   name, is aligned as the architecture says, and is no larger than the
 *   VMM allows;
 * - index helpers: no slot index or fetch outside the queue, no fetch larger
 *   than the worker's buffer, progress on every non-empty queue, consumer
 *   accounting that adds up;
 * - decode: an illegal entry has an error code and is never forwarded; an
 *   entry the kernel acts on has only bits the architecture defines
 *   (spec tables of the test data headers) and an opcode from the list the
 *   format may act on;
 * - translate: a forwarded entry names only the host IDs the harness bound
 *   to the guest IDs it names, never a guest VMID, and covers at least the
 *   range the guest asked for; an unbound ID is never forwarded;
 * - sync, status, error and key helpers: what their architecture says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <uapi/linux/iommufd.h>

#include "vqjson.h"
#include "vqueue_fuzz.h"
#include "vqueue_smmuv3_tests.h"
#include "vqueue_vtd_tests.h"

/* The worker's fetch and batch buffers hold this many entries */
#define VQ_BUDGET		256

#define VQ_RENDER_PER_INPUT	8

/* Ranges and sums that may reach 2^64 are computed in 128 bits */
#define VQ_ALL			((__uint128_t)1 << 64)

static void __noreturn vq_fail(const char *what, int line)
{
	fprintf(stderr, "vqueue_fuzz.c:%d: invariant violated: %s\n", line,
		what);
	abort();
}

#define VQ_CHECK(cond)					\
	do {						\
		if (!(cond))				\
			vq_fail(#cond, __LINE__);	\
	} while (0)

/* A byte range of the guest's address space, [start, end) */
struct vq_range {
	__uint128_t start, end;
};

/* The ID table the harness's VMM set up, keyed as the format keys it */
struct vq_vids {
	struct iommufd_vqueue_vids vids;
	unsigned int nr;
	u64 key[VQ_FUZZ_NR_BINDINGS];
	u32 host[VQ_FUZZ_NR_BINDINGS];
	u64 last_key;
	unsigned int lookups;
};

static int vq_lookup(const struct iommufd_vqueue_vids *vids, u64 key,
		     u32 *target)
{
	struct vq_vids *t = container_of(vids, struct vq_vids, vids);
	unsigned int i;

	t->last_key = key;
	t->lookups++;
	for (i = 0; i < t->nr; i++) {
		if (t->key[i] == key) {
			*target = t->host[i];
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * struct vq_fuzz_format - What the harness knows about one format
 * @fmt: The format's operations.
 * @dbg: Its decoder tables.
 * @tf: Its JSON renderers, by entry size (16, 32 bytes).
 * @vids: The bindings, made with the format's own key function.
 * @check_geometry: Check geometry()'s result for register @reg.
 * @check_entry: Check a decoded entry against the architecture.
 * @check_translate: Check translate()'s result for a decoded entry.
 * @check_sync: Check sync()'s result for a sync entry.
 * @check_regs: Check the key, status and error helpers.
 */
struct vq_fuzz_format {
	const struct iommufd_vqueue_format *fmt;
	const struct iommufd_vqueue_format_debug *dbg;
	const struct vq_tool_format *tf[2];
	struct vq_vids vids;
	void (*check_geometry)(u64 reg, unsigned int max_log2, int rc,
			       const struct iommufd_vqueue_geometry *geo);
	void (*check_entry)(const struct iommufd_vqueue_geometry *geo,
			    const struct iommufd_vqueue_entry *e);
	void (*check_translate)(struct vq_vids *vids,
				const struct iommufd_vqueue_entry *e, int rc,
				const void *out, u32 target);
	void (*check_sync)(const struct iommufd_vqueue_entry *e,
			   const struct iommufd_vqueue_sync *s);
	void (*check_regs)(const struct vq_fuzz_header *h);
};

/* SMMUv3 */

static bool smmuv3_forwardable(u16 op)
{
	switch (op) {
	case SMMUV3_CMD_CFGI_CD:
	case SMMUV3_CMD_CFGI_CD_ALL:
	case SMMUV3_CMD_TLBI_NH_ALL:
	case SMMUV3_CMD_TLBI_NH_ASID:
	case SMMUV3_CMD_TLBI_NH_VA:
	case SMMUV3_CMD_TLBI_NH_VAA:
	case SMMUV3_CMD_ATC_INV:
		return true;
	}
	return false;
}

static bool smmuv3_names_sid(u16 op)
{
	return op == SMMUV3_CMD_CFGI_CD || op == SMMUV3_CMD_CFGI_CD_ALL ||
	       op == SMMUV3_CMD_ATC_INV;
}

/* Bits the architecture defines for an opcode the kernel acts on, or NULL */
static const u64 *smmuv3_spec_bits(u16 op)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(smmuv3_test_defined_bits); i++)
		if (smmuv3_test_defined_bits[i][0] == op)
			return &smmuv3_test_defined_bits[i][2];
	return NULL;
}

static void smmuv3_check_geometry(u64 reg, unsigned int max_log2, int rc,
				  const struct iommufd_vqueue_geometry *geo)
{
	unsigned int log2 = min(min((unsigned int)(reg & 0x1f), max_log2), 19U);
	u64 align = max(16ULL << geo->log2_entries, 32ULL);

	/* The size is capped, never refused */
	VQ_CHECK(rc == 0);
	VQ_CHECK(geo->log2_entries == log2);
	VQ_CHECK(geo->entry_size == 16);
	/* ADDR is [55:5]; bits below the queue size read as zero */
	VQ_CHECK(!(geo->base & ~GENMASK_ULL(55, 5)));
	VQ_CHECK(!(geo->base & (align - 1)));
	VQ_CHECK(!((geo->base ^ reg) & GENMASK_ULL(55, 5) & ~(align - 1)));
	VQ_CHECK((__uint128_t)geo->base + (16ULL << log2) <= BIT_ULL(56));
}

/* TLBI range as Arm IHI 0070 4.4.1.1 defines it */
static struct vq_range smmuv3_tlbi_range(u64 w0, u64 w1)
{
	static const unsigned int tg_shift[] = { 12, 12, 14, 16 };
	unsigned int tg = (w1 >> 10) & 3;
	u64 addr = w1 & GENMASK_ULL(63, 12);
	unsigned int num = (w0 >> 12) & 0x1f;
	unsigned int scale = (w0 >> 20) & 0x1f;
	struct vq_range r = { addr, addr + 4096 };

	/* TG 0: the one address, at whatever size it is mapped */
	if (tg)
		r.end = addr + ((__uint128_t)(num + 1) << scale << tg_shift[tg]);
	return r;
}

/* ATC_INV: 2^Size pages, naturally aligned around Address */
static struct vq_range smmuv3_atc_range(u64 w1)
{
	unsigned int size = w1 & 0x3f;
	__uint128_t span = (__uint128_t)1 << (size + 12);
	struct vq_range r;

	r.start = (w1 & GENMASK_ULL(63, 12)) & ~(span - 1);
	r.end = r.start + span;
	return r;
}

static void smmuv3_check_entry(const struct iommufd_vqueue_geometry *geo,
			       const struct iommufd_vqueue_entry *e)
{
	u64 w0 = e->words[0], w1 = e->words[1];
	const u64 *spec = smmuv3_spec_bits(e->opcode);

	VQ_CHECK(e->opcode == (w0 & 0xff));
	if (e->class == IOMMUFD_VQUEUE_CLASS_ILLEGAL) {
		VQ_CHECK(e->error == SMMUV3_TEST_CERROR_ILL);
		return;
	}
	VQ_CHECK(e->error == SMMUV3_TEST_CERROR_NONE);

	switch (e->class) {
	case IOMMUFD_VQUEUE_CLASS_INVALIDATE:
		VQ_CHECK(smmuv3_forwardable(e->opcode) ||
			 e->opcode == SMMUV3_CMD_TLBI_NSNH_ALL);
		break;
	case IOMMUFD_VQUEUE_CLASS_SYNC:
		VQ_CHECK(e->opcode == SMMUV3_CMD_SYNC);
		/* CS 3 is reserved */
		VQ_CHECK(((w0 >> 12) & 3) != 3);
		break;
	case IOMMUFD_VQUEUE_CLASS_EXIT:
		switch (e->opcode) {
		case SMMUV3_CMD_PREFETCH_CONFIG:
		case SMMUV3_CMD_PREFETCH_ADDR:
		case SMMUV3_CMD_CFGI_STE:
		case SMMUV3_CMD_CFGI_STE_RANGE:
		case SMMUV3_CMD_RESUME:
		case SMMUV3_CMD_STALL_TERM:
			/* A Non-secure queue issues no Secure command */
			VQ_CHECK(!(w0 & BIT_ULL(10)));
			break;
		case SMMUV3_CMD_PRI_RESP:
			VQ_CHECK(((w1 >> 12) & 3) != 3);
			break;
		default:
			VQ_CHECK(!"an opcode that exits to the VMM");
		}
		return;
	default:
		/* The CMDQ has no entry that needs nothing done */
		VQ_CHECK(!"a class SMMUv3 has");
	}

	/* Acted on in the kernel: only bits the architecture defines */
	VQ_CHECK(spec);
	VQ_CHECK(!(w0 & ~spec[0]) && !(w1 & ~spec[1]));

	if (e->opcode == SMMUV3_CMD_TLBI_NH_VA ||
	    e->opcode == SMMUV3_CMD_TLBI_NH_VAA) {
		unsigned int tg = (w1 >> 10) & 3, ttl = (w1 >> 8) & 3;
		u64 range = w0 & (GENMASK_ULL(16, 12) | GENMASK_ULL(24, 20));

		if (!tg)
			VQ_CHECK(!range && !ttl);
		else
			VQ_CHECK(range || (ttl && !(tg == 2 && ttl == 1)));
	}
	if (e->opcode == SMMUV3_CMD_ATC_INV)
		VQ_CHECK((w1 & 0x3f) <= 52);
}

static void smmuv3_check_translate(struct vq_vids *vids,
				   const struct iommufd_vqueue_entry *e,
				   int rc, const void *out, u32 target)
{
	const __le64 *cmd = out;
	u64 in0 = e->words[0], in1 = e->words[1];
	u64 o0 = le64_to_cpu(cmd[0]), o1 = le64_to_cpu(cmd[1]);
	u64 vsid = in0 >> 32;
	u16 op = o0 & 0xff;
	const u64 *spec;
	unsigned int i;
	int bound = -1;

	for (i = 0; i < VQ_FUZZ_NR_BINDINGS; i++)
		if (vq_fuzz_smmuv3_bindings[i].guest == vsid)
			bound = i;

	if (smmuv3_names_sid(e->opcode)) {
		/* Looked up what the guest named, forwarded only if bound */
		VQ_CHECK(vids->lookups == 1 && vids->last_key == vsid);
		VQ_CHECK(bound < 0 ? rc == -ENOENT : rc == 0);
	} else {
		VQ_CHECK(!vids->lookups);
		VQ_CHECK(rc == 0);
	}
	if (rc)
		return;

	/* What reaches the host: one of its own invalidation commands */
	VQ_CHECK(smmuv3_forwardable(op));
	spec = smmuv3_spec_bits(op);
	VQ_CHECK(spec && !(o0 & ~spec[0]) && !(o1 & ~spec[1]));
	VQ_CHECK(target == 0);

	switch (e->opcode) {
	case SMMUV3_CMD_TLBI_NSNH_ALL:
		/* The guest's whole stage 1, in its own VMID */
		VQ_CHECK(o0 == SMMUV3_CMD_TLBI_NH_ALL && o1 == 0);
		return;
	case SMMUV3_CMD_TLBI_NH_ALL:
	case SMMUV3_CMD_TLBI_NH_ASID:
	case SMMUV3_CMD_TLBI_NH_VA:
	case SMMUV3_CMD_TLBI_NH_VAA:
		/* No guest VMID; ASID, range and leaf hint as the guest's */
		VQ_CHECK(!(o0 & GENMASK_ULL(47, 32)));
		VQ_CHECK(o0 == (in0 & ~GENMASK_ULL(47, 32)) && o1 == in1);
		if (e->opcode == SMMUV3_CMD_TLBI_NH_VA ||
		    e->opcode == SMMUV3_CMD_TLBI_NH_VAA) {
			struct vq_range want = smmuv3_tlbi_range(in0, in1);
			struct vq_range got = smmuv3_tlbi_range(o0, o1);

			VQ_CHECK(got.start <= want.start && got.end >= want.end);
			VQ_CHECK(!(o1 & 1) || (in1 & 1));
		}
		return;
	default:
		/* The bound physical SID, nothing else changed */
		VQ_CHECK(smmuv3_names_sid(e->opcode));
		VQ_CHECK((o0 >> 32) == vids->host[bound]);
		VQ_CHECK((o0 & GENMASK_ULL(31, 0)) == (in0 & GENMASK_ULL(31, 0)));
		VQ_CHECK(o1 == in1);
		if (e->opcode == SMMUV3_CMD_ATC_INV) {
			struct vq_range want = smmuv3_atc_range(in1);
			struct vq_range got = smmuv3_atc_range(o1);

			VQ_CHECK(got.start <= want.start && got.end >= want.end);
		}
	}
}

static void smmuv3_check_sync(const struct iommufd_vqueue_entry *e,
			      const struct iommufd_vqueue_sync *s)
{
	u64 w0 = e->words[0], w1 = e->words[1];
	bool irq = ((w0 >> 12) & 3) == SMMUV3_SYNC_CS_IRQ;

	VQ_CHECK(!(s->flags & ~(IOMMUFD_VQUEUE_SYNC_WRITE |
				IOMMUFD_VQUEUE_SYNC_IRQ)));
	/* MSIAddress [55:2]: a 32-bit write that never straddles a page */
	VQ_CHECK(s->addr == (w1 & GENMASK_ULL(55, 2)));
	VQ_CHECK(s->data == (u32)(w0 >> 32));
	VQ_CHECK(!!(s->flags & IOMMUFD_VQUEUE_SYNC_IRQ) == irq);
	VQ_CHECK(!!(s->flags & IOMMUFD_VQUEUE_SYNC_WRITE) == (irq && s->addr));
}

static void smmuv3_check_regs(const struct vq_fuzz_header *h)
{
	const struct iommufd_vqueue_format *fmt = &iommufd_vqueue_smmuv3_format;
	u64 virt_id = le64_to_cpu(h->virt_id);
	u32 cons = le32_to_cpu(h->cons);
	unsigned int err = h->err & 0x7f;
	u32 reg, clean;
	u64 key = ~0ULL;
	int rc;

	VQ_CHECK(!fmt->vdomain_key && !fmt->irq_latch && !fmt->error_prod);
	rc = fmt->vdevice_key(virt_id, &key);
	VQ_CHECK(virt_id >> 32 ? rc == -EINVAL : rc == 0 && key == virt_id);

	/* CONS.ERR [30:24] holds the error, nothing else changes */
	reg = fmt->cons_error(cons, err);
	VQ_CHECK(((reg >> 24) & 0x7f) == err);
	VQ_CHECK((reg & ~GENMASK(30, 24)) == (cons & ~GENMASK(30, 24)));
	clean = fmt->cons_error(reg, 0);
	VQ_CHECK(clean == (cons & ~GENMASK(30, 24)));
}

/* VT-d */

static bool vtd_is_256_only(u16 type)
{
	return type == VTD_DESC_PASID_IOTLB || type == VTD_DESC_PASID_CACHE ||
	       type == VTD_DESC_PASID_DEV_TLB || type == VTD_DESC_PAGE_GRP_RESP;
}

/* Bits the architecture defines for a type the kernel acts on, or NULL */
static const u64 *vtd_spec_bits(u16 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtd_test_defined_bits); i++)
		if ((vtd_test_defined_bits[i][0] & 0xf) == type)
			return &vtd_test_defined_bits[i][2];
	return NULL;
}

static void vtd_check_geometry(u64 reg, unsigned int max_log2, int rc,
			       const struct iommufd_vqueue_geometry *geo)
{
	unsigned int qs = reg & 7, dw = !!(reg & BIT_ULL(11));
	unsigned int log2 = qs + 8 - dw;
	__uint128_t bytes = (__uint128_t)4096 << qs;
	u64 base = reg & GENMASK_ULL(63, 12);
	bool fits = log2 <= min(max_log2, 15U) && base + bytes <= VQ_ALL;

	/* The size is the guest's; a queue that does not fit is refused */
	VQ_CHECK(fits ? rc == 0 : rc == -EINVAL);
	if (rc)
		return;
	VQ_CHECK(geo->base == base);
	VQ_CHECK(geo->log2_entries == log2);
	VQ_CHECK(geo->entry_size == (dw ? 32 : 16));
	VQ_CHECK(((__uint128_t)geo->entry_size << geo->log2_entries) == bytes);
}

/* P_IOTLB range: all of the PASID, or 2^AM pages aligned around ADDR */
static struct vq_range vtd_piotlb_want(u64 w0, u64 w1)
{
	unsigned int am = w1 & 0x3f;
	struct vq_range r = { 0, VQ_ALL };
	__uint128_t span;

	if (((w0 >> 4) & 3) != VTD_PIOTLB_G_PAGE || am + 12 >= 64)
		return r;
	span = (__uint128_t)1 << (am + 12);
	r.start = (w1 & GENMASK_ULL(63, 12)) & ~(span - 1);
	r.end = r.start + span;
	return r;
}

static void vtd_check_entry(const struct iommufd_vqueue_geometry *geo,
			    const struct iommufd_vqueue_entry *e)
{
	const u64 *w = e->words;
	u16 type = ((w[0] >> 9) & 7) << 4 | (w[0] & 0xf);
	const u64 *spec = vtd_spec_bits(type);

	VQ_CHECK(e->opcode == type);
	if (geo->entry_size == 16)
		VQ_CHECK(!w[2] && !w[3]);
	if (e->class == IOMMUFD_VQUEUE_CLASS_ILLEGAL) {
		VQ_CHECK(e->error == VTD_TEST_IQEI_TYPE ||
			 e->error == VTD_TEST_IQEI_RSVD);
		return;
	}
	VQ_CHECK(!e->error);
	VQ_CHECK(type >= VTD_DESC_CC && type <= VTD_DESC_PAGE_GRP_RESP);
	/* Scalable-mode types are invalid in a 128-bit queue */
	VQ_CHECK(!vtd_is_256_only(type) || geo->entry_size == 32);

	switch (e->class) {
	case IOMMUFD_VQUEUE_CLASS_EXIT:
		VQ_CHECK(type != VTD_DESC_DEV_TLB &&
			 type != VTD_DESC_PASID_IOTLB &&
			 type != VTD_DESC_PASID_DEV_TLB);
		/* A wait exits only to drain page requests */
		VQ_CHECK(type != VTD_DESC_WAIT || (w[0] & VTD_WAIT0_PD));
		return;
	case IOMMUFD_VQUEUE_CLASS_INVALIDATE:
		VQ_CHECK(type == VTD_DESC_PASID_IOTLB);
		VQ_CHECK(((w[0] >> 4) & 3) >= VTD_PIOTLB_G_PASID);
		break;
	case IOMMUFD_VQUEUE_CLASS_SYNC:
		VQ_CHECK(type == VTD_DESC_WAIT && !(w[0] & VTD_WAIT0_PD));
		break;
	case IOMMUFD_VQUEUE_CLASS_NOP:
		VQ_CHECK(type == VTD_DESC_DEV_TLB ||
			 type == VTD_DESC_PASID_DEV_TLB);
		break;
	default:
		VQ_CHECK(!"a class VT-d has");
	}

	/* Acted on in the kernel: only bits the architecture defines */
	VQ_CHECK(spec);
	VQ_CHECK(!(w[0] & ~spec[0]) && !(w[1] & ~spec[1]) && !w[2] && !w[3]);
}

static void vtd_check_translate(struct vq_vids *vids,
				const struct iommufd_vqueue_entry *e, int rc,
				const void *out, u32 target)
{
	const struct iommu_hwpt_vtd_s1_invalidate *inv = out;
	u64 w0 = e->words[0], w1 = e->words[1];
	u32 did = (w0 >> 16) & 0xffff, pasid = (w0 >> 32) & 0xfffff;
	struct vq_range want = vtd_piotlb_want(w0, w1);
	struct vq_range got;
	unsigned int i;
	int bound = -1;

	for (i = 0; i < VQ_FUZZ_NR_BINDINGS; i++)
		if (vq_fuzz_vtd_bindings[i].did == did &&
		    vq_fuzz_vtd_bindings[i].pasid == pasid)
			bound = i;

	/* One lookup, of what the guest named; forwarded only if bound */
	VQ_CHECK(vids->lookups == 1);
	VQ_CHECK(bound < 0 ? rc == -ENOENT : rc == 0);
	if (rc)
		return;
	VQ_CHECK(vids->last_key == vids->key[bound]);
	/* The guest's (DID, PASID) selects its own nested HWPT only */
	VQ_CHECK(target == vq_fuzz_vtd_bindings[bound].host);

	VQ_CHECK(!inv->__reserved);
	VQ_CHECK(!(inv->flags & ~IOMMU_VTD_INV_FLAGS_LEAF));
	VQ_CHECK(!(inv->addr & 0xfff));
	VQ_CHECK(inv->npages);
	/* A leaf-only hint only where the guest gave one */
	if (inv->flags & IOMMU_VTD_INV_FLAGS_LEAF)
		VQ_CHECK(((w0 >> 4) & 3) == VTD_PIOTLB_G_PAGE &&
			 (w1 & VTD_DESC1_IH));
	got.start = inv->addr;
	got.end = inv->npages == ~0ULL ? VQ_ALL :
		  inv->addr + ((__uint128_t)inv->npages << 12);
	VQ_CHECK(got.start <= want.start && got.end >= want.end);
}

static void vtd_check_sync(const struct iommufd_vqueue_entry *e,
			   const struct iommufd_vqueue_sync *s)
{
	u64 w0 = e->words[0], w1 = e->words[1];

	VQ_CHECK(!(s->flags & ~(IOMMUFD_VQUEUE_SYNC_WRITE |
				IOMMUFD_VQUEUE_SYNC_IRQ)));
	/* Status Address [63:2]: a 32-bit write that never straddles a page */
	VQ_CHECK(s->addr == (w1 & ~3ULL));
	VQ_CHECK(s->data == (u32)(w0 >> 32));
	VQ_CHECK(!!(s->flags & IOMMUFD_VQUEUE_SYNC_WRITE) ==
		 !!(w0 & VTD_WAIT0_SW));
	VQ_CHECK(!!(s->flags & IOMMUFD_VQUEUE_SYNC_IRQ) ==
		 !!(w0 & VTD_WAIT0_IF));
}

static void vtd_check_regs(const struct vq_fuzz_header *h)
{
	const struct iommufd_vqueue_format *fmt = &iommufd_vqueue_vtd_format;
	u64 virt_id = le64_to_cpu(h->virt_id);
	u32 did = virt_id, pasid = virt_id >> 32;
	u64 key = ~0ULL;
	int rc;

	VQ_CHECK(!fmt->vdevice_key && !fmt->cons_error);
	VQ_CHECK(fmt->error_prod == VTD_TEST_IQEI_TAIL);
	/* A 16-bit domain ID and a 20-bit PASID, keyed one to one */
	rc = fmt->vdomain_key(did, pasid, &key);
	if (did > 0xffff || pasid > 0xfffff) {
		VQ_CHECK(rc == -EINVAL);
	} else {
		VQ_CHECK(rc == 0);
		VQ_CHECK((key & 0xffff) == did && key >> 16 == pasid);
	}

	/* A completion latches ICS.IWC and nothing else */
	VQ_CHECK(fmt->irq_latch == VTD_ICS_IWC);
}

static struct vq_fuzz_format vq_formats[VQ_FUZZ_NR_FORMATS] = {
	[VQ_FUZZ_SMMUV3] = {
		.fmt = &iommufd_vqueue_smmuv3_format,
		.dbg = &iommufd_vqueue_smmuv3_debug,
		.check_geometry = smmuv3_check_geometry,
		.check_entry = smmuv3_check_entry,
		.check_translate = smmuv3_check_translate,
		.check_sync = smmuv3_check_sync,
		.check_regs = smmuv3_check_regs,
	},
	[VQ_FUZZ_VTD] = {
		.fmt = &iommufd_vqueue_vtd_format,
		.dbg = &iommufd_vqueue_vtd_debug,
		.check_geometry = vtd_check_geometry,
		.check_entry = vtd_check_entry,
		.check_translate = vtd_check_translate,
		.check_sync = vtd_check_sync,
		.check_regs = vtd_check_regs,
	},
};

/* Bind the harness's IDs the way the vqueue does: through the format's keys */
static void vq_bind(void)
{
	struct vq_vids *v;
	unsigned int i;

	v = &vq_formats[VQ_FUZZ_SMMUV3].vids;
	for (i = 0; i < VQ_FUZZ_NR_BINDINGS; i++) {
		VQ_CHECK(!iommufd_vqueue_smmuv3_format.vdevice_key(vq_fuzz_smmuv3_bindings[i].guest,
								   &v->key[i]));
		v->host[i] = vq_fuzz_smmuv3_bindings[i].host;
	}
	v->nr = VQ_FUZZ_NR_BINDINGS;
	v->vids.lookup = vq_lookup;
	vq_formats[VQ_FUZZ_SMMUV3].tf[0] = vq_tool_format("smmuv3");

	v = &vq_formats[VQ_FUZZ_VTD].vids;
	for (i = 0; i < VQ_FUZZ_NR_BINDINGS; i++) {
		VQ_CHECK(!iommufd_vqueue_vtd_format.vdomain_key(vq_fuzz_vtd_bindings[i].did,
								vq_fuzz_vtd_bindings[i].pasid,
								&v->key[i]));
		v->host[i] = vq_fuzz_vtd_bindings[i].host;
	}
	v->nr = VQ_FUZZ_NR_BINDINGS;
	v->vids.lookup = vq_lookup;
	vq_formats[VQ_FUZZ_VTD].tf[0] = vq_tool_format("vtd128");
	vq_formats[VQ_FUZZ_VTD].tf[1] = vq_tool_format("vtd256");
	VQ_CHECK(vq_formats[VQ_FUZZ_SMMUV3].tf[0] &&
		 vq_formats[VQ_FUZZ_VTD].tf[0] && vq_formats[VQ_FUZZ_VTD].tf[1]);
}

/* The queue as the pass sees it */
struct vq_queue {
	struct vq_fuzz_format *vf;
	struct iommufd_vqueue_geometry geo;
	u32 nr_slots;
	u32 prod, cons;
	/* The guest's entries, from the slot of the first consumer index */
	const u8 *entries;
	u32 nr_entries;
	u32 first_slot;
	/*
	 * The worker's buffers, exactly as large as the kernel's; each fetch
	 * ends where the buffer does, so that ASan sees any overrun.
	 */
	u8 *fetched, *fetch_end;
	u8 *batch;
	/* Consumer accounting, as the vqueue keeps it */
	u64 consumed, expected;
	bool stopped;
	unsigned int rendered;
};

/* What the debug decoder and the JSON renderer make of an entry */
static void vq_check_decoder(struct vq_queue *q,
			     const struct iommufd_vqueue_entry *e)
{
	const struct iommufd_vqueue_format_debug *dbg = q->vf->dbg;
	const struct vq_tool_format *tf = q->vf->tf[q->geo.entry_size == 32];
	struct iommufd_vqueue_fields f;
	char buf[768], small[24];
	const char *name;
	int n, m;

	VQ_CHECK(dbg->format == q->vf->fmt);
	name = dbg->op_name(e);
	VQ_CHECK(!name || name[0]);
	dbg->fields(e, &f);
	VQ_CHECK(!(f.present & ~GENMASK_ULL(IOMMUFD_VQUEUE_NR_FIELDS - 1, 0)));
	if (f.present & BIT_ULL(IOMMUFD_VQUEUE_FIELD_SID) &&
	    q->vf->fmt == &iommufd_vqueue_smmuv3_format)
		VQ_CHECK(f.val[IOMMUFD_VQUEUE_FIELD_SID] == e->words[0] >> 32);
	if (q->vf->fmt == &iommufd_vqueue_vtd_format)
		VQ_CHECK(f.present & BIT_ULL(IOMMUFD_VQUEUE_FIELD_TYPE) &&
			 f.val[IOMMUFD_VQUEUE_FIELD_TYPE] == e->opcode);

	n = vq_json(buf, sizeof(buf), tf, e);
	VQ_CHECK(n > 0 && (size_t)n < sizeof(buf) && strlen(buf) == (size_t)n);
	VQ_CHECK(buf[0] == '{' && buf[n - 1] == '}');
	/* Truncated like snprintf, same length reported */
	m = vq_json(small, sizeof(small), tf, e);
	VQ_CHECK(m == n && strlen(small) == min(sizeof(small) - 1, (size_t)n));
	VQ_CHECK(!memcmp(small, buf, strlen(small)));
}

/*
 * Everything a pass does with one decoded entry, as the worker would: then
 * the checks on each result. Returns the entry's class.
 */
static u8 vq_run_entry(struct vq_queue *q, const u8 *raw, unsigned int batched,
		       struct iommufd_vqueue_entry *out_e, int *out_rc)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;
	struct vq_vids *vids = &q->vf->vids;
	struct iommufd_vqueue_entry e, again;
	struct iommufd_vqueue_sync s;
	u8 *slot = q->batch + batched * fmt->inv_size;
	u32 target = 0x5a5a5a5a;
	unsigned int i;
	int rc;

	memset(&e, 0xa5, sizeof(e));
	fmt->decode(&q->geo, (const __le64 *)raw, &e);
	VQ_CHECK(e.class <= IOMMUFD_VQUEUE_CLASS_ILLEGAL);
	VQ_CHECK((e.class == IOMMUFD_VQUEUE_CLASS_ILLEGAL) == !!e.error);
	for (i = 0; i < q->geo.entry_size / 8; i++) {
		u64 w;

		memcpy(&w, raw + i * 8, 8);
		VQ_CHECK(e.words[i] == le64_to_cpu(w));
	}
	/*
	 * The vqueue hands every word to the VMM when it stops on the entry:
	 * none may keep what the stack held before.
	 */
	for (; i < IOMMUFD_VQUEUE_MAX_ENTRY_WORDS; i++)
		VQ_CHECK(!e.words[i]);
	/* Decoding is a function of the entry's bytes alone */
	memset(&again, 0x5a, sizeof(again));
	fmt->decode(&q->geo, (const __le64 *)raw, &again);
	VQ_CHECK(again.class == e.class && again.error == e.error &&
		 again.opcode == e.opcode &&
		 !memcmp(again.words, e.words, q->geo.entry_size));
	q->vf->check_entry(&q->geo, &e);
	/* Rendering is slow next to decoding: a few entries per input do */
	if (q->rendered < VQ_RENDER_PER_INPUT) {
		q->rendered++;
		vq_check_decoder(q, &e);
	}

	memset(slot, 0xa5, fmt->inv_size);
	vids->lookups = 0;
	rc = fmt->translate(&e, &vids->vids, slot, &target);
	if (e.class != IOMMUFD_VQUEUE_CLASS_INVALIDATE) {
		/* Never forwarded: nothing written, nothing looked up */
		VQ_CHECK(rc == -EINVAL && target == 0x5a5a5a5a);
		VQ_CHECK(!vids->lookups);
		for (i = 0; i < fmt->inv_size; i++)
			VQ_CHECK(slot[i] == 0xa5);
	} else {
		q->vf->check_translate(vids, &e, rc, slot, target);
		/* Without an ID table nothing that needs one is forwarded */
		vids->lookups = 0;
		if (!fmt->translate(&e, NULL, slot, &target))
			VQ_CHECK(q->vf->fmt == &iommufd_vqueue_smmuv3_format &&
				 !smmuv3_names_sid(e.opcode));
	}

	if (e.class == IOMMUFD_VQUEUE_CLASS_SYNC) {
		memset(&s, 0xa5, sizeof(s));
		fmt->sync(&e, &s);
		q->vf->check_sync(&e, &s);
	}
	*out_e = e;
	*out_rc = rc;
	return e.class;
}

/* The consumer index moves: the accounting must add up */
static void vq_publish(struct vq_queue *q, u32 cons, u32 n)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;

	VQ_CHECK(fmt->pending(&q->geo, cons, q->cons) == n);
	VQ_CHECK(fmt->index(&q->geo, cons) ==
		 (fmt->index(&q->geo, q->cons) + n) % q->nr_slots);
	q->consumed += fmt->pending(&q->geo, cons, q->cons);
	q->expected += n;
	q->cons = cons;
}

/* Stop on entry @i from @start, @n entries after the last published one */
static void vq_stop(struct vq_queue *q, u32 start, u32 i, u32 n, u8 error)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;
	u32 cons = fmt->advance(&q->geo, start, i);
	u32 reg;

	VQ_CHECK(fmt->index(&q->geo, cons) ==
		 (fmt->index(&q->geo, start) + i) % q->nr_slots);
	vq_publish(q, cons, n);
	if (error && fmt->cons_error) {
		reg = fmt->cons_error(cons, error);
		/* The VMM sees the error at the entry it stopped on */
		VQ_CHECK(fmt->index(&q->geo, reg) == fmt->index(&q->geo, cons));
		VQ_CHECK(fmt->cons_error(reg, 0) == fmt->cons_error(cons, 0));
	}
	q->stopped = true;
}

/* iommufd_vqueue_consume(): @nr entries fetched at consumer index @start */
static void vq_consume(struct vq_queue *q, u32 start, u32 nr)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;
	struct iommufd_vqueue_entry e;
	unsigned int batched = 0;
	u32 i, done = 0;
	int rc;

	for (i = 0; i < nr; i++) {
		switch (vq_run_entry(q, q->fetched + i * q->geo.entry_size,
				     batched, &e, &rc)) {
		case IOMMUFD_VQUEUE_CLASS_NOP:
			break;
		case IOMMUFD_VQUEUE_CLASS_INVALIDATE:
			if (rc) {
				vq_stop(q, start, i, i - done,
					fmt->error_illegal);
				return;
			}
			batched++;
			VQ_CHECK(batched <= VQ_BUDGET);
			break;
		case IOMMUFD_VQUEUE_CLASS_SYNC:
			batched = 0;
			vq_publish(q, fmt->advance(&q->geo, start, i + 1),
				   i + 1 - done);
			done = i + 1;
			break;
		case IOMMUFD_VQUEUE_CLASS_EXIT:
			vq_stop(q, start, i, i - done, 0);
			return;
		default:
			VQ_CHECK(e.class == IOMMUFD_VQUEUE_CLASS_ILLEGAL);
			vq_stop(q, start, i, i - done, e.error);
			return;
		}
	}
	vq_publish(q, fmt->advance(&q->geo, start, nr), nr - done);
}

/* Copy @nr slots from @slot; returns how many could be read */
static u32 vq_fetch(struct vq_queue *q, u32 slot, u32 nr)
{
	u32 i, k;

	for (i = 0; i < nr; i++) {
		k = (slot + i - q->first_slot) & (q->nr_slots - 1);
		if (k >= q->nr_entries)
			break;
		memcpy(q->fetched + i * q->geo.entry_size,
		       q->entries + (size_t)k * q->geo.entry_size,
		       q->geo.entry_size);
	}
	return i;
}

/* iommufd_vqueue_pass() */
static void vq_pass(struct vq_queue *q)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;
	const struct iommufd_vqueue_geometry *geo = &q->geo;
	__uint128_t end = geo->base + ((__uint128_t)q->nr_slots << (geo->entry_size == 32 ? 5 : 4));
	unsigned int budget = VQ_BUDGET, rounds = 0;
	u32 prod = q->prod;

	if (!fmt->consistent(geo, prod, q->cons)) {
		VQ_CHECK(fmt->pending(geo, prod, q->cons) == 0);
		if (fmt->error_prod)
			vq_stop(q, q->cons, 0, 0, fmt->error_prod);
		return;
	}

	while (budget && !fmt->empty(geo, prod, q->cons)) {
		u32 pending = fmt->pending(geo, prod, q->cons);
		u32 nr = min(fmt->contig(geo, prod, q->cons), budget);
		u32 idx = fmt->index(geo, q->cons);
		u64 iova = geo->base + (u64)idx * geo->entry_size;
		u32 got;

		/* Progress on every pass over a non-empty queue */
		VQ_CHECK(++rounds <= VQ_BUDGET);
		VQ_CHECK(nr >= 1 && nr <= pending && pending <= q->nr_slots);
		/* Never a read outside the queue, nor past the fetch buffer */
		VQ_CHECK(idx < q->nr_slots);
		VQ_CHECK(iova >= geo->base &&
			 (__uint128_t)iova + (u64)nr * geo->entry_size <= end);
		VQ_CHECK(nr <= VQ_BUDGET);

		q->fetched = q->fetch_end - nr * geo->entry_size;
		got = vq_fetch(q, idx, nr);
		if (!got) {
			/* The entry cannot be read: stop on it */
			vq_stop(q, q->cons, 0, 0, fmt->error_abort);
			return;
		}
		if (got < nr) {
			memmove(q->fetch_end - got * geo->entry_size, q->fetched,
				got * geo->entry_size);
			q->fetched = q->fetch_end - got * geo->entry_size;
		}
		vq_consume(q, q->cons, got);
		if (q->stopped)
			return;
		budget -= got;
	}
	/* A pass that kept some of its budget left the queue empty */
	if (budget)
		VQ_CHECK(fmt->empty(geo, prod, q->cons) &&
			 !fmt->pending(geo, prod, q->cons));
}

/* The index operations on any pair of register values */
static void vq_check_index(struct vq_queue *q, u32 prod, u32 cons)
{
	const struct iommufd_vqueue_format *fmt = q->vf->fmt;
	const struct iommufd_vqueue_geometry *geo = &q->geo;
	bool consistent = fmt->consistent(geo, prod, cons);
	bool empty = fmt->empty(geo, prod, cons);
	u32 pending = fmt->pending(geo, prod, cons);
	u32 contig = fmt->contig(geo, prod, cons);
	u32 idx = fmt->index(geo, cons);
	u32 n = q->nr_slots;
	u32 adv, k;

	VQ_CHECK(idx < n && fmt->index(geo, prod) < n);
	VQ_CHECK(contig <= pending && idx + contig <= n);
	if (!consistent) {
		VQ_CHECK(!pending && !contig);
		VQ_CHECK(!q->vf->dbg->full(geo, prod, cons));
		return;
	}
	/* An empty queue has nothing pending; any other has some */
	VQ_CHECK(empty == !pending);
	VQ_CHECK(empty || contig >= 1);
	if (fmt == &iommufd_vqueue_vtd_format) {
		/* No wrap bit: one slot always stays free */
		VQ_CHECK(pending < n);
		VQ_CHECK(q->vf->dbg->full(geo, prod, cons) == (pending == n - 1));
	} else {
		VQ_CHECK(pending <= n);
		VQ_CHECK(q->vf->dbg->full(geo, prod, cons) == (pending == n));
	}

	/* Consuming k of them, whatever k the VMM chose */
	for (k = 0; k <= pending; k += k < 2 ? 1 : max(pending / 3, 1U)) {
		adv = fmt->advance(geo, cons, k);
		VQ_CHECK(fmt->consistent(geo, prod, adv));
		VQ_CHECK(fmt->pending(geo, prod, adv) == pending - k);
		VQ_CHECK(fmt->pending(geo, adv, cons) == k);
		VQ_CHECK(fmt->index(geo, adv) == (idx + k) % n);
		/* Bits outside the index and wrap are kept */
		if (fmt == &iommufd_vqueue_vtd_format)
			VQ_CHECK(!((adv ^ cons) & ~VTD_IQ_OFFSET));
		else
			VQ_CHECK(!((adv ^ cons) & ~((2U << geo->log2_entries) - 1)));
	}
	VQ_CHECK(fmt->empty(geo, prod, fmt->advance(geo, cons, pending)));
}

/* VT-d: a register names a slot when it is aligned and inside the queue */
static bool vtd_names_slot(const struct iommufd_vqueue_geometry *geo, u32 reg)
{
	u32 off = reg & VTD_IQ_OFFSET;

	return !(off % geo->entry_size) && off / geo->entry_size <
	       BIT(geo->log2_entries);
}

/*
 * libFuzzer's entry point, LLVMFuzzerTestOneInput(): the Makefile gives it
 * that name, which is not one the kernel's coding style allows.
 */
int vq_fuzz_one_input(const uint8_t *data, size_t size)
{
	static u8 fetched[VQ_BUDGET * 32] __aligned(8);
	static bool bound;
	struct vq_fuzz_header h;
	struct vq_queue q = { 0 };
	const struct iommufd_vqueue_format *fmt;
	unsigned int max_log2, pass;
	u32 consumed;
	int rc;

	if (!bound) {
		vq_bind();
		bound = true;
	}
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	q.vf = &vq_formats[h.format % VQ_FUZZ_NR_FORMATS];
	fmt = q.vf->fmt;
	q.vf->check_regs(&h);

	/* The VMM's limit is checked by the ioctl before geometry runs */
	max_log2 = h.max_log2;
	memset(&q.geo, 0xa5, sizeof(q.geo));
	rc = fmt->geometry(le64_to_cpu(h.base), max_log2, &q.geo);
	q.vf->check_geometry(le64_to_cpu(h.base),
			     min(max_log2, fmt->max_log2_entries), rc, &q.geo);
	if (rc || max_log2 > fmt->max_log2_entries)
		return 0;
	VQ_CHECK(q.geo.log2_entries <= fmt->max_log2_entries);
	VQ_CHECK(q.geo.entry_size <= IOMMUFD_VQUEUE_MAX_ENTRY_WORDS * 8);

	q.nr_slots = BIT(q.geo.log2_entries);
	q.prod = le32_to_cpu(h.prod);
	/* What the vqueue takes from the VMM's consumer register */
	q.cons = fmt->cons_error ? fmt->cons_error(le32_to_cpu(h.cons), 0) :
		 le32_to_cpu(h.cons);
	if (fmt == &iommufd_vqueue_vtd_format)
		VQ_CHECK(fmt->consistent(&q.geo, q.prod, q.cons) ==
			 (vtd_names_slot(&q.geo, q.prod) &&
			  vtd_names_slot(&q.geo, q.cons)));
	vq_check_index(&q, q.prod, q.cons);
	vq_check_index(&q, q.cons, q.prod);

	q.entries = data + sizeof(h);
	q.nr_entries = min_t(size_t, (size - sizeof(h)) / q.geo.entry_size,
			     q.nr_slots);
	q.first_slot = fmt->index(&q.geo, q.cons);
	q.fetch_end = fetched + sizeof(fetched);
	q.batch = malloc(VQ_BUDGET * fmt->inv_size);
	VQ_CHECK(q.batch);

	for (pass = 0; pass <= (h.passes & 7u); pass++) {
		q.stopped = false;
		vq_pass(&q);
		VQ_CHECK(q.consumed == q.expected);
		if (!q.stopped)
			break;
		/*
		 * IOMMU_VQUEUE_RESUME: the VMM says how many it handled; more
		 * than are pending is refused, then it skips the one.
		 */
		consumed = le32_to_cpu(h.consumed);
		if (consumed > fmt->pending(&q.geo, q.prod, q.cons))
			consumed = !fmt->empty(&q.geo, q.prod, q.cons);
		if (!fmt->consistent(&q.geo, q.prod, q.cons))
			break;
		vq_publish(&q, fmt->advance(&q.geo, q.cons, consumed), consumed);
	}

	/* Entries no pass reached are still the guest's: decode them too */
	if (!q.expected) {
		struct iommufd_vqueue_entry e;
		u32 i;

		q.fetched = q.fetch_end - q.geo.entry_size;
		for (i = 0; i < q.nr_entries; i++) {
			memcpy(q.fetched, q.entries + i * q.geo.entry_size,
			       q.geo.entry_size);
			vq_run_entry(&q, q.fetched, 0, &e, &rc);
		}
	}
	free(q.batch);
	return 0;
}
