// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d invalidation queue format for iommufd vqueues.
 *
 * The guest sees a scalable-mode remapping unit whose first stage it owns
 * and whose second stage belongs to the host (nesting). For each descriptor
 * the guest queued this decides whether the kernel forwards it to the host
 * IOMMU driver, completes it, must leave it to the VMM, or must stop with an
 * invalidation queue error (FSTS.IQE, with the reason in IQERCD.IQEI):
 *
 * - PASID-based IOTLB invalidation is forwarded, as a stage-1 invalidation
 *   of the nested HWPT that the VMM bound to the guest's (DID, PASID), over
 *   a range never smaller than the one the guest asked for.
 *
 * - Device-TLB and PASID-based device-TLB invalidations are completed
 *   without forwarding. The guest cannot change a translation a device
 *   caches without changing its first stage, which it then invalidates
 *   with a PASID-based IOTLB invalidation; the host driver flushes the
 *   device TLBs of every ATS-enabled device behind the nested domain as
 *   part of that. The guest's own device TLB invalidations would name
 *   guest Source-IDs, and ATS is the host's to drive.
 *
 * - The invalidation wait descriptor is completed in the kernel. The
 *   vqueue runs descriptors in order and finishes each before the next, so
 *   every earlier descriptor is complete when it reaches a wait, and
 *   nothing after a wait starts before the wait completes: that is what a
 *   fence (FN=1) asks for, so FN needs nothing more. A page-request drain
 *   (PD=1) waits for page requests that reached the guest's page request
 *   queue, which the VMM emulates: such a wait goes to the VMM.  A wait
 *   with neither SW nor IF only orders; Linux uses one as a fenced no-op
 *   when it recovers from an IQE.
 *
 * - Context-cache, IOTLB (second stage and pass-through), interrupt entry
 *   cache and PASID-cache invalidations, and page group responses, concern
 *   state only the VMM tracks: they exit to it.
 *
 * IQE reasons, from the IQERCD register description (IQEI): 1 for a tail
 * pointer outside the queue or not on a 256-bit boundary in a 256-bit
 * queue, 2 for a descriptor that cannot be read, 3 for an invalid
 * descriptor type, 4 for a reserved field set, or a reserved encoding
 * (P_IOTLB granularity 0 and 1), in a valid type. A type that only exists
 * as a 256-bit descriptor (the PASID-based ones and the page group
 * response, which only scalable mode has) found in a 128-bit queue is an
 * invalid descriptor (VT-d 3.0 6.5.2: 128-bit descriptors are treated as
 * invalid descriptors in scalable mode), so 3 as well; 5 means an invalid
 * descriptor width programmed in IQA, a property of the register and not of
 * a descriptor. A P_IOTLB whose (DID, PASID) the VMM bound to no nested
 * HWPT is not forwarded; the vqueue stops on it with 3 (invalid descriptor)
 * and the VMM decides, since it alone knows whether the guest named a
 * domain it never set up.
 *
 * Reserved bits are checked in every descriptor the kernel handles itself,
 * including quadwords 2 and 3 of a 256-bit one. PFSID is accepted: it is
 * defined when the VMM advertises ECAP.DIT, and nothing here forwards it.
 * PD is accepted whatever ECAP.PDS says, for the same reason. Descriptors
 * that exit to the VMM are handed over untouched; the VMM applies its own
 * policy, as the SMMUv3 format does.
 *
 * Built in the kernel and in userspace (tools/iommu); keep it pure. The
 * names and field tables that only a decoder needs are in vqueue_vtd_debug.c.
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

/* Only a 256-bit descriptor can carry this type */
#define VTD_DF_256		BIT(0)
/* The type is defined by the architecture (the others are reserved) */
#define VTD_DF_KNOWN		BIT(1)

/**
 * struct vtd_desc - What this format knows about one descriptor type
 * @defined: Bits of quadwords 0 and 1 that have a meaning; quadwords 2 and
 *	3 have none in any type the kernel handles.
 * @class: Class when the descriptor passes every check.
 * @flags: VTD_DF_*.
 */
struct vtd_desc {
	u64 defined[2];
	u8 class;
	u8 flags;
};

#define VTD_DESC(type, cls, df, ...)					\
	[VTD_DESC_##type] = { .class = IOMMUFD_VQUEUE_CLASS_##cls,	\
			      .flags = VTD_DF_KNOWN | (df), __VA_ARGS__ }

static const struct vtd_desc vtd_descs[VTD_DESC_PAGE_GRP_RESP + 1] = {
	VTD_DESC(CC, EXIT, 0,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_SID | VTD_CC0_FM }),
	VTD_DESC(IOTLB, EXIT, 0,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_IOTLB0_DW |
			      VTD_IOTLB0_DR | VTD_DESC0_DID,
			      VTD_DESC1_AM | VTD_DESC1_IH | VTD_DESC1_ADDR }),
	VTD_DESC(DEV_TLB, NOP, 0,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_PFSID_LO |
			      VTD_DEV_TLB0_MIP | VTD_DESC0_SID |
			      VTD_DESC0_PFSID_HI,
			      VTD_DEV_TLB1_S | VTD_DESC1_ADDR }),
	VTD_DESC(IEC, EXIT, 0,
		 .defined = { VTD_DESC0_TYPE | VTD_IEC0_G | VTD_IEC0_IM |
			      VTD_IEC0_IIDX }),
	VTD_DESC(WAIT, SYNC, 0,
		 .defined = { VTD_DESC0_TYPE | VTD_WAIT0_IF | VTD_WAIT0_SW |
			      VTD_WAIT0_FN | VTD_WAIT0_PD | VTD_WAIT0_DATA,
			      VTD_WAIT1_ADDR }),
	VTD_DESC(PASID_IOTLB, INVALIDATE, VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_PASID,
			      VTD_DESC1_AM | VTD_DESC1_IH | VTD_DESC1_ADDR }),
	VTD_DESC(PASID_CACHE, EXIT, VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_DESC0_GRAN | VTD_DESC0_DID |
			      VTD_DESC0_PASID }),
	VTD_DESC(PASID_DEV_TLB, NOP, VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_PDEV_TLB0_MIP |
			      VTD_DESC0_PFSID_LO | VTD_DESC0_RID |
			      VTD_DESC0_PASID | VTD_DESC0_PFSID_HI,
			      VTD_PDEV_TLB1_G | VTD_PDEV_TLB1_S | VTD_DESC1_ADDR }),
	VTD_DESC(PAGE_GRP_RESP, EXIT, VTD_DF_256,
		 .defined = { VTD_DESC0_TYPE | VTD_PGRP0_PP | VTD_PGRP0_PDP |
			      VTD_PGRP0_RESP | VTD_DESC0_RID | VTD_DESC0_PASID,
			      VTD_PGRP1_LPIG | VTD_PGRP1_PRGI }),
};

static const struct vtd_desc *vtd_desc(u16 type)
{
	if (type >= ARRAY_SIZE(vtd_descs) ||
	    !(vtd_descs[type].flags & VTD_DF_KNOWN))
		return NULL;
	return &vtd_descs[type];
}

static unsigned int vtd_shift(const struct iommufd_vqueue_geometry *geo)
{
	return geo->entry_size == VTD_DESC_256 ? 5 : 4;
}

static int vtd_geometry(u64 iqa, unsigned int max_log2,
			struct iommufd_vqueue_geometry *geo)
{
	bool dw = iqa & VTD_IQA_DW;
	unsigned int qs = FIELD_GET(VTD_IQA_QS, iqa);
	unsigned int log2 = qs + 8 - dw;
	u64 base = iqa & VTD_IQA_ADDR;

	/*
	 * QS names the queue's size in 4KiB pages, and the guest indexes it
	 * with IQT accordingly: a smaller queue would not be the guest's.
	 */
	if (log2 > min_t(unsigned int, max_log2, VTD_IQ_MAX_LOG2))
		return -EINVAL;
	/*
	 * A queue that runs past the top of the address space would have
	 * base + offset wrap to low addresses instead of failing the fetch.
	 */
	if (base > ~0ULL - ((4096ULL << qs) - 1))
		return -EINVAL;

	geo->base = base;
	geo->log2_entries = log2;
	geo->entry_size = dw ? VTD_DESC_256 : VTD_DESC_128;
	return 0;
}

/*
 * IQH and IQT hold a byte offset in QH/QT[18:4]; the other bits are
 * reserved and take no part. There is no wrap bit: head == tail is empty,
 * so the guest leaves one slot free and a full queue holds 2^n - 1.
 */
static u32 vtd_slot(const struct iommufd_vqueue_geometry *geo, u32 reg)
{
	return (reg & VTD_IQ_OFFSET) >> vtd_shift(geo);
}

/* A register value that names a slot of this queue */
static bool vtd_valid_offset(const struct iommufd_vqueue_geometry *geo,
			     u32 reg)
{
	/* In a 256-bit queue Q[4] must be 0 */
	if (reg & VTD_IQ_OFFSET & (geo->entry_size - 1))
		return false;
	return vtd_slot(geo, reg) < BIT(geo->log2_entries);
}

/*
 * The tail is the guest's; the head is the vqueue's, but it lives in memory
 * the VMM can write, and one that names no slot would make every retry
 * fetch from outside the queue.
 */
static bool vtd_consistent(const struct iommufd_vqueue_geometry *geo, u32 prod,
			   u32 cons)
{
	return vtd_valid_offset(geo, prod) && vtd_valid_offset(geo, cons);
}

static bool vtd_empty(const struct iommufd_vqueue_geometry *geo, u32 prod,
		      u32 cons)
{
	return !((prod ^ cons) & VTD_IQ_OFFSET);
}

static u32 vtd_pending(const struct iommufd_vqueue_geometry *geo, u32 prod,
		       u32 cons)
{
	if (!vtd_consistent(geo, prod, cons))
		return 0;
	return (vtd_slot(geo, prod) - vtd_slot(geo, cons)) &
	       (BIT(geo->log2_entries) - 1);
}

static u32 vtd_index(const struct iommufd_vqueue_geometry *geo, u32 reg)
{
	return vtd_slot(geo, reg) & (BIT(geo->log2_entries) - 1);
}

static u32 vtd_contig(const struct iommufd_vqueue_geometry *geo, u32 prod,
		      u32 cons)
{
	return min(vtd_pending(geo, prod, cons),
		   (u32)BIT(geo->log2_entries) - vtd_index(geo, cons));
}

static u32 vtd_advance(const struct iommufd_vqueue_geometry *geo, u32 reg,
		       u32 n)
{
	u32 slot = (vtd_index(geo, reg) + n) & (BIT(geo->log2_entries) - 1);

	return (reg & ~VTD_IQ_OFFSET) | (slot << vtd_shift(geo));
}

/* The IQEI for a descriptor that does not pass, or VTD_IQEI_NONE */
static u8 vtd_check(const struct vtd_desc *d,
		    const struct iommufd_vqueue_entry *e,
		    unsigned int entry_size)
{
	const u64 *w = e->words;

	if (!d)
		return VTD_IQEI_TYPE;
	/* Invalid in a 128-bit queue: see the IQE reasons above */
	if ((d->flags & VTD_DF_256) && entry_size != VTD_DESC_256)
		return VTD_IQEI_TYPE;
	if (d->class == IOMMUFD_VQUEUE_CLASS_EXIT)
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
 * The vqueue's per-entry path: classification only reads the few fields the
 * rules need, straight from the words.
 */
static void vtd_decode(const struct iommufd_vqueue_geometry *geo,
		       const __le64 *raw, struct iommufd_vqueue_entry *e)
{
	const struct vtd_desc *d;
	unsigned int i;
	u64 w0;

	for (i = 0; i < IOMMUFD_VQUEUE_MAX_ENTRY_WORDS; i++)
		e->words[i] = i < geo->entry_size / sizeof(u64) ?
			      le64_to_cpu(raw[i]) : 0;
	w0 = e->words[0];
	e->opcode = FIELD_GET(VTD_DESC0_TYPE_HI, w0) << 4 |
		    FIELD_GET(VTD_DESC0_TYPE_LO, w0);

	d = vtd_desc(e->opcode);
	e->error = vtd_check(d, e, geo->entry_size);
	if (e->error)
		e->class = IOMMUFD_VQUEUE_CLASS_ILLEGAL;
	else if (e->opcode == VTD_DESC_WAIT && (w0 & VTD_WAIT0_PD))
		e->class = IOMMUFD_VQUEUE_CLASS_EXIT;
	else
		e->class = d->class;
}

/**
 * iommufd_vqueue_vtd_s1_range() - Stage-1 invalidation for a P_IOTLB
 * @qw0: Quadword 0 of a valid PASID-based IOTLB invalidation descriptor.
 * @qw1: Its quadword 1.
 * @inv: The invalidation to forward to the nested HWPT.
 *
 * Page-selective-within-PASID covers the 2^AM 4KiB pages naturally aligned
 * around ADDR; the hardware ignores the address bits below that size, and
 * so does this. IH says only leaf entries changed. All-within-PASID, and
 * a mask covering the whole address space, become the whole stage 1 (addr
 * 0, npages U64_MAX), with no leaf hint since IH applies to page-selective
 * invalidations only. The result never covers less than the descriptor.
 */
void iommufd_vqueue_vtd_s1_range(u64 qw0, u64 qw1,
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

/* The ID table key of a guest (domain ID, PASID): both fit, side by side */
static u64 vtd_key(u32 domain_id, u32 pasid)
{
	return (u64)pasid << 16 | domain_id;
}

static int vtd_translate(const struct iommufd_vqueue_entry *e,
			 const struct iommufd_vqueue_vids *vids, void *out,
			 u32 *target)
{
	u64 w0 = e->words[0];
	int ret;

	if (e->class != IOMMUFD_VQUEUE_CLASS_INVALIDATE)
		return -EINVAL;

	/* The guest's DID and PASID only ever select one of its own HWPTs */
	ret = vids ? vids->lookup(vids,
				  vtd_key(FIELD_GET(VTD_DESC0_DID, w0),
					  FIELD_GET(VTD_DESC0_PASID, w0)),
				  target) : -ENOENT;
	if (ret)
		return ret;
	iommufd_vqueue_vtd_s1_range(w0, e->words[1], out);
	return 0;
}

static void vtd_sync(const struct iommufd_vqueue_entry *e,
		     struct iommufd_vqueue_sync *s)
{
	u64 w0 = e->words[0];

	s->addr = e->words[1] & VTD_WAIT1_ADDR;
	s->data = FIELD_GET(VTD_WAIT0_DATA, w0);
	s->flags = 0;
	/* Both may be set: the status write, then the interrupt */
	if (w0 & VTD_WAIT0_SW)
		s->flags |= IOMMUFD_VQUEUE_SYNC_WRITE;
	if (w0 & VTD_WAIT0_IF)
		s->flags |= IOMMUFD_VQUEUE_SYNC_IRQ;
}

/* What the descriptors can name: a 16-bit domain ID and a 20-bit PASID */
static int vtd_vdomain_key(u32 domain_id, u32 pasid, u64 *key)
{
	if (domain_id > FIELD_MAX(VTD_DESC0_DID) ||
	    pasid > FIELD_MAX(VTD_DESC0_PASID))
		return -EINVAL;
	*key = vtd_key(domain_id, pasid);
	return 0;
}

const struct iommufd_vqueue_format iommufd_vqueue_vtd_format = {
	.max_log2_entries = VTD_IQ_MAX_LOG2,
	.error_illegal = VTD_IQEI_TYPE,
	.error_abort = VTD_IQEI_FETCH,
	.error_prod = VTD_IQEI_TAIL,
	.inv_size = sizeof(struct iommu_hwpt_vtd_s1_invalidate),
	.geometry = vtd_geometry,
	.consistent = vtd_consistent,
	.empty = vtd_empty,
	.pending = vtd_pending,
	.contig = vtd_contig,
	.index = vtd_index,
	.advance = vtd_advance,
	.decode = vtd_decode,
	.translate = vtd_translate,
	.sync = vtd_sync,
	/*
	 * ICS.IWC latches until the guest writes 1 to it. A completion while
	 * it is still set is not a new interrupt condition.
	 */
	.irq_latch = VTD_ICS_IWC,
	.vdomain_key = vtd_vdomain_key,
};
