// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names and fields of VT-d invalidation descriptors, for decoders
 * (vqueue_format_debug.h).
 *
 * Built for the KUnit suite and tools/iommu only: the vqueue never needs to
 * know what a descriptor is called or to split it into fields.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/kernel.h>

#include "vqueue_format_debug.h"
#include "vqueue_vtd.h"

/**
 * struct vtd_field - Where one field sits in one descriptor type
 * @mask: The field's bits in @word.
 * @word: Quadword.
 * @field: &enum iommufd_vqueue_field.
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
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQUEUE_FIELD_##f,	\
	  .shift = __builtin_ctzll(m) }
#define VTD_BYTES(f, w, m)						\
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQUEUE_FIELD_##f }
/* The upper part of a field whose lower @lo bits are elsewhere */
#define VTD_FIELD_UPPER(f, w, m, lo)					\
	{ .mask = (m), .word = (w), .field = IOMMUFD_VQUEUE_FIELD_##f,	\
	  .shift = __builtin_ctzll(m) - (lo) }

/**
 * struct vtd_desc_debug - The decoder's view of one descriptor type
 * @name: The type's name.
 * @fields: Its fields.
 */
struct vtd_desc_debug {
	const char *name;
	struct vtd_field fields[8];
};

#define VTD_DESC(type, nm, ...)						\
	[VTD_DESC_##type] = { .name = nm, .fields = { __VA_ARGS__ } }

static const struct vtd_desc_debug vtd_descs_debug[VTD_DESC_PAGE_GRP_RESP + 1] = {
	VTD_DESC(CC, "CC_INV",
		 VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
		 VTD_FIELD(DID, 0, VTD_DESC0_DID),
		 VTD_FIELD(SID, 0, VTD_DESC0_SID),
		 VTD_FIELD(FM, 0, VTD_CC0_FM)),
	VTD_DESC(IOTLB, "IOTLB_INV",
		 VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
		 VTD_FIELD(DW, 0, VTD_IOTLB0_DW),
		 VTD_FIELD(DR, 0, VTD_IOTLB0_DR),
		 VTD_FIELD(DID, 0, VTD_DESC0_DID),
		 VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
		 VTD_FIELD(AM, 1, VTD_DESC1_AM),
		 VTD_FIELD(IH, 1, VTD_DESC1_IH)),
	VTD_DESC(DEV_TLB, "DEV_TLB_INV",
		 VTD_FIELD(PFSID, 0, VTD_DESC0_PFSID_LO),
		 VTD_FIELD_UPPER(PFSID, 0, VTD_DESC0_PFSID_HI, 4),
		 VTD_FIELD(SID, 0, VTD_DESC0_SID),
		 VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
		 VTD_FIELD(SIZE, 1, VTD_DEV_TLB1_S)),
	VTD_DESC(IEC, "IEC_INV",
		 VTD_FIELD(GRAN, 0, VTD_IEC0_G),
		 VTD_FIELD(IM, 0, VTD_IEC0_IM),
		 VTD_FIELD(IIDX, 0, VTD_IEC0_IIDX)),
	VTD_DESC(WAIT, "INV_WAIT",
		 VTD_FIELD(IF, 0, VTD_WAIT0_IF),
		 VTD_FIELD(SW, 0, VTD_WAIT0_SW),
		 VTD_FIELD(FN, 0, VTD_WAIT0_FN),
		 VTD_FIELD(PD, 0, VTD_WAIT0_PD),
		 VTD_FIELD(STATUS_DATA, 0, VTD_WAIT0_DATA),
		 VTD_BYTES(STATUS_ADDR, 1, VTD_WAIT1_ADDR)),
	VTD_DESC(PASID_IOTLB, "PASID_IOTLB_INV",
		 VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
		 VTD_FIELD(DID, 0, VTD_DESC0_DID),
		 VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
		 VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
		 VTD_FIELD(AM, 1, VTD_DESC1_AM),
		 VTD_FIELD(IH, 1, VTD_DESC1_IH)),
	VTD_DESC(PASID_CACHE, "PASID_CACHE_INV",
		 VTD_FIELD(GRAN, 0, VTD_DESC0_GRAN),
		 VTD_FIELD(DID, 0, VTD_DESC0_DID),
		 VTD_FIELD(PASID, 0, VTD_DESC0_PASID)),
	VTD_DESC(PASID_DEV_TLB, "PASID_DEV_TLB_INV",
		 VTD_FIELD(PFSID, 0, VTD_DESC0_PFSID_LO),
		 VTD_FIELD_UPPER(PFSID, 0, VTD_DESC0_PFSID_HI, 4),
		 VTD_FIELD(SID, 0, VTD_DESC0_RID),
		 VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
		 VTD_FIELD(GRAN, 1, VTD_PDEV_TLB1_G),
		 VTD_BYTES(ADDR, 1, VTD_DESC1_ADDR),
		 VTD_FIELD(SIZE, 1, VTD_PDEV_TLB1_S)),
	VTD_DESC(PAGE_GRP_RESP, "PAGE_GRP_RESP",
		 VTD_FIELD(SID, 0, VTD_DESC0_RID),
		 VTD_FIELD(PASID, 0, VTD_DESC0_PASID),
		 VTD_FIELD(RESP, 0, VTD_PGRP0_RESP)),
};

static const struct vtd_desc_debug *vtd_desc_debug(u16 type)
{
	if (type >= ARRAY_SIZE(vtd_descs_debug) || !vtd_descs_debug[type].name)
		return NULL;
	return &vtd_descs_debug[type];
}

static const char *vtd_op_name(const struct iommufd_vqueue_entry *e)
{
	const struct vtd_desc_debug *d = vtd_desc_debug(e->opcode);

	return d ? d->name : NULL;
}

static void vtd_fields(const struct iommufd_vqueue_entry *e,
		       struct iommufd_vqueue_fields *fields)
{
	const struct vtd_desc_debug *d = vtd_desc_debug(e->opcode);
	const struct vtd_field *f;

	fields->present = BIT_ULL(IOMMUFD_VQUEUE_FIELD_TYPE);
	fields->val[IOMMUFD_VQUEUE_FIELD_TYPE] = e->opcode;
	if (!d)
		return;

	for (f = d->fields; f < d->fields + ARRAY_SIZE(d->fields) && f->mask;
	     f++) {
		u64 v = (e->words[f->word] & f->mask) >> f->shift;

		/* The second part of a split field adds to the first */
		if (fields->present & BIT_ULL(f->field))
			fields->val[f->field] |= v;
		else
			fields->val[f->field] = v;
		fields->present |= BIT_ULL(f->field);
	}
}

/* No wrap bit: a full queue has one slot free */
static bool vtd_full(const struct iommufd_vqueue_geometry *geo, u32 prod,
		     u32 cons)
{
	return iommufd_vqueue_vtd_format.pending(geo, prod, cons) ==
	       BIT(geo->log2_entries) - 1;
}

const struct iommufd_vqueue_format_debug iommufd_vqueue_vtd_debug = {
	.name = "vtd",
	.format = &iommufd_vqueue_vtd_format,
	.op_name = vtd_op_name,
	.fields = vtd_fields,
	.full = vtd_full,
};
