/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test vectors and test cases for the VT-d vqueue format, shared by the KUnit
 * suite (vqueue_vtd_kunit.c) and the userspace unit test
 * (tools/iommu/vqueue_format_test.c), so that both run exactly the same checks.
 *
 * The includer defines VQT_CTX and VQT_EQ() as for vqueue_smmuv3_tests.h; the
 * two headers can be included together, everything here is vtdt_.
 *
 * Expected values come from the VT-d architecture, from the way a Linux
 * guest builds its descriptors, and from the queue scenarios of the
 * project's reference (queues.md, sections E.2 and E.3); they are written
 * out here rather than derived from the code under test.
 */
#ifndef __IOMMUFD_VQUEUE_VTD_TESTS_H
#define __IOMMUFD_VQUEUE_VTD_TESTS_H

#include <uapi/linux/iommufd.h>

#include "vqueue_format.h"
#include "vqueue_vtd.h"

#define VTDT_F(name)	BIT_ULL(IOMMUFD_VQ_FIELD_##name)

#define VTDT_CC		(VTDT_F(TYPE) | VTDT_F(GRAN) | VTDT_F(DID) | \
			 VTDT_F(SID) | VTDT_F(FM))
#define VTDT_IOTLB	(VTDT_F(TYPE) | VTDT_F(GRAN) | VTDT_F(DW) | \
			 VTDT_F(DR) | VTDT_F(DID) | VTDT_F(ADDR) | \
			 VTDT_F(AM) | VTDT_F(IH))
#define VTDT_DEV_TLB	(VTDT_F(TYPE) | VTDT_F(PFSID) | VTDT_F(SID) | \
			 VTDT_F(ADDR) | VTDT_F(SIZE))
#define VTDT_IEC	(VTDT_F(TYPE) | VTDT_F(GRAN) | VTDT_F(IM) | \
			 VTDT_F(IIDX))
#define VTDT_WAIT	(VTDT_F(TYPE) | VTDT_F(IF) | VTDT_F(SW) | \
			 VTDT_F(FN) | VTDT_F(PD) | VTDT_F(STATUS_DATA) | \
			 VTDT_F(STATUS_ADDR))
#define VTDT_PIOTLB	(VTDT_F(TYPE) | VTDT_F(GRAN) | VTDT_F(DID) | \
			 VTDT_F(PASID) | VTDT_F(ADDR) | VTDT_F(AM) | \
			 VTDT_F(IH))
#define VTDT_PC		(VTDT_F(TYPE) | VTDT_F(GRAN) | VTDT_F(DID) | \
			 VTDT_F(PASID))
#define VTDT_PDEV_TLB	(VTDT_F(TYPE) | VTDT_F(PFSID) | VTDT_F(SID) | \
			 VTDT_F(PASID) | VTDT_F(GRAN) | VTDT_F(ADDR) | \
			 VTDT_F(SIZE))

#define VTDT_ILL(iqei)	IOMMUFD_VQ_CLASS_ILLEGAL, .error = (iqei)

/* Linux's status value for a completed wait (QI_DONE) */
#define VTDT_QI_DONE	2

/*
 * The nested HWPTs bound to the test vqueue: guest (DID 5, PASID 0x10) and
 * (DID 1, PASID 0, the RID_PASID Linux uses for DMA API domains).
 */
#define VTDT_DID	5
#define VTDT_PASID	0x10
#define VTDT_HWPT	0x42
#define VTDT_HWPT_RID	0x43

/**
 * struct vtdt_vector - One descriptor and what decoding it must give
 * @name: Identifier, the reference's (E.2) where there is one.
 * @desc: The descriptor, quadwords 0 to 3 (2 and 3 only in a 256-bit queue).
 * @dw: Only in a 256-bit queue (IQA.DW=1); otherwise in both widths, with
 *	quadwords 2 and 3 zero, unless @error is VTD_IQEI_WIDTH.
 * @class: Expected class.
 * @error: Expected IQEI.
 * @present: Expected decoded fields.
 * @val: Expected field values.
 * @xlate: Expected translate() result for an invalidation.
 * @target: Expected nested HWPT.
 * @inv: Expected invalidation: addr, npages, flags.
 * @json: Expected vqdecode output line, or NULL.
 */
struct vtdt_vector {
	const char *name;
	u64 desc[4];
	bool dw;
	enum iommufd_vq_class class;
	u8 error;
	u64 present;
	u64 val[IOMMUFD_VQ_NR_FIELDS];
	int xlate;
	u32 target;
	u64 inv[3];
	const char *json;
};

static const struct vtdt_vector vtdt_vectors[] = {
	/* queues.md E.2 */
	{ .name = "V1 IOTLB PSI DID 3 2MiB at 0x200000",
	  .desc = { 0x0000000000030032, 0x0000000000200009 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_IOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 2, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 3,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x200000,
		   [IOMMUFD_VQ_FIELD_AM] = 9 },
	  .json =
		"{\"op\":\"IOTLB_INV\",\"class\":\"exit\",\"opcode\":2,\"addr\":2097152,\"type\":2,\"granularity\":3,\"did\":3,\"am\":9,\"ih\":0,\"dw\":0,\"dr\":0}",
	},
	{ .name = "V13 wait SW data 1",
	  .desc = { 0x0000000100000025, 0x0000000012345670 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_SW] = 1,
		   [IOMMUFD_VQ_FIELD_STATUS_DATA] = 1,
		   [IOMMUFD_VQ_FIELD_STATUS_ADDR] = 0x12345670 },
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"sync\",\"opcode\":5,\"type\":5,\"sw\":1,\"if\":0,\"fn\":0,\"pd\":0,\"status_data\":1,\"status_addr\":305419888}",
	},
	{ .name = "V-ill-1 type 0",
	  .desc = { 0, 0 }, .class = VTDT_ILL(VTD_IQEI_TYPE),
	  .present = VTDT_F(TYPE),
	  .json =
		"{\"op\":\"RESERVED_0x00\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":3,\"opcode\":0,\"type\":0}",
	},
	/* Scalable mode, as a Linux guest builds them (256-bit) */
	{ .name = "qi_desc_piotlb DID 5 PASID 0x10 16 pages leaf", .dw = true,
	  .desc = { 0x0000001000050036, 0x0000000012340044 },
	  .class = IOMMUFD_VQ_CLASS_INVALIDATE, .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQ_FIELD_AM] = 4, [IOMMUFD_VQ_FIELD_IH] = 1 },
	  .target = VTDT_HWPT,
	  .inv = { 0x12340000, 16, IOMMU_VTD_INV_FLAGS_LEAF },
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"invalidate\",\"opcode\":6,\"addr\":305397760,\"type\":6,\"granularity\":3,\"did\":5,\"pasid\":16,\"am\":4,\"ih\":1}",
	},
	{ .name = "qi_desc_piotlb_all DID 5 PASID 0x10", .dw = true,
	  .desc = { 0x0000001000050026, 0 },
	  .class = IOMMUFD_VQ_CLASS_INVALIDATE, .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 2,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10 },
	  .target = VTDT_HWPT, .inv = { 0, ~0ULL, 0 },
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"invalidate\",\"opcode\":6,\"addr\":0,\"type\":6,\"granularity\":2,\"did\":5,\"pasid\":16,\"am\":0,\"ih\":0}",
	},
	{ .name = "qi_desc_piotlb RID_PASID one page, not leaf", .dw = true,
	  .desc = { 0x0000000000010036, 0x00000000fffff000 },
	  .class = IOMMUFD_VQ_CLASS_INVALIDATE, .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 1,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0xfffff000 },
	  .target = VTDT_HWPT_RID, .inv = { 0xfffff000, 1, 0 } },
	{ .name = "P_IOTLB of an unbound PASID", .dw = true,
	  .desc = { 0x0000001100050036, 0x0000000012340044 },
	  .class = IOMMUFD_VQ_CLASS_INVALIDATE, .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x11,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQ_FIELD_AM] = 4, [IOMMUFD_VQ_FIELD_IH] = 1 },
	  .xlate = -ENOENT },
	{ .name = "P_IOTLB of an unbound DID", .dw = true,
	  .desc = { 0x0000001000060026, 0 },
	  .class = IOMMUFD_VQ_CLASS_INVALIDATE, .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 2,
		   [IOMMUFD_VQ_FIELD_DID] = 6, [IOMMUFD_VQ_FIELD_PASID] = 0x10 },
	  .xlate = -ENOENT },
	{ .name = "qi_desc_dev_iotlb_pasid SID 0x100 16 pages", .dw = true,
	  .desc = { 0x0000001001000008, 0x0000000012347800 },
	  .class = IOMMUFD_VQ_CLASS_NOP, .present = VTDT_PDEV_TLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 8, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12347000,
		   [IOMMUFD_VQ_FIELD_SIZE] = 1 },
	  .json =
		"{\"op\":\"PASID_DEV_TLB_INV\",\"class\":\"nop\",\"opcode\":8,\"sid\":256,\"addr\":305426432,\"size\":1,\"type\":8,\"granularity\":0,\"pasid\":16,\"pfsid\":0}",
	},
	{ .name = "dev_iotlb_pasid with PFSID 0x1234 and MIP 31", .dw = true,
	  .desc = { 0x12300010010041f8, 0x0000000012345000 },
	  .class = IOMMUFD_VQ_CLASS_NOP, .present = VTDT_PDEV_TLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 8, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQ_FIELD_PFSID] = 0x1234,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12345000 } },
	{ .name = "wait SW QI_DONE (qi_submit_sync)", .dw = true,
	  .desc = { 0x0000000200000025, 0x000000007f001008 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_SW] = 1,
		   [IOMMUFD_VQ_FIELD_STATUS_DATA] = VTDT_QI_DONE,
		   [IOMMUFD_VQ_FIELD_STATUS_ADDR] = 0x7f001008 } },
	{ .name = "wait IF", .desc = { 0x15, 0 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_IF] = 1 },
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"sync\",\"opcode\":5,\"type\":5,\"sw\":0,\"if\":1,\"fn\":0,\"pd\":0,\"status_data\":0,\"status_addr\":0}",
	},
	{ .name = "wait FN no-op (Linux IQE drain)", .desc = { 0x45, 0 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_FN] = 1 } },
	{ .name = "wait SW FN PD goes to the VMM", .dw = true,
	  .desc = { 0x00000002000000e5, 0x000000007f001008 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_SW] = 1,
		   [IOMMUFD_VQ_FIELD_FN] = 1, [IOMMUFD_VQ_FIELD_PD] = 1,
		   [IOMMUFD_VQ_FIELD_STATUS_DATA] = VTDT_QI_DONE,
		   [IOMMUFD_VQ_FIELD_STATUS_ADDR] = 0x7f001008 } },
	{ .name = "wait with a misaligned status address",
	  .desc = { 0x0000000200000025, 0x0000000012345672 },
	  .class = VTDT_ILL(VTD_IQEI_RSVD), .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_SW] = 1,
		   [IOMMUFD_VQ_FIELD_STATUS_DATA] = VTDT_QI_DONE,
		   [IOMMUFD_VQ_FIELD_STATUS_ADDR] = 0x12345670 },
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":4,\"opcode\":5,\"type\":5,\"sw\":1,\"if\":0,\"fn\":0,\"pd\":0,\"status_data\":2,\"status_addr\":305419888}",
	},

	/* Legacy (128-bit) descriptors Linux builds */
	{ .name = "qi_flush_dev_iotlb flush all SID 0x100",
	  .desc = { 0x0000010000000003, 0x7ffffffffffff001 },
	  .class = IOMMUFD_VQ_CLASS_NOP, .present = VTDT_DEV_TLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 3, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x7ffffffffffff000,
		   [IOMMUFD_VQ_FIELD_SIZE] = 1 },
	  .json =
		"{\"op\":\"DEV_TLB_INV\",\"class\":\"nop\",\"opcode\":3,\"sid\":256,\"addr\":9223372036854771712,\"size\":1,\"type\":3,\"pfsid\":0}",
	},
	{ .name = "qi_flush_context global", .desc = { 0x11, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_CC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 1, [IOMMUFD_VQ_FIELD_GRAN] = 1 },
	  .json =
		"{\"op\":\"CC_INV\",\"class\":\"exit\",\"opcode\":1,\"sid\":0,\"type\":1,\"granularity\":1,\"did\":0,\"fm\":0}",
	},
	{ .name = "context cache device SID 0x100 FM 3",
	  .desc = { 0x0003010000070031, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_CC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 1, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 7, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_FM] = 3 } },
	{ .name = "qi_global_iec", .desc = { 0x4, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_IEC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 4 },
	  .json =
		"{\"op\":\"IEC_INV\",\"class\":\"exit\",\"opcode\":4,\"type\":4,\"granularity\":0,\"iidx\":0,\"im\":0}",
	},
	{ .name = "IEC index 0x20 mask 2", .desc = { 0x0000002010000014, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_IEC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 4, [IOMMUFD_VQ_FIELD_GRAN] = 1,
		   [IOMMUFD_VQ_FIELD_IIDX] = 0x20, [IOMMUFD_VQ_FIELD_IM] = 2 } },
	{ .name = "IOTLB DSI with drain bits", .desc = { 0x00000000000300e2, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_IOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 2, [IOMMUFD_VQ_FIELD_GRAN] = 2,
		   [IOMMUFD_VQ_FIELD_DID] = 3, [IOMMUFD_VQ_FIELD_DW] = 1,
		   [IOMMUFD_VQ_FIELD_DR] = 1 } },

	/* Scalable-mode descriptors that exit */
	{ .name = "qi_flush_pasid_cache PASID-selective", .dw = true,
	  .desc = { 0x0000001000050017, 0 },
	  .class = IOMMUFD_VQ_CLASS_EXIT, .present = VTDT_PC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 7, [IOMMUFD_VQ_FIELD_GRAN] = 1,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10 },
	  .json =
		"{\"op\":\"PASID_CACHE_INV\",\"class\":\"exit\",\"opcode\":7,\"type\":7,\"granularity\":1,\"did\":5,\"pasid\":16}",
	},
	{ .name = "page group response", .dw = true,
	  .desc = { 0x0000001001000019, 0x1c, 0x1111, 0x2222 },
	  .class = IOMMUFD_VQ_CLASS_EXIT,
	  .present = VTDT_F(TYPE) | VTDT_F(SID) | VTDT_F(PASID) | VTDT_F(RESP),
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 9, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_PASID] = 0x10 },
	  .json =
		"{\"op\":\"PAGE_GRP_RESP\",\"class\":\"exit\",\"opcode\":9,\"sid\":256,\"resp\":0,\"type\":9,\"pasid\":16}",
	},

	/* Illegal */
	{ .name = "P_IOTLB in a 128-bit queue",
	  .desc = { 0x0000001000050036, 0x0000000012340044 },
	  .class = VTDT_ILL(VTD_IQEI_WIDTH), .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 3,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQ_FIELD_AM] = 4, [IOMMUFD_VQ_FIELD_IH] = 1 },
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":5,\"opcode\":6,\"addr\":305397760,\"type\":6,\"granularity\":3,\"did\":5,\"pasid\":16,\"am\":4,\"ih\":1}",
	},
	{ .name = "PASID cache in a 128-bit queue",
	  .desc = { 0x0000001000050017, 0 },
	  .class = VTDT_ILL(VTD_IQEI_WIDTH), .present = VTDT_PC,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 7, [IOMMUFD_VQ_FIELD_GRAN] = 1,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10 } },
	{ .name = "PASID dev-TLB in a 128-bit queue",
	  .desc = { 0x0000001001000008, 0x0000000012347800 },
	  .class = VTDT_ILL(VTD_IQEI_WIDTH), .present = VTDT_PDEV_TLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 8, [IOMMUFD_VQ_FIELD_SID] = 0x100,
		   [IOMMUFD_VQ_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x12347000,
		   [IOMMUFD_VQ_FIELD_SIZE] = 1 } },
	{ .name = "P_IOTLB granularity 1 (reserved)", .dw = true,
	  .desc = { 0x0000001000050016, 0 },
	  .class = VTDT_ILL(VTD_IQEI_RSVD), .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 1,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10 } },
	{ .name = "P_IOTLB with qw2 set", .dw = true,
	  .desc = { 0x0000001000050026, 0, 1, 0 },
	  .class = VTDT_ILL(VTD_IQEI_RSVD), .present = VTDT_PIOTLB,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 6, [IOMMUFD_VQ_FIELD_GRAN] = 2,
		   [IOMMUFD_VQ_FIELD_DID] = 5, [IOMMUFD_VQ_FIELD_PASID] = 0x10 } },
	{ .name = "wait with qw3 set", .dw = true,
	  .desc = { 0x15, 0, 0, BIT_ULL(63) },
	  .class = VTDT_ILL(VTD_IQEI_RSVD), .present = VTDT_WAIT,
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 5, [IOMMUFD_VQ_FIELD_IF] = 1 } },
	{ .name = "reserved type 0xa", .dw = true, .desc = { 0xa, 0 },
	  .class = VTDT_ILL(VTD_IQEI_TYPE), .present = VTDT_F(TYPE),
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 0xa } },
	{ .name = "reserved type 0x15 (7-bit type)", .dw = true,
	  .desc = { 0x205, 0 },
	  .class = VTDT_ILL(VTD_IQEI_TYPE), .present = VTDT_F(TYPE),
	  .val = { [IOMMUFD_VQ_FIELD_TYPE] = 0x15 },
	  .json =
		"{\"op\":\"RESERVED_0x15\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":3,\"opcode\":21,\"type\":21}",
	},
};

/*
 * Bound guest (DID, PASID) pairs; each maps to its own nested HWPT, and
 * nothing else maps anywhere.
 */
static int vtdt_lookup(const struct iommufd_vq_idmap *map, u64 vid, u32 *pid)
{
	if (vid == IOMMUFD_VQ_VTD_ID(VTDT_DID, VTDT_PASID)) {
		*pid = VTDT_HWPT;
		return 0;
	}
	if (vid == IOMMUFD_VQ_VTD_ID(1, 0)) {
		*pid = VTDT_HWPT_RID;
		return 0;
	}
	return -ENOENT;
}

static const struct iommufd_vq_idmap vtdt_map = { .lookup = vtdt_lookup };

static const struct iommufd_vq_format *const vtdt_fmt = &iommufd_vq_vtd_format;

static const struct iommufd_vq_geometry vtdt_geo128 = { .entry_size = 16 };
static const struct iommufd_vq_geometry vtdt_geo256 = { .entry_size = 32 };

static void vtdt_decode(const u64 *desc, bool dw, struct iommufd_vq_entry *e)
{
	const __le64 raw[4] = {
		cpu_to_le64(desc[0]), cpu_to_le64(desc[1]),
		cpu_to_le64(dw ? desc[2] : 0), cpu_to_le64(dw ? desc[3] : 0),
	};

	vtdt_fmt->decode(dw ? &vtdt_geo256 : &vtdt_geo128, raw, e);
	vtdt_fmt->fields(e);
}

static struct iommufd_vq_entry vtdt_entry(u64 qw0, u64 qw1, u64 qw2, u64 qw3,
					  bool dw)
{
	const u64 desc[4] = { qw0, qw1, qw2, qw3 };
	struct iommufd_vq_entry e;

	vtdt_decode(desc, dw, &e);
	return e;
}

static void vtdt_check_width(VQT_CTX *t, const struct vtdt_vector *v,
			     bool dw)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vq_entry e;
	u32 target = 0;
	unsigned int f;
	int ret;

	vtdt_decode(v->desc, dw, &e);
	VQT_EQ(t, e.opcode, v->val[IOMMUFD_VQ_FIELD_TYPE], v->name);
	VQT_EQ(t, e.class, v->class, v->name);
	VQT_EQ(t, e.error, v->error, v->name);
	VQT_EQ(t, e.present, v->present, v->name);
	for (f = 0; f < IOMMUFD_VQ_NR_FIELDS; f++)
		if (v->present & BIT_ULL(f))
			VQT_EQ(t, e.val[f], v->val[f], v->name);

	memset(&inv, 0xa5, sizeof(inv));
	ret = vtdt_fmt->translate(&e, &vtdt_map, &inv, &target);
	if (v->class != IOMMUFD_VQ_CLASS_INVALIDATE) {
		VQT_EQ(t, ret, -EINVAL, v->name);
		return;
	}
	VQT_EQ(t, ret, v->xlate, v->name);
	if (ret)
		return;
	VQT_EQ(t, target, v->target, v->name);
	VQT_EQ(t, inv.addr, v->inv[0], v->name);
	VQT_EQ(t, inv.npages, v->inv[1], v->name);
	VQT_EQ(t, inv.flags, v->inv[2], v->name);
	VQT_EQ(t, inv.__reserved, 0, v->name);
}

/* A 128-bit descriptor means the same in a 256-bit queue, unless too short */
static bool vtdt_in_256(const struct vtdt_vector *v)
{
	return v->dw || v->error != VTD_IQEI_WIDTH;
}

static void vtdt_check_vector(VQT_CTX *t, const struct vtdt_vector *v)
{
	if (!v->dw)
		vtdt_check_width(t, v, false);
	if (vtdt_in_256(v))
		vtdt_check_width(t, v, true);
}

static void vtdt_geometry(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;

	/* E.3 VTD-Q1: legacy, one page of 256 128-bit descriptors */
	VQT_EQ(t, vtdt_fmt->geometry(0x7f000000, 15, &geo), 0, "Q1");
	VQT_EQ(t, geo.base, 0x7f000000, "Q1 base");
	VQT_EQ(t, geo.log2_entries, 8, "Q1 256 entries");
	VQT_EQ(t, geo.entry_size, 16, "Q1 128-bit");

	/* Linux in scalable mode: DW=1, QS=1: two pages of 32-byte entries */
	VQT_EQ(t, vtdt_fmt->geometry(0x7f000801, 15, &geo), 0, "scalable");
	VQT_EQ(t, geo.base, 0x7f000000, "scalable base");
	VQT_EQ(t, geo.log2_entries, 8, "scalable 256 entries");
	VQT_EQ(t, geo.entry_size, 32, "scalable 256-bit");

	/* QS=7: 2^15 128-bit or 2^14 256-bit descriptors */
	vtdt_fmt->geometry(0x80000007, 15, &geo);
	VQT_EQ(t, geo.log2_entries, 15, "QS=7 128-bit");
	vtdt_fmt->geometry(0x80000807, 15, &geo);
	VQT_EQ(t, geo.log2_entries, 14, "QS=7 256-bit");
	vtdt_fmt->geometry(0x80000800, 15, &geo);
	VQT_EQ(t, geo.log2_entries, 7, "QS=0 256-bit");

	/* The size is the guest's: a queue larger than allowed is refused */
	VQT_EQ(t, vtdt_fmt->geometry(0x80000003, 10, &geo), -EINVAL, "QS=3 max 10");
	VQT_EQ(t, vtdt_fmt->geometry(0x80000803, 10, &geo), 0, "QS=3 256 max 10");
	VQT_EQ(t, geo.log2_entries, 10, "QS=3 256-bit");
	VQT_EQ(t, vtdt_fmt->geometry(0x80000007, 31, &geo), 0, "max_log2 31");

	/* Reserved bits [10:3] are not part of the base or the size */
	vtdt_fmt->geometry(0xfff0000080000ff9ULL, 15, &geo);
	VQT_EQ(t, geo.base, 0xfff0000080000000ULL, "base [63:12]");
	VQT_EQ(t, geo.log2_entries, 8, "QS=1 256-bit");
	VQT_EQ(t, geo.entry_size, 32, "DW");

	VQT_EQ(t, vtdt_fmt->max_log2_entries, 15, "architecture maximum");
	VQT_EQ(t, vtdt_fmt->inv_size, 24, "VTD_S1 entry");
	VQT_EQ(t, vtdt_fmt->error_illegal, VTD_IQEI_TYPE, "refused IQEI");
	VQT_EQ(t, vtdt_fmt->error_abort, VTD_IQEI_FETCH, "fetch error IQEI");
	VQT_EQ(t, vtdt_fmt->error_prod, VTD_IQEI_TAIL, "bad tail IQEI");
	VQT_EQ(t, !vtdt_fmt->cons_error, true, "errors are not in IQH");
}

/* Legacy queue, 256 entries: offsets are index << 4 */
static void vtdt_index_legacy(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;
	u32 iqh = 0;

	vtdt_fmt->geometry(0x7f000000, 15, &geo);
	VQT_EQ(t, vtdt_fmt->empty(&geo, 0, 0), true, "empty at reset");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0, 0), 0, "nothing pending");
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0, 0), true, "IQT=0");

	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x20, iqh), 2, "IQT=0x20: 2");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x20, iqh), 2, "2 contiguous");
	VQT_EQ(t, vtdt_fmt->index(&geo, 0x20), 2, "slot 2");
	iqh = vtdt_fmt->advance(&geo, iqh, 1);
	VQT_EQ(t, iqh, 0x10, "IQH=0x10");
	iqh = vtdt_fmt->advance(&geo, iqh, 1);
	VQT_EQ(t, iqh, 0x20, "IQH=0x20");
	VQT_EQ(t, vtdt_fmt->empty(&geo, 0x20, iqh), true, "empty again");

	/* No wrap bit: at most 255 of 256 slots are ever pending */
	VQT_EQ(t, vtdt_fmt->full(&geo, 0xff0, 0), true, "255 pending is full");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0xff0, 0), 255, "255 pending");
	VQT_EQ(t, vtdt_fmt->full(&geo, 0x100, 0x110), true, "full across the end");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x100, 0x110), 255, "255 across");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x100, 0x110), 255 - 16,
	       "up to the end");
	VQT_EQ(t, vtdt_fmt->full(&geo, 0xfe0, 0), false, "254 is not full");
	VQT_EQ(t, vtdt_fmt->empty(&geo, 0xff0, 0), false, "full is not empty");

	/* Wrap: IQH at 254, two descriptors, IQT back at 0 */
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0, 0xfe0), 2, "2 to the end");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0, 0xfe0), 2, "one run");
	iqh = vtdt_fmt->advance(&geo, 0xfe0, 2);
	VQT_EQ(t, iqh, 0, "wrapped to 0");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x30, 0xfe0), 5, "5 across the end");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x30, 0xfe0), 2, "first run");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x30, 0), 3, "second run");

	/* QT is [18:4]: bits [3:0] and [31:19] take no part */
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x2f, 0), true, "IQT[3:0]");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x2f, 0), 2, "IQT[3:0] pending");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x80020, 0), 2, "IQT[19]");
	VQT_EQ(t, vtdt_fmt->empty(&geo, 0x80000, 0), true, "IQT[19] empty");
}

/* 256-bit queue: offsets are index << 5, QT[4] must be 0 */
static void vtdt_index_256(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;
	u32 iqh = 0;

	vtdt_fmt->geometry(0x7f000801, 15, &geo);
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x60, iqh), 3, "IQT=0x60: 3");
	VQT_EQ(t, vtdt_fmt->index(&geo, 0x60), 3, "slot 3");
	iqh = vtdt_fmt->advance(&geo, iqh, 3);
	VQT_EQ(t, iqh, 0x60, "IQH=0x60");
	VQT_EQ(t, vtdt_fmt->empty(&geo, 0x60, iqh), true, "empty");

	/* The last slot is at 0x1fe0; the queue is two pages */
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x1fe0, 0), true, "last slot");
	VQT_EQ(t, vtdt_fmt->full(&geo, 0x1fe0, 0), true, "255 is full");
	VQT_EQ(t, vtdt_fmt->advance(&geo, 0x1fe0, 1), 0, "wrap");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x20, 0x1fc0), 3, "across the end");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x20, 0x1fc0), 2, "first run");

	/* A tail on a 128-bit boundary is an invalid tail */
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x70, 0x60), false, "QT[4] set");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x70, 0x60), 0, "consume nothing");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x70, 0x60), 0, "read nothing");
	VQT_EQ(t, vtdt_fmt->full(&geo, 0x70, 0x60), false, "not full");
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x10, 0), false, "QT[4] at 0x10");
}

/* IQT beyond the queue: IQE with IQEI 1, nothing consumed */
static void vtdt_index_bad_tail(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;

	vtdt_fmt->geometry(0x7f000000, 15, &geo);
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0xff0, 0), true, "last slot");
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x1000, 0), false, "slot 256");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x1000, 0), 0, "consume nothing");
	VQT_EQ(t, vtdt_fmt->contig(&geo, 0x1000, 0), 0, "read nothing");
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x7fff0, 0x10), false, "QT max");

	/* The largest queue has no tail beyond it */
	vtdt_fmt->geometry(0x80000007, 15, &geo);
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x7fff0, 0), true, "QS=7 last");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x7fff0, 0), 0x7fff, "QS=7 full");
	VQT_EQ(t, vtdt_fmt->full(&geo, 0x7fff0, 0), true, "QS=7 is full");
	VQT_EQ(t, vtdt_fmt->advance(&geo, 0x7fff0, 1), 0, "QS=7 wrap");

	vtdt_fmt->geometry(0x80000807, 15, &geo);
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x7ffe0, 0), true, "256 QS=7 last");
	VQT_EQ(t, vtdt_fmt->consistent(&geo, 0x7fff0, 0), false, "256 QS=7 QT[4]");
	VQT_EQ(t, vtdt_fmt->pending(&geo, 0x7ffe0, 0), 0x3fff, "256 QS=7 full");
}

/**
 * struct vtdt_queue - A guest queue and what its consumer did
 * @geo: Its geometry.
 * @mem: The queue in guest memory, up to 256 slots of up to 32 bytes.
 * @iqh: IQH.
 * @ics: ICS.
 * @nirq: Completion interrupts signalled.
 * @nwrite: Status writes.
 * @status_addr: Address of the last status write.
 * @status_data: Value of the last status write.
 * @iqh_at_write: IQH when the last status write happened.
 * @iqei: IQEI of the last error.
 */
struct vtdt_queue {
	struct iommufd_vq_geometry geo;
	__le64 mem[256 * 4];
	u32 iqh;
	u32 ics;
	unsigned int nirq;
	unsigned int nwrite;
	u64 status_addr;
	u32 status_data;
	u32 iqh_at_write;
	u8 iqei;
};

/* One queue for all scenarios: it is too large for a kernel stack */
static struct vtdt_queue vtdt_q;

static struct vtdt_queue *vtdt_queue(u64 iqa)
{
	memset(&vtdt_q, 0, sizeof(vtdt_q));
	vtdt_fmt->geometry(iqa, VTD_IQ_MAX_LOG2, &vtdt_q.geo);
	return &vtdt_q;
}

static void vtdt_put(struct vtdt_queue *q, unsigned int slot, u64 qw0, u64 qw1)
{
	__le64 *d = &q->mem[slot * q->geo.entry_size / 8];

	d[0] = cpu_to_le64(qw0);
	d[1] = cpu_to_le64(qw1);
	if (q->geo.entry_size == 32) {
		d[2] = 0;
		d[3] = 0;
	}
}

/*
 * A minimal consumer, the way the worker uses the format: at most two
 * contiguous runs, stop at anything it cannot complete, status write and
 * interrupt after IQH has moved past the wait.  Returns the class it
 * stopped on (ILLEGAL with @q->iqei set), or NOP when the queue is empty.
 */
static enum iommufd_vq_class vtdt_consume(struct vtdt_queue *q, u32 iqt)
{
	struct iommufd_vq_entry e;
	struct iommufd_vq_sync s;
	u32 run, i;

	if (!vtdt_fmt->consistent(&q->geo, iqt, q->iqh)) {
		q->iqei = vtdt_fmt->error_prod;
		return IOMMUFD_VQ_CLASS_ILLEGAL;
	}
	while ((run = vtdt_fmt->contig(&q->geo, iqt, q->iqh))) {
		u32 idx = vtdt_fmt->index(&q->geo, q->iqh);

		for (i = 0; i < run; i++) {
			const __le64 *raw = &q->mem[(idx + i) *
						    q->geo.entry_size / 8];
			bool signal;

			vtdt_fmt->decode(&q->geo, raw, &e);
			if (e.class == IOMMUFD_VQ_CLASS_ILLEGAL)
				q->iqei = e.error;
			if (e.class == IOMMUFD_VQ_CLASS_ILLEGAL ||
			    e.class == IOMMUFD_VQ_CLASS_EXIT)
				return e.class;
			q->iqh = vtdt_fmt->advance(&q->geo, q->iqh, 1);
			if (e.class != IOMMUFD_VQ_CLASS_SYNC)
				continue;
			vtdt_fmt->sync(&e, &s);
			if (s.flags & IOMMUFD_VQ_SYNC_WRITE) {
				q->nwrite++;
				q->status_addr = s.addr;
				q->status_data = s.data;
				q->iqh_at_write = q->iqh;
			}
			if (s.flags & IOMMUFD_VQ_SYNC_IRQ) {
				q->ics = vtdt_fmt->irq_status(q->ics, &signal);
				q->nirq += signal;
			}
		}
	}
	return IOMMUFD_VQ_CLASS_NOP;
}

/* E.2 V1 */
static void vtdt_put_v1(struct vtdt_queue *q, unsigned int slot)
{
	vtdt_put(q, slot, 0x0000000000030032ULL, 0x0000000000200009ULL);
}

/* The wait qi_submit_sync() appends: SW, StatusData QI_DONE */
static void vtdt_put_wait(struct vtdt_queue *q, unsigned int slot, u64 addr)
{
	vtdt_put(q, slot, (u64)VTDT_QI_DONE << 32 | 0x25, addr);
}

/* E.3 VTD-Q1: a Linux legacy-mode submission, then one across the end */
static void vtdt_q1_legacy(VQT_CTX *t)
{
	struct vtdt_queue *q;

	q = vtdt_queue(0x7f000000);
	vtdt_put_v1(q, 0);
	vtdt_put_wait(q, 1, 0x7f100004);

	/* IOTLB PSI is the VMM's (second stage): it runs it and resumes */
	VQT_EQ(t, vtdt_consume(q, 0x20), IOMMUFD_VQ_CLASS_EXIT, "V1 exits");
	VQT_EQ(t, q->iqh, 0, "IQH on V1");
	q->iqh = vtdt_fmt->advance(&q->geo, q->iqh, 1);
	VQT_EQ(t, q->iqh, 0x10, "IQH=0x10");
	VQT_EQ(t, vtdt_consume(q, 0x20), IOMMUFD_VQ_CLASS_NOP, "drained");
	VQT_EQ(t, q->iqh, 0x20, "IQH=0x20");
	VQT_EQ(t, q->nwrite, 1, "one status write");
	VQT_EQ(t, q->status_addr, 0x7f100004, "to X");
	VQT_EQ(t, q->status_data, VTDT_QI_DONE, "QI_DONE");
	VQT_EQ(t, q->iqh_at_write, 0x20, "after IQH moved");
	VQT_EQ(t, q->nirq, 0, "no interrupt");

	/* free_head=254: a dev-TLB flush and a wait, IQT=0 */
	q->iqh = 0xfe0;
	vtdt_put(q, 254, 0x0000010000000003ULL, 0x7ffffffffffff001ULL);
	vtdt_put_wait(q, 255, 0x7f100008);
	VQT_EQ(t, vtdt_consume(q, 0), IOMMUFD_VQ_CLASS_NOP, "wrap drained");
	VQT_EQ(t, q->iqh, 0, "IQH=0");
	VQT_EQ(t, q->nwrite, 2, "second status write");
	VQT_EQ(t, q->status_addr, 0x7f100008, "second slot");
}

/*
 * Scalable mode (the reference has no VTD-Q2 text): a Linux qi_batch of a
 * P_IOTLB and a PASID dev-TLB invalidation for each of two PASIDs, then the
 * wait qi_submit_sync appends, ending past the end of a 256-bit queue.
 */
static void vtdt_q2_scalable(VQT_CTX *t)
{
	struct vtdt_queue *q;
	struct iommufd_vq_entry e;
	unsigned int i, ninv = 0;

	q = vtdt_queue(0x7f000801);
	q->iqh = 0x1fa0;
	vtdt_put(q, 253, 0x0000001000050036ULL, 0x12340044);
	vtdt_put(q, 254, 0x0000001001000008ULL, 0x12347800);
	vtdt_put(q, 255, 0x0000000000010036ULL, 0xfffff000);
	vtdt_put(q, 0, 0x0000000001000008ULL, 0xfffff000);
	vtdt_put_wait(q, 1, 0x7f200000);

	VQT_EQ(t, vtdt_fmt->pending(&q->geo, 0x40, q->iqh), 5, "5 pending");
	for (i = 253; i < 256 + 2; i++) {
		vtdt_fmt->decode(&q->geo, &q->mem[(i % 256) * 4], &e);
		ninv += e.class == IOMMUFD_VQ_CLASS_INVALIDATE;
	}
	VQT_EQ(t, ninv, 2, "two forwarded");
	VQT_EQ(t, vtdt_consume(q, 0x40), IOMMUFD_VQ_CLASS_NOP, "drained");
	VQT_EQ(t, q->iqh, 0x40, "IQH=0x40");
	VQT_EQ(t, q->nwrite, 1, "one status write");
	VQT_EQ(t, q->status_addr, 0x7f200000, "status address");
	VQT_EQ(t, q->status_data, VTDT_QI_DONE, "QI_DONE");

	/* A 128-bit tail into a 256-bit queue: IQE, IQEI 1, IQH stays */
	VQT_EQ(t, vtdt_consume(q, 0x50), IOMMUFD_VQ_CLASS_ILLEGAL, "QT[4]");
	VQT_EQ(t, q->iqei, VTD_IQEI_TAIL, "invalid tail");
	VQT_EQ(t, q->iqh, 0x40, "IQH unchanged");
}

/* E.3 VTD-Q3: IQE at slot 1, software fixes the slot and clears IQE */
static void vtdt_q3_iqe_recovery(VQT_CTX *t)
{
	struct vtdt_queue *q;

	q = vtdt_queue(0x7f000000);
	vtdt_put_v1(q, 0);
	vtdt_put(q, 1, 0, 0);
	vtdt_put_wait(q, 2, 0x7f100004);

	VQT_EQ(t, vtdt_consume(q, 0x30), IOMMUFD_VQ_CLASS_EXIT, "V1 exits");
	q->iqh = vtdt_fmt->advance(&q->geo, q->iqh, 1);
	VQT_EQ(t, vtdt_consume(q, 0x30), IOMMUFD_VQ_CLASS_ILLEGAL, "slot 1");
	VQT_EQ(t, q->iqei, VTD_IQEI_TYPE, "IQEI=3");
	VQT_EQ(t, q->iqh, 0x10, "IQH stays 0x10");
	VQT_EQ(t, q->nwrite, 0, "slot 2 not processed");

	/* Linux rewrites the slot with a fenced no-op wait and clears IQE */
	vtdt_put(q, 1, 0x45, 0);
	VQT_EQ(t, vtdt_consume(q, 0x30), IOMMUFD_VQ_CLASS_NOP, "resumed");
	VQT_EQ(t, q->iqh, 0x30, "IQH=0x30");
	VQT_EQ(t, q->nwrite, 1, "slot 2 status write");
	VQT_EQ(t, q->nirq, 0, "no interrupt");

	/* The same with a reserved bit and with an invalid tail */
	vtdt_put(q, 3, 0x0000000200000125ULL, 0x7f100004);
	VQT_EQ(t, vtdt_consume(q, 0x40), IOMMUFD_VQ_CLASS_ILLEGAL, "bit 8");
	VQT_EQ(t, q->iqei, VTD_IQEI_RSVD, "IQEI=4");
	VQT_EQ(t, q->iqh, 0x30, "IQH on it");
	VQT_EQ(t, vtdt_consume(q, 0x1000), IOMMUFD_VQ_CLASS_ILLEGAL, "tail");
	VQT_EQ(t, q->iqei, VTD_IQEI_TAIL, "IQEI=1");
	VQT_EQ(t, q->iqh, 0x30, "IQH still on it");
}

/* E.3 VTD-Q4: IF waits and ICS.IWC */
static void vtdt_q4_completion_irq(VQT_CTX *t)
{
	struct vtdt_queue *q;
	bool signal = false;

	q = vtdt_queue(0x7f000000);
	vtdt_put(q, 0, 0x15, 0);
	VQT_EQ(t, vtdt_consume(q, 0x10), IOMMUFD_VQ_CLASS_NOP, "first wait");
	VQT_EQ(t, q->ics, VTD_ICS_IWC, "ICS.IWC=1");
	VQT_EQ(t, q->nirq, 1, "interrupt");
	VQT_EQ(t, q->nwrite, 0, "no status write");

	/* A second one before the guest clears IWC is no new interrupt */
	vtdt_put(q, 1, 0x15, 0);
	VQT_EQ(t, vtdt_consume(q, 0x20), IOMMUFD_VQ_CLASS_NOP, "second wait");
	VQT_EQ(t, q->ics, VTD_ICS_IWC, "still IWC");
	VQT_EQ(t, q->nirq, 1, "no new interrupt");

	/* The guest writes ICS=1 (RW1C); the next one interrupts again */
	q->ics &= ~VTD_ICS_IWC;
	vtdt_put(q, 2, 0x0000000200000035ULL, 0x7f100004);
	VQT_EQ(t, vtdt_consume(q, 0x30), IOMMUFD_VQ_CLASS_NOP, "SW and IF");
	VQT_EQ(t, q->nirq, 2, "interrupt again");
	VQT_EQ(t, q->nwrite, 1, "and the status write");

	/* The status register's other bits are left alone */
	VQT_EQ(t, vtdt_fmt->irq_status(0xfffffffe, &signal), 0xffffffff, "bits");
	VQT_EQ(t, signal, true, "signal");
}

static void vtdt_wait_flags(VQT_CTX *t)
{
	static const struct {
		u64 qw0;
		u32 flags;
	} w[] = {
		{ 0x05, 0 },
		{ 0x15, IOMMUFD_VQ_SYNC_IRQ },
		{ 0x25, IOMMUFD_VQ_SYNC_WRITE },
		{ 0x35, IOMMUFD_VQ_SYNC_WRITE | IOMMUFD_VQ_SYNC_IRQ },
		{ 0x45, 0 },
		{ 0x65, IOMMUFD_VQ_SYNC_WRITE },
	};
	struct iommufd_vq_entry e;
	struct iommufd_vq_sync s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		e = vtdt_entry(w[i].qw0 | 0xdeadbeef00000000ULL,
			       0xfffffffffffffffcULL, 0, 0, i & 1);
		VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_SYNC, "wait is a sync");
		vtdt_fmt->sync(&e, &s);
		VQT_EQ(t, s.flags, w[i].flags, "sync flags");
		VQT_EQ(t, s.data, 0xdeadbeef, "status data");
		VQT_EQ(t, s.addr, 0xfffffffffffffffcULL, "status address");
	}

	/* PD: page requests drain into the VMM's page request queue */
	e = vtdt_entry(0x85, 0, 0, 0, true);
	VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_EXIT, "PD exits");
	/* Status address bits [1:0] are reserved, with or without SW */
	e = vtdt_entry(0x25, 0x7f100001, 0, 0, false);
	VQT_EQ(t, e.error, VTD_IQEI_RSVD, "bit 0");
	e = vtdt_entry(0x15, 0x7f100002, 0, 0, false);
	VQT_EQ(t, e.error, VTD_IQEI_RSVD, "bit 1 without SW");
}

/*
 * Build a P_IOTLB for @npages from @addr the way a Linux guest does: a
 * naturally aligned power-of-two span, or all-within-PASID for "all".
 */
static void vtdt_linux_piotlb(u64 *desc, u16 did, u32 pasid, u64 addr,
			      u64 npages, bool ih)
{
	unsigned int am = 0;
	u64 start, end;

	desc[0] = (u64)pasid << 32 | (u64)did << 16 | VTD_DESC_PASID_IOTLB;
	if (npages == ~0ULL) {
		desc[0] |= VTD_PIOTLB_G_PASID << 4;
		desc[1] = 0;
		return;
	}
	start = addr >> 12;
	end = start + npages - 1;
	while ((start ^ end) >> am)
		am++;
	desc[0] |= VTD_PIOTLB_G_PAGE << 4;
	desc[1] = ((start >> am) << (am + 12)) | (u64)ih << 6 | am;
}

static void vtdt_linux_piotlb_range(VQT_CTX *t)
{
	static const u64 r[][2] = {
		{ 0x1000, 1 }, { 0x200000, 512 }, { 0x3000, 5 },
		{ 0x7ffff000, 2 }, { 0xfffffffff000ULL, 1 }, { 0, 1ULL << 36 },
		{ 0x12345000, 0x100 }, { 0, ~0ULL },
	};
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vq_entry e;
	unsigned int i, ih;
	u32 target;
	u64 desc[4] = {};

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		for (ih = 0; ih < 2; ih++) {
			vtdt_linux_piotlb(desc, VTDT_DID, VTDT_PASID, r[i][0],
					  r[i][1], ih);
			vtdt_decode(desc, true, &e);
			VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_INVALIDATE, "P_IOTLB");
			VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv,
						      &target), 0, "bound");
			VQT_EQ(t, target, VTDT_HWPT, "its HWPT");
			if (r[i][1] == ~0ULL) {
				VQT_EQ(t, inv.addr, 0, "all: addr 0");
				VQT_EQ(t, inv.npages, ~0ULL, "all: U64_MAX");
				VQT_EQ(t, inv.flags, 0, "all: not leaf");
				continue;
			}
			/* Never less than asked for */
			VQT_EQ(t, inv.addr <= r[i][0], true, "starts before");
			VQT_EQ(t, inv.npages >= r[i][1], true, "enough pages");
			VQT_EQ(t, (inv.addr >> 12) + inv.npages >=
				  (r[i][0] >> 12) + r[i][1], true, "ends after");
			VQT_EQ(t, inv.flags, ih ? IOMMU_VTD_INV_FLAGS_LEAF : 0,
			       "IH is LEAF");
		}
	}
}

/* Every AM, every address: 2^AM pages naturally aligned over the address */
static void vtdt_range_am(VQT_CTX *t)
{
	static const u64 addrs[] = {
		0, 0x1000, 0x12345678000ULL, 0xfffffffffffff000ULL,
	};
	struct iommu_hwpt_vtd_s1_invalidate inv;
	unsigned int am, i;

	for (am = 0; am < 64; am++) {
		for (i = 0; i < ARRAY_SIZE(addrs); i++) {
			u64 qw1 = addrs[i] | BIT_ULL(6) | am;

			memset(&inv, 0xa5, sizeof(inv));
			iommufd_vq_vtd_s1_range(0x0000001000050036ULL, qw1, &inv);
			VQT_EQ(t, inv.__reserved, 0, "reserved");
			if (am >= VTD_AM_ALL) {
				VQT_EQ(t, inv.addr, 0, "whole space");
				VQT_EQ(t, inv.npages, ~0ULL, "whole space");
				VQT_EQ(t, inv.flags, 0, "whole space");
				continue;
			}
			VQT_EQ(t, inv.npages, BIT_ULL(am), "2^AM pages");
			VQT_EQ(t, inv.addr & (BIT_ULL(am + 12) - 1), 0, "aligned");
			VQT_EQ(t, addrs[i] - inv.addr < BIT_ULL(am + 12), true,
			       "covers the address");
			VQT_EQ(t, inv.addr <= addrs[i], true, "starts before");
			VQT_EQ(t, inv.flags, IOMMU_VTD_INV_FLAGS_LEAF, "leaf");
		}
	}

	/* All-within-PASID ignores address, AM and IH */
	iommufd_vq_vtd_s1_range(0x0000001000050026ULL, 0x12345047, &inv);
	VQT_EQ(t, inv.addr, 0, "G=2 addr");
	VQT_EQ(t, inv.npages, ~0ULL, "G=2 npages");
	VQT_EQ(t, inv.flags, 0, "G=2 flags");
}

static void vtdt_translate(VQT_CTX *t)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vq_entry e;
	u32 target;

	/* No table at all: nothing is forwarded */
	e = vtdt_entry(0x0000001000050026ULL, 0, 0, 0, true);
	VQT_EQ(t, vtdt_fmt->translate(&e, NULL, &inv, &target), -ENOENT, "no map");

	/* The worker's path: decode without fields, then translate */
	{
		const __le64 raw[4] = { cpu_to_le64(0x0000000000010036ULL),
					cpu_to_le64(0x1000) };

		vtdt_fmt->decode(&vtdt_geo256, raw, &e);
		VQT_EQ(t, e.present, 0, "no fields decoded");
		VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_INVALIDATE, "P_IOTLB");
		VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv, &target), 0,
		       "translated");
		VQT_EQ(t, target, VTDT_HWPT_RID, "RID_PASID HWPT");
		VQT_EQ(t, inv.addr, 0x1000, "addr");
		VQT_EQ(t, inv.npages, 1, "one page");
	}

	/* A PASID above 16 bits must not alias a DID */
	e = vtdt_entry(0x0001000000000026ULL | (u64)VTDT_DID << 16, 0, 0, 0,
		       true);
	VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv, &target), -ENOENT,
	       "PASID 0x10000");
	VQT_EQ(t, IOMMUFD_VQ_VTD_ID(0xffff, 0xfffff), 0xfffffffffULL, "ID bits");

	/* Only invalidations are forwarded */
	e = vtdt_entry(0x0000001001000008ULL, 0, 0, 0, true);
	VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv, &target), -EINVAL,
	       "dev-TLB");
	e = vtdt_entry(0x25, 0x1000, 0, 0, true);
	VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv, &target), -EINVAL,
	       "wait");
	e = vtdt_entry(0x0000001000050036ULL, 0, 0, 0, false);
	VQT_EQ(t, vtdt_fmt->translate(&e, &vtdt_map, &inv, &target), -EINVAL,
	       "P_IOTLB in a 128-bit queue");
}

/* Every 7-bit type with zero operands, in both queue widths */
static void vtdt_type_sweep(VQT_CTX *t)
{
	unsigned int type, dw;

	for (dw = 0; dw < 2; dw++) {
		for (type = 0; type < 128; type++) {
			u64 qw0 = (u64)(type >> 4) << 9 | (type & 0xf);
			enum iommufd_vq_class want = IOMMUFD_VQ_CLASS_ILLEGAL;
			u8 iqei = VTD_IQEI_TYPE;
			struct iommufd_vq_entry e;

			switch (type) {
			case VTD_DESC_CC:
			case VTD_DESC_IOTLB:
			case VTD_DESC_IEC:
				want = IOMMUFD_VQ_CLASS_EXIT;
				break;
			case VTD_DESC_DEV_TLB:
				want = IOMMUFD_VQ_CLASS_NOP;
				break;
			case VTD_DESC_WAIT:
				want = IOMMUFD_VQ_CLASS_SYNC;
				break;
			case VTD_DESC_PASID_IOTLB:
				/* Granularity 0 is reserved */
				qw0 |= VTD_PIOTLB_G_PASID << 4;
				want = IOMMUFD_VQ_CLASS_INVALIDATE;
				iqei = VTD_IQEI_WIDTH;
				break;
			case VTD_DESC_PASID_DEV_TLB:
				want = IOMMUFD_VQ_CLASS_NOP;
				iqei = VTD_IQEI_WIDTH;
				break;
			case VTD_DESC_PASID_CACHE:
			case VTD_DESC_PAGE_GRP_RESP:
				want = IOMMUFD_VQ_CLASS_EXIT;
				iqei = VTD_IQEI_WIDTH;
				break;
			}
			if (!dw && iqei == VTD_IQEI_WIDTH)
				want = IOMMUFD_VQ_CLASS_ILLEGAL;
			e = vtdt_entry(qw0, 0, 0, 0, dw);
			VQT_EQ(t, e.opcode, type, "type");
			VQT_EQ(t, e.class, want, "type class");
			VQT_EQ(t, e.error,
			       want == IOMMUFD_VQ_CLASS_ILLEGAL ? iqei : 0,
			       "type IQEI");
		}
	}
}

/*
 * For each descriptor the kernel handles, a legal base descriptor with one
 * bit outside the type's fields set must be IQE with IQEI 4, in either
 * width, and in quadwords 2 and 3 of a 256-bit one.
 */
static void vtdt_reserved_bits(VQT_CTX *t)
{
	static const u64 m[][4] = {
		/* qw0, qw1, defined bits of qw0, of qw1 */
		{ 0x3, 0, 0xfff0ffff001ffe0fULL, 0xfffffffffffff001ULL },
		{ 0x5, 0, 0xffffffff00000effULL, 0xfffffffffffffffcULL },
		{ 0x26, 0, 0x000fffffffff0e3fULL, 0xfffffffffffff07fULL },
		{ 0x8, 0, 0xffffffffffffffffULL, 0xfffffffffffff801ULL },
	};
	struct iommufd_vq_entry e;
	unsigned int i, b, dw;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		for (dw = 0; dw < 2; dw++) {
			u64 qw0 = m[i][0], qw1 = m[i][1];
			bool only256 = qw0 == 0x26 || qw0 == 0x8;

			if (only256 && !dw)
				continue;
			e = vtdt_entry(qw0, qw1, 0, 0, dw);
			VQT_EQ(t, e.class == IOMMUFD_VQ_CLASS_ILLEGAL, false,
			       "base descriptor legal");
			for (b = 0; b < (dw ? 256 : 128); b++) {
				u64 w[4] = { qw0, qw1, 0, 0 };

				/* Type bits make another type */
				if (b < 128 && (m[i][2 + b / 64] & BIT_ULL(b % 64)))
					continue;
				w[b / 64] |= BIT_ULL(b % 64);
				e = vtdt_entry(w[0], w[1], w[2], w[3], dw);
				VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_ILLEGAL,
				       "reserved bit set");
				VQT_EQ(t, e.error, VTD_IQEI_RSVD, "IQEI 4");
			}
		}
	}
}

/**
 * struct vtdt_case - One test case
 * @run: The test.
 * @name: Its name in the test report.
 */
struct vtdt_case {
	void (*run)(VQT_CTX *t);
	const char *name;
};

/* Run by KUnit as a parameterised case, and in turn by the userspace test */
static const struct vtdt_case vtdt_cases[] = {
	{ vtdt_geometry, "geometry" },
	{ vtdt_index_legacy, "index_legacy" },
	{ vtdt_index_256, "index_256" },
	{ vtdt_index_bad_tail, "index_bad_tail" },
	{ vtdt_q1_legacy, "q1_legacy" },
	{ vtdt_q2_scalable, "q2_scalable" },
	{ vtdt_q3_iqe_recovery, "q3_iqe_recovery" },
	{ vtdt_q4_completion_irq, "q4_completion_irq" },
	{ vtdt_wait_flags, "wait_flags" },
	{ vtdt_linux_piotlb_range, "linux_piotlb_range" },
	{ vtdt_range_am, "range_am" },
	{ vtdt_translate, "translate" },
	{ vtdt_type_sweep, "type_sweep" },
	{ vtdt_reserved_bits, "reserved_bits" },
};

#endif /* __IOMMUFD_VQUEUE_VTD_TESTS_H */
