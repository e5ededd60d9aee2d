// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names and fields of SMMUv3 commands, for decoders (vqueue_format_debug.h).
 *
 * Built for the KUnit suite and tools/iommu only: the vqueue never needs to
 * know what a command is called or to split it into fields.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/kernel.h>

#include "vqueue_format_debug.h"
#include "vqueue_smmuv3.h"

#define SMMUV3_F(name)		BIT_ULL(IOMMUFD_VQUEUE_FIELD_##name)
#define SMMUV3_F_STREAM		(SMMUV3_F(SSV) | SMMUV3_F(SSID) | SMMUV3_F(SID))
#define SMMUV3_F_RANGE		(SMMUV3_F(NUM) | SMMUV3_F(SCALE) | SMMUV3_F(LEAF) | \
				 SMMUV3_F(TTL) | SMMUV3_F(TG) | SMMUV3_F(ADDR))

/*
 * Where each field sits. A field has the same position in every command
 * that has it, except where a command's field is shorter (struct
 * smmuv3_op_debug.narrow). Addresses keep their position so that they read
 * as byte addresses.
 */
struct smmuv3_field {
	u64 mask;
	u8 word;
	u8 shift;
};

#define SMMUV3_FIELD(w, m)	{ .mask = (m), .word = (w), .shift = __builtin_ctzll(m) }
#define SMMUV3_BYTES(w, m)	{ .mask = (m), .word = (w), .shift = 0 }

static const struct smmuv3_field smmuv3_field_pos[IOMMUFD_VQUEUE_NR_FIELDS] = {
	[IOMMUFD_VQUEUE_FIELD_ASID] = SMMUV3_FIELD(0, SMMUV3_CMD0_ASID),
	[IOMMUFD_VQUEUE_FIELD_VMID] = SMMUV3_FIELD(0, SMMUV3_CMD0_VMID),
	[IOMMUFD_VQUEUE_FIELD_SID] = SMMUV3_FIELD(0, SMMUV3_CMD0_SID),
	[IOMMUFD_VQUEUE_FIELD_SSID] = SMMUV3_FIELD(0, SMMUV3_CMD0_SSID),
	[IOMMUFD_VQUEUE_FIELD_SSV] = SMMUV3_FIELD(0, SMMUV3_CMD0_SSV),
	[IOMMUFD_VQUEUE_FIELD_ADDR] = SMMUV3_BYTES(1, SMMUV3_CMD1_ADDR),
	[IOMMUFD_VQUEUE_FIELD_LEAF] = SMMUV3_FIELD(1, SMMUV3_CMD1_LEAF),
	[IOMMUFD_VQUEUE_FIELD_TG] = SMMUV3_FIELD(1, SMMUV3_CMD1_TG),
	[IOMMUFD_VQUEUE_FIELD_TTL] = SMMUV3_FIELD(1, SMMUV3_CMD1_TTL),
	[IOMMUFD_VQUEUE_FIELD_NUM] = SMMUV3_FIELD(0, SMMUV3_CMD0_NUM),
	[IOMMUFD_VQUEUE_FIELD_SCALE] = SMMUV3_FIELD(0, SMMUV3_CMD0_SCALE),
	[IOMMUFD_VQUEUE_FIELD_RANGE] = SMMUV3_FIELD(1, SMMUV3_CMD1_RANGE),
	[IOMMUFD_VQUEUE_FIELD_SIZE] = SMMUV3_FIELD(1, SMMUV3_CMD1_SIZE),
	[IOMMUFD_VQUEUE_FIELD_GLOBAL] = SMMUV3_FIELD(0, SMMUV3_CMD0_GLOBAL),
	[IOMMUFD_VQUEUE_FIELD_CS] = SMMUV3_FIELD(0, SMMUV3_CMD0_CS),
	[IOMMUFD_VQUEUE_FIELD_MSH] = SMMUV3_FIELD(0, SMMUV3_CMD0_MSH),
	[IOMMUFD_VQUEUE_FIELD_MSIATTR] = SMMUV3_FIELD(0, SMMUV3_CMD0_MSIATTR),
	[IOMMUFD_VQUEUE_FIELD_MSIADDR] = SMMUV3_BYTES(1, SMMUV3_CMD1_MSIADDR),
	[IOMMUFD_VQUEUE_FIELD_MSIDATA] = SMMUV3_FIELD(0, SMMUV3_CMD0_MSIDATA),
	[IOMMUFD_VQUEUE_FIELD_RESP] = SMMUV3_FIELD(1, SMMUV3_CMD1_RESP),
	[IOMMUFD_VQUEUE_FIELD_STAG] = SMMUV3_FIELD(1, SMMUV3_CMD1_STAG),
};

/**
 * struct smmuv3_op_debug - The decoder's view of one opcode
 * @name: Architecture name; NULL for a reserved opcode.
 * @fields: The command's fields, BIT_ULL(&enum iommufd_vqueue_field).
 * @narrow: If not 0, the bits of dword 0 and 1 that the command's fields
 *	can have, where a field is shorter than its usual position.
 */
struct smmuv3_op_debug {
	const char *name;
	u64 fields;
	u64 narrow[2];
};

#define SMMUV3_OP(op, ...)						\
	[SMMUV3_##op] = { .name = #op, __VA_ARGS__ }

static const struct smmuv3_op_debug smmuv3_ops_debug[SMMUV3_CMD_DPTI_PA + 1] = {
	SMMUV3_OP(CMD_PREFETCH_CONFIG, .fields = SMMUV3_F_STREAM),
	/* Size is [4:0] here, [5:0] in ATC_INV */
	SMMUV3_OP(CMD_PREFETCH_ADDR,
		  .fields = SMMUV3_F_STREAM | SMMUV3_F(SIZE) | SMMUV3_F(ADDR),
		  .narrow = { ~0ULL, GENMASK_ULL(4, 0) | SMMUV3_CMD1_ADDR }),
	SMMUV3_OP(CMD_CFGI_STE, .fields = SMMUV3_F(SID) | SMMUV3_F(LEAF)),
	SMMUV3_OP(CMD_CFGI_STE_RANGE, .fields = SMMUV3_F(SID) | SMMUV3_F(RANGE)),
	SMMUV3_OP(CMD_CFGI_CD,
		  .fields = SMMUV3_F(SSID) | SMMUV3_F(SID) | SMMUV3_F(LEAF)),
	SMMUV3_OP(CMD_CFGI_CD_ALL, .fields = SMMUV3_F(SID)),
	SMMUV3_OP(CMD_CFGI_VMS_PIDM),
	SMMUV3_OP(CMD_TLBI_NH_ALL, .fields = SMMUV3_F(VMID)),
	SMMUV3_OP(CMD_TLBI_NH_ASID, .fields = SMMUV3_F(VMID) | SMMUV3_F(ASID)),
	SMMUV3_OP(CMD_TLBI_NH_VA,
		  .fields = SMMUV3_F_RANGE | SMMUV3_F(VMID) | SMMUV3_F(ASID)),
	SMMUV3_OP(CMD_TLBI_NH_VAA, .fields = SMMUV3_F_RANGE | SMMUV3_F(VMID)),
	SMMUV3_OP(CMD_TLBI_EL3_ALL),
	SMMUV3_OP(CMD_TLBI_EL3_VA,
		  .fields = SMMUV3_F(LEAF) | SMMUV3_F(TTL) | SMMUV3_F(TG) |
			    SMMUV3_F(ADDR)),
	SMMUV3_OP(CMD_TLBI_EL2_ALL),
	SMMUV3_OP(CMD_TLBI_EL2_ASID, .fields = SMMUV3_F(ASID)),
	SMMUV3_OP(CMD_TLBI_EL2_VA, .fields = SMMUV3_F_RANGE | SMMUV3_F(ASID)),
	SMMUV3_OP(CMD_TLBI_EL2_VAA, .fields = SMMUV3_F_RANGE),
	SMMUV3_OP(CMD_TLBI_S12_VMALL, .fields = SMMUV3_F(VMID)),
	/* The IPA is [55:12] */
	SMMUV3_OP(CMD_TLBI_S2_IPA, .fields = SMMUV3_F_RANGE | SMMUV3_F(VMID),
		  .narrow = { ~0ULL, ~SMMUV3_CMD1_ADDR | SMMUV3_CMD1_IPA }),
	SMMUV3_OP(CMD_TLBI_NSNH_ALL),
	SMMUV3_OP(CMD_ATC_INV,
		  .fields = SMMUV3_F_STREAM | SMMUV3_F(GLOBAL) | SMMUV3_F(SIZE) |
			    SMMUV3_F(ADDR)),
	SMMUV3_OP(CMD_PRI_RESP, .fields = SMMUV3_F_STREAM | SMMUV3_F(RESP)),
	SMMUV3_OP(CMD_RESUME, .fields = SMMUV3_F(SID) | SMMUV3_F(STAG)),
	SMMUV3_OP(CMD_STALL_TERM, .fields = SMMUV3_F(SID)),
	SMMUV3_OP(CMD_SYNC,
		  .fields = SMMUV3_F(CS) | SMMUV3_F(MSH) | SMMUV3_F(MSIATTR) |
			    SMMUV3_F(MSIADDR) | SMMUV3_F(MSIDATA)),
	SMMUV3_OP(CMD_TLBI_S_EL2_ALL),
	SMMUV3_OP(CMD_TLBI_S_EL2_ASID),
	SMMUV3_OP(CMD_TLBI_S_EL2_VA),
	SMMUV3_OP(CMD_TLBI_S_EL2_VAA),
	SMMUV3_OP(CMD_TLBI_S_S12_VMALL),
	SMMUV3_OP(CMD_TLBI_S_S2_IPA),
	SMMUV3_OP(CMD_TLBI_SNH_ALL),
	SMMUV3_OP(CMD_DPTI_ALL),
	SMMUV3_OP(CMD_DPTI_PA),
};

static const struct smmuv3_op_debug *smmuv3_op_debug(u16 opcode)
{
	if (opcode >= ARRAY_SIZE(smmuv3_ops_debug) ||
	    !smmuv3_ops_debug[opcode].name)
		return NULL;
	return &smmuv3_ops_debug[opcode];
}

static const char *smmuv3_op_name(const struct iommufd_vqueue_entry *e)
{
	const struct smmuv3_op_debug *d = smmuv3_op_debug(e->opcode);

	if (e->opcode == SMMUV3_CMD_CFGI_STE_RANGE &&
	    FIELD_GET(SMMUV3_CMD1_RANGE, e->words[1]) == SMMUV3_CFGI_RANGE_ALL)
		return "CMD_CFGI_ALL";
	return d ? d->name : NULL;
}

static void smmuv3_fields(const struct iommufd_vqueue_entry *e,
			  struct iommufd_vqueue_fields *f)
{
	const struct smmuv3_op_debug *d = smmuv3_op_debug(e->opcode);
	u64 fields;

	f->present = d ? d->fields : 0;
	for (fields = f->present; fields; fields &= fields - 1) {
		unsigned int i = __builtin_ctzll(fields);
		const struct smmuv3_field *pos = &smmuv3_field_pos[i];
		u64 mask = pos->mask;

		if (d->narrow[pos->word])
			mask &= d->narrow[pos->word];
		f->val[i] = (e->words[pos->word] & mask) >> pos->shift;
	}
}

static bool smmuv3_full(const struct iommufd_vqueue_geometry *geo, u32 prod,
			u32 cons)
{
	/* Same index, wrap bits differ */
	return ((prod ^ cons) & ((2U << geo->log2_entries) - 1)) ==
	       BIT(geo->log2_entries);
}

const struct iommufd_vqueue_format_debug iommufd_vqueue_smmuv3_debug = {
	.name = "smmuv3",
	.format = &iommufd_vqueue_smmuv3_format,
	.op_name = smmuv3_op_name,
	.fields = smmuv3_fields,
	.full = smmuv3_full,
};
