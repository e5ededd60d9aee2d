/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest invalidation queue formats for the iommufd vqueue worker.
 *
 * A vqueue consumes a command queue that a guest keeps in its own memory for
 * an emulated IOMMU (SMMUv3 CMDQ, VT-d invalidation queue).  The worker owns
 * the loop, the guest memory accesses, the batching and the registers;
 * everything that depends on the queue's architecture is a pure function
 * behind struct iommufd_vq_format.
 *
 * Pure means: no allocation, no locking, no I/O, no sleeping and no global
 * state.  The same object file builds in the kernel and in userspace (see
 * tools/iommu), so this header may only use types and macros that the kernel
 * tree's tools/include also provides.
 */
#ifndef __IOMMUFD_VQUEUE_FORMAT_H
#define __IOMMUFD_VQUEUE_FORMAT_H

#include <linux/bits.h>
#include <linux/types.h>

/**
 * enum iommufd_vq_class - What the worker does with one queue entry
 * @IOMMUFD_VQ_CLASS_NOP: Consume it; it needs no action.
 * @IOMMUFD_VQ_CLASS_INVALIDATE: Translate it with &iommufd_vq_format.translate
 *	and hand it to the nested domain's cache_invalidate_user.
 * @IOMMUFD_VQ_CLASS_SYNC: Complete every earlier entry, advance the consumer
 *	index past this one, then signal as &iommufd_vq_format.sync describes.
 * @IOMMUFD_VQ_CLASS_EXIT: Stop before this entry and let the VMM emulate it.
 * @IOMMUFD_VQ_CLASS_ILLEGAL: Stop before this entry and put the queue in its
 *	architectural error state with &iommufd_vq_entry.error.
 */
enum iommufd_vq_class {
	IOMMUFD_VQ_CLASS_NOP,
	IOMMUFD_VQ_CLASS_INVALIDATE,
	IOMMUFD_VQ_CLASS_SYNC,
	IOMMUFD_VQ_CLASS_EXIT,
	IOMMUFD_VQ_CLASS_ILLEGAL,
};

/**
 * enum iommufd_vq_field - Decoded fields of a queue entry
 * @IOMMUFD_VQ_FIELD_ASID: Address space ID.
 * @IOMMUFD_VQ_FIELD_VMID: Virtual machine ID, as the guest wrote it.
 * @IOMMUFD_VQ_FIELD_SID: Device ID (SMMUv3 StreamID), as the guest wrote it.
 * @IOMMUFD_VQ_FIELD_SSID: Sub-stream ID (PASID).
 * @IOMMUFD_VQ_FIELD_SSV: The sub-stream ID is valid.
 * @IOMMUFD_VQ_FIELD_ADDR: Byte address, low bits that the entry cannot
 *	express read as zero.
 * @IOMMUFD_VQ_FIELD_LEAF: Only last-level entries need invalidating.
 * @IOMMUFD_VQ_FIELD_TG: SMMUv3 range translation granule.
 * @IOMMUFD_VQ_FIELD_TTL: SMMUv3 translation table level hint.
 * @IOMMUFD_VQ_FIELD_NUM: SMMUv3 range granule multiplier minus one.
 * @IOMMUFD_VQ_FIELD_SCALE: SMMUv3 range scale (log2).
 * @IOMMUFD_VQ_FIELD_RANGE: SMMUv3 CFGI_STE_RANGE: 2^(RANGE+1) StreamIDs.
 * @IOMMUFD_VQ_FIELD_SIZE: SMMUv3 ATC_INV / PREFETCH_ADDR size (log2 pages);
 *	VT-d device-TLB S bit (the address encodes the size).
 * @IOMMUFD_VQ_FIELD_GLOBAL: SMMUv3 ATC_INV global (all sub-streams).
 * @IOMMUFD_VQ_FIELD_CS: SMMUv3 CMD_SYNC completion signal.
 * @IOMMUFD_VQ_FIELD_MSH: SMMUv3 CMD_SYNC MSI shareability.
 * @IOMMUFD_VQ_FIELD_MSIATTR: SMMUv3 CMD_SYNC MSI memory attributes.
 * @IOMMUFD_VQ_FIELD_MSIADDR: SMMUv3 CMD_SYNC: byte address of the completion
 *	write.
 * @IOMMUFD_VQ_FIELD_MSIDATA: SMMUv3 CMD_SYNC: 32-bit value of the completion
 *	write.
 * @IOMMUFD_VQ_FIELD_RESP: SMMUv3 PRI_RESP, VT-d page group response: response
 *	code.
 * @IOMMUFD_VQ_FIELD_STAG: SMMUv3 RESUME stall tag.
 * @IOMMUFD_VQ_FIELD_TYPE: VT-d descriptor type.
 * @IOMMUFD_VQ_FIELD_GRAN: VT-d granularity (G).
 * @IOMMUFD_VQ_FIELD_DID: VT-d domain ID, as the guest wrote it.
 * @IOMMUFD_VQ_FIELD_PASID: VT-d PASID.
 * @IOMMUFD_VQ_FIELD_PFSID: VT-d physical function source ID.
 * @IOMMUFD_VQ_FIELD_AM: VT-d address mask: 2^AM 4KiB pages.
 * @IOMMUFD_VQ_FIELD_IH: VT-d invalidation hint: only leaf entries changed.
 * @IOMMUFD_VQ_FIELD_SW: VT-d wait: write the status data.
 * @IOMMUFD_VQ_FIELD_IF: VT-d wait: signal the completion interrupt.
 * @IOMMUFD_VQ_FIELD_FN: VT-d wait: fence later descriptors.
 * @IOMMUFD_VQ_FIELD_PD: VT-d wait: drain page requests.
 * @IOMMUFD_VQ_FIELD_STATUS_DATA: VT-d wait: 32-bit value of the status
 *	write.
 * @IOMMUFD_VQ_FIELD_STATUS_ADDR: VT-d wait: byte address of the status
 *	write.
 * @IOMMUFD_VQ_FIELD_IIDX: VT-d interrupt entry cache: interrupt index.
 * @IOMMUFD_VQ_FIELD_IM: VT-d interrupt entry cache: index mask (log2).
 * @IOMMUFD_VQ_FIELD_FM: VT-d context cache: function mask.
 * @IOMMUFD_VQ_FIELD_DW: VT-d IOTLB: drain writes.
 * @IOMMUFD_VQ_FIELD_DR: VT-d IOTLB: drain reads.
 * @IOMMUFD_VQ_NR_FIELDS: Number of fields.
 *
 * The set is shared by all formats so that consumers (the vqdecode tool, the
 * tests, tracing) handle every format the same way.  A new format appends
 * the fields it needs; &iommufd_vq_entry.present has room for 64.
 */
enum iommufd_vq_field {
	IOMMUFD_VQ_FIELD_ASID,
	IOMMUFD_VQ_FIELD_VMID,
	IOMMUFD_VQ_FIELD_SID,
	IOMMUFD_VQ_FIELD_SSID,
	IOMMUFD_VQ_FIELD_SSV,
	IOMMUFD_VQ_FIELD_ADDR,
	IOMMUFD_VQ_FIELD_LEAF,
	IOMMUFD_VQ_FIELD_TG,
	IOMMUFD_VQ_FIELD_TTL,
	IOMMUFD_VQ_FIELD_NUM,
	IOMMUFD_VQ_FIELD_SCALE,
	IOMMUFD_VQ_FIELD_RANGE,
	IOMMUFD_VQ_FIELD_SIZE,
	IOMMUFD_VQ_FIELD_GLOBAL,
	IOMMUFD_VQ_FIELD_CS,
	IOMMUFD_VQ_FIELD_MSH,
	IOMMUFD_VQ_FIELD_MSIATTR,
	IOMMUFD_VQ_FIELD_MSIADDR,
	IOMMUFD_VQ_FIELD_MSIDATA,
	IOMMUFD_VQ_FIELD_RESP,
	IOMMUFD_VQ_FIELD_STAG,
	IOMMUFD_VQ_FIELD_TYPE,
	IOMMUFD_VQ_FIELD_GRAN,
	IOMMUFD_VQ_FIELD_DID,
	IOMMUFD_VQ_FIELD_PASID,
	IOMMUFD_VQ_FIELD_PFSID,
	IOMMUFD_VQ_FIELD_AM,
	IOMMUFD_VQ_FIELD_IH,
	IOMMUFD_VQ_FIELD_SW,
	IOMMUFD_VQ_FIELD_IF,
	IOMMUFD_VQ_FIELD_FN,
	IOMMUFD_VQ_FIELD_PD,
	IOMMUFD_VQ_FIELD_STATUS_DATA,
	IOMMUFD_VQ_FIELD_STATUS_ADDR,
	IOMMUFD_VQ_FIELD_IIDX,
	IOMMUFD_VQ_FIELD_IM,
	IOMMUFD_VQ_FIELD_FM,
	IOMMUFD_VQ_FIELD_DW,
	IOMMUFD_VQ_FIELD_DR,
	IOMMUFD_VQ_NR_FIELDS
};

/* Largest entry of any format, in 64-bit words (VT-d 256-bit descriptors) */
#define IOMMUFD_VQ_MAX_ENTRY_WORDS	4

/**
 * struct iommufd_vq_entry - One decoded queue entry
 * @words: The entry in CPU byte order, as the worker copied it.
 * @opcode: The format's opcode (SMMUv3) or descriptor type (VT-d).
 * @class: What the worker does with it.
 * @error: Format error code to report when @class is
 *	%IOMMUFD_VQ_CLASS_ILLEGAL, 0 otherwise.
 * @present: BIT_ULL(n) set when field n (&enum iommufd_vq_field) of @val is valid.
 * @val: Field values, indexed by &enum iommufd_vq_field; only the entries
 *	named in @present are written.
 *
 * Filled by &iommufd_vq_format.decode and, for @present and @val, by
 * &iommufd_vq_format.fields, from a copy of the entry in kernel memory:
 * nothing here points back into guest memory.
 */
struct iommufd_vq_entry {
	u64 words[IOMMUFD_VQ_MAX_ENTRY_WORDS];
	u16 opcode;
	u8 error;
	enum iommufd_vq_class class;
	u64 present;
	u64 val[IOMMUFD_VQ_NR_FIELDS];
};

/**
 * struct iommufd_vq_geometry - Where the queue is and how it is indexed
 * @base: Guest address (IOVA in the nesting parent) of entry 0.
 * @log2_entries: The queue holds 2^@log2_entries entries.
 * @entry_size: Bytes per entry.
 *
 * Filled by &iommufd_vq_format.geometry from the guest's base register; the
 * worker passes it back to every index operation.
 */
struct iommufd_vq_geometry {
	u64 base;
	u8 log2_entries;
	u8 entry_size;
};

/**
 * struct iommufd_vq_idmap - Guest to host ID translation
 * @lookup: Return 0 and set @pid to the host ID that the vqueue bound to
 *	guest ID @vid, or return a negative errno if @vid is not bound.
 *
 * What the IDs are depends on the format.  SMMUv3: a guest StreamID to a
 * host StreamID.  VT-d: a guest (domain ID, PASID) pair, packed with
 * IOMMUFD_VQ_VTD_ID(), to the ID of the nested HWPT that the VMM allocated
 * for that guest stage 1.
 *
 * The worker embeds this in its own table and recovers it with
 * container_of(); formats only call @lookup.
 */
struct iommufd_vq_idmap {
	int (*lookup)(const struct iommufd_vq_idmap *map, u64 vid, u32 *pid);
};

/* VT-d guest ID of a (16-bit domain ID, 20-bit PASID) pair */
#define IOMMUFD_VQ_VTD_ID(did, pasid)	((u64)(pasid) << 16 | (u16)(did))

/* Write @data (32 bits, little endian) to guest address @addr */
#define IOMMUFD_VQ_SYNC_WRITE	BIT(0)
/* Signal the completion interrupt */
#define IOMMUFD_VQ_SYNC_IRQ	BIT(1)

/**
 * struct iommufd_vq_sync - How to signal completion of a sync entry
 * @addr: Guest address of the completion write.
 * @data: Value of the completion write.
 * @flags: %IOMMUFD_VQ_SYNC_WRITE, %IOMMUFD_VQ_SYNC_IRQ, or none.
 *
 * The worker performs the write and then the interrupt, and only after the
 * consumer index it publishes is past the sync entry.
 */
struct iommufd_vq_sync {
	u64 addr;
	u32 data;
	u32 flags;
};

/**
 * struct iommufd_vq_format - A guest queue architecture
 * @name: Short name ("smmuv3", "vtd").
 * @max_log2_entries: Largest queue the architecture can describe.
 * @error_illegal: Error code for an entry the worker refuses after
 *	@decode accepted it: a device ID @translate cannot map, or a command
 *	the IOMMU driver rejected (SMMUv3 CERROR_ILL, VT-d IQEI 3).
 * @error_abort: Error code for an entry that could not be read from guest
 *	memory (SMMUv3 CERROR_ABT, VT-d IQEI 2).
 * @error_prod: Error code for a producer value that @consistent rejects
 *	(VT-d IQEI 1), or 0 when the worker then consumes nothing until the
 *	guest writes a new producer value (SMMUv3, whose architecture allows
 *	ignoring it).
 * @inv_size: Bytes that @translate writes per forwarded entry: the
 *	entry_len of the array handed to cache_invalidate_user.
 * @geometry: Decode the guest's queue base register @base_reg into @geo.
 *	A format whose architecture lets the queue size exceed what the
 *	implementation supports (SMMUv3) caps the size at @max_log2, itself
 *	capped at @max_log2_entries; one where the size is absolute (VT-d)
 *	returns -EINVAL instead.  Returns 0, or a negative errno if the
 *	register describes no usable queue.
 * @consistent: Whether producer @prod can follow consumer @cons.  When it
 *	cannot, see @error_prod.
 * @empty: No entry is pending.
 * @full: Every slot holds a pending entry.
 * @pending: Number of entries between @cons and @prod, 0 if inconsistent.
 * @contig: Pending entries from @cons before the end of the ring: the length
 *	of the first of at most two contiguous reads.
 * @index: Slot number that register value @reg points at.
 * @advance: @reg moved forward by @n slots (@n no larger than what
 *	@pending returned), bits outside the index and wrap preserved.
 * @decode: Classify the entry at @raw (&iommufd_vq_geometry.entry_size
 *	bytes, little endian, already copied out of guest memory): fills in
 *	&iommufd_vq_entry words, opcode, class and error, and clears present.
 *	This is the per-entry hot path, so it decodes no more than it needs.
 * @fields: Fill in &iommufd_vq_entry present and val of an entry @decode
 *	filled in, for the VMM's exit record, tracing and tools.
 * @translate: Write to @out (@inv_size bytes) the entry to forward for an
 *	entry of class %IOMMUFD_VQ_CLASS_INVALIDATE, guest IDs translated
 *	through @map, and to @target the ID of the nested HWPT it is for, or
 *	0 for the vqueue's own nested HWPT.  Returns 0, -EINVAL for any other
 *	class, or the error from @map when a guest ID is not bound: the entry
 *	must then not be forwarded.
 * @sync: Describe the completion of an entry of class %IOMMUFD_VQ_CLASS_SYNC.
 * @irq_status: For a format whose completion interrupt latches in a
 *	status register that the guest clears (VT-d ICS.IWC): return status
 *	register value @status with a completion interrupt recorded, and set
 *	@signal if it is a new interrupt condition the worker must signal.
 *	NULL when every %IOMMUFD_VQ_SYNC_IRQ is signalled.
 * @cons_error: Return consumer register value @cons with error @err
 *	recorded, for formats that report errors there (SMMUv3 CONS.ERR).
 *	NULL for formats with a separate error register.
 * @op_name: The architecture's name for the entry's command, or NULL if its
 *	opcode is reserved.
 *
 * Register values are the guest's own encodings: SMMUv3 PROD/CONS with wrap
 * bit and CONS.ERR, VT-d IQT/IQH (byte offsets, no wrap bit) and IQA.  All
 * operations are pure and callable in any context.
 */
struct iommufd_vq_format {
	const char *name;
	unsigned int max_log2_entries;
	u8 error_illegal;
	u8 error_abort;
	u8 error_prod;
	unsigned int inv_size;
	int (*geometry)(u64 base_reg, unsigned int max_log2,
			struct iommufd_vq_geometry *geo);
	bool (*consistent)(const struct iommufd_vq_geometry *geo, u32 prod,
			   u32 cons);
	bool (*empty)(const struct iommufd_vq_geometry *geo, u32 prod, u32 cons);
	bool (*full)(const struct iommufd_vq_geometry *geo, u32 prod, u32 cons);
	u32 (*pending)(const struct iommufd_vq_geometry *geo, u32 prod, u32 cons);
	u32 (*contig)(const struct iommufd_vq_geometry *geo, u32 prod, u32 cons);
	u32 (*index)(const struct iommufd_vq_geometry *geo, u32 reg);
	u32 (*advance)(const struct iommufd_vq_geometry *geo, u32 reg, u32 n);
	void (*decode)(const struct iommufd_vq_geometry *geo, const __le64 *raw,
		       struct iommufd_vq_entry *e);
	void (*fields)(struct iommufd_vq_entry *e);
	int (*translate)(const struct iommufd_vq_entry *e,
			 const struct iommufd_vq_idmap *map, void *out,
			 u32 *target);
	void (*sync)(const struct iommufd_vq_entry *e, struct iommufd_vq_sync *s);
	u32 (*irq_status)(u32 status, bool *signal);
	u32 (*cons_error)(u32 cons, unsigned int err);
	const char *(*op_name)(const struct iommufd_vq_entry *e);
};

extern const struct iommufd_vq_format iommufd_vq_smmuv3_format;
extern const struct iommufd_vq_format iommufd_vq_vtd_format;

#endif /* __IOMMUFD_VQUEUE_FORMAT_H */
