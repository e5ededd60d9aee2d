// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d invalidation queue format for the iommufd vqueue worker.
 *
 * The guest sees a scalable-mode remapping unit whose first stage it owns
 * and whose second stage belongs to the host (nesting).  For each descriptor
 * the guest queued this decides whether the kernel forwards it to the host
 * IOMMU driver, completes it, must leave it to the VMM, or must stop with an
 * invalidation queue error (FSTS.IQE, with the reason in IQERCD.IQEI):
 *
 * - PASID-based IOTLB invalidation is forwarded, as a stage-1 invalidation
 *   of the nested HWPT that the VMM bound to the guest's (DID, PASID), over
 *   a range never smaller than the one the guest asked for.
 *
 * - Device-TLB and PASID-based device-TLB invalidations are completed
 *   without forwarding.  The guest cannot change a translation a device
 *   caches without changing its first stage, which it then invalidates
 *   with a PASID-based IOTLB invalidation; the host driver flushes the
 *   device TLBs of every ATS-enabled device behind the nested domain as
 *   part of that.  The guest's own device TLB invalidations would name
 *   guest Source-IDs, and ATS is the host's to drive.
 *
 * - The invalidation wait descriptor is completed in the kernel.  The
 *   worker runs descriptors in order and finishes each before the next, so
 *   every earlier descriptor is complete when it reaches a wait, and
 *   nothing after a wait starts before the wait completes: that is what a
 *   fence (FN=1) asks for, so FN needs nothing more.  A page-request drain
 *   (PD=1) waits for page requests that reached the guest's page request
 *   queue, which the VMM emulates: such a wait goes to the VMM.  A wait
 *   with neither SW nor IF only orders; Linux uses one as a fenced no-op
 *   when it recovers from an IQE.
 *
 * - Context-cache, IOTLB (second stage and pass-through), interrupt entry
 *   cache and PASID-cache invalidations, and page group responses, concern
 *   state only the VMM tracks: they exit to it.
 *
 * IQE reasons, from the IQERCD register description: 1 for a tail pointer
 * outside the queue or not on a 256-bit boundary in a 256-bit queue, 2 for
 * a descriptor that cannot be read, 3 for a reserved type, 4 for a reserved
 * bit or a reserved encoding (P_IOTLB granularity 0 and 1) in a valid type,
 * and 5 (invalid descriptor width) for a type that only exists as a 256-bit
 * descriptor (PASID-based ones and page group response, which only scalable
 * mode has) found in a 128-bit queue.  A P_IOTLB whose (DID, PASID) the VMM
 * bound to no nested HWPT is not forwarded; the worker stops on it with 3
 * (invalid descriptor) and the VMM decides, since it alone knows whether
 * the guest named a domain it never set up.
 *
 * Reserved bits are checked in every descriptor the kernel handles itself,
 * including quadwords 2 and 3 of a 256-bit one.  PFSID is accepted: it is
 * defined when the VMM advertises ECAP.DIT, and nothing here forwards it.
 * PD is accepted whatever ECAP.PDS says, for the same reason.  Descriptors
 * that exit to the VMM are handed over untouched; the VMM applies its own
 * policy, as the SMMUv3 format does.
 *
 * Built in the kernel and in userspace (tools/iommu); keep it pure.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <uapi/linux/iommufd.h>

#include "vqueue_format.h"
#include "vqueue_vtd.h"

/* Descriptor widths in bytes */
#define VTD_DESC_128		16
#define VTD_DESC_256		32

/**
 * struct vtd_field - Where one decoded field sits in one descriptor type
 * @mask: The field's bits in @word.
 * @word: Quadword.
 * @field: &enum iommufd_vq_field.
 * @shift: Right shift of the value; 0 for byte addresses, so that they read
 *	as addresses, and less than the field's position for the upper part
 *	of a field split in two (PFSID).
 *
 * A descriptor's field list ends at the first entry whose @mask is 0.
 */
struct vtd_field {
	u64 mask;
	u8 word;
	u8 field;
	u8 shift;
};

#define VTD_FIELD(f, w, m)						\
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQ_FIELD_##f,	\
	  .shift = __builtin_ctzll(m) }
#define VTD_BYTES(f, w, m)						\
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQ_FIELD_##f }
/* The upper part of a field whose lower @lo bits are elsewhere */
#define VTD_FIELD_UPPER(f, w, m, lo)					\
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQ_FIELD_##f,	\
	  .shift = __builtin_ctzll(m) - (lo) }

/* Only a 256-bit descriptor can carry this type */
#define VTD_DF_256		BIT(0)

/**
 * struct vtd_desc - What this format knows about one descriptor type
 * @name: Name printed by the tools.
 * @defined: Bits of quadwords 0 and 1 that have a meaning; quadwords 2 and
 *	3 have none in any type the kernel handles.
 * @fields: Decoded fields.
 * @class: Class when the descriptor passes every check.
 * @flags: VTD_DF_*.
 */
struct vtd_desc {
	const char *name;
	u64 defined[2];
	struct vtd_field fields[8];
	u8 class;
	u8 flags;
};

#define VTD_DESC(type, nm, cls, ...)					\
	[VTD_DESC_##type] = { .name = nm,				\
			      .class = IOMMUFD_VQ_CLASS_##cls, __VA_ARGS__ }

static const struct vtd_desc vtd_descs[VTD_DESC_PAGE_GRP_RESP + 1] = {
	VTD_DESC(CC, "CC_INV", EXIT,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_SID | VTD_CC0_FM },
		 .fields = { VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
			     VTD_FIELD(DID, 0, VTD_DESC0_DID),
			     VTD_FIELD(SID, 0, VTD_DESC0_SID),
			     VTD_FIELD(FM, 0, VTD_CC0_FM) }),
	VTD_DESC(IOTLB, "IOTLB_INV", EXIT,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_IOTLB0_DW |
			      VTD_IOTLB0_DR | VTD_DESC0_DID,
			      VTD_DESC1_AM | VTD_DESC1_IH | VTD_DESC1_ADDR },
		 .fields = { VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
			     VTD_FIELD(DW, 0, VTD_IOTLB0_DW),
			     VTD_FIELD(DR, 0, VTD_IOTLB0_DR),
			     VTD_FIELD(DID, 0, VTD_DESC0_DID),
			     VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
			     VTD_FIELD(AM, 1, VTD_DESC1_AM),
			     VTD_FIELD(IH, 1, VTD_DESC1_IH) }),
	VTD_DESC(DEV_TLB, "DEV_TLB_INV", NOP,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_PFSID_LO |
			      VTD_DEV_TLB0_MIP | VTD_DESC0_SID |
			      VTD_DESC0_PFSID_HI,
			      VTD_DEV_TLB1_S | VTD_DESC1_ADDR },
		 .fields = { VTD_FIELD(PFSID, 0, VTD_DESC0_PFSID_LO),
			     VTD_FIELD_UPPER(PFSID, 0, VTD_DESC0_PFSID_HI, 4),
			     VTD_FIELD(SID, 0, VTD_DESC0_SID),
			     VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
			     VTD_FIELD(SIZE, 1, VTD_DEV_TLB1_S) }),
	VTD_DESC(IEC, "IEC_INV", EXIT,
		 .defined = { VTD_DESC0_TYPE | VTD_IEC0_G | VTD_IEC0_IM |
			      VTD_IEC0_IIDX },
		 .fields = { VTD_FIELD(GRAN, 0, VTD_IEC0_G),
			     VTD_FIELD(IM, 0, VTD_IEC0_IM),
			     VTD_FIELD(IIDX, 0, VTD_IEC0_IIDX) }),
	VTD_DESC(WAIT, "INV_WAIT", SYNC,
		 .defined = { VTD_DESC0_TYPE | VTD_WAIT0_IF | VTD_WAIT0_SW |
			      VTD_WAIT0_FN | VTD_WAIT0_PD | VTD_WAIT0_DATA,
			      VTD_WAIT1_ADDR },
		 .fields = { VTD_FIELD(IF, 0, VTD_WAIT0_IF),
			     VTD_FIELD(SW, 0, VTD_WAIT0_SW),
			     VTD_FIELD(FN, 0, VTD_WAIT0_FN),
			     VTD_FIELD(PD, 0, VTD_WAIT0_PD),
			     VTD_FIELD(STATUS_DATA, 0, VTD_WAIT0_DATA),
			     VTD_BYTES(STATUS_ADDR, 1, VTD_WAIT1_ADDR) }),
	VTD_DESC(PASID_IOTLB, "PASID_IOTLB_INV", INVALIDATE, .flags = VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_PASID,
			      VTD_DESC1_AM | VTD_DESC1_IH | VTD_DESC1_ADDR },
		 .fields = { VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
			     VTD_FIELD(DID, 0, VTD_DESC0_DID),
			     VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
			     VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
			     VTD_FIELD(AM, 1, VTD_DESC1_AM),
			     VTD_FIELD(IH, 1, VTD_DESC1_IH) }),
	VTD_DESC(PASID_CACHE, "PASID_CACHE_INV", EXIT, .flags = VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_PASID },
		 .fields = { VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
			     VTD_FIELD(DID, 0, VTD_DESC0_DID),
			     VTD_FIELD(PASID, 0, VTD_DESC0_PASID) }),
	VTD_DESC(PASID_DEV_TLB, "PASID_DEV_TLB_INV", NOP, .flags = VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_PDEV_TLB0_MIP |
			      VTD_DESC0_PFSID_LO | VTD_DESC0_RID |
			      VTD_DESC0_PASID | VTD_DESC0_PFSID_HI,
			      VTD_PDEV_TLB1_G | VTD_PDEV_TLB1_S | VTD_DESC1_ADDR },
		 .fields = { VTD_FIELD(PFSID, 0, VTD_DESC0_PFSID_LO),
			     VTD_FIELD_UPPER(PFSID, 0, VTD_DESC0_PFSID_HI, 4),
			     VTD_FIELD(SID, 0, VTD_DESC0_RID),
			     VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
			     VTD_FIELD(GRAN, 1, VTD_PDEV_TLB1_G),
			     VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
			     VTD_FIELD(SIZE, 1, VTD_PDEV_TLB1_S) }),
	VTD_DESC(PAGE_GRP_RESP, "PAGE_GRP_RESP", EXIT, .flags = VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_PGRP0_PP | VTD_PGRP0_PDP |
			      VTD_PGRP0_RESP | VTD_DESC0_RID | VTD_DESC0_PASID,
			      VTD_PGRP1_LPIG | VTD_PGRP1_PRGI },
		 .fields = { VTD_FIELD(SID, 0, VTD_DESC0_RID),
			     VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
			     VTD_FIELD(RESP, 0, VTD_PGRP0_RESP) }),
};

static const struct vtd_desc *vtd_desc(u16 type)
{
	if (type >= ARRAY_SIZE(vtd_descs) || !vtd_descs[type].name)
		return NULL;
	return &vtd_descs[type];
}

static unsigned int vtd_shift(const struct iommufd_vq_geometry *geo)
{
	return geo->entry_size == VTD_DESC_256 ? 5 : 4;
}

static int vtd_geometry(u64 iqa, unsigned int max_log2,
			struct iommufd_vq_geometry *geo)
{
	bool dw = iqa & VTD_IQA_DW;
	unsigned int log2 = FIELD_GET(VTD_IQA_QS, iqa) + 8 - dw;

	/*
	 * QS names the queue's size in 4KiB pages, and the guest indexes it
	 * with IQT accordingly: a smaller queue would not be the guest's.
	 */
	if (log2 > min_t(unsigned int, max_log2, VTD_IQ_MAX_LOG2))
		return -EINVAL;

	geo->base = iqa & VTD_IQA_ADDR;
	geo->log2_entries = log2;
	geo->entry_size = dw ? VTD_DESC_256 : VTD_DESC_128;
	return 0;
}

/*
 * IQH and IQT hold a byte offset in QH/QT[18:4]; the other bits are
 * reserved and take no part.  There is no wrap bit: head == tail is empty,
 * so the guest leaves one slot free and a full queue holds 2^n - 1.
 */
static u32 vtd_slot(const struct iommufd_vq_geometry *geo, u32 reg)
{
	return (reg & VTD_IQ_OFFSET) >> vtd_shift(geo);
}

static bool vtd_consistent(const struct iommufd_vq_geometry *geo, u32 prod,
			   u32 cons)
{
	/* In a 256-bit queue QT[4] must be 0; QT must lie inside the queue */
	if (prod & VTD_IQ_OFFSET & (geo->entry_size - 1))
		return false;
	return vtd_slot(geo, prod) < BIT(geo->log2_entries);
}

static bool vtd_empty(const struct iommufd_vq_geometry *geo, u32 prod,
		      u32 cons)
{
	return !((prod ^ cons) & VTD_IQ_OFFSET);
}

static u32 vtd_pending(const struct iommufd_vq_geometry *geo, u32 prod,
		       u32 cons)
{
	if (!vtd_consistent(geo, prod, cons))
		return 0;
	return (vtd_slot(geo, prod) - vtd_slot(geo, cons)) &
	       (BIT(geo->log2_entries) - 1);
}

static bool vtd_full(const struct iommufd_vq_geometry *geo, u32 prod,
		     u32 cons)
{
	return vtd_pending(geo, prod, cons) == BIT(geo->log2_entries) - 1;
}

static u32 vtd_index(const struct iommufd_vq_geometry *geo, u32 reg)
{
	return vtd_slot(geo, reg) & (BIT(geo->log2_entries) - 1);
}

static u32 vtd_contig(const struct iommufd_vq_geometry *geo, u32 prod,
		      u32 cons)
{
	return min(vtd_pending(geo, prod, cons),
		   (u32)BIT(geo->log2_entries) - vtd_index(geo, cons));
}

static u32 vtd_advance(const struct iommufd_vq_geometry *geo, u32 reg, u32 n)
{
	u32 slot = (vtd_index(geo, reg) + n) & (BIT(geo->log2_entries) - 1);

	return (reg & ~VTD_IQ_OFFSET) | (slot << vtd_shift(geo));
}

/* The IQEI for a descriptor that does not pass, or VTD_IQEI_NONE */
static u8 vtd_check(const struct vtd_desc *d, const struct iommufd_vq_entry *e,
		    unsigned int entry_size)
{
	const u64 *w = e->words;

	if (!d)
		return VTD_IQEI_TYPE;
	if ((d->flags & VTD_DF_256) && entry_size != VTD_DESC_256)
		return VTD_IQEI_WIDTH;
	if (d->class == IOMMUFD_VQ_CLASS_EXIT)
		return VTD_IQEI_NONE;
	if ((w[0] & ~d->defined[0]) | (w[1] & ~d->defined[1]) | w[2] | w[3])
		return VTD_IQEI_RSVD;
	/* Granularities 0 and 1 of P_IOTLB are reserved encodings */
	if (e->opcode == VTD_DESC_PASID_IOTLB &&
	    FIELD_GET(VTD_DESC0_GRAN, w[0]) < VTD_PIOTLB_G_PASID)
		return VTD_IQEI_RSVD;
	return VTD_IQEI_NONE;
}

/*
 * The worker's per-entry path: classification only reads the few fields the
 * rules need, straight from the words.
 */
static void vtd_decode(const struct iommufd_vq_geometry *geo,
		       const __le64 *raw, struct iommufd_vq_entry *e)
{
	const struct vtd_desc *d;
	unsigned int i;
	u64 w0;

	for (i = 0; i < IOMMUFD_VQ_MAX_ENTRY_WORDS; i++)
		e->words[i] = i < geo->entry_size / sizeof(u64) ?
			      le64_to_cpu(raw[i]) : 0;
	w0 = e->words[0];
	e->opcode = FIELD_GET(VTD_DESC0_TYPE_HI, w0) << 4 |
		    FIELD_GET(VTD_DESC0_TYPE_LO, w0);
	e->present = 0;

	d = vtd_desc(e->opcode);
	e->error = vtd_check(d, e, geo->entry_size);
	if (e->error)
		e->class = IOMMUFD_VQ_CLASS_ILLEGAL;
	else if (e->opcode == VTD_DESC_WAIT && (w0 & VTD_WAIT0_PD))
		e->class = IOMMUFD_VQ_CLASS_EXIT;
	else
		e->class = d->class;
}

static void vtd_fields(struct iommufd_vq_entry *e)
{
	const struct vtd_desc *d = vtd_desc(e->opcode);
	const struct vtd_field *f;

	e->present = BIT_ULL(IOMMUFD_VQ_FIELD_TYPE);
	e->val[IOMMUFD_VQ_FIELD_TYPE] = e->opcode;
	if (!d)
		return;

	for (f = d->fields; f < d->fields + ARRAY_SIZE(d->fields) && f->mask;
	     f++) {
		u64 v = (e->words[f->word] & f->mask) >> f->shift;

		/* The second part of a split field adds to the first */
		if (e->present & BIT_ULL(f->field))
			e->val[f->field] |= v;
		else
			e->val[f->field] = v;
		e->present |= BIT_ULL(f->field);
	}
}

/**
 * iommufd_vq_vtd_s1_range() - Stage-1 invalidation for a P_IOTLB descriptor
 * @qw0: Quadword 0 of a valid PASID-based IOTLB invalidation descriptor.
 * @qw1: Its quadword 1.
 * @inv: The invalidation to forward to the nested HWPT.
 *
 * Page-selective-within-PASID covers the 2^AM 4KiB pages naturally aligned
 * around ADDR; the hardware ignores the address bits below that size, and
 * so does this.  IH says only leaf entries changed.  All-within-PASID, and
 * a mask covering the whole address space, become the whole stage 1 (addr
 * 0, npages U64_MAX), with no leaf hint since IH applies to page-selective
 * invalidations only.  The result never covers less than the descriptor.
 */
void iommufd_vq_vtd_s1_range(u64 qw0, u64 qw1,
			     struct iommu_hwpt_vtd_s1_invalidate *inv)
{
	unsigned int am = FIELD_GET(VTD_DESC1_AM, qw1);

	inv->__reserved = 0;
	if (FIELD_GET(VTD_DESC0_GRAN, qw0) != VTD_PIOTLB_G_PAGE ||
	    am >= VTD_AM_ALL) {
		inv->addr = 0;
		inv->npages = ~0ULL;	/* U64_MAX, which tools/include lacks */
		inv->flags = 0;
		return;
	}
	inv->addr = qw1 & VTD_DESC1_ADDR & ~(BIT_ULL(am + 12) - 1);
	inv->npages = BIT_ULL(am);
	inv->flags = qw1 & VTD_DESC1_IH ? IOMMU_VTD_INV_FLAGS_LEAF : 0;
}

static int vtd_translate(const struct iommufd_vq_entry *e,
			 const struct iommufd_vq_idmap *map, void *out,
			 u32 *target)
{
	u64 w0 = e->words[0];
	int ret;

	if (e->class != IOMMUFD_VQ_CLASS_INVALIDATE)
		return -EINVAL;

	/* The guest's DID and PASID only ever select one of its own HWPTs */
	ret = map ? map->lookup(map,
				IOMMUFD_VQ_VTD_ID(FIELD_GET(VTD_DESC0_DID, w0),
						  FIELD_GET(VTD_DESC0_PASID, w0)),
				target) : -ENOENT;
	if (ret)
		return ret;
	iommufd_vq_vtd_s1_range(w0, e->words[1], out);
	return 0;
}

static void vtd_sync(const struct iommufd_vq_entry *e,
		     struct iommufd_vq_sync *s)
{
	u64 w0 = e->words[0];

	s->addr = e->words[1] & VTD_WAIT1_ADDR;
	s->data = FIELD_GET(VTD_WAIT0_DATA, w0);
	s->flags = 0;
	/* Both may be set: the status write, then the interrupt */
	if (w0 & VTD_WAIT0_SW)
		s->flags |= IOMMUFD_VQ_SYNC_WRITE;
	if (w0 & VTD_WAIT0_IF)
		s->flags |= IOMMUFD_VQ_SYNC_IRQ;
}

/*
 * ICS.IWC latches until the guest writes 1 to it.  A completion while it is
 * still set is not a new interrupt condition, so nothing is signalled.
 */
static u32 vtd_irq_status(u32 ics, bool *signal)
{
	*signal = !(ics & VTD_ICS_IWC);
	return ics | VTD_ICS_IWC;
}

static const char *vtd_op_name(const struct iommufd_vq_entry *e)
{
	const struct vtd_desc *d = vtd_desc(e->opcode);

	return d ? d->name : NULL;
}

const struct iommufd_vq_format iommufd_vq_vtd_format = {
	.name = "vtd",
	.max_log2_entries = VTD_IQ_MAX_LOG2,
	.error_illegal = VTD_IQEI_TYPE,
	.error_abort = VTD_IQEI_FETCH,
	.error_prod = VTD_IQEI_TAIL,
	.inv_size = sizeof(struct iommu_hwpt_vtd_s1_invalidate),
	.geometry = vtd_geometry,
	.consistent = vtd_consistent,
	.empty = vtd_empty,
	.full = vtd_full,
	.pending = vtd_pending,
	.contig = vtd_contig,
	.index = vtd_index,
	.advance = vtd_advance,
	.decode = vtd_decode,
	.fields = vtd_fields,
	.translate = vtd_translate,
	.sync = vtd_sync,
	.irq_status = vtd_irq_status,
	.op_name = vtd_op_name,
};
