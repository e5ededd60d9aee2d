/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test data for the VT-d vqueue format: descriptors and what the format
 * must make of them, queue geometries and register values. Data only; the
 * KUnit suite (vqueue_vtd_kunit.c) and the userspace test of vqdecode
 * (tools/iommu/vqueue_format_test.c) hold the checks.
 *
 * Expected values come from the VT-d architecture (the invalidation queue
 * registers IQH, IQT, IQA, ICS and IQERCD, and the descriptor layouts of
 * section 6.5.2) and from the way a Linux guest builds its descriptors;
 * they are written out here, never computed by the code under test. The
 * vqdecode lines are the descriptor's fields as the architecture lays them
 * out, named in a comment above each.
 */
#ifndef __IOMMUFD_VQUEUE_VTD_TESTS_H
#define __IOMMUFD_VQUEUE_VTD_TESTS_H

#include <linux/errno.h>
#include <uapi/linux/iommufd.h>

#include "vqueue_format_debug.h"
#include "vqueue_vtd.h"

#define VTD_TEST_F(name)	BIT_ULL(IOMMUFD_VQUEUE_FIELD_##name)

#define VTD_TEST_CC		(VTD_TEST_F(TYPE) | VTD_TEST_F(GRAN) | \
				 VTD_TEST_F(DID) | VTD_TEST_F(SID) | \
				 VTD_TEST_F(FM))
#define VTD_TEST_IOTLB		(VTD_TEST_F(TYPE) | VTD_TEST_F(GRAN) | \
				 VTD_TEST_F(DW) | VTD_TEST_F(DR) | \
				 VTD_TEST_F(DID) | VTD_TEST_F(ADDR) | \
				 VTD_TEST_F(AM) | VTD_TEST_F(IH))
#define VTD_TEST_DEV_TLB	(VTD_TEST_F(TYPE) | VTD_TEST_F(PFSID) | \
				 VTD_TEST_F(SID) | VTD_TEST_F(ADDR) | \
				 VTD_TEST_F(SIZE))
#define VTD_TEST_IEC		(VTD_TEST_F(TYPE) | VTD_TEST_F(GRAN) | \
				 VTD_TEST_F(IM) | VTD_TEST_F(IIDX))
#define VTD_TEST_WAIT		(VTD_TEST_F(TYPE) | VTD_TEST_F(IF) | \
				 VTD_TEST_F(SW) | VTD_TEST_F(FN) | \
				 VTD_TEST_F(PD) | VTD_TEST_F(STATUS_DATA) | \
				 VTD_TEST_F(STATUS_ADDR))
#define VTD_TEST_PIOTLB		(VTD_TEST_F(TYPE) | VTD_TEST_F(GRAN) | \
				 VTD_TEST_F(DID) | VTD_TEST_F(PASID) | \
				 VTD_TEST_F(ADDR) | VTD_TEST_F(AM) | \
				 VTD_TEST_F(IH))
#define VTD_TEST_PC		(VTD_TEST_F(TYPE) | VTD_TEST_F(GRAN) | \
				 VTD_TEST_F(DID) | VTD_TEST_F(PASID))
#define VTD_TEST_PDEV_TLB	(VTD_TEST_F(TYPE) | VTD_TEST_F(PFSID) | \
				 VTD_TEST_F(SID) | VTD_TEST_F(PASID) | \
				 VTD_TEST_F(GRAN) | VTD_TEST_F(ADDR) | \
				 VTD_TEST_F(SIZE))

/* IQERCD.IQEI, from the register's description in the VT-d specification */
#define VTD_TEST_IQEI_TAIL	1	/* "invalid Tail Pointer" */
#define VTD_TEST_IQEI_FETCH	2	/* "attempt to fetch descriptor resulted in error" */
#define VTD_TEST_IQEI_TYPE	3	/* "invalid descriptor type" */
#define VTD_TEST_IQEI_RSVD	4	/* "reserved field violation for a valid descriptor type" */

#define VTD_TEST_IQE(iqei)	IOMMUFD_VQUEUE_CLASS_ILLEGAL, .error = (iqei)

/* Linux's status value for a completed wait (QI_DONE) */
#define VTD_TEST_QI_DONE	2

/*
 * The nested HWPTs bound in the tests: guest (DID 5, PASID 0x10) and
 * (DID 1, PASID 0, the RID_PASID Linux uses for DMA API domains).
 */
#define VTD_TEST_DID		5
#define VTD_TEST_PASID		0x10
#define VTD_TEST_HWPT		0x42
#define VTD_TEST_HWPT_RID	0x43

/* Queue widths a descriptor is checked in; 0 means both */
#define VTD_TEST_Q128		BIT(0)
#define VTD_TEST_Q256		BIT(1)

/**
 * struct vtd_test_desc - One descriptor and what the format must make of it
 * @name: What it is.
 * @desc: The descriptor, quadwords 0 to 3 (2 and 3 only in a 256-bit queue).
 * @q: VTD_TEST_Q128, VTD_TEST_Q256, or 0 for both.
 * @class: Expected class.
 * @error: Expected IQEI.
 * @present: Expected decoded fields.
 * @val: Expected field values.
 * @xlate: Expected translate() result for an invalidation.
 * @target: Expected nested HWPT.
 * @inv: Expected invalidation: addr, npages, flags.
 * @json: Expected vqdecode output line, or NULL.
 */
struct vtd_test_desc {
	const char *name;
	u64 desc[4];
	u8 q;
	u8 class;
	u8 error;
	u64 present;
	u64 val[IOMMUFD_VQUEUE_NR_FIELDS];
	int xlate;
	u32 target;
	u64 inv[3];
	const char *json;
};

static const struct vtd_test_desc vtd_test_descs[] = {
	/* Legacy-mode descriptors a Linux guest sends */
	{ .name = "IOTLB PSI DID 3 2MiB at 0x200000",
	  .desc = { 0x0000000000030032, 0x0000000000200009 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_IOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 2, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 3,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x200000,
		   [IOMMUFD_VQUEUE_FIELD_AM] = 9 },
	  /*
	   * G [5:4] 3 (page), DW [6] 0, DR [7] 0, DID [31:16] 3; ADDR [63:12]
	   * 0x200000, IH [6] 0, AM [5:0] 9
	   */
	  .json =
		"{\"op\":\"IOTLB_INV\",\"class\":\"exit\",\"opcode\":2,\"addr\":2097152,\"type\":2,\"granularity\":3,\"did\":3,\"am\":9,\"ih\":0,\"dw\":0,\"dr\":0}",
	},
	{ .name = "wait SW data 1",
	  .desc = { 0x0000000100000025, 0x0000000012345670 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_SW] = 1,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_DATA] = 1,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_ADDR] = 0x12345670 },
	  /*
	   * IF [4] 0, SW [5] 1, FN [6] 0, PD [7] 0, Status Data [63:32] 1;
	   * Status Address [63:2] 0x12345670
	   */
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"sync\",\"opcode\":5,\"type\":5,\"sw\":1,\"if\":0,\"fn\":0,\"pd\":0,\"status_data\":1,\"status_addr\":305419888}",
	},
	{ .name = "reserved type 0",
	  .desc = { 0, 0 }, .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE),
	  .present = VTD_TEST_F(TYPE),
	  /* type 0 is not a descriptor type: IQEI 3 */
	  .json =
		"{\"op\":\"RESERVED_0x00\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":3,\"opcode\":0,\"type\":0}",
	},
	/* Scalable mode, as a Linux guest builds them (256-bit) */
	{ .name = "qi_desc_piotlb DID 5 PASID 0x10 16 pages leaf", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000050036, 0x0000000012340044 },
	  .class = IOMMUFD_VQUEUE_CLASS_INVALIDATE, .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQUEUE_FIELD_AM] = 4, [IOMMUFD_VQUEUE_FIELD_IH] = 1 },
	  .target = VTD_TEST_HWPT,
	  .inv = { 0x12340000, 16, IOMMU_VTD_INV_FLAGS_LEAF },
	  /* G [5:4] 3, DID [31:16] 5, PASID [51:32] 0x10; ADDR 0x12340000, IH 1, AM 4 */
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"invalidate\",\"opcode\":6,\"addr\":305397760,\"type\":6,\"granularity\":3,\"did\":5,\"pasid\":16,\"am\":4,\"ih\":1}",
	},
	{ .name = "qi_desc_piotlb_all DID 5 PASID 0x10", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000050026, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_INVALIDATE, .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 2,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 },
	  .target = VTD_TEST_HWPT, .inv = { 0, ~0ULL, 0 },
	  /* G [5:4] 2 (all in PASID), DID 5, PASID 0x10; quadword 1 zero */
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"invalidate\",\"opcode\":6,\"addr\":0,\"type\":6,\"granularity\":2,\"did\":5,\"pasid\":16,\"am\":0,\"ih\":0}",
	},
	{ .name = "qi_desc_piotlb RID_PASID one page, not leaf", .q = VTD_TEST_Q256,
	  .desc = { 0x0000000000010036, 0x00000000fffff000 },
	  .class = IOMMUFD_VQUEUE_CLASS_INVALIDATE, .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 1,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0xfffff000 },
	  .target = VTD_TEST_HWPT_RID, .inv = { 0xfffff000, 1, 0 } },
	{ .name = "P_IOTLB of an unbound PASID", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001100050036, 0x0000000012340044 },
	  .class = IOMMUFD_VQUEUE_CLASS_INVALIDATE, .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x11,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQUEUE_FIELD_AM] = 4, [IOMMUFD_VQUEUE_FIELD_IH] = 1 },
	  .xlate = -ENOENT },
	{ .name = "P_IOTLB of an unbound DID", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000060026, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_INVALIDATE, .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 2,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 6, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 },
	  .xlate = -ENOENT },
	{ .name = "qi_desc_dev_iotlb_pasid SID 0x100 16 pages", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001001000008, 0x0000000012347800 },
	  .class = IOMMUFD_VQUEUE_CLASS_NOP, .present = VTD_TEST_PDEV_TLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 8, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12347000,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 1 },
	  /*
	   * MIP [8:4] 0, PFSID [15:12] and [63:52] 0, SID [31:16] 0x100, PASID
	   * 0x10; G [0] 0, S [11] 1, ADDR 0x12347000
	   */
	  .json =
		"{\"op\":\"PASID_DEV_TLB_INV\",\"class\":\"nop\",\"opcode\":8,\"sid\":256,\"addr\":305426432,\"size\":1,\"type\":8,\"granularity\":0,\"pasid\":16,\"pfsid\":0}",
	},
	{ .name = "dev_iotlb_pasid with PFSID 0x1234 and MIP 31", .q = VTD_TEST_Q256,
	  .desc = { 0x12300010010041f8, 0x0000000012345000 },
	  .class = IOMMUFD_VQUEUE_CLASS_NOP, .present = VTD_TEST_PDEV_TLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 8, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_PFSID] = 0x1234,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12345000 } },
	{ .name = "wait SW QI_DONE (qi_submit_sync)", .q = VTD_TEST_Q256,
	  .desc = { 0x0000000200000025, 0x000000007f001008 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_SW] = 1,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_DATA] = VTD_TEST_QI_DONE,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_ADDR] = 0x7f001008 } },
	{ .name = "wait IF", .desc = { 0x15, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_IF] = 1 },
	  /* IF [4] 1, nothing else */
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"sync\",\"opcode\":5,\"type\":5,\"sw\":0,\"if\":1,\"fn\":0,\"pd\":0,\"status_data\":0,\"status_addr\":0}",
	},
	{ .name = "wait FN no-op (Linux IQE drain)", .desc = { 0x45, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_FN] = 1 } },
	{ .name = "wait SW FN PD goes to the VMM", .q = VTD_TEST_Q256,
	  .desc = { 0x00000002000000e5, 0x000000007f001008 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_SW] = 1,
		   [IOMMUFD_VQUEUE_FIELD_FN] = 1, [IOMMUFD_VQUEUE_FIELD_PD] = 1,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_DATA] = VTD_TEST_QI_DONE,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_ADDR] = 0x7f001008 } },
	{ .name = "wait with a misaligned status address",
	  .desc = { 0x0000000200000025, 0x0000000012345672 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_RSVD), .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_SW] = 1,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_DATA] = VTD_TEST_QI_DONE,
		   [IOMMUFD_VQUEUE_FIELD_STATUS_ADDR] = 0x12345670 },
	  /* Status Address bits [1:0] are reserved: IQEI 4 */
	  .json =
		"{\"op\":\"INV_WAIT\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":4,\"opcode\":5,\"type\":5,\"sw\":1,\"if\":0,\"fn\":0,\"pd\":0,\"status_data\":2,\"status_addr\":305419888}",
	},

	/* Legacy (128-bit) descriptors Linux builds */
	{ .name = "qi_flush_dev_iotlb flush all SID 0x100",
	  .desc = { 0x0000010000000003, 0x7ffffffffffff001 },
	  .class = IOMMUFD_VQUEUE_CLASS_NOP, .present = VTD_TEST_DEV_TLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 3, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x7ffffffffffff000,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 1 },
	  /* SID [47:32] 0x100, MIP and PFSID 0; S [0] 1, ADDR 0x7ffffffffffff000 */
	  .json =
		"{\"op\":\"DEV_TLB_INV\",\"class\":\"nop\",\"opcode\":3,\"sid\":256,\"addr\":9223372036854771712,\"size\":1,\"type\":3,\"pfsid\":0}",
	},
	{ .name = "qi_flush_context global", .desc = { 0x11, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_CC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 1, [IOMMUFD_VQUEUE_FIELD_GRAN] = 1 },
	  /* G [5:4] 1 (global), DID, SID and FM 0 */
	  .json =
		"{\"op\":\"CC_INV\",\"class\":\"exit\",\"opcode\":1,\"sid\":0,\"type\":1,\"granularity\":1,\"did\":0,\"fm\":0}",
	},
	{ .name = "context cache device SID 0x100 FM 3",
	  .desc = { 0x0003010000070031, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_CC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 1, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 7, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_FM] = 3 } },
	{ .name = "qi_global_iec", .desc = { 0x4, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_IEC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 4 },
	  /* G [4] 0 (global), IM and IIDX 0 */
	  .json =
		"{\"op\":\"IEC_INV\",\"class\":\"exit\",\"opcode\":4,\"type\":4,\"granularity\":0,\"iidx\":0,\"im\":0}",
	},
	{ .name = "IEC index 0x20 mask 2", .desc = { 0x0000002010000014, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_IEC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 4, [IOMMUFD_VQUEUE_FIELD_GRAN] = 1,
		   [IOMMUFD_VQUEUE_FIELD_IIDX] = 0x20, [IOMMUFD_VQUEUE_FIELD_IM] = 2 } },
	{ .name = "IOTLB DSI with drain bits", .desc = { 0x00000000000300e2, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_IOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 2, [IOMMUFD_VQUEUE_FIELD_GRAN] = 2,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 3, [IOMMUFD_VQUEUE_FIELD_DW] = 1,
		   [IOMMUFD_VQUEUE_FIELD_DR] = 1 } },

	/* Scalable-mode descriptors that exit */
	{ .name = "qi_flush_pasid_cache PASID-selective", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000050017, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT, .present = VTD_TEST_PC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 7, [IOMMUFD_VQUEUE_FIELD_GRAN] = 1,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 },
	  /* G [5:4] 1, DID 5, PASID 0x10 */
	  .json =
		"{\"op\":\"PASID_CACHE_INV\",\"class\":\"exit\",\"opcode\":7,\"type\":7,\"granularity\":1,\"did\":5,\"pasid\":16}",
	},
	{ .name = "page group response", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001001000019, 0x1c, 0x1111, 0x2222 },
	  .class = IOMMUFD_VQUEUE_CLASS_EXIT,
	  .present = VTD_TEST_F(TYPE) | VTD_TEST_F(SID) | VTD_TEST_F(PASID) | VTD_TEST_F(RESP),
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 9, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 },
	  /* RID [31:16] 0x100, PASID 0x10, Response Code [15:12] 0 */
	  .json =
		"{\"op\":\"PAGE_GRP_RESP\",\"class\":\"exit\",\"opcode\":9,\"sid\":256,\"resp\":0,\"type\":9,\"pasid\":16}",
	},

	/* Illegal */
	{ .name = "P_IOTLB in a 128-bit queue", .q = VTD_TEST_Q128,
	  .desc = { 0x0000001000050036, 0x0000000012340044 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE), .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 3,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12340000,
		   [IOMMUFD_VQUEUE_FIELD_AM] = 4, [IOMMUFD_VQUEUE_FIELD_IH] = 1 },
	  /* a scalable-mode type in a 128-bit queue is an invalid descriptor: IQEI 3 */
	  .json =
		"{\"op\":\"PASID_IOTLB_INV\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":3,\"opcode\":6,\"addr\":305397760,\"type\":6,\"granularity\":3,\"did\":5,\"pasid\":16,\"am\":4,\"ih\":1}",
	},
	{ .name = "PASID cache in a 128-bit queue", .q = VTD_TEST_Q128,
	  .desc = { 0x0000001000050017, 0 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE), .present = VTD_TEST_PC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 7, [IOMMUFD_VQUEUE_FIELD_GRAN] = 1,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 } },
	{ .name = "PASID dev-TLB in a 128-bit queue", .q = VTD_TEST_Q128,
	  .desc = { 0x0000001001000008, 0x0000000012347800 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE), .present = VTD_TEST_PDEV_TLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 8, [IOMMUFD_VQUEUE_FIELD_SID] = 0x100,
		   [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x12347000,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 1 } },
	{ .name = "P_IOTLB granularity 1 (reserved)", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000050016, 0 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_RSVD), .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 1,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 } },
	{ .name = "P_IOTLB with qw2 set", .q = VTD_TEST_Q256,
	  .desc = { 0x0000001000050026, 0, 1, 0 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_RSVD), .present = VTD_TEST_PIOTLB,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 6, [IOMMUFD_VQUEUE_FIELD_GRAN] = 2,
		   [IOMMUFD_VQUEUE_FIELD_DID] = 5, [IOMMUFD_VQUEUE_FIELD_PASID] = 0x10 } },
	{ .name = "wait with qw3 set", .q = VTD_TEST_Q256,
	  .desc = { 0x15, 0, 0, BIT_ULL(63) },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_RSVD), .present = VTD_TEST_WAIT,
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 5, [IOMMUFD_VQUEUE_FIELD_IF] = 1 } },
	{ .name = "reserved type 0xa", .q = VTD_TEST_Q256, .desc = { 0xa, 0 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE), .present = VTD_TEST_F(TYPE),
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 0xa } },
	{ .name = "reserved type 0x15 (7-bit type)", .q = VTD_TEST_Q256,
	  .desc = { 0x205, 0 },
	  .class = VTD_TEST_IQE(VTD_TEST_IQEI_TYPE), .present = VTD_TEST_F(TYPE),
	  .val = { [IOMMUFD_VQUEUE_FIELD_TYPE] = 0x15 },
	  /* type {[11:9], [3:0]} = 0x15 is reserved: IQEI 3 */
	  .json =
		"{\"op\":\"RESERVED_0x15\",\"class\":\"illegal\",\"error\":\"IQE\",\"iqei\":3,\"opcode\":21,\"type\":21}",
	},
};

/**
 * struct vtd_test_geometry - An IQA value and the queue it describes
 * @name: What it checks.
 * @iqa: IQA.
 * @max_log2: The VMM's limit.
 * @ret: Expected geometry() result.
 * @base: Expected queue base.
 * @log2_entries: Expected log2 of the number of entries.
 * @entry_size: Expected descriptor size in bytes.
 */
struct vtd_test_geometry {
	const char *name;
	u64 iqa;
	unsigned int max_log2;
	int ret;
	u64 base;
	unsigned int log2_entries, entry_size;
};

/*
 * IQA: base [63:12], DW [11] (256-bit descriptors), QS [2:0]: 2^QS 4KiB
 * pages, so 2^(QS + 8) 128-bit or 2^(QS + 7) 256-bit descriptors.
 */
static const struct vtd_test_geometry vtd_test_geometries[] = {
	{ "legacy: one page of 128-bit descriptors", 0x7f000000, 15, 0,
	  0x7f000000, 8, 16 },
	{ "scalable (Linux): two pages of 256-bit descriptors", 0x7f000801, 15,
	  0, 0x7f000000, 8, 32 },
	{ "QS 7, 128-bit", 0x80000007, 15, 0, 0x80000000, 15, 16 },
	{ "QS 7, 256-bit", 0x80000807, 15, 0, 0x80000000, 14, 32 },
	{ "QS 0, 256-bit", 0x80000800, 15, 0, 0x80000000, 7, 32 },
	{ "a queue larger than the VMM's limit is refused", 0x80000003, 10,
	  -EINVAL, 0, 0, 0 },
	{ "the same size in 256-bit descriptors fits", 0x80000803, 10, 0,
	  0x80000000, 10, 32 },
	{ "a limit above the architecture's", 0x80000007, 31, 0, 0x80000000,
	  15, 16 },
	{ "reserved bits [10:3] are not part of base or size",
	  0xfff0000080000ff9ULL, 15, 0, 0xfff0000080000000ULL, 8, 32 },
	{ "last page of the address space", 0xfffffffffffff000ULL, 15, 0,
	  0xfffffffffffff000ULL, 8, 16 },
	{ "last two pages, 256-bit", 0xffffffffffffe801ULL, 15, 0,
	  0xffffffffffffe000ULL, 8, 32 },
	{ "two pages from the last page wrap past 2^64",
	  0xfffffffffffff001ULL, 15, -EINVAL, 0, 0, 0 },
	{ "128 pages from the top wrap past 2^64, 256-bit",
	  0xfffffffffffc0807ULL, 15, -EINVAL, 0, 0, 0 },
};

/**
 * struct vtd_test_index - An IQT/IQH pair and what the queue holds
 * @name: What it checks.
 * @iqa: The queue (IQA).
 * @iqt: IQT.
 * @iqh: IQH.
 * @consistent: Expected consistent().
 * @empty: Expected empty().
 * @full: Expected full (debug).
 * @pending: Expected pending().
 * @contig: Expected contig().
 * @index: Expected index(@iqh).
 */
struct vtd_test_index {
	const char *name;
	u64 iqa;
	u32 iqt, iqh;
	bool consistent, empty, full;
	u32 pending, contig, index;
};

#define VTD_TEST_LEGACY		0x7f000000	/* 256 x 128-bit */
#define VTD_TEST_SCALABLE	0x7f000801	/* 256 x 256-bit */
#define VTD_TEST_QS7		0x80000007	/* 2^15 x 128-bit */
#define VTD_TEST_QS7_256	0x80000807	/* 2^14 x 256-bit */

/*
 * IQH and IQT: QH/QT [18:4], a byte offset; no wrap bit, so head == tail is
 * empty and a full queue holds one descriptor less than it has slots. A
 * tail outside the queue, or with bit 4 set in a 256-bit queue, is an
 * invalid tail (IQEI 1); a head like that names no descriptor either.
 */
static const struct vtd_test_index vtd_test_indexes[] = {
	{ "empty at reset", VTD_TEST_LEGACY, 0, 0, true, true, false, 0, 0, 0 },
	{ "two pending", VTD_TEST_LEGACY, 0x20, 0, true, false, false, 2, 2,
	  0 },
	{ "empty again", VTD_TEST_LEGACY, 0x20, 0x20, true, true, false, 0, 0,
	  2 },
	{ "255 pending is full", VTD_TEST_LEGACY, 0xff0, 0, true, false, true,
	  255, 255, 0 },
	{ "full across the end", VTD_TEST_LEGACY, 0x100, 0x110, true, false,
	  true, 255, 239, 0x11 },
	{ "254 pending is not full", VTD_TEST_LEGACY, 0xfe0, 0, true, false,
	  false, 254, 254, 0 },
	{ "two to the end", VTD_TEST_LEGACY, 0, 0xfe0, true, false, false, 2,
	  2, 0xfe },
	{ "five across the end", VTD_TEST_LEGACY, 0x30, 0xfe0, true, false,
	  false, 5, 2, 0xfe },
	{ "QT bits [3:0] take no part", VTD_TEST_LEGACY, 0x2f, 0, true, false,
	  false, 2, 2, 0 },
	{ "tail at slot 256 is outside", VTD_TEST_LEGACY, 0x1000, 0, false,
	  false, false, 0, 0, 0 },
	{ "largest tail value is outside", VTD_TEST_LEGACY, 0x7fff0, 0x10,
	  false, false, false, 0, 0, 1 },
	{ "head at slot 256 is outside", VTD_TEST_LEGACY, 0x20, 0x1000, false,
	  false, false, 0, 0, 0 },
	{ "QS 7: last slot", VTD_TEST_QS7, 0x7fff0, 0, true, false, true,
	  0x7fff, 0x7fff, 0 },
	{ "256-bit: three pending", VTD_TEST_SCALABLE, 0x60, 0, true, false,
	  false, 3, 3, 0 },
	{ "256-bit: last slot", VTD_TEST_SCALABLE, 0x1fe0, 0, true, false,
	  true, 255, 255, 0 },
	{ "256-bit: across the end", VTD_TEST_SCALABLE, 0x20, 0x1fc0, true,
	  false, false, 3, 2, 0xfe },
	{ "256-bit: tail bit 4 set", VTD_TEST_SCALABLE, 0x70, 0x60, false,
	  false, false, 0, 0, 3 },
	{ "256-bit: tail 0x10", VTD_TEST_SCALABLE, 0x10, 0, false, false,
	  false, 0, 0, 0 },
	{ "256-bit: head bit 4 set", VTD_TEST_SCALABLE, 0x60, 0x50, false,
	  false, false, 0, 0, 2 },
	{ "256-bit: head beyond the queue", VTD_TEST_SCALABLE, 0x60, 0x2000,
	  false, false, false, 0, 0, 0 },
	{ "256-bit QS 7: last slot", VTD_TEST_QS7_256, 0x7ffe0, 0, true, false,
	  true, 0x3fff, 0x3fff, 0 },
	{ "256-bit QS 7: tail bit 4 set", VTD_TEST_QS7_256, 0x7fff0, 0, false,
	  false, false, 0, 0, 0 },
};

/**
 * struct vtd_test_advance - Moving an IQH value forward
 * @iqa: The queue (IQA).
 * @reg: IQH before.
 * @n: Descriptors consumed.
 * @result: Expected IQH after.
 */
struct vtd_test_advance {
	u64 iqa;
	u32 reg, n, result;
};

static const struct vtd_test_advance vtd_test_advances[] = {
	{ VTD_TEST_LEGACY, 0, 1, 0x10 },
	{ VTD_TEST_LEGACY, 0x10, 1, 0x20 },
	{ VTD_TEST_LEGACY, 0xfe0, 2, 0 },
	{ VTD_TEST_QS7, 0x7fff0, 1, 0 },
	{ VTD_TEST_SCALABLE, 0, 3, 0x60 },
	{ VTD_TEST_SCALABLE, 0x1fe0, 1, 0 },
};

/**
 * struct vtd_test_wait - An invalidation wait and how it completes
 * @qw0: Quadword 0, Status Data 0xdeadbeef added.
 * @flags: Expected &iommufd_vqueue_sync.flags.
 */
struct vtd_test_wait {
	u64 qw0;
	u32 flags;
};

/* IF [4]: interrupt, SW [5]: status write, FN [6]: fence */
static const struct vtd_test_wait vtd_test_waits[] = {
	{ 0x05, 0 },
	{ 0x15, IOMMUFD_VQUEUE_SYNC_IRQ },
	{ 0x25, IOMMUFD_VQUEUE_SYNC_WRITE },
	{ 0x35, IOMMUFD_VQUEUE_SYNC_WRITE | IOMMUFD_VQUEUE_SYNC_IRQ },
	{ 0x45, 0 },
	{ 0x65, IOMMUFD_VQUEUE_SYNC_WRITE },
};

/* Ranges a Linux guest invalidates: { addr, pages }; ~0 pages is "all" */
static const u64 vtd_test_piotlb_ranges[][2] = {
	{ 0x1000, 1 }, { 0x200000, 512 }, { 0x3000, 5 },
	{ 0x7ffff000, 2 }, { 0xfffffffff000ULL, 1 }, { 0, 1ULL << 36 },
	{ 0x12345000, 0x100 }, { 0, ~0ULL },
};

/* Addresses every AM is tried with */
static const u64 vtd_test_am_addrs[] = {
	0, 0x1000, 0x12345678000ULL, 0xfffffffffffff000ULL,
};

/*
 * For each descriptor the kernel handles: a legal base descriptor and the
 * bits of quadwords 0 and 1 its type defines; any other bit, in either
 * width, and any bit of quadwords 2 and 3, is a reserved field (IQEI 4).
 */
static const u64 vtd_test_defined_bits[][4] = {
	/* qw0, qw1, defined bits of qw0, of qw1 */
	{ 0x3, 0, 0xfff0ffff001ffe0fULL, 0xfffffffffffff001ULL },
	{ 0x5, 0, 0xffffffff00000effULL, 0xfffffffffffffffcULL },
	{ 0x26, 0, 0x000fffffffff0e3fULL, 0xfffffffffffff07fULL },
	{ 0x8, 0, 0xffffffffffffffffULL, 0xfffffffffffff801ULL },
};

#endif /* __IOMMUFD_VQUEUE_VTD_TESTS_H */
