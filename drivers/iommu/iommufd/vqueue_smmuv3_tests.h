/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test data for the SMMUv3 vqueue format: commands and what the format must
 * make of them, queue geometries and index values. Data only; the KUnit
 * suite (vqueue_smmuv3_kunit.c) and the userspace test of vqdecode
 * (tools/iommu/vqueue_format_test.c) hold the checks.
 *
 * Expected values come from the architecture (Arm IHI 0070 G.b: command
 * layouts in chapter 4, CMDQ_BASE/PROD/CONS in 6.3) and from the way a
 * Linux guest builds its commands; they are written out here, never
 * computed by the code under test. The vqdecode lines are the command's
 * fields as the architecture lays them out, named in a comment above each.
 */
#ifndef __IOMMUFD_VQUEUE_SMMUV3_TESTS_H
#define __IOMMUFD_VQUEUE_SMMUV3_TESTS_H

#include <linux/errno.h>

#include "vqueue_format_debug.h"
#include "vqueue_smmuv3.h"

#define SMMUV3_TEST_F(name)	BIT_ULL(IOMMUFD_VQUEUE_FIELD_##name)

#define SMMUV3_TEST_STREAM	(SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(SSID) | \
				 SMMUV3_TEST_F(SSV))
#define SMMUV3_TEST_RANGE	(SMMUV3_TEST_F(ADDR) | SMMUV3_TEST_F(LEAF) | \
				 SMMUV3_TEST_F(TG) | SMMUV3_TEST_F(TTL) | \
				 SMMUV3_TEST_F(NUM) | SMMUV3_TEST_F(SCALE))
#define SMMUV3_TEST_NH_VA	(SMMUV3_TEST_RANGE | SMMUV3_TEST_F(ASID) | \
				 SMMUV3_TEST_F(VMID))
#define SMMUV3_TEST_NH_VAA	(SMMUV3_TEST_RANGE | SMMUV3_TEST_F(VMID))
#define SMMUV3_TEST_ATC		(SMMUV3_TEST_STREAM | SMMUV3_TEST_F(ADDR) | \
				 SMMUV3_TEST_F(SIZE) | SMMUV3_TEST_F(GLOBAL))
#define SMMUV3_TEST_SYNC	(SMMUV3_TEST_F(CS) | SMMUV3_TEST_F(MSH) | \
				 SMMUV3_TEST_F(MSIATTR) | \
				 SMMUV3_TEST_F(MSIADDR) | SMMUV3_TEST_F(MSIDATA))

/* CMDQ_CONS.ERR codes (Arm IHI 0070 6.3.28 CMDQ_CONS, 4.5 command errors) */
#define SMMUV3_TEST_CERROR_NONE		0
#define SMMUV3_TEST_CERROR_ILL		1
#define SMMUV3_TEST_CERROR_ABT		2
#define SMMUV3_TEST_CERROR_ATC_INV_SYNC	3

#define SMMUV3_TEST_INV		IOMMUFD_VQUEUE_CLASS_INVALIDATE
#define SMMUV3_TEST_EXIT	IOMMUFD_VQUEUE_CLASS_EXIT
#define SMMUV3_TEST_ILL		IOMMUFD_VQUEUE_CLASS_ILLEGAL, \
				.error = SMMUV3_TEST_CERROR_ILL

/* The vSIDs bound in the tests: 0x10 -> 0x1010 and 0x11 -> 0x2011 */
#define SMMUV3_TEST_VSID_A	0x10
#define SMMUV3_TEST_VSID_B	0x11
#define SMMUV3_TEST_VSID_NONE	0x99

/**
 * struct smmuv3_test_cmd - One command and what the format must make of it
 * @name: What it is.
 * @cmd: The command, dword 0 and dword 1.
 * @class: Expected class.
 * @error: Expected error code.
 * @present: Expected decoded fields.
 * @val: Expected field values.
 * @xlate: Expected translate() result for an invalidation.
 * @out: Expected translated command, when it differs from @cmd.
 * @json: Expected vqdecode output line, or NULL.
 */
struct smmuv3_test_cmd {
	const char *name;
	u64 cmd[2];
	u8 class;
	u8 error;
	u64 present;
	u64 val[IOMMUFD_VQUEUE_NR_FIELDS];
	int xlate;
	u64 out[2];
	const char *json;
};

static const struct smmuv3_test_cmd smmuv3_test_cmds[] = {
	/* What a Linux guest sends most */
	{ .name = "TLBI_NH_VA ASID 5 leaf, no range",
	  .cmd = { 0x0005000000000012, 0x0000000000001001 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 },
	  /*
	   * ASID [63:48] 5, VMID [47:32] 0, NUM/SCALE 0; Address [63:12]
	   * 0x1000, Leaf [0] 1, TG [11:10] 0, TTL [9:8] 0
	   */
	  .json =
		"{\"op\":\"CMD_TLBI_NH_VA\",\"class\":\"invalidate\",\"opcode\":18,\"asid\":5,\"vmid\":0,\"addr\":4096,\"leaf\":1,\"tg\":0,\"ttl\":0,\"num\":0,\"scale\":0}",
	},
	{ .name = "TLBI_NH_ASID ASID 5",
	  .cmd = { 0x0005000000000011, 0 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_F(ASID) | SMMUV3_TEST_F(VMID),
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5 },
	  /* ASID [63:48] 5, VMID [47:32] 0 */
	  .json =
		"{\"op\":\"CMD_TLBI_NH_ASID\",\"class\":\"invalidate\",\"opcode\":17,\"asid\":5,\"vmid\":0}",
	},
	{ .name = "CMD_SYNC CS=SEV (Linux)",
	  .cmd = { 0x000000000fc02046, 0 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = SMMUV3_TEST_SYNC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_CS] = 2, [IOMMUFD_VQUEUE_FIELD_MSH] = 3,
		   [IOMMUFD_VQUEUE_FIELD_MSIATTR] = 15 },
	  /*
	   * CS [13:12] 2 (SEV), MSH [23:22] 3 (Inner Shareable), MSIAttr
	   * [27:24] 0xf, MSIData [63:32] 0; MSIAddress [55:2] 0
	   */
	  .json =
		"{\"op\":\"CMD_SYNC\",\"class\":\"sync\",\"opcode\":70,\"cs\":2,\"msh\":3,\"msiattr\":15,\"msiaddr\":0,\"msidata\":0}",
	},
	{ .name = "CMD_SYNC CS=IRQ MSI to its own slot (Linux)",
	  .cmd = { 0x000000000fc01046, 0x0000000040000050 },
	  .class = IOMMUFD_VQUEUE_CLASS_SYNC, .present = SMMUV3_TEST_SYNC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_CS] = 1, [IOMMUFD_VQUEUE_FIELD_MSH] = 3,
		   [IOMMUFD_VQUEUE_FIELD_MSIATTR] = 15,
		   [IOMMUFD_VQUEUE_FIELD_MSIADDR] = 0x40000050 },
	  /* CS [13:12] 1 (IRQ), MSH 3, MSIAttr 0xf; MSIAddress [55:2] 0x40000050 */
	  .json =
		"{\"op\":\"CMD_SYNC\",\"class\":\"sync\",\"opcode\":70,\"cs\":1,\"msh\":3,\"msiattr\":15,\"msiaddr\":1073741904,\"msidata\":0}",
	},
	{ .name = "reserved opcode 0x00",
	  .cmd = { 0, 0 }, .class = SMMUV3_TEST_ILL,
	  /* opcode 0 is reserved: CERROR_ILL */
	  .json =
		"{\"op\":\"RESERVED_0x00\",\"class\":\"illegal\",\"error\":\"CERROR_ILL\",\"opcode\":0}",
	},

	/* Forwarded invalidations, as a Linux guest builds them */
	{ .name = "TLBI_NH_ALL",
	  .cmd = { 0x10, 0 }, .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_F(VMID) },
	/* The VMID is the host's: whatever the guest wrote is not forwarded */
	{ .name = "TLBI_NH_ALL with a guest VMID forwarded without it",
	  .cmd = { 0x0000000700000010, 0 }, .class = SMMUV3_TEST_INV,
	  .present = SMMUV3_TEST_F(VMID), .val = { [IOMMUFD_VQUEUE_FIELD_VMID] = 7 },
	  .out = { 0x10, 0 } },
	{ .name = "TLBI_NH_VA with a guest VMID forwarded without it",
	  .cmd = { 0x0005ffff00000012, 0x0000000000001001 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_VMID] = 0xffff,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 },
	  .out = { 0x0005000000000012, 0x0000000000001001 } },
	{ .name = "TLBI_NSNH_ALL becomes TLBI_NH_ALL",
	  .cmd = { 0x30, 0 }, .class = SMMUV3_TEST_INV, .out = { 0x10, 0 },
	  /* no fields besides the opcode */
	  .json =
		"{\"op\":\"CMD_TLBI_NSNH_ALL\",\"class\":\"invalidate\",\"opcode\":48}",
	},
	{ .name = "TLBI_NH_VA RIL 4K non-leaf 2 pages",
	  .cmd = { 0x0007000000100012, 0x0000000010000400 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 7,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x10000000,
		   [IOMMUFD_VQUEUE_FIELD_TG] = 1, [IOMMUFD_VQUEUE_FIELD_SCALE] = 1 } },
	{ .name = "TLBI_NH_VAA RIL 4K leaf TTL3 NUM1",
	  .cmd = { 0x0000000000001013, 0x0000000000200701 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_NH_VAA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x200000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 1,
		   [IOMMUFD_VQUEUE_FIELD_TTL] = 3, [IOMMUFD_VQUEUE_FIELD_NUM] = 1 } },
	{ .name = "TLBI_NH_VA 16K TTL2 single granule",
	  .cmd = { 0x0005000000000012, 0x0000000000004a01 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x4000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 2,
		   [IOMMUFD_VQUEUE_FIELD_TTL] = 2 } },
	{ .name = "ATC_INV size 52 (Linux flush all)",
	  .cmd = { 0x0000001000000040, 0x34 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_ATC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_A,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 52 },
	  .out = { 0x0000101000000040, 0x34 },
	  /* SID [63:32] 0x10, SSID [31:12] 0, SSV [11] 0, Global [9] 0; Size [5:0] 52, Address 0 */
	  .json =
		"{\"op\":\"CMD_ATC_INV\",\"class\":\"invalidate\",\"opcode\":64,\"sid\":16,\"ssid\":0,\"ssv\":0,\"addr\":0,\"size\":52,\"global\":0}",
	},
	{ .name = "ATC_INV with PASID",
	  .cmd = { 0x0000001100005840, 0x0000000000040002 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_ATC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_B,
		   [IOMMUFD_VQUEUE_FIELD_SSID] = 5, [IOMMUFD_VQUEUE_FIELD_SSV] = 1,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x40000,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 2 },
	  .out = { 0x0000201100005840, 0x0000000000040002 } },
	{ .name = "ATC_INV unknown vSID",
	  .cmd = { 0x0000009900000040, 0x34 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_ATC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_NONE,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 52 },
	  .xlate = -ENOENT },
	{ .name = "CFGI_CD leaf",
	  .cmd = { 0x0000001000003005, 1 },
	  .class = SMMUV3_TEST_INV,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(SSID) | SMMUV3_TEST_F(LEAF),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_A,
		   [IOMMUFD_VQUEUE_FIELD_SSID] = 3, [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 },
	  .out = { 0x0000101000003005, 1 } },
	{ .name = "CFGI_CD unknown vSID",
	  .cmd = { 0x0000009900000005, 0 },
	  .class = SMMUV3_TEST_INV,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(SSID) | SMMUV3_TEST_F(LEAF),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_NONE }, .xlate = -ENOENT },
	{ .name = "CFGI_CD_ALL",
	  .cmd = { 0x0000001100000006, 0 },
	  .class = SMMUV3_TEST_INV, .present = SMMUV3_TEST_F(SID),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_TEST_VSID_B },
	  .out = { 0x0000201100000006, 0 } },
	{ .name = "CMD_SYNC CS=NONE",
	  .cmd = { 0x46, 0 }, .class = IOMMUFD_VQUEUE_CLASS_SYNC,
	  .present = SMMUV3_TEST_SYNC },

	/* Left to the VMM */
	{ .name = "CFGI_ALL (Linux boot)",
	  .cmd = { 0x04, 0x1f }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(RANGE),
	  .val = { [IOMMUFD_VQUEUE_FIELD_RANGE] = 31 },
	  /* CMD_CFGI_STE_RANGE with Range [4:0] 31 is CMD_CFGI_ALL; SID 0 */
	  .json =
		"{\"op\":\"CMD_CFGI_ALL\",\"class\":\"exit\",\"opcode\":4,\"sid\":0,\"range\":31}",
	},
	{ .name = "CFGI_STE_RANGE",
	  .cmd = { 0x0000002000000004, 3 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(RANGE),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x20,
		   [IOMMUFD_VQUEUE_FIELD_RANGE] = 3 } },
	{ .name = "CFGI_STE leaf",
	  .cmd = { 0x0000001000000003, 1 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(LEAF),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10, [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 } },
	{ .name = "PREFETCH_CONFIG",
	  .cmd = { 0x0000001000000001, 0 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_STREAM, .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10 } },
	{ .name = "PREFETCH_ADDR",
	  .cmd = { 0x0000001000000002, 0x80001 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_STREAM | SMMUV3_TEST_F(SIZE) | SMMUV3_TEST_F(ADDR),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10, [IOMMUFD_VQUEUE_FIELD_SIZE] = 1,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x80000 } },
	{ .name = "PRI_RESP success",
	  .cmd = { 0x0000001000000041, 0x2005 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_STREAM | SMMUV3_TEST_F(RESP),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10, [IOMMUFD_VQUEUE_FIELD_RESP] = 2 } },
	{ .name = "RESUME",
	  .cmd = { 0x0000001000000044, 7 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(STAG),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10, [IOMMUFD_VQUEUE_FIELD_STAG] = 7 } },
	{ .name = "STALL_TERM",
	  .cmd = { 0x0000001000000045, 0 }, .class = SMMUV3_TEST_EXIT,
	  .present = SMMUV3_TEST_F(SID), .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10 } },

	/* Illegal */
	{ .name = "reserved range: TG=4K NUM=SCALE=TTL=0",
	  .cmd = { 0x0005000000000012, 0x1401 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 1 } },
	{ .name = "reserved range: TG=16K TTL=1 NUM=SCALE=0",
	  .cmd = { 0x0000000000000013, 0x4901 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_NH_VAA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x4000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 2,
		   [IOMMUFD_VQUEUE_FIELD_TTL] = 1 } },
	{ .name = "TG=0 with NUM set",
	  .cmd = { 0x0005000000001012, 0x1001 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_NUM] = 1 } },
	{ .name = "TTL128 set",
	  .cmd = { 0x0005000000000012, 0x1781 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 1,
		   [IOMMUFD_VQUEUE_FIELD_TTL] = 3 } },
	{ .name = "SCALE bit 5 without IDR5.DS",
	  .cmd = { 0x0005000002000012, 0x1701 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_NH_VA,
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 5,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1, [IOMMUFD_VQUEUE_FIELD_TG] = 1,
		   [IOMMUFD_VQUEUE_FIELD_TTL] = 3 } },
	{ .name = "ATC_INV size 53",
	  .cmd = { 0x0000001000000040, 0x35 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_ATC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10,
		   [IOMMUFD_VQUEUE_FIELD_SIZE] = 53 } },
	{ .name = "CFGI_CD SSec",
	  .cmd = { 0x0000001000000405, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(SSID) | SMMUV3_TEST_F(LEAF),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10 } },
	{ .name = "CFGI_STE SSec",
	  .cmd = { 0x0000001000000403, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_F(SID) | SMMUV3_TEST_F(LEAF),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10 } },
	{ .name = "CMD_SYNC CS=3",
	  .cmd = { 0x000000000fc03046, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_SYNC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_CS] = 3, [IOMMUFD_VQUEUE_FIELD_MSH] = 3,
		   [IOMMUFD_VQUEUE_FIELD_MSIATTR] = 15 } },
	{ .name = "CMD_SYNC RES0 bit 8",
	  .cmd = { 0x000000000fc02146, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_SYNC,
	  .val = { [IOMMUFD_VQUEUE_FIELD_CS] = 2, [IOMMUFD_VQUEUE_FIELD_MSH] = 3,
		   [IOMMUFD_VQUEUE_FIELD_MSIATTR] = 15 } },
	{ .name = "TLBI_NSNH_ALL with RES0 bits",
	  .cmd = { 0x0000000100000030, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "PRI_RESP Resp=3",
	  .cmd = { 0x0000001000000041, 0x3005 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_STREAM | SMMUV3_TEST_F(RESP),
	  .val = { [IOMMUFD_VQUEUE_FIELD_SID] = 0x10, [IOMMUFD_VQUEUE_FIELD_RESP] = 3 } },
	{ .name = "TLBI_S12_VMALL (stage 2)",
	  .cmd = { 0x0000000100000028, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_F(VMID), .val = { [IOMMUFD_VQUEUE_FIELD_VMID] = 1 } },
	{ .name = "TLBI_S2_IPA (stage 2)",
	  .cmd = { 0x000000010000002a, 0x1001 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_RANGE | SMMUV3_TEST_F(VMID),
	  .val = { [IOMMUFD_VQUEUE_FIELD_VMID] = 1,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 } },
	{ .name = "TLBI_EL2_ALL", .cmd = { 0x20, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "TLBI_EL2_ASID",
	  .cmd = { 0x0003000000000021, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_F(ASID), .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 3 } },
	{ .name = "TLBI_EL2_VA",
	  .cmd = { 0x0003000000000022, 0x1001 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_RANGE | SMMUV3_TEST_F(ASID),
	  .val = { [IOMMUFD_VQUEUE_FIELD_ASID] = 3,
		   [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQUEUE_FIELD_LEAF] = 1 } },
	{ .name = "TLBI_EL2_VAA", .cmd = { 0x23, 0 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_RANGE },
	{ .name = "TLBI_EL3_ALL", .cmd = { 0x18, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "TLBI_EL3_VA", .cmd = { 0x1a, 0x1000 }, .class = SMMUV3_TEST_ILL,
	  .present = SMMUV3_TEST_F(ADDR) | SMMUV3_TEST_F(LEAF) |
		     SMMUV3_TEST_F(TG) | SMMUV3_TEST_F(TTL),
	  .val = { [IOMMUFD_VQUEUE_FIELD_ADDR] = 0x1000 } },
	{ .name = "TLBI_S_EL2_ALL", .cmd = { 0x50, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "TLBI_S_S2_IPA", .cmd = { 0x5a, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "TLBI_SNH_ALL", .cmd = { 0x60, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "CFGI_VMS_PIDM", .cmd = { 0x07, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "DPTI_ALL", .cmd = { 0x70, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "reserved opcode 0x47",
	  .cmd = { 0x47, 0 }, .class = SMMUV3_TEST_ILL,
	  /* opcode 0x47 is reserved: CERROR_ILL */
	  .json =
		"{\"op\":\"RESERVED_0x47\",\"class\":\"illegal\",\"error\":\"CERROR_ILL\",\"opcode\":71}",
	},
	{ .name = "IMPDEF opcode 0x80", .cmd = { 0x80, 0 }, .class = SMMUV3_TEST_ILL },
	{ .name = "reserved opcode 0xff", .cmd = { 0xff, 0 }, .class = SMMUV3_TEST_ILL },
};

/**
 * struct smmuv3_test_geometry - A CMDQ_BASE value and the queue it describes
 * @name: What it checks.
 * @base_reg: CMDQ_BASE.
 * @max_log2: The VMM's limit (IDR1.CMDQS).
 * @base: Expected queue base.
 * @log2_entries: Expected log2 of the number of entries.
 */
struct smmuv3_test_geometry {
	const char *name;
	u64 base_reg;
	unsigned int max_log2;
	u64 base;
	unsigned int log2_entries;
};

/* Arm IHI 0070 6.3.26 CMDQ_BASE: RA [62], ADDR [55:5], LOG2SIZE [4:0] */
static const struct smmuv3_test_geometry smmuv3_test_geometries[] = {
	{ "RA, 8 entries", 0x4000000080000003ULL, 19, 0x80000000, 3 },
	{ "LOG2SIZE above the VMM's limit is capped", 0x80000019ULL, 19,
	  0x80000000, 19 },
	{ "a limit above the architecture's is capped", 0x80000019ULL, 31,
	  0x80000000, 19 },
	{ "LOG2SIZE capped at a small limit", 0x8000000aULL, 8, 0x80000000, 8 },
	{ "base bits below the queue size read as zero", 0x80000f08ULL, 19,
	  0x80000000, 8 },
	{ "one entry: base aligned to 32 bytes", 0x80000020ULL, 19,
	  0x80000020, 0 },
	{ "four entries: base aligned to 64 bytes", 0x80000022ULL, 19,
	  0x80000000, 2 },
	{ "bits above ADDR are not part of the base", 0xff00000080000041ULL,
	  19, 0x80000040, 1 },
};

/**
 * struct smmuv3_test_index - A PROD/CONS pair and what the queue holds
 * @name: What it checks.
 * @log2_entries: Queue size.
 * @prod: CMDQ_PROD.
 * @cons: CMDQ_CONS.
 * @consistent: Expected consistent().
 * @empty: Expected empty().
 * @full: Expected full (debug).
 * @pending: Expected pending().
 * @contig: Expected contig().
 * @index: Expected index(@cons).
 */
struct smmuv3_test_index {
	const char *name;
	unsigned int log2_entries;
	u32 prod, cons;
	bool consistent, empty, full;
	u32 pending, contig, index;
};

/*
 * Arm IHI 0070 3.5.1: index in [QS-1:0], wrap bit at [QS]; empty when both
 * are equal, full when the indexes are equal and the wraps differ.
 */
static const struct smmuv3_test_index smmuv3_test_indexes[] = {
	{ "empty at reset", 3, 0, 0, true, true, false, 0, 0, 0 },
	{ "six pending", 3, 6, 0, true, false, false, 6, 6, 0 },
	{ "four across the end: two before it", 3, 0xa, 6, true, false, false,
	  4, 2, 6 },
	{ "two after the end", 3, 0xa, 8, true, false, false, 2, 2, 0 },
	{ "full", 3, 0xa, 0x2, true, false, true, 8, 6, 2 },
	{ "QS 8 across the end", 8, 0x105, 0xff, true, false, false, 6, 1,
	  0xff },
	{ "QS 0 full", 0, 1, 0, true, false, true, 1, 1, 0 },
	{ "QS 0 empty after a wrap", 0, 1, 1, true, true, false, 0, 0, 0 },
	{ "QS 0 full after a wrap", 0, 0, 1, true, false, true, 1, 1, 0 },
	{ "PROD bits above the wrap bit are RES0", 0, 0xfffffffe, 0, true,
	  true, false, 0, 0, 0 },
	{ "QS 19 across the end", 19, 0x80005, 0x7fffe, true, false, false, 7,
	  2, 0x7fffe },
	{ "QS 19 full", 19, 0x80000, 0, true, false, true, 0x80000, 0x80000,
	  0 },
	{ "QS 19 PROD bit 25 is RES0", 19, 0x80005 | 0x2000000, 0x7fffe, true,
	  false, false, 7, 2, 0x7fffe },
	{ "PROD lapped CONS", 3, 0xa, 0x1, false, false, false, 0, 0, 1 },
	{ "PROD moved backwards", 3, 0x1, 0x3, false, false, false, 0, 0, 3 },
	{ "PROD ahead, same wrap", 3, 0x3, 0x1, true, false, false, 2, 2, 1 },
	{ "PROD ahead, wrapped", 3, 0x9, 0x3, true, false, false, 6, 5, 3 },
	{ "full, wrapped", 3, 0xb, 0x3, true, false, true, 8, 5, 3 },
	{ "CONS.ERR takes no part", 3, 0x3, 0x01000001, true, false, false, 2,
	  2, 1 },
};

/**
 * struct smmuv3_test_advance - Moving a CONS value forward
 * @log2_entries: Queue size.
 * @reg: CMDQ_CONS before.
 * @n: Entries consumed.
 * @result: Expected CMDQ_CONS after.
 */
struct smmuv3_test_advance {
	unsigned int log2_entries;
	u32 reg, n, result;
};

static const struct smmuv3_test_advance smmuv3_test_advances[] = {
	{ 3, 0, 6, 6 },
	{ 3, 6, 2, 8 },			/* wrap bit set, index 0 */
	{ 3, 8, 2, 0xa },
	{ 8, 0xff, 1, 0x100 },
	{ 0, 0, 1, 1 },
	{ 0, 1, 1, 0 },			/* the wrap bit toggles back */
	{ 19, 0x7fffe, 2, 0x80000 },
	{ 19, 0xfffff, 1, 0 },
	{ 3, 0x0100000f, 1, 0x01000000 },	/* CONS.ERR is kept */
};

/*
 * For each command handled in the kernel: a legal base command and the bits
 * of dword 0 and 1 that the architecture defines for it (Arm IHI 0070 4.x),
 * less SCALE[5] (IDR5.DS) and TTL128, which a vSMMU does not support. Any
 * other bit set must be refused.
 */
static const u64 smmuv3_test_defined_bits[][4] = {
	/* dword 0, dword 1, defined bits of dword 0, of dword 1 */
	{ 0x05, 0, 0xfffffffffffff4ffULL, 0x1 },
	{ 0x06, 0, 0xffffffff000004ffULL, 0 },
	{ 0x10, 0, 0x0000ffff000000ffULL, 0 },
	{ 0x11, 0, 0xffffffff000000ffULL, 0 },
	{ 0x12, 0, 0xffffffff01f1f0ffULL, 0xffffffffffffff01ULL },
	{ 0x13, 0, 0x0000ffff01f1f0ffULL, 0xffffffffffffff01ULL },
	{ 0x30, 0, 0xff, 0 },
	{ 0x40, 0, 0xfffffffffffffaffULL, 0xfffffffffffff03fULL },
	{ 0x46, 0, 0xffffffff0fc030ffULL, 0x00fffffffffffffcULL },
};

/**
 * struct smmuv3_test_tlbi_range - A range a Linux guest invalidates
 * @iova: Start.
 * @size: Bytes.
 * @granule: The leaf size of the mapping.
 * @pg_shift: log2 of the stage-1 page size.
 * @leaf: Only leaf entries changed.
 */
struct smmuv3_test_tlbi_range {
	u64 iova, size, granule;
	unsigned int pg_shift;
	bool leaf;
};

static const struct smmuv3_test_tlbi_range smmuv3_test_tlbi_ranges[] = {
	{ 0x10000000, 0x1000, 0x1000, 12, true },
	{ 0x10000000, 0x1000, 0x1000, 12, false },
	{ 0x10000000, 0x21000, 0x1000, 12, false },
	{ 0x40000000, 0x200000, 0x200000, 12, true },
	{ 0x40000000, 0x3ff000, 0x1000, 12, true },
	{ 0x80000000, 0x4000, 0x4000, 14, true },
	{ 0x80000000, 0x2000000, 0x2000000, 14, true },
	{ 0x80000000, 0x30000, 0x10000, 16, false },
	{ 0x80000000, 0x1f0000, 0x10000, 16, true },
};

/* Ranges a Linux guest invalidates in a device's ATC: { iova, size } */
static const u64 smmuv3_test_atc_ranges[][2] = {
	{ 0, 0 }, { 0x1000, 0x1000 }, { 0x1800, 0x1000 },
	{ 0x3000, 0x5000 }, { 0x7ffff000, 0x2000 },
};

/**
 * struct smmuv3_test_sync - A CMD_SYNC and how its completion is signalled
 * @name: What it checks.
 * @cmd: The command.
 * @flags: Expected &iommufd_vqueue_sync.flags.
 * @addr: Expected completion write address.
 * @data: Expected completion write value.
 */
struct smmuv3_test_sync {
	const char *name;
	u64 cmd[2];
	u32 flags;
	u64 addr;
	u32 data;
};

/* Arm IHI 0070 4.7.3 CMD_SYNC: CS [13:12] 0 none, 1 IRQ, 2 SEV */
static const struct smmuv3_test_sync smmuv3_test_syncs[] = {
	{ "CS=IRQ with an MSI address: write, then interrupt",
	  { 0x1234567800001046ULL, 0x0000000040000050ULL },
	  IOMMUFD_VQUEUE_SYNC_WRITE | IOMMUFD_VQUEUE_SYNC_IRQ, 0x40000050,
	  0x12345678 },
	{ "CS=IRQ without an address: the wired interrupt only",
	  { 0x0fc01046, 0 }, IOMMUFD_VQUEUE_SYNC_IRQ, 0, 0 },
	{ "CS=SEV: consuming it is the completion", { 0x0fc02046, 0 }, 0, 0,
	  0 },
	{ "CS=NONE", { 0x46, 0 }, 0, 0, 0 },
};

#endif /* __IOMMUFD_VQUEUE_SMMUV3_TESTS_H */
