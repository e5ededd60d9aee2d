/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names and field tables of the vqueue queue formats, for decoders only.
 *
 * The vqueue itself only classifies entries (vqueue_format.h). What a human
 * or a test needs to read an entry, the architecture's name for it and its
 * fields one by one, is here, implemented in vqueue_*_debug.c. Those files
 * are built for the KUnit suites and for tools/iommu (vqdecode and its
 * test), never into the kernel proper.
 */
#ifndef __IOMMUFD_VQUEUE_FORMAT_DEBUG_H
#define __IOMMUFD_VQUEUE_FORMAT_DEBUG_H

#include "vqueue_format.h"

/**
 * enum iommufd_vqueue_field - Decoded fields of a queue entry
 * @IOMMUFD_VQUEUE_FIELD_ASID: Address space ID.
 * @IOMMUFD_VQUEUE_FIELD_VMID: Virtual machine ID, as the guest wrote it.
 * @IOMMUFD_VQUEUE_FIELD_SID: Device ID (SMMUv3 StreamID, VT-d source ID), as
 *	the guest wrote it.
 * @IOMMUFD_VQUEUE_FIELD_SSID: Sub-stream ID (PASID).
 * @IOMMUFD_VQUEUE_FIELD_SSV: The sub-stream ID is valid.
 * @IOMMUFD_VQUEUE_FIELD_ADDR: Byte address; low bits that the entry cannot
 *	express read as zero.
 * @IOMMUFD_VQUEUE_FIELD_LEAF: Only last-level entries need invalidating.
 * @IOMMUFD_VQUEUE_FIELD_TG: SMMUv3 range translation granule.
 * @IOMMUFD_VQUEUE_FIELD_TTL: SMMUv3 translation table level hint.
 * @IOMMUFD_VQUEUE_FIELD_NUM: SMMUv3 range granule multiplier minus one.
 * @IOMMUFD_VQUEUE_FIELD_SCALE: SMMUv3 range scale (log2).
 * @IOMMUFD_VQUEUE_FIELD_RANGE: SMMUv3 CFGI_STE_RANGE: 2^(RANGE+1) StreamIDs.
 * @IOMMUFD_VQUEUE_FIELD_SIZE: SMMUv3 ATC_INV / PREFETCH_ADDR size (log2
 *	pages); VT-d device-TLB S bit (the address encodes the size).
 * @IOMMUFD_VQUEUE_FIELD_GLOBAL: SMMUv3 ATC_INV global (all sub-streams).
 * @IOMMUFD_VQUEUE_FIELD_CS: SMMUv3 CMD_SYNC completion signal.
 * @IOMMUFD_VQUEUE_FIELD_MSH: SMMUv3 CMD_SYNC MSI shareability.
 * @IOMMUFD_VQUEUE_FIELD_MSIATTR: SMMUv3 CMD_SYNC MSI memory attributes.
 * @IOMMUFD_VQUEUE_FIELD_MSIADDR: SMMUv3 CMD_SYNC: byte address of the
 *	completion write.
 * @IOMMUFD_VQUEUE_FIELD_MSIDATA: SMMUv3 CMD_SYNC: value of the completion
 *	write.
 * @IOMMUFD_VQUEUE_FIELD_RESP: SMMUv3 PRI_RESP, VT-d page group response:
 *	response code.
 * @IOMMUFD_VQUEUE_FIELD_STAG: SMMUv3 RESUME stall tag.
 * @IOMMUFD_VQUEUE_FIELD_TYPE: VT-d descriptor type.
 * @IOMMUFD_VQUEUE_FIELD_GRAN: VT-d granularity (G).
 * @IOMMUFD_VQUEUE_FIELD_DID: VT-d domain ID, as the guest wrote it.
 * @IOMMUFD_VQUEUE_FIELD_PASID: VT-d PASID.
 * @IOMMUFD_VQUEUE_FIELD_PFSID: VT-d physical function source ID.
 * @IOMMUFD_VQUEUE_FIELD_AM: VT-d address mask: 2^AM 4KiB pages.
 * @IOMMUFD_VQUEUE_FIELD_IH: VT-d invalidation hint: only leaf entries
 *	changed.
 * @IOMMUFD_VQUEUE_FIELD_SW: VT-d wait: write the status data.
 * @IOMMUFD_VQUEUE_FIELD_IF: VT-d wait: signal the completion interrupt.
 * @IOMMUFD_VQUEUE_FIELD_FN: VT-d wait: fence later descriptors.
 * @IOMMUFD_VQUEUE_FIELD_PD: VT-d wait: drain page requests.
 * @IOMMUFD_VQUEUE_FIELD_STATUS_DATA: VT-d wait: value of the status write.
 * @IOMMUFD_VQUEUE_FIELD_STATUS_ADDR: VT-d wait: byte address of the status
 *	write.
 * @IOMMUFD_VQUEUE_FIELD_IIDX: VT-d interrupt entry cache: interrupt index.
 * @IOMMUFD_VQUEUE_FIELD_IM: VT-d interrupt entry cache: index mask (log2).
 * @IOMMUFD_VQUEUE_FIELD_FM: VT-d context cache: function mask.
 * @IOMMUFD_VQUEUE_FIELD_DW: VT-d IOTLB: drain writes.
 * @IOMMUFD_VQUEUE_FIELD_DR: VT-d IOTLB: drain reads.
 * @IOMMUFD_VQUEUE_NR_FIELDS: Number of fields.
 *
 * One set for all formats, so that a decoder prints every format the same
 * way; &iommufd_vqueue_fields.present has room for 64.
 */
enum iommufd_vqueue_field {
	IOMMUFD_VQUEUE_FIELD_ASID,
	IOMMUFD_VQUEUE_FIELD_VMID,
	IOMMUFD_VQUEUE_FIELD_SID,
	IOMMUFD_VQUEUE_FIELD_SSID,
	IOMMUFD_VQUEUE_FIELD_SSV,
	IOMMUFD_VQUEUE_FIELD_ADDR,
	IOMMUFD_VQUEUE_FIELD_LEAF,
	IOMMUFD_VQUEUE_FIELD_TG,
	IOMMUFD_VQUEUE_FIELD_TTL,
	IOMMUFD_VQUEUE_FIELD_NUM,
	IOMMUFD_VQUEUE_FIELD_SCALE,
	IOMMUFD_VQUEUE_FIELD_RANGE,
	IOMMUFD_VQUEUE_FIELD_SIZE,
	IOMMUFD_VQUEUE_FIELD_GLOBAL,
	IOMMUFD_VQUEUE_FIELD_CS,
	IOMMUFD_VQUEUE_FIELD_MSH,
	IOMMUFD_VQUEUE_FIELD_MSIATTR,
	IOMMUFD_VQUEUE_FIELD_MSIADDR,
	IOMMUFD_VQUEUE_FIELD_MSIDATA,
	IOMMUFD_VQUEUE_FIELD_RESP,
	IOMMUFD_VQUEUE_FIELD_STAG,
	IOMMUFD_VQUEUE_FIELD_TYPE,
	IOMMUFD_VQUEUE_FIELD_GRAN,
	IOMMUFD_VQUEUE_FIELD_DID,
	IOMMUFD_VQUEUE_FIELD_PASID,
	IOMMUFD_VQUEUE_FIELD_PFSID,
	IOMMUFD_VQUEUE_FIELD_AM,
	IOMMUFD_VQUEUE_FIELD_IH,
	IOMMUFD_VQUEUE_FIELD_SW,
	IOMMUFD_VQUEUE_FIELD_IF,
	IOMMUFD_VQUEUE_FIELD_FN,
	IOMMUFD_VQUEUE_FIELD_PD,
	IOMMUFD_VQUEUE_FIELD_STATUS_DATA,
	IOMMUFD_VQUEUE_FIELD_STATUS_ADDR,
	IOMMUFD_VQUEUE_FIELD_IIDX,
	IOMMUFD_VQUEUE_FIELD_IM,
	IOMMUFD_VQUEUE_FIELD_FM,
	IOMMUFD_VQUEUE_FIELD_DW,
	IOMMUFD_VQUEUE_FIELD_DR,
	IOMMUFD_VQUEUE_NR_FIELDS
};

/**
 * struct iommufd_vqueue_fields - The fields of one decoded entry
 * @present: BIT_ULL(n) is set when field n (&enum iommufd_vqueue_field) is
 *	part of the entry.
 * @val: Field values; only those named in @present are written.
 */
struct iommufd_vqueue_fields {
	u64 present;
	u64 val[IOMMUFD_VQUEUE_NR_FIELDS];
};

/**
 * struct iommufd_vqueue_format_debug - What a decoder knows of a format
 * @name: Short name ("smmuv3", "vtd").
 * @format: The format's operations.
 * @op_name: The architecture's name for the command of entry @e, which
 *	&iommufd_vqueue_format.decode filled in, or NULL for a reserved opcode.
 * @fields: Fill in @f with the fields of entry @e.
 * @full: Every slot between consumer @cons and producer @prod holds a
 *	pending entry.
 */
struct iommufd_vqueue_format_debug {
	const char *name;
	const struct iommufd_vqueue_format *format;
	const char *(*op_name)(const struct iommufd_vqueue_entry *e);
	void (*fields)(const struct iommufd_vqueue_entry *e,
		       struct iommufd_vqueue_fields *f);
	bool (*full)(const struct iommufd_vqueue_geometry *geo, u32 prod,
		     u32 cons);
};

extern const struct iommufd_vqueue_format_debug iommufd_vqueue_smmuv3_debug;
extern const struct iommufd_vqueue_format_debug iommufd_vqueue_vtd_debug;

#endif /* __IOMMUFD_VQUEUE_FORMAT_DEBUG_H */
