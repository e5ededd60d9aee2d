/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test vectors and test cases for the SMMUv3 vqueue format, shared by the
 * KUnit suite (vqueue_smmuv3_kunit.c) and the userspace unit test
 * (tools/iommu/vqueue_format_test.c), so that both run exactly the same checks.
 *
 * The includer defines, before including this file:
 *   VQT_CTX			the test context type (struct kunit in the kernel)
 *   VQT_EQ(t, a, b, what)	expect a == b, both taken as u64; what names
 *				the vector or step for the failure message
 *
 * Expected values come from the architecture (Arm IHI 0070 G.b), from the
 * way a Linux guest builds its commands, and from the queue scenarios of the
 * project's reference (queues.md, sections E.1 and E.3); they are written
 * out here rather than derived from the code under test.
 */
#ifndef __IOMMUFD_VQUEUE_SMMUV3_TESTS_H
#define __IOMMUFD_VQUEUE_SMMUV3_TESTS_H

#include "vqueue_format.h"
#include "vqueue_smmuv3.h"

#define VQT_F(name)	BIT_ULL(IOMMUFD_VQ_FIELD_##name)

#define VQT_STREAM	(VQT_F(SID) | VQT_F(SSID) | VQT_F(SSV))
#define VQT_RANGE	(VQT_F(ADDR) | VQT_F(LEAF) | VQT_F(TG) | VQT_F(TTL) | \
			 VQT_F(NUM) | VQT_F(SCALE))
#define VQT_NH_VA	(VQT_RANGE | VQT_F(ASID) | VQT_F(VMID))
#define VQT_NH_VAA	(VQT_RANGE | VQT_F(VMID))
#define VQT_ATC		(VQT_STREAM | VQT_F(ADDR) | VQT_F(SIZE) | VQT_F(GLOBAL))
#define VQT_SYNC	(VQT_F(CS) | VQT_F(MSH) | VQT_F(MSIATTR) | \
			 VQT_F(MSIADDR) | VQT_F(MSIDATA))

#define VQT_INV		IOMMUFD_VQ_CLASS_INVALIDATE
#define VQT_EXIT	IOMMUFD_VQ_CLASS_EXIT
#define VQT_ILL		IOMMUFD_VQ_CLASS_ILLEGAL, .error = SMMUV3_CERROR_ILL

/* The vSIDs bound to the test vqueue: 0x10 -> 0x1010 and 0x11 -> 0x2011 */
#define VQT_VSID_A	0x10
#define VQT_VSID_B	0x11
#define VQT_VSID_NONE	0x99

/**
 * struct vqt_vector - One command and what decoding it must give
 * @name: Identifier, the reference's (E.1) where there is one.
 * @cmd: The command, dword 0 and dword 1.
 * @class: Expected class.
 * @error: Expected error code.
 * @present: Expected decoded fields.
 * @val: Expected field values.
 * @xlate: Expected translate() result for an invalidation.
 * @out: Expected translated command, when it differs from @cmd.
 * @json: Expected vqdecode output line, or NULL.
 */
struct vqt_vector {
	const char *name;
	u64 cmd[2];
	enum iommufd_vq_class class;
	u8 error;
	u64 present;
	u64 val[IOMMUFD_VQ_NR_FIELDS];
	int xlate;
	u64 out[2];
	const char *json;
};

static const struct vqt_vector vqt_vectors[] = {
	/* queues.md E.1 */
	{ .name = "S1 TLBI_NH_VA asid 5 leaf, no RIL",
	  .cmd = { 0x0005000000000012, 0x0000000000001001 },
	  .class = VQT_INV, .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1 },
	  .json =
		"{\"op\":\"CMD_TLBI_NH_VA\",\"class\":\"invalidate\",\"opcode\":18,\"asid\":5,\"vmid\":0,\"addr\":4096,\"leaf\":1,\"tg\":0,\"ttl\":0,\"num\":0,\"scale\":0}",
	},
	{ .name = "S7 TLBI_NH_ASID asid 5",
	  .cmd = { 0x0005000000000011, 0 },
	  .class = VQT_INV, .present = VQT_F(ASID) | VQT_F(VMID),
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5 },
	  .json =
		"{\"op\":\"CMD_TLBI_NH_ASID\",\"class\":\"invalidate\",\"opcode\":17,\"asid\":5,\"vmid\":0}",
	},
	{ .name = "S22 CMD_SYNC CS=SEV (Linux)",
	  .cmd = { 0x000000000fc02046, 0 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VQT_SYNC,
	  .val = { [IOMMUFD_VQ_FIELD_CS] = 2, [IOMMUFD_VQ_FIELD_MSH] = 3,
		   [IOMMUFD_VQ_FIELD_MSIATTR] = 15 },
	  .json =
		"{\"op\":\"CMD_SYNC\",\"class\":\"sync\",\"opcode\":70,\"cs\":2,\"msh\":3,\"msiattr\":15,\"msiaddr\":0,\"msidata\":0}",
	},
	{ .name = "S23 CMD_SYNC CS=IRQ MSI poll (Linux)",
	  .cmd = { 0x000000000fc01046, 0x0000000040000050 },
	  .class = IOMMUFD_VQ_CLASS_SYNC, .present = VQT_SYNC,
	  .val = { [IOMMUFD_VQ_FIELD_CS] = 1, [IOMMUFD_VQ_FIELD_MSH] = 3,
		   [IOMMUFD_VQ_FIELD_MSIATTR] = 15,
		   [IOMMUFD_VQ_FIELD_MSIADDR] = 0x40000050 },
	  .json =
		"{\"op\":\"CMD_SYNC\",\"class\":\"sync\",\"opcode\":70,\"cs\":1,\"msh\":3,\"msiattr\":15,\"msiaddr\":1073741904,\"msidata\":0}",
	},
	{ .name = "S-ill-1 opcode 0x00",
	  .cmd = { 0, 0 }, .class = VQT_ILL,
	  .json =
		"{\"op\":\"RESERVED_0x00\",\"class\":\"illegal\",\"error\":\"CERROR_ILL\",\"opcode\":0}",
	},

	/* Forwarded invalidations, as a Linux guest builds them */
	{ .name = "TLBI_NH_ALL",
	  .cmd = { 0x10, 0 }, .class = VQT_INV, .present = VQT_F(VMID) },
	{ .name = "TLBI_NSNH_ALL becomes TLBI_NH_ALL",
	  .cmd = { 0x30, 0 }, .class = VQT_INV, .out = { 0x10, 0 },
	  .json =
		"{\"op\":\"CMD_TLBI_NSNH_ALL\",\"class\":\"invalidate\",\"opcode\":48}",
	},
	{ .name = "TLBI_NH_VA RIL 4K non-leaf 2 pages",
	  .cmd = { 0x0007000000100012, 0x0000000010000400 },
	  .class = VQT_INV, .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 7,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x10000000,
		   [IOMMUFD_VQ_FIELD_TG] = 1, [IOMMUFD_VQ_FIELD_SCALE] = 1 } },
	{ .name = "TLBI_NH_VAA RIL 4K leaf TTL3 NUM1",
	  .cmd = { 0x0000000000001013, 0x0000000000200701 },
	  .class = VQT_INV, .present = VQT_NH_VAA,
	  .val = { [IOMMUFD_VQ_FIELD_ADDR] = 0x200000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 1,
		   [IOMMUFD_VQ_FIELD_TTL] = 3, [IOMMUFD_VQ_FIELD_NUM] = 1 } },
	{ .name = "TLBI_NH_VA 16K TTL2 single granule",
	  .cmd = { 0x0005000000000012, 0x0000000000004a01 },
	  .class = VQT_INV, .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x4000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 2,
		   [IOMMUFD_VQ_FIELD_TTL] = 2 } },
	{ .name = "ATC_INV size 52 (Linux flush all)",
	  .cmd = { 0x0000001000000040, 0x34 },
	  .class = VQT_INV, .present = VQT_ATC,
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_A,
		   [IOMMUFD_VQ_FIELD_SIZE] = 52 },
	  .out = { 0x0000101000000040, 0x34 },
	  .json =
		"{\"op\":\"CMD_ATC_INV\",\"class\":\"invalidate\",\"opcode\":64,\"sid\":16,\"ssid\":0,\"ssv\":0,\"addr\":0,\"size\":52,\"global\":0}",
	},
	{ .name = "ATC_INV with PASID",
	  .cmd = { 0x0000001100005840, 0x0000000000040002 },
	  .class = VQT_INV, .present = VQT_ATC,
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_B,
		   [IOMMUFD_VQ_FIELD_SSID] = 5, [IOMMUFD_VQ_FIELD_SSV] = 1,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x40000,
		   [IOMMUFD_VQ_FIELD_SIZE] = 2 },
	  .out = { 0x0000201100005840, 0x0000000000040002 } },
	{ .name = "ATC_INV unknown vSID",
	  .cmd = { 0x0000009900000040, 0x34 },
	  .class = VQT_INV, .present = VQT_ATC,
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_NONE,
		   [IOMMUFD_VQ_FIELD_SIZE] = 52 },
	  .xlate = -ENOENT },
	{ .name = "CFGI_CD leaf",
	  .cmd = { 0x0000001000003005, 1 },
	  .class = VQT_INV, .present = VQT_F(SID) | VQT_F(SSID) | VQT_F(LEAF),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_A,
		   [IOMMUFD_VQ_FIELD_SSID] = 3, [IOMMUFD_VQ_FIELD_LEAF] = 1 },
	  .out = { 0x0000101000003005, 1 } },
	{ .name = "CFGI_CD unknown vSID",
	  .cmd = { 0x0000009900000005, 0 },
	  .class = VQT_INV, .present = VQT_F(SID) | VQT_F(SSID) | VQT_F(LEAF),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_NONE }, .xlate = -ENOENT },
	{ .name = "CFGI_CD_ALL",
	  .cmd = { 0x0000001100000006, 0 },
	  .class = VQT_INV, .present = VQT_F(SID),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = VQT_VSID_B },
	  .out = { 0x0000201100000006, 0 } },
	{ .name = "CMD_SYNC CS=NONE",
	  .cmd = { 0x46, 0 }, .class = IOMMUFD_VQ_CLASS_SYNC,
	  .present = VQT_SYNC },

	/* Left to the VMM */
	{ .name = "CFGI_ALL (Linux boot)",
	  .cmd = { 0x04, 0x1f }, .class = VQT_EXIT,
	  .present = VQT_F(SID) | VQT_F(RANGE), .val = { [IOMMUFD_VQ_FIELD_RANGE] = 31 },
	  .json =
		"{\"op\":\"CMD_CFGI_ALL\",\"class\":\"exit\",\"opcode\":4,\"sid\":0,\"range\":31}",
	},
	{ .name = "CFGI_STE_RANGE",
	  .cmd = { 0x0000002000000004, 3 }, .class = VQT_EXIT,
	  .present = VQT_F(SID) | VQT_F(RANGE),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x20,
		   [IOMMUFD_VQ_FIELD_RANGE] = 3 } },
	{ .name = "CFGI_STE leaf",
	  .cmd = { 0x0000001000000003, 1 }, .class = VQT_EXIT,
	  .present = VQT_F(SID) | VQT_F(LEAF),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10, [IOMMUFD_VQ_FIELD_LEAF] = 1 } },
	{ .name = "PREFETCH_CONFIG",
	  .cmd = { 0x0000001000000001, 0 }, .class = VQT_EXIT,
	  .present = VQT_STREAM, .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10 } },
	{ .name = "PREFETCH_ADDR",
	  .cmd = { 0x0000001000000002, 0x80001 }, .class = VQT_EXIT,
	  .present = VQT_STREAM | VQT_F(SIZE) | VQT_F(ADDR),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10, [IOMMUFD_VQ_FIELD_SIZE] = 1,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x80000 } },
	{ .name = "PRI_RESP success",
	  .cmd = { 0x0000001000000041, 0x2005 }, .class = VQT_EXIT,
	  .present = VQT_STREAM | VQT_F(RESP),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10, [IOMMUFD_VQ_FIELD_RESP] = 2 } },
	{ .name = "RESUME",
	  .cmd = { 0x0000001000000044, 7 }, .class = VQT_EXIT,
	  .present = VQT_F(SID) | VQT_F(STAG),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10, [IOMMUFD_VQ_FIELD_STAG] = 7 } },
	{ .name = "STALL_TERM",
	  .cmd = { 0x0000001000000045, 0 }, .class = VQT_EXIT,
	  .present = VQT_F(SID), .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10 } },

	/* Illegal */
	{ .name = "reserved range: TG=4K NUM=SCALE=TTL=0",
	  .cmd = { 0x0005000000000012, 0x1401 }, .class = VQT_ILL,
	  .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 1 } },
	{ .name = "reserved range: TG=16K TTL=1 NUM=SCALE=0",
	  .cmd = { 0x0000000000000013, 0x4901 }, .class = VQT_ILL,
	  .present = VQT_NH_VAA,
	  .val = { [IOMMUFD_VQ_FIELD_ADDR] = 0x4000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 2,
		   [IOMMUFD_VQ_FIELD_TTL] = 1 } },
	{ .name = "TG=0 with NUM set",
	  .cmd = { 0x0005000000001012, 0x1001 }, .class = VQT_ILL,
	  .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_NUM] = 1 } },
	{ .name = "TTL128 set",
	  .cmd = { 0x0005000000000012, 0x1781 }, .class = VQT_ILL,
	  .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 1,
		   [IOMMUFD_VQ_FIELD_TTL] = 3 } },
	{ .name = "SCALE bit 5 without IDR5.DS",
	  .cmd = { 0x0005000002000012, 0x1701 }, .class = VQT_ILL,
	  .present = VQT_NH_VA,
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 5,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1, [IOMMUFD_VQ_FIELD_TG] = 1,
		   [IOMMUFD_VQ_FIELD_TTL] = 3 } },
	{ .name = "ATC_INV size 53",
	  .cmd = { 0x0000001000000040, 0x35 }, .class = VQT_ILL,
	  .present = VQT_ATC,
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10,
		   [IOMMUFD_VQ_FIELD_SIZE] = 53 } },
	{ .name = "CFGI_CD SSec",
	  .cmd = { 0x0000001000000405, 0 }, .class = VQT_ILL,
	  .present = VQT_F(SID) | VQT_F(SSID) | VQT_F(LEAF),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10 } },
	{ .name = "CFGI_STE SSec",
	  .cmd = { 0x0000001000000403, 0 }, .class = VQT_ILL,
	  .present = VQT_F(SID) | VQT_F(LEAF), .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10 } },
	{ .name = "CMD_SYNC CS=3",
	  .cmd = { 0x000000000fc03046, 0 }, .class = VQT_ILL,
	  .present = VQT_SYNC,
	  .val = { [IOMMUFD_VQ_FIELD_CS] = 3, [IOMMUFD_VQ_FIELD_MSH] = 3,
		   [IOMMUFD_VQ_FIELD_MSIATTR] = 15 } },
	{ .name = "CMD_SYNC RES0 bit 8",
	  .cmd = { 0x000000000fc02146, 0 }, .class = VQT_ILL,
	  .present = VQT_SYNC,
	  .val = { [IOMMUFD_VQ_FIELD_CS] = 2, [IOMMUFD_VQ_FIELD_MSH] = 3,
		   [IOMMUFD_VQ_FIELD_MSIATTR] = 15 } },
	{ .name = "TLBI_NSNH_ALL with RES0 bits",
	  .cmd = { 0x0000000100000030, 0 }, .class = VQT_ILL },
	{ .name = "PRI_RESP Resp=3",
	  .cmd = { 0x0000001000000041, 0x3005 }, .class = VQT_ILL,
	  .present = VQT_STREAM | VQT_F(RESP),
	  .val = { [IOMMUFD_VQ_FIELD_SID] = 0x10, [IOMMUFD_VQ_FIELD_RESP] = 3 } },
	{ .name = "TLBI_S12_VMALL (stage 2)",
	  .cmd = { 0x0000000100000028, 0 }, .class = VQT_ILL,
	  .present = VQT_F(VMID), .val = { [IOMMUFD_VQ_FIELD_VMID] = 1 } },
	{ .name = "TLBI_S2_IPA (stage 2)",
	  .cmd = { 0x000000010000002a, 0x1001 }, .class = VQT_ILL,
	  .present = VQT_RANGE | VQT_F(VMID),
	  .val = { [IOMMUFD_VQ_FIELD_VMID] = 1,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1 } },
	{ .name = "TLBI_EL2_ALL", .cmd = { 0x20, 0 }, .class = VQT_ILL },
	{ .name = "TLBI_EL2_ASID",
	  .cmd = { 0x0003000000000021, 0 }, .class = VQT_ILL,
	  .present = VQT_F(ASID), .val = { [IOMMUFD_VQ_FIELD_ASID] = 3 } },
	{ .name = "TLBI_EL2_VA",
	  .cmd = { 0x0003000000000022, 0x1001 }, .class = VQT_ILL,
	  .present = VQT_RANGE | VQT_F(ASID),
	  .val = { [IOMMUFD_VQ_FIELD_ASID] = 3,
		   [IOMMUFD_VQ_FIELD_ADDR] = 0x1000,
		   [IOMMUFD_VQ_FIELD_LEAF] = 1 } },
	{ .name = "TLBI_EL2_VAA", .cmd = { 0x23, 0 }, .class = VQT_ILL,
	  .present = VQT_RANGE },
	{ .name = "TLBI_EL3_ALL", .cmd = { 0x18, 0 }, .class = VQT_ILL },
	{ .name = "TLBI_EL3_VA", .cmd = { 0x1a, 0x1000 }, .class = VQT_ILL,
	  .present = VQT_F(ADDR) | VQT_F(LEAF) | VQT_F(TG) | VQT_F(TTL),
	  .val = { [IOMMUFD_VQ_FIELD_ADDR] = 0x1000 } },
	{ .name = "TLBI_S_EL2_ALL", .cmd = { 0x50, 0 }, .class = VQT_ILL },
	{ .name = "TLBI_S_S2_IPA", .cmd = { 0x5a, 0 }, .class = VQT_ILL },
	{ .name = "TLBI_SNH_ALL", .cmd = { 0x60, 0 }, .class = VQT_ILL },
	{ .name = "CFGI_VMS_PIDM", .cmd = { 0x07, 0 }, .class = VQT_ILL },
	{ .name = "DPTI_ALL", .cmd = { 0x70, 0 }, .class = VQT_ILL },
	{ .name = "reserved opcode 0x47",
	  .cmd = { 0x47, 0 }, .class = VQT_ILL,
	  .json =
		"{\"op\":\"RESERVED_0x47\",\"class\":\"illegal\",\"error\":\"CERROR_ILL\",\"opcode\":71}",
	},
	{ .name = "IMPDEF opcode 0x80", .cmd = { 0x80, 0 }, .class = VQT_ILL },
	{ .name = "reserved opcode 0xff", .cmd = { 0xff, 0 }, .class = VQT_ILL },
};

static int vqt_lookup(const struct iommufd_vq_idmap *map, u64 vid, u32 *pid)
{
	switch (vid) {
	case VQT_VSID_A:
		*pid = 0x1010;
		return 0;
	case VQT_VSID_B:
		*pid = 0x2011;
		return 0;
	}
	return -ENOENT;
}

static const struct iommufd_vq_idmap vqt_map = { .lookup = vqt_lookup };

static const struct iommufd_vq_format *const vqt_fmt = &iommufd_vq_smmuv3_format;

static void vqt_decode(const u64 *cmd, struct iommufd_vq_entry *e)
{
	static const struct iommufd_vq_geometry geo = { .entry_size = 16 };
	__le64 raw[2] = { cpu_to_le64(cmd[0]), cpu_to_le64(cmd[1]) };

	vqt_fmt->decode(&geo, raw, e);
	vqt_fmt->fields(e);
}

static enum iommufd_vq_class vqt_class(u64 w0, u64 w1)
{
	const u64 cmd[2] = { w0, w1 };
	struct iommufd_vq_entry e;

	vqt_decode(cmd, &e);
	return e.class;
}

static void vqt_check_vector(VQT_CTX *t, const struct vqt_vector *v)
{
	struct iommufd_vq_entry e;
	unsigned int f;
	__le64 out[2];
	u32 target;
	int ret;

	vqt_decode(v->cmd, &e);
	VQT_EQ(t, e.opcode, v->cmd[0] & SMMUV3_CMD0_OP, v->name);
	VQT_EQ(t, e.class, v->class, v->name);
	VQT_EQ(t, e.error, v->error, v->name);
	VQT_EQ(t, e.present, v->present, v->name);
	for (f = 0; f < IOMMUFD_VQ_NR_FIELDS; f++)
		if (v->present & BIT_ULL(f))
			VQT_EQ(t, e.val[f], v->val[f], v->name);

	ret = vqt_fmt->translate(&e, &vqt_map, out, &target);
	if (v->class != IOMMUFD_VQ_CLASS_INVALIDATE) {
		VQT_EQ(t, ret, -EINVAL, v->name);
		return;
	}
	VQT_EQ(t, ret, v->xlate, v->name);
	if (ret)
		return;
	VQT_EQ(t, target, 0, v->name);
	if (v->out[0] || v->out[1]) {
		VQT_EQ(t, le64_to_cpu(out[0]), v->out[0], v->name);
		VQT_EQ(t, le64_to_cpu(out[1]), v->out[1], v->name);
	} else {
		VQT_EQ(t, le64_to_cpu(out[0]), v->cmd[0], v->name);
		VQT_EQ(t, le64_to_cpu(out[1]), v->cmd[1], v->name);
	}
}

static void vqt_geometry(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;

	/* E.3 SMMU-Q1: RA, base 0x80000000, 8 entries */
	VQT_EQ(t, vqt_fmt->geometry(0x4000000080000003ULL, 19, &geo), 0, "Q1");
	VQT_EQ(t, geo.base, 0x80000000, "Q1 base");
	VQT_EQ(t, geo.log2_entries, 3, "Q1 log2");
	VQT_EQ(t, geo.entry_size, 16, "Q1 entry size");

	/* LOG2SIZE is capped by the caller's limit and by the architecture */
	vqt_fmt->geometry(0x80000000ULL | 25, 19, &geo);
	VQT_EQ(t, geo.log2_entries, 19, "LOG2SIZE 25");
	vqt_fmt->geometry(0x80000000ULL | 25, 31, &geo);
	VQT_EQ(t, geo.log2_entries, 19, "max_log2 31");
	vqt_fmt->geometry(0x80000000ULL | 10, 8, &geo);
	VQT_EQ(t, geo.log2_entries, 8, "max_log2 8");

	/* Bits below the queue size, and below 32 bytes, read as zero */
	vqt_fmt->geometry(0x80000f00ULL | 8, 19, &geo);
	VQT_EQ(t, geo.base, 0x80000000, "aligned to 4KiB");
	vqt_fmt->geometry(0x80000020ULL, 19, &geo);
	VQT_EQ(t, geo.base, 0x80000020, "QS=0 aligned to 32");
	VQT_EQ(t, geo.log2_entries, 0, "QS=0");
	vqt_fmt->geometry(0x80000020ULL | 2, 19, &geo);
	VQT_EQ(t, geo.base, 0x80000000, "QS=2 aligned to 64");
	/* ADDR is [55:5]: RA and RES0 bits above are not part of it */
	vqt_fmt->geometry(0xff00000080000040ULL | 1, 19, &geo);
	VQT_EQ(t, geo.base, 0x80000040, "high bits");
}

static void vqt_index_q1(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;
	u32 cons = 0;

	vqt_fmt->geometry(0x4000000080000003ULL, 19, &geo);
	VQT_EQ(t, vqt_fmt->empty(&geo, 0, 0), true, "empty at reset");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0, 0), 0, "nothing pending");

	/* Six commands, then PROD=6 */
	VQT_EQ(t, vqt_fmt->pending(&geo, 6, cons), 6, "6 pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 6, cons), 6, "6 contiguous");
	cons = vqt_fmt->advance(&geo, cons, 6);
	VQT_EQ(t, cons, 6, "CONS=6");

	/* Four more in slots 6, 7, 0, 1: PROD=0xA; two reads */
	VQT_EQ(t, vqt_fmt->pending(&geo, 0xa, cons), 4, "4 pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0xa, cons), 2, "2 before the wrap");
	VQT_EQ(t, vqt_fmt->index(&geo, cons), 6, "read at slot 6");
	cons = vqt_fmt->advance(&geo, cons, 2);
	VQT_EQ(t, cons, 8, "wrapped: WRAP=1 RD=0");
	VQT_EQ(t, vqt_fmt->index(&geo, cons), 0, "slot 0");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0xa, cons), 2, "2 after the wrap");
	cons = vqt_fmt->advance(&geo, cons, 2);
	VQT_EQ(t, cons, 0xa, "CONS=0xA");
	VQT_EQ(t, vqt_fmt->empty(&geo, 0xa, cons), true, "empty again");

	/* CONS=0x2, PROD=0xA is full */
	VQT_EQ(t, vqt_fmt->full(&geo, 0xa, 0x2), true, "full");
	VQT_EQ(t, vqt_fmt->empty(&geo, 0xa, 0x2), false, "full is not empty");
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0xa, 0x2), true, "full is consistent");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0xa, 0x2), 8, "8 pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0xa, 0x2), 6, "6 before the wrap");

	/* QS=8: PROD=0x105, CONS=0x0FF: 0xFF then 0..4 */
	geo.log2_entries = 8;
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x105, 0xff), 6, "QS=8 pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0x105, 0xff), 1, "QS=8 first run");
	cons = vqt_fmt->advance(&geo, 0xff, 1);
	VQT_EQ(t, cons, 0x100, "QS=8 wrapped");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0x105, cons), 5, "QS=8 second run");
}

static void vqt_index_qs0(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;
	u32 cons;

	vqt_fmt->geometry(0x80000000ULL, 19, &geo);
	VQT_EQ(t, geo.log2_entries, 0, "QS=0");

	/* One entry: PROD=1, CONS=0 is full */
	VQT_EQ(t, vqt_fmt->full(&geo, 1, 0), true, "full");
	VQT_EQ(t, vqt_fmt->consistent(&geo, 1, 0), true, "consistent");
	VQT_EQ(t, vqt_fmt->pending(&geo, 1, 0), 1, "1 pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 1, 0), 1, "1 contiguous");
	VQT_EQ(t, vqt_fmt->index(&geo, 0), 0, "slot 0");
	cons = vqt_fmt->advance(&geo, 0, 1);
	VQT_EQ(t, cons, 1, "CONS=1");
	VQT_EQ(t, vqt_fmt->index(&geo, cons), 0, "still slot 0");
	VQT_EQ(t, vqt_fmt->empty(&geo, 1, cons), true, "empty");

	/* The next command toggles WRAP back */
	VQT_EQ(t, vqt_fmt->full(&geo, 0, 1), true, "full after wrap");
	VQT_EQ(t, vqt_fmt->advance(&geo, 1, 1), 0, "WRAP toggles");
	/* Bits above the wrap bit are not part of PROD */
	VQT_EQ(t, vqt_fmt->empty(&geo, 0xfffffffe, 0), true, "PROD RES0 bits");
}

static void vqt_index_qs19(VQT_CTX *t)
{
	struct iommufd_vq_geometry geo;

	vqt_fmt->geometry(0x80400000ULL | 19, 19, &geo);
	VQT_EQ(t, geo.log2_entries, 19, "QS=19");
	VQT_EQ(t, geo.base, 0x80000000, "8 MiB aligned");

	/* PROD wrapped to slot 5, CONS at 0x7fffe: 7 entries, 2 then 5 */
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x80005, 0x7fffe), 7, "pending");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0x80005, 0x7fffe), 2, "first run");
	VQT_EQ(t, vqt_fmt->advance(&geo, 0x7fffe, 2), 0x80000, "wrap");
	VQT_EQ(t, vqt_fmt->advance(&geo, 0xfffff, 1), 0, "wrap back");
	VQT_EQ(t, vqt_fmt->full(&geo, 0x80000, 0), true, "full");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x80000, 0), 0x80000, "full count");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0x80000, 0), 0x80000, "one run");
	/* PROD bits [31:20] are RES0 and ignored */
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x80005 | BIT(25), 0x7fffe), 7,
	       "PROD RES0 bits");
}

static void vqt_index_inconsistent(VQT_CTX *t)
{
	const struct iommufd_vq_geometry geo = { .log2_entries = 3 };

	/* WR > RD with different wraps: PROD lapped CONS */
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0xa, 0x1), false, "WR>RD wraps differ");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0xa, 0x1), 0, "consume nothing");
	VQT_EQ(t, vqt_fmt->contig(&geo, 0xa, 0x1), 0, "read nothing");
	/* WR < RD with equal wraps: PROD moved backwards */
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0x1, 0x3), false, "WR<RD wraps equal");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x1, 0x3), 0, "consume nothing");
	/* The consistent shapes */
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0x3, 0x1), true, "WR>RD wraps equal");
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0x9, 0x3), true, "WR<RD wraps differ");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x9, 0x3), 6, "6 pending");
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0x3, 0x3), true, "empty");
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0xb, 0x3), true, "full");
	/* CONS.ERR does not take part */
	VQT_EQ(t, vqt_fmt->consistent(&geo, 0x3, 0x01000001), true, "ERR set");
	VQT_EQ(t, vqt_fmt->pending(&geo, 0x3, 0x01000001), 2, "ERR set pending");
}

static void vqt_cons_error(VQT_CTX *t)
{
	const struct iommufd_vq_geometry geo = { .log2_entries = 3 };

	VQT_EQ(t, vqt_fmt->cons_error(0x1, SMMUV3_CERROR_ILL), 0x01000001, "ILL");
	/* E.3 SMMU-Q3: a fetch abort at slot k leaves CONS = (2 << 24) | k */
	VQT_EQ(t, vqt_fmt->cons_error(0x01000005, SMMUV3_CERROR_ABT), 0x02000005,
	       "ABT");
	VQT_EQ(t, vqt_fmt->cons_error(0xc, SMMUV3_CERROR_ATC_INV_SYNC),
	       0x0300000c, "ATC_INV_SYNC");
	VQT_EQ(t, vqt_fmt->cons_error(0x03000007, SMMUV3_CERROR_NONE), 0x7, "NONE");
	/* Consuming keeps ERR and the wrap arithmetic to its own bits */
	VQT_EQ(t, vqt_fmt->advance(&geo, 0x0100000f, 1), 0x01000000, "ERR kept");
}

/*
 * A minimal consumer over an in-memory ring, the way the worker uses the
 * format: at most two contiguous runs, stop at anything it cannot complete.
 * Returns the class it stopped on, or NOP when the queue is empty.
 */
static enum iommufd_vq_class vqt_consume(const struct iommufd_vq_geometry *geo,
					 const __le64 (*ring)[2], u32 prod,
					 u32 *cons, unsigned int *nsync)
{
	struct iommufd_vq_entry e;
	u32 run, i;

	if (!vqt_fmt->consistent(geo, prod, *cons))
		return IOMMUFD_VQ_CLASS_NOP;
	while ((run = vqt_fmt->contig(geo, prod, *cons))) {
		u32 idx = vqt_fmt->index(geo, *cons);

		for (i = 0; i < run; i++) {
			vqt_fmt->decode(geo, ring[idx + i], &e);
			if (e.class == IOMMUFD_VQ_CLASS_ILLEGAL) {
				*cons = vqt_fmt->cons_error(*cons, e.error);
				return e.class;
			}
			if (e.class == IOMMUFD_VQ_CLASS_EXIT)
				return e.class;
			if (e.class == IOMMUFD_VQ_CLASS_SYNC)
				(*nsync)++;
			*cons = vqt_fmt->advance(geo, *cons, 1);
		}
	}
	return IOMMUFD_VQ_CLASS_NOP;
}

static void vqt_set(__le64 (*ring)[2], unsigned int i, u64 w0, u64 w1)
{
	ring[i][0] = cpu_to_le64(w0);
	ring[i][1] = cpu_to_le64(w1);
}

static void vqt_q2_illegal_recovery(VQT_CTX *t)
{
	const struct iommufd_vq_geometry geo = { .log2_entries = 3,
						 .entry_size = 16 };
	__le64 ring[8][2] = {};
	unsigned int nsync = 0;
	u32 cons = 0;

	vqt_set(ring, 0, 0x0005000000000011ULL, 0);	/* S7 */
	vqt_set(ring, 1, 0x47, 0);			/* reserved */
	vqt_set(ring, 2, 0x0fc02046, 0);		/* S22 */

	VQT_EQ(t, vqt_consume(&geo, ring, 0x3, &cons, &nsync),
	       IOMMUFD_VQ_CLASS_ILLEGAL, "stops at slot 1");
	VQT_EQ(t, cons, 0x01000001, "CONS.ERR=ILL, RD=1");
	VQT_EQ(t, nsync, 0, "no sync yet");

	/* Linux rewrites slot 1 with a CMD_SYNC and acknowledges */
	vqt_set(ring, 1, 0x0fc02046, 0);
	cons = vqt_fmt->cons_error(cons, SMMUV3_CERROR_NONE);
	VQT_EQ(t, vqt_consume(&geo, ring, 0x3, &cons, &nsync),
	       IOMMUFD_VQ_CLASS_NOP, "drained");
	VQT_EQ(t, cons, 0x3, "CONS=3");
	VQT_EQ(t, nsync, 2, "two syncs");
}

static void vqt_q4_msi_sync(VQT_CTX *t)
{
	const u64 s23[2] = { 0x0fc01046, 0x40000050 };
	const u64 irq[2] = { 0x0fc01046, 0 };
	struct iommufd_vq_geometry geo;
	struct iommufd_vq_entry e;
	struct iommufd_vq_sync s;
	u32 cons = 5;

	vqt_fmt->geometry(0x40000000ULL | 3, 19, &geo);
	vqt_decode(s23, &e);
	VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_SYNC, "S23 is a sync");
	/* CONS moves past the CMD_SYNC before the MSI write */
	cons = vqt_fmt->advance(&geo, cons, 1);
	VQT_EQ(t, cons, 6, "CONS=6");
	vqt_fmt->sync(&e, &s);
	VQT_EQ(t, s.flags, IOMMUFD_VQ_SYNC_WRITE | IOMMUFD_VQ_SYNC_IRQ, "flags");
	VQT_EQ(t, s.addr, geo.base + 5 * geo.entry_size, "own slot");
	VQT_EQ(t, s.data, 0, "MSIData 0");

	/* CS=SEV: polling CONS is the completion */
	vqt_decode(vqt_vectors[2].cmd, &e);
	vqt_fmt->sync(&e, &s);
	VQT_EQ(t, s.flags, 0, "SEV signals nothing");
	/* CS=IRQ without an address: the wired interrupt only */
	vqt_decode(irq, &e);
	vqt_fmt->sync(&e, &s);
	VQT_EQ(t, s.flags, IOMMUFD_VQ_SYNC_IRQ, "wired IRQ");
}

static void vqt_q6_linux_boot(VQT_CTX *t)
{
	const struct iommufd_vq_geometry geo = { .log2_entries = 2,
						 .entry_size = 16 };
	__le64 ring[4][2] = {};
	unsigned int nsync = 0;
	u32 cons = 0;

	vqt_set(ring, 0, SMMUV3_CMD_CFGI_STE_RANGE, SMMUV3_CFGI_RANGE_ALL);
	vqt_set(ring, 1, 0x0fc02046, 0);
	vqt_set(ring, 2, SMMUV3_CMD_TLBI_NSNH_ALL, 0);
	vqt_set(ring, 3, 0x0fc02046, 0);

	/* CFGI_ALL goes to the VMM, which then lets the worker resume */
	VQT_EQ(t, vqt_consume(&geo, ring, 2, &cons, &nsync),
	       IOMMUFD_VQ_CLASS_EXIT, "CFGI_ALL exits");
	VQT_EQ(t, cons, 0, "CONS on CFGI_ALL");
	cons = vqt_fmt->advance(&geo, cons, 1);
	VQT_EQ(t, vqt_consume(&geo, ring, 2, &cons, &nsync),
	       IOMMUFD_VQ_CLASS_NOP, "first pair done");
	VQT_EQ(t, vqt_consume(&geo, ring, 4, &cons, &nsync),
	       IOMMUFD_VQ_CLASS_NOP, "NSNH_ALL pair in kernel");
	VQT_EQ(t, cons, 4, "CONS=4");
	VQT_EQ(t, nsync, 2, "two syncs");
}

/* ilog2 of a power of two, without depending on either side's headers */
static unsigned int vqt_log2(u64 v)
{
	unsigned int r = 0;

	while (v >>= 1)
		r++;
	return r;
}

/*
 * Build TLBI_NH_VA commands for [iova, iova + size) the way a Linux guest
 * does with IDR3.RIL: granule pages, NUM and SCALE covering the number of
 * pages, TTL from the leaf granule, and one extra page when the count would
 * hit the reserved NUM=SCALE=TTL=0 encoding.  Returns the command count.
 */
static unsigned int vqt_linux_tlbi(u64 (*cmds)[2], unsigned int max, u16 asid,
				   u64 iova, u64 size, unsigned int pg_shift,
				   u64 granule, bool leaf)
{
	u64 pages = size >> pg_shift;
	unsigned int n = 0, tg = (pg_shift - 10) / 2, ttl = 0;

	if (leaf)
		ttl = 4 - (vqt_log2(granule) - 3) / (pg_shift - 3);
	else if ((pages & 31) == 1)
		pages++;

	while (pages && n < max) {
		unsigned int scale = 0;
		u64 num;

		while (!(pages & (1ULL << scale)))
			scale++;
		num = (pages >> scale) & 31;
		cmds[n][0] = SMMUV3_CMD_TLBI_NH_VA |
			     FIELD_PREP(SMMUV3_CMD0_ASID, asid) |
			     FIELD_PREP(SMMUV3_CMD0_NUM, num - 1) |
			     FIELD_PREP(SMMUV3_CMD0_SCALE, scale);
		cmds[n][1] = iova | FIELD_PREP(SMMUV3_CMD1_TG, tg) |
			     FIELD_PREP(SMMUV3_CMD1_TTL, ttl) |
			     FIELD_PREP(SMMUV3_CMD1_LEAF, leaf);
		iova += num << (scale + pg_shift);
		pages -= num << scale;
		n++;
	}
	return n;
}

static void vqt_linux_range_tlbi(VQT_CTX *t)
{
	static const struct {
		u64 iova, size, granule;
		unsigned int pg_shift;
		bool leaf;
	} r[] = {
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
	unsigned int i, j, n;
	u64 cmds[8][2];

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		u64 end = r[i].iova;

		n = vqt_linux_tlbi(cmds, ARRAY_SIZE(cmds), 9, r[i].iova,
				   r[i].size, r[i].pg_shift, r[i].granule,
				   r[i].leaf);
		VQT_EQ(t, n > 0, true, "commands built");
		for (j = 0; j < n; j++) {
			struct iommufd_vq_entry e;
			u64 span;

			vqt_decode(cmds[j], &e);
			VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_INVALIDATE, "range TLBI");
			/* The pieces are back to back from the start */
			VQT_EQ(t, e.val[IOMMUFD_VQ_FIELD_ADDR], end, "contiguous");
			span = (e.val[IOMMUFD_VQ_FIELD_NUM] + 1) <<
			       (e.val[IOMMUFD_VQ_FIELD_SCALE] + 10 +
				2 * e.val[IOMMUFD_VQ_FIELD_TG]);
			end += span;
		}
		/* Never less than asked for */
		VQT_EQ(t, end >= r[i].iova + r[i].size, true, "covers range");
	}

	/* Without RIL: one TG=0 command per granule */
	VQT_EQ(t, vqt_class(0x0009000000000012ULL, 0x10001001ULL),
	       IOMMUFD_VQ_CLASS_INVALIDATE, "no RIL leaf");
	VQT_EQ(t, vqt_class(0x0009000000000012ULL, 0x10001000ULL),
	       IOMMUFD_VQ_CLASS_INVALIDATE, "no RIL table");
}

/*
 * Build an ATC_INV for [iova, iova + size) the way a Linux guest does: the
 * smallest naturally aligned power-of-two span of 4KiB pages covering it,
 * and Size=52 for everything.
 */
static void vqt_linux_atc(u64 *cmd, u32 sid, u64 iova, u64 size)
{
	unsigned int log2_span = 0;
	u64 start, end;

	cmd[0] = SMMUV3_CMD_ATC_INV | FIELD_PREP(SMMUV3_CMD0_SID, sid);
	if (!size) {
		cmd[1] = SMMUV3_ATC_INV_SIZE_ALL;
		return;
	}
	start = iova >> 12;
	end = (iova + size - 1) >> 12;
	while ((start ^ end) >> log2_span)
		log2_span++;
	cmd[1] = ((start >> log2_span) << (log2_span + 12)) | log2_span;
}

static void vqt_linux_atc_inv(VQT_CTX *t)
{
	static const u64 r[][2] = {
		{ 0, 0 }, { 0x1000, 0x1000 }, { 0x1800, 0x1000 },
		{ 0x3000, 0x5000 }, { 0x7ffff000, 0x2000 },
	};
	struct iommufd_vq_entry e;
	unsigned int i;
	__le64 out[2];
	u32 target;
	u64 cmd[2];

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		u64 span, addr;

		vqt_linux_atc(cmd, VQT_VSID_A, r[i][0], r[i][1]);
		vqt_decode(cmd, &e);
		VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_INVALIDATE, "ATC_INV");
		VQT_EQ(t, vqt_fmt->translate(&e, &vqt_map, out, &target), 0,
		       "bound vSID");
		VQT_EQ(t, FIELD_GET(SMMUV3_CMD0_SID, le64_to_cpu(out[0])), 0x1010,
		       "pSID");
		if (e.val[IOMMUFD_VQ_FIELD_SIZE] == SMMUV3_ATC_INV_SIZE_ALL)
			continue;
		span = 0x1000ULL << e.val[IOMMUFD_VQ_FIELD_SIZE];
		addr = e.val[IOMMUFD_VQ_FIELD_ADDR];
		VQT_EQ(t, addr <= r[i][0] && addr + span >= r[i][0] + r[i][1],
		       true, "ATC span covers range");
	}
}

static void vqt_translate(VQT_CTX *t)
{
	const u64 cd[2] = { 0x0000001000000005ULL, 0 };
	const u64 sync[2] = { 0x0fc02046, 0 };
	struct iommufd_vq_entry e;
	__le64 out[2];
	u32 target;

	/* No table at all: nothing that names a device can be forwarded */
	vqt_decode(cd, &e);
	VQT_EQ(t, vqt_fmt->translate(&e, NULL, out, &target), -ENOENT, "no map");
	/* The worker's path: decode without fields, then translate */
	{
		static const struct iommufd_vq_geometry geo = { .entry_size = 16 };
		const __le64 raw[2] = { cpu_to_le64(0x0000001100000006ULL), 0 };

		vqt_fmt->decode(&geo, raw, &e);
		VQT_EQ(t, e.present, 0, "no fields decoded");
		VQT_EQ(t, e.class, IOMMUFD_VQ_CLASS_INVALIDATE, "CFGI_CD_ALL");
		VQT_EQ(t, vqt_fmt->translate(&e, &vqt_map, out, &target), 0,
		       "translated");
		VQT_EQ(t, le64_to_cpu(out[0]), 0x0000201100000006ULL, "pSID");
	}
	/* Only invalidations are forwarded */
	vqt_decode(sync, &e);
	VQT_EQ(t, vqt_fmt->translate(&e, &vqt_map, out, &target), -EINVAL,
	       "sync");
}

/* Every opcode with all-zero operands: only the listed ones are accepted */
static void vqt_opcode_sweep(VQT_CTX *t)
{
	unsigned int op;

	for (op = 0; op < 256; op++) {
		enum iommufd_vq_class want = IOMMUFD_VQ_CLASS_ILLEGAL;

		switch (op) {
		case SMMUV3_CMD_CFGI_CD:
		case SMMUV3_CMD_CFGI_CD_ALL:
		case SMMUV3_CMD_TLBI_NH_ALL:
		case SMMUV3_CMD_TLBI_NH_ASID:
		case SMMUV3_CMD_TLBI_NH_VA:
		case SMMUV3_CMD_TLBI_NH_VAA:
		case SMMUV3_CMD_TLBI_NSNH_ALL:
		case SMMUV3_CMD_ATC_INV:
			want = IOMMUFD_VQ_CLASS_INVALIDATE;
			break;
		case SMMUV3_CMD_PREFETCH_CONFIG:
		case SMMUV3_CMD_PREFETCH_ADDR:
		case SMMUV3_CMD_CFGI_STE:
		case SMMUV3_CMD_CFGI_STE_RANGE:
		case SMMUV3_CMD_PRI_RESP:
		case SMMUV3_CMD_RESUME:
		case SMMUV3_CMD_STALL_TERM:
			want = IOMMUFD_VQ_CLASS_EXIT;
			break;
		case SMMUV3_CMD_SYNC:
			want = IOMMUFD_VQ_CLASS_SYNC;
			break;
		}
		VQT_EQ(t, vqt_class(op, 0), want, "opcode class");
	}
}

/*
 * For each command handled in the kernel, a legal base command with one bit
 * outside the architecture's defined fields set must be rejected.  The masks
 * are the defined bits of Arm IHI 0070 4.x, less SCALE[5] (IDR5.DS) and
 * TTL128, which a vSMMU does not support.
 */
static void vqt_res0_bits(VQT_CTX *t)
{
	static const u64 m[][4] = {
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
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		VQT_EQ(t, vqt_class(m[i][0], m[i][1]) == IOMMUFD_VQ_CLASS_ILLEGAL,
		       false, "base command legal");
		for (b = 0; b < 128; b++) {
			u64 bit = 1ULL << (b % 64);
			u64 w0 = m[i][0], w1 = m[i][1];

			if (m[i][2 + b / 64] & bit)
				continue;
			if (b < 64)
				w0 |= bit;
			else
				w1 |= bit;
			VQT_EQ(t, vqt_class(w0, w1), IOMMUFD_VQ_CLASS_ILLEGAL,
			       "RES0 bit set");
		}
	}
}

/**
 * struct vqt_case - One test case
 * @run: The test.
 * @name: Its name in the test report.
 */
struct vqt_case {
	void (*run)(VQT_CTX *t);
	const char *name;
};

/* Run by KUnit as a parameterised case, and in turn by the userspace test */
static const struct vqt_case vqt_cases[] = {
	{ vqt_geometry, "geometry" },
	{ vqt_index_q1, "index_q1" },
	{ vqt_index_qs0, "index_qs0" },
	{ vqt_index_qs19, "index_qs19" },
	{ vqt_index_inconsistent, "index_inconsistent" },
	{ vqt_cons_error, "cons_error" },
	{ vqt_q2_illegal_recovery, "q2_illegal_recovery" },
	{ vqt_q4_msi_sync, "q4_msi_sync" },
	{ vqt_q6_linux_boot, "q6_linux_boot" },
	{ vqt_linux_range_tlbi, "linux_range_tlbi" },
	{ vqt_linux_atc_inv, "linux_atc_inv" },
	{ vqt_translate, "translate" },
	{ vqt_opcode_sweep, "opcode_sweep" },
	{ vqt_res0_bits, "res0_bits" },
};

#endif /* __IOMMUFD_VQUEUE_SMMUV3_TESTS_H */
