/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest invalidation queue formats for iommufd vqueues.
 *
 * A vqueue consumes a command queue that a guest keeps in its own memory for
 * an emulated IOMMU (SMMUv3 CMDQ, VT-d invalidation queue). The vqueue owns
 * the loop, the guest memory accesses, the batching and the registers;
 * everything that depends on the queue's architecture is a pure function
 * behind struct iommufd_vqueue_format.
 *
 * Pure means: no allocation, no locking, no I/O, no sleeping and no global
 * state. The same object file builds in the kernel and in userspace (see
 * tools/iommu), so this header may only use types and macros that the kernel
 * tree's tools/include also provides. What only a decoder needs (field
 * tables, names) is in vqueue_format_debug.h.
 */
#ifndef __IOMMUFD_VQUEUE_FORMAT_H
#define __IOMMUFD_VQUEUE_FORMAT_H

#include <linux/bits.h>
#include <linux/types.h>

/**
 * enum iommufd_vqueue_class - What the vqueue does with one queue entry
 * @IOMMUFD_VQUEUE_CLASS_NOP: Consume it; it needs no action.
 * @IOMMUFD_VQUEUE_CLASS_INVALIDATE: Translate it with
 *	&iommufd_vqueue_format.translate and hand it to the nested domain's
 *	cache_invalidate_user.
 * @IOMMUFD_VQUEUE_CLASS_SYNC: Complete every earlier entry, advance the
 *	consumer index past this one, then signal as
 *	&iommufd_vqueue_format.sync describes.
 * @IOMMUFD_VQUEUE_CLASS_EXIT: Stop before this entry and let the VMM
 *	emulate it.
 * @IOMMUFD_VQUEUE_CLASS_ILLEGAL: Stop before this entry and put the queue in
 *	its architectural error state with &iommufd_vqueue_entry.error.
 */
enum iommufd_vqueue_class {
	IOMMUFD_VQUEUE_CLASS_NOP,
	IOMMUFD_VQUEUE_CLASS_INVALIDATE,
	IOMMUFD_VQUEUE_CLASS_SYNC,
	IOMMUFD_VQUEUE_CLASS_EXIT,
	IOMMUFD_VQUEUE_CLASS_ILLEGAL,
};

/* Largest entry of any format, in 64-bit words (VT-d 256-bit descriptors) */
#define IOMMUFD_VQUEUE_MAX_ENTRY_WORDS	4

/**
 * struct iommufd_vqueue_entry - One classified queue entry
 * @words: The entry in CPU byte order, as the vqueue copied it; the words
 *	past &iommufd_vqueue_geometry.entry_size are zero. All of them reach
 *	the VMM when the vqueue stops on the entry.
 * @opcode: The format's opcode (SMMUv3) or descriptor type (VT-d).
 * @class: What the vqueue does with it, an &enum iommufd_vqueue_class.
 * @error: Format error code to report when @class is
 *	%IOMMUFD_VQUEUE_CLASS_ILLEGAL, 0 otherwise.
 *
 * Filled by &iommufd_vqueue_format.decode from a copy of the entry in
 * kernel memory: nothing here points back into guest memory.
 */
struct iommufd_vqueue_entry {
	u64 words[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
	u16 opcode;
	u8 class;
	u8 error;
};

/**
 * struct iommufd_vqueue_geometry - Where the queue is and how it is indexed
 * @base: Guest address (IOVA in the nesting parent) of entry 0.
 * @log2_entries: The queue holds 2^@log2_entries entries.
 * @entry_size: Bytes per entry.
 *
 * Filled by &iommufd_vqueue_format.geometry from the guest's base register;
 * the vqueue passes it back to every index operation.
 */
struct iommufd_vqueue_geometry {
	u64 base;
	u8 log2_entries;
	u8 entry_size;
};

/**
 * struct iommufd_vqueue_vids - The guest IDs a vqueue has bindings for
 * @lookup: Return 0 and set @target to what guest ID @key is bound to, or
 *	return -ENOENT. @key is what &iommufd_vqueue_format.vdevice_key or
 *	&iommufd_vqueue_format.vdomain_key made of the guest's ID; @target is
 *	a device's physical ID for a virtual device, the object ID of a nested
 *	HWPT for a virtual domain.
 *
 * The vqueue embeds this in its ID table and recovers it with
 * container_of(); formats only call @lookup.
 */
struct iommufd_vqueue_vids {
	int (*lookup)(const struct iommufd_vqueue_vids *vids, u64 key,
		      u32 *target);
};

/* Write @data (32 bits, little endian) to guest address @addr */
#define IOMMUFD_VQUEUE_SYNC_WRITE	BIT(0)
/* Signal the completion interrupt */
#define IOMMUFD_VQUEUE_SYNC_IRQ		BIT(1)

/**
 * struct iommufd_vqueue_sync - How to signal completion of a sync entry
 * @addr: Guest address of the completion write.
 * @data: Value of the completion write.
 * @flags: %IOMMUFD_VQUEUE_SYNC_WRITE, %IOMMUFD_VQUEUE_SYNC_IRQ, or none.
 *
 * The vqueue performs the write and then the interrupt, and only after the
 * consumer index it publishes is past the sync entry.
 */
struct iommufd_vqueue_sync {
	u64 addr;
	u32 data;
	u32 flags;
};

/**
 * struct iommufd_vqueue_format - A guest queue architecture
 * @max_log2_entries: Largest queue the architecture can describe.
 * @error_illegal: Error code for an entry the vqueue refuses after @decode
 *	accepted it: a guest ID @translate cannot map, or a command the IOMMU
 *	driver rejected (SMMUv3 CERROR_ILL, VT-d IQEI 3).
 * @error_abort: Error code for an entry that could not be read from guest
 *	memory (SMMUv3 CERROR_ABT, VT-d IQEI 2).
 * @error_prod: Error code for a producer value that @consistent rejects
 *	(VT-d IQEI 1), or 0 when the vqueue then consumes nothing until the
 *	guest writes a new producer value (SMMUv3, whose architecture allows
 *	ignoring it).
 * @inv_size: Bytes that @translate writes per forwarded entry: the
 *	entry_len of the array handed to cache_invalidate_user.
 * @geometry: Decode the guest's queue base register @base_reg into @geo.
 *	A format whose architecture lets the queue size exceed what the
 *	implementation supports (SMMUv3) caps the size at @max_log2, itself
 *	capped at @max_log2_entries; one where the size is absolute (VT-d)
 *	returns -EINVAL instead. Returns 0, or a negative errno if the
 *	register describes no usable queue.
 * @consistent: Whether producer @prod can follow consumer @cons. When it
 *	cannot, see @error_prod.
 * @empty: No entry is pending.
 * @pending: Number of entries between @cons and @prod, 0 if inconsistent.
 * @contig: Pending entries from @cons before the end of the ring: the length
 *	of the first of at most two contiguous reads.
 * @index: Slot number that register value @reg points at.
 * @advance: @reg moved forward by @n slots (@n no larger than what
 *	@pending returned), bits outside the index and wrap preserved.
 * @decode: Classify the entry at @raw (&iommufd_vqueue_geometry.entry_size
 *	bytes, little endian, already copied out of guest memory). This is the
 *	per-entry hot path, so it decodes no more than it needs.
 * @translate: Write to @out (@inv_size bytes) the entry to forward for an
 *	entry of class %IOMMUFD_VQUEUE_CLASS_INVALIDATE, guest IDs translated
 *	through @vids, and to @target the ID of the nested HWPT it is for, or
 *	0 for the vqueue's own nested HWPT. Returns 0, -EINVAL for any other
 *	class, or the error from @vids when a guest ID is not bound: the entry
 *	must then not be forwarded.
 * @sync: Describe the completion of an entry of class
 *	%IOMMUFD_VQUEUE_CLASS_SYNC.
 * @irq_latch: For a format whose completion interrupt latches in a status
 *	register that the guest clears (VT-d ICS.IWC): the bits a completion
 *	interrupt sets there. It is a new interrupt condition, which the
 *	vqueue signals, only if they were clear. 0 when every
 *	%IOMMUFD_VQUEUE_SYNC_IRQ is signalled.
 * @cons_error: Return consumer register value @cons with error @err
 *	recorded, for formats that report errors there (SMMUv3 CONS.ERR).
 *	NULL for formats with a separate error register.
 * @vdevice_key: For a format whose commands name devices (SMMUv3
 *	StreamIDs): check the virtual device ID @virt_id that the VMM binds
 *	and return in @key what @translate looks up for it. Returns 0 or
 *	-EINVAL. NULL if the format's commands name no device.
 * @vdomain_key: For a format whose commands name the guest's domains (VT-d
 *	domain ID and PASID): the same for a (@domain_id, @pasid) pair. NULL
 *	if the format's commands name no domain.
 *
 * Register values are the guest's own encodings: SMMUv3 PROD/CONS with wrap
 * bit and CONS.ERR, VT-d IQT/IQH (byte offsets, no wrap bit) and IQA. All
 * operations are pure and callable in any context.
 */
struct iommufd_vqueue_format {
	unsigned int max_log2_entries;
	u8 error_illegal;
	u8 error_abort;
	u8 error_prod;
	unsigned int inv_size;
	int (*geometry)(u64 base_reg, unsigned int max_log2,
			struct iommufd_vqueue_geometry *geo);
	bool (*consistent)(const struct iommufd_vqueue_geometry *geo, u32 prod,
			   u32 cons);
	bool (*empty)(const struct iommufd_vqueue_geometry *geo, u32 prod,
		      u32 cons);
	u32 (*pending)(const struct iommufd_vqueue_geometry *geo, u32 prod,
		       u32 cons);
	u32 (*contig)(const struct iommufd_vqueue_geometry *geo, u32 prod,
		      u32 cons);
	u32 (*index)(const struct iommufd_vqueue_geometry *geo, u32 reg);
	u32 (*advance)(const struct iommufd_vqueue_geometry *geo, u32 reg,
		       u32 n);
	void (*decode)(const struct iommufd_vqueue_geometry *geo,
		       const __le64 *raw, struct iommufd_vqueue_entry *e);
	int (*translate)(const struct iommufd_vqueue_entry *e,
			 const struct iommufd_vqueue_vids *vids, void *out,
			 u32 *target);
	void (*sync)(const struct iommufd_vqueue_entry *e,
		     struct iommufd_vqueue_sync *s);
	u32 irq_latch;
	u32 (*cons_error)(u32 cons, unsigned int err);
	int (*vdevice_key)(u64 virt_id, u64 *key);
	int (*vdomain_key)(u32 domain_id, u32 pasid, u64 *key);
};

extern const struct iommufd_vqueue_format iommufd_vqueue_smmuv3_format;
extern const struct iommufd_vqueue_format iommufd_vqueue_vtd_format;

#endif /* __IOMMUFD_VQUEUE_FORMAT_H */
