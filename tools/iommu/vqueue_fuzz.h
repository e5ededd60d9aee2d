/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Input of the vqueue format fuzzers (vqueue_fuzz.c), shared with the seed
 * generator (vqueue_fuzz_seeds.c).
 *
 * One input is one queue as a guest and its VMM left it: the header below,
 * then the entries the guest wrote, entry 0 at the slot the consumer index
 * names. A slot the input holds no entry for cannot be read, as if the
 * guest had unmapped that part of the queue.
 */
#ifndef __VQUEUE_FUZZ_H
#define __VQUEUE_FUZZ_H

#include <linux/compiler.h>
#include <linux/types.h>

/*
 * The IDs the fuzzer's VMM binds, written the way the test data headers
 * bind them (SMMUv3: vSID to physical SID; VT-d: guest domain ID and PASID
 * to a nested HWPT), plus IDs at the edges of each field.
 */
#define VQ_FUZZ_NR_BINDINGS	4

static const struct {
	u64 guest;	/* SMMUv3 vSID */
	u32 host;	/* physical SID */
} vq_fuzz_smmuv3_bindings[VQ_FUZZ_NR_BINDINGS] = {
	{ 0x10, 0x1010 }, { 0x11, 0x2011 }, { 0, 0x3000 },
	{ 0xffffffff, 0x4000 },
};

static const struct {
	u32 did, pasid;	/* guest domain ID and PASID */
	u32 host;	/* nested HWPT object ID */
} vq_fuzz_vtd_bindings[VQ_FUZZ_NR_BINDINGS] = {
	{ 5, 0x10, 0x42 }, { 1, 0, 0x43 }, { 0xffff, 0xfffff, 0x44 },
	{ 0, 1, 0x45 },
};

/* vq_fuzz_header.format */
#define VQ_FUZZ_SMMUV3		0
#define VQ_FUZZ_VTD		1
#define VQ_FUZZ_NR_FORMATS	2

/**
 * struct vq_fuzz_header - The registers, as guest and VMM left them
 * @format: VQ_FUZZ_SMMUV3 or VQ_FUZZ_VTD, modulo VQ_FUZZ_NR_FORMATS.
 * @base: CMDQ_BASE or IQA.
 * @prod: CMDQ_PROD or IQT.
 * @cons: CMDQ_CONS or IQH, as the VMM set it up: it may hold anything.
 * @consumed: The count a VMM's IOMMU_VQUEUE_RESUME passes after a stop.
 * @reserved: Unused; keeps the layout of existing corpora.
 * @virt_id: A guest ID the VMM asks to bind: an SMMUv3 vSID, or a VT-d
 *	domain ID in bits 31:0 and PASID in bits 63:32.
 * @max_log2: The VMM's queue size limit (IDR1.CMDQS).
 * @err: An error code to record in CONS (SMMUv3).
 * @passes: How many times the VMM resumes the queue after a stop.
 *
 * Little endian, no padding: the seed generator writes it field by field.
 */
struct vq_fuzz_header {
	u8 format;
	__le64 base;
	__le32 prod;
	__le32 cons;
	__le32 consumed;
	__le32 reserved;
	__le64 virt_id;
	u8 max_log2;
	u8 err;
	u8 passes;
} __packed;

#endif /* __VQUEUE_FUZZ_H */
