// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arm SMMUv3 command queue format for iommufd vqueues.
 *
 * Decides, for each command a guest queued, whether the kernel may forward it
 * to the host IOMMU driver (stage-1 TLB, context descriptor and ATC
 * invalidations), complete it (CMD_SYNC), must leave it to the VMM, or must
 * reject it with CERROR_ILL. Everything that reaches the host has passed a
 * strict check: a guest can never make the host issue a command with more
 * reach than an invalidation of its own stage 1 and its own devices.
 *
 * Reserved (RES0) bits: the architecture lets an SMMU either ignore them or
 * raise CERROR_ILL. Commands the kernel handles itself (forwarded and
 * CMD_SYNC) are rejected when any RES0 bit is set, so that no bit whose
 * meaning a later architecture version defines (TTL128, SCALE[5] with
 * IDR5.DS) reaches host hardware that may read it. Linux never sets them.
 * Commands that exit to the VMM are handed over untouched; the VMM applies
 * its own policy. SSec is checked on every command that has it: this is
 * a Non-secure queue.
 *
 * Built in the kernel and in userspace (tools/iommu); keep it pure. The
 * names and field tables that only a decoder needs are in
 * vqueue_smmuv3_debug.c.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "vqueue_format.h"
#include "vqueue_smmuv3.h"

/* Bits of each dword that some command uses the same way */
#define SMMUV3_D0_STREAM	(SMMUV3_CMD0_OP | SMMUV3_CMD0_SSV | \
				 SMMUV3_CMD0_SSID | SMMUV3_CMD0_SID)
#define SMMUV3_D0_RANGE		(SMMUV3_CMD0_OP | SMMUV3_CMD0_NUM | \
				 SMMUV3_CMD0_SCALE | SMMUV3_CMD0_VMID)
#define SMMUV3_D1_RANGE		(SMMUV3_CMD1_LEAF | SMMUV3_CMD1_TTL | \
				 SMMUV3_CMD1_TG | SMMUV3_CMD1_ADDR)

/* The command has an SSec bit, which must be 0 on a Non-secure queue */
#define SMMUV3_OPF_SSEC		BIT(0)

/* The opcode is defined by the architecture (the others are reserved) */
#define SMMUV3_OPF_KNOWN	BIT(1)

/**
 * struct smmuv3_op - What this format knows about one opcode
 * @defined: Bits of dword 0 and 1 that have a meaning (the rest are RES0).
 * @class: Class when the command passes every check.
 * @flags: SMMUV3_OPF_*.
 *
 * Commands this vSMMU never accepts are listed too, with class illegal, so
 * that the table says why.
 */
struct smmuv3_op {
	u64 defined[2];
	u8 class;
	u8 flags;
};

#define SMMUV3_OP(op, cls, opf, ...)					\
	[SMMUV3_##op] = { .class = IOMMUFD_VQUEUE_CLASS_##cls,		\
			  .flags = SMMUV3_OPF_KNOWN | (opf), __VA_ARGS__ }

static const struct smmuv3_op smmuv3_ops[SMMUV3_CMD_DPTI_PA + 1] = {
	SMMUV3_OP(CMD_PREFETCH_CONFIG, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_D0_STREAM | SMMUV3_CMD0_SSEC }),
	SMMUV3_OP(CMD_PREFETCH_ADDR, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_D0_STREAM | SMMUV3_CMD0_SSEC,
			       GENMASK_ULL(4, 0) | SMMUV3_CMD1_ADDR }),
	SMMUV3_OP(CMD_CFGI_STE, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC | SMMUV3_CMD0_SID,
			       SMMUV3_CMD1_LEAF }),
	SMMUV3_OP(CMD_CFGI_STE_RANGE, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC | SMMUV3_CMD0_SID,
			       SMMUV3_CMD1_RANGE }),
	SMMUV3_OP(CMD_CFGI_CD, INVALIDATE, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC |
			       SMMUV3_CMD0_SSID | SMMUV3_CMD0_SID,
			       SMMUV3_CMD1_LEAF }),
	SMMUV3_OP(CMD_CFGI_CD_ALL, INVALIDATE, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC | SMMUV3_CMD0_SID }),
	/* No MPAM on a vSMMU */
	SMMUV3_OP(CMD_CFGI_VMS_PIDM, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_NH_ALL, INVALIDATE, 0,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_VMID }),
	SMMUV3_OP(CMD_TLBI_NH_ASID, INVALIDATE, 0,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_VMID | SMMUV3_CMD0_ASID }),
	SMMUV3_OP(CMD_TLBI_NH_VA, INVALIDATE, 0,
		  .defined = { SMMUV3_D0_RANGE | SMMUV3_CMD0_ASID, SMMUV3_D1_RANGE }),
	SMMUV3_OP(CMD_TLBI_NH_VAA, INVALIDATE, 0,
		  .defined = { SMMUV3_D0_RANGE, SMMUV3_D1_RANGE }),
	/* Secure queue only */
	SMMUV3_OP(CMD_TLBI_EL3_ALL, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_EL3_VA, ILLEGAL, 0,
		  .defined = { SMMUV3_CMD0_OP, SMMUV3_D1_RANGE }),
	/* A vSMMU advertises IDR0.Hyp == 0 */
	SMMUV3_OP(CMD_TLBI_EL2_ALL, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_EL2_ASID, ILLEGAL, 0,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_ASID }),
	SMMUV3_OP(CMD_TLBI_EL2_VA, ILLEGAL, 0,
		  .defined = { SMMUV3_D0_RANGE | SMMUV3_CMD0_ASID, SMMUV3_D1_RANGE }),
	SMMUV3_OP(CMD_TLBI_EL2_VAA, ILLEGAL, 0,
		  .defined = { SMMUV3_D0_RANGE, SMMUV3_D1_RANGE }),
	/* The guest owns stage 1 only; stage 2 belongs to the host */
	SMMUV3_OP(CMD_TLBI_S12_VMALL, ILLEGAL, 0,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_VMID }),
	SMMUV3_OP(CMD_TLBI_S2_IPA, ILLEGAL, 0,
		  .defined = { SMMUV3_D0_RANGE,
			       SMMUV3_CMD1_LEAF | SMMUV3_CMD1_TTL |
			       SMMUV3_CMD1_TG | SMMUV3_CMD1_IPA }),
	SMMUV3_OP(CMD_TLBI_NSNH_ALL, INVALIDATE, 0,
		  .defined = { SMMUV3_CMD0_OP }),
	SMMUV3_OP(CMD_ATC_INV, INVALIDATE, 0,
		  .defined = { SMMUV3_D0_STREAM | SMMUV3_CMD0_GLOBAL,
			       SMMUV3_CMD1_SIZE | SMMUV3_CMD1_ADDR }),
	SMMUV3_OP(CMD_PRI_RESP, EXIT, 0,
		  .defined = { SMMUV3_D0_STREAM,
			       GENMASK_ULL(8, 0) | SMMUV3_CMD1_RESP }),
	SMMUV3_OP(CMD_RESUME, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC |
			       GENMASK_ULL(13, 12) | SMMUV3_CMD0_SID,
			       SMMUV3_CMD1_STAG }),
	SMMUV3_OP(CMD_STALL_TERM, EXIT, SMMUV3_OPF_SSEC,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_SSEC | SMMUV3_CMD0_SID }),
	SMMUV3_OP(CMD_SYNC, SYNC, 0,
		  .defined = { SMMUV3_CMD0_OP | SMMUV3_CMD0_CS | SMMUV3_CMD0_MSH |
			       SMMUV3_CMD0_MSIATTR | SMMUV3_CMD0_MSIDATA,
			       SMMUV3_CMD1_MSIADDR }),
	/* Secure queue only */
	SMMUV3_OP(CMD_TLBI_S_EL2_ALL, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_S_EL2_ASID, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_S_EL2_VA, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_S_EL2_VAA, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_S_S12_VMALL, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_S_S2_IPA, ILLEGAL, 0),
	SMMUV3_OP(CMD_TLBI_SNH_ALL, ILLEGAL, 0),
	/* A vSMMU advertises no DPT */
	SMMUV3_OP(CMD_DPTI_ALL, ILLEGAL, 0),
	SMMUV3_OP(CMD_DPTI_PA, ILLEGAL, 0),
};

static u32 smmuv3_ptr_mask(const struct iommufd_vqueue_geometry *geo)
{
	/* Index bits and the wrap bit just above them */
	return (2U << geo->log2_entries) - 1;
}

static int smmuv3_geometry(u64 base_reg, unsigned int max_log2,
			   struct iommufd_vqueue_geometry *geo)
{
	unsigned int log2 = FIELD_GET(SMMUV3_Q_BASE_LOG2SIZE, base_reg);
	u64 align;

	/* LOG2SIZE above IDR1.CMDQS is capped, not an error */
	max_log2 = min_t(unsigned int, max_log2, SMMUV3_Q_MAX_LOG2SIZE);
	log2 = min(log2, max_log2);
	/* The SMMU aligns the base to the queue size, and to at least 32 */
	align = max_t(u64, 16ULL << log2, 32);

	geo->base = base_reg & SMMUV3_Q_BASE_ADDR & ~(align - 1);
	geo->log2_entries = log2;
	geo->entry_size = 16;
	return 0;
}

static bool smmuv3_consistent(const struct iommufd_vqueue_geometry *geo, u32 prod,
			      u32 cons)
{
	/* More than a full queue ahead means PROD is behind CONS or lapped it */
	return ((prod - cons) & smmuv3_ptr_mask(geo)) <= BIT(geo->log2_entries);
}

static bool smmuv3_empty(const struct iommufd_vqueue_geometry *geo, u32 prod,
			 u32 cons)
{
	return !((prod ^ cons) & smmuv3_ptr_mask(geo));
}

static u32 smmuv3_pending(const struct iommufd_vqueue_geometry *geo, u32 prod,
			  u32 cons)
{
	u32 n = (prod - cons) & smmuv3_ptr_mask(geo);

	return n <= BIT(geo->log2_entries) ? n : 0;
}

static u32 smmuv3_index(const struct iommufd_vqueue_geometry *geo, u32 reg)
{
	return reg & (BIT(geo->log2_entries) - 1);
}

static u32 smmuv3_contig(const struct iommufd_vqueue_geometry *geo, u32 prod,
			 u32 cons)
{
	return min(smmuv3_pending(geo, prod, cons),
		   (u32)BIT(geo->log2_entries) - smmuv3_index(geo, cons));
}

static u32 smmuv3_advance(const struct iommufd_vqueue_geometry *geo, u32 reg,
			  u32 n)
{
	u32 mask = smmuv3_ptr_mask(geo);

	/* CONS.ERR and the RES0 bits above the wrap bit stay as they are */
	return (reg & ~mask) | ((reg + n) & mask);
}

/*
 * Range rules of Arm IHI 0070 4.4.1.1.  With TG == 0 the range fields are
 * RES0.  With TG != 0, NUM == SCALE == TTL == 0 is a reserved encoding that
 * raises CERROR_ILL, and so is TTL == 1 with a 16KB granule, which an SMMU
 * without IDR5.DS (a vSMMU never advertises it) treats as TTL == 0.
 */
static bool smmuv3_range_ok(u64 w0, u64 w1)
{
	u64 range = w0 & (SMMUV3_CMD0_NUM | SMMUV3_CMD0_SCALE);
	u64 ttl = FIELD_GET(SMMUV3_CMD1_TTL, w1);
	u64 tg = FIELD_GET(SMMUV3_CMD1_TG, w1);

	if (tg == SMMUV3_TG_ANY)
		return !(range | ttl);
	if (tg == SMMUV3_TG_16K && ttl == 1)
		ttl = 0;
	return range || ttl;
}

static bool smmuv3_legal(const struct smmuv3_op *d, u64 w0, u64 w1)
{
	if (d->class == IOMMUFD_VQUEUE_CLASS_ILLEGAL)
		return false;
	if ((d->flags & SMMUV3_OPF_SSEC) && (w0 & SMMUV3_CMD0_SSEC))
		return false;

	switch (FIELD_GET(SMMUV3_CMD0_OP, w0)) {
	case SMMUV3_CMD_PRI_RESP:
		return FIELD_GET(SMMUV3_CMD1_RESP, w1) != SMMUV3_PRI_RESP_ILLEGAL;
	case SMMUV3_CMD_SYNC:
		if (FIELD_GET(SMMUV3_CMD0_CS, w0) == 3)
			return false;
		break;
	case SMMUV3_CMD_ATC_INV:
		/* Optional in the architecture; nothing spans more than 2^64 */
		if (FIELD_GET(SMMUV3_CMD1_SIZE, w1) > SMMUV3_ATC_INV_SIZE_ALL)
			return false;
		break;
	case SMMUV3_CMD_TLBI_NH_VA:
	case SMMUV3_CMD_TLBI_NH_VAA:
		if (!smmuv3_range_ok(w0, w1))
			return false;
		break;
	}

	if (d->class == IOMMUFD_VQUEUE_CLASS_EXIT)
		return true;
	return !((w0 & ~d->defined[0]) | (w1 & ~d->defined[1]));
}

static const struct smmuv3_op *smmuv3_op(u16 opcode)
{
	if (opcode >= ARRAY_SIZE(smmuv3_ops) ||
	    !(smmuv3_ops[opcode].flags & SMMUV3_OPF_KNOWN))
		return NULL;
	return &smmuv3_ops[opcode];
}

/*
 * The vqueue's per-entry path: classification only reads the few fields the
 * rules need, straight from the words.
 */
static void smmuv3_decode(const struct iommufd_vqueue_geometry *geo,
			  const __le64 *raw, struct iommufd_vqueue_entry *e)
{
	u64 w0 = le64_to_cpu(raw[0]);
	u64 w1 = le64_to_cpu(raw[1]);
	const struct smmuv3_op *d;

	e->words[0] = w0;
	e->words[1] = w1;
	/* A stop hands every word to the VMM: none may hold stale stack */
	e->words[2] = 0;
	e->words[3] = 0;
	e->opcode = FIELD_GET(SMMUV3_CMD0_OP, w0);

	/* Refused unless proven legal; this shape also compiles shortest */
	e->class = IOMMUFD_VQUEUE_CLASS_ILLEGAL;
	e->error = SMMUV3_CERROR_ILL;
	d = smmuv3_op(e->opcode);
	if (d && smmuv3_legal(d, w0, w1)) {
		e->class = d->class;
		e->error = SMMUV3_CERROR_NONE;
	}
}

static int smmuv3_translate(const struct iommufd_vqueue_entry *e,
			    const struct iommufd_vqueue_vids *vids, void *out,
			    u32 *target)
{
	__le64 *cmd = out;
	u64 w0 = e->words[0];
	u64 w1 = e->words[1];
	u32 psid;
	int ret;

	if (e->class != IOMMUFD_VQUEUE_CLASS_INVALIDATE)
		return -EINVAL;

	switch (e->opcode) {
	case SMMUV3_CMD_TLBI_NSNH_ALL:
		/*
		 * The guest's whole non-secure, non-hyp world is stage 1 of its
		 * own VMID, and the backend supplies that VMID.
		 */
		w0 = FIELD_PREP(SMMUV3_CMD0_OP, SMMUV3_CMD_TLBI_NH_ALL);
		w1 = 0;
		break;
	case SMMUV3_CMD_TLBI_NH_ALL:
	case SMMUV3_CMD_TLBI_NH_ASID:
	case SMMUV3_CMD_TLBI_NH_VA:
	case SMMUV3_CMD_TLBI_NH_VAA:
		/*
		 * The VMID is the host's to choose: what the guest wrote there
		 * names nothing, and must not reach a backend that might use
		 * it instead of the nested domain's own.
		 */
		w0 &= ~SMMUV3_CMD0_VMID;
		break;
	case SMMUV3_CMD_ATC_INV:
	case SMMUV3_CMD_CFGI_CD:
	case SMMUV3_CMD_CFGI_CD_ALL:
		ret = vids ? vids->lookup(vids, FIELD_GET(SMMUV3_CMD0_SID, w0),
					  &psid) : -ENOENT;
		if (ret)
			return ret;
		w0 = (w0 & ~SMMUV3_CMD0_SID) | FIELD_PREP(SMMUV3_CMD0_SID, psid);
		break;
	}

	/* Everything goes to the vqueue's own nested domain */
	*target = 0;
	cmd[0] = cpu_to_le64(w0);
	cmd[1] = cpu_to_le64(w1);
	return 0;
}

static void smmuv3_sync(const struct iommufd_vqueue_entry *e,
			struct iommufd_vqueue_sync *s)
{
	s->addr = e->words[1] & SMMUV3_CMD1_MSIADDR;
	s->data = FIELD_GET(SMMUV3_CMD0_MSIDATA, e->words[0]);
	s->flags = 0;

	/*
	 * CS=IRQ: an MSI to a non-zero MSIAddress when the vSMMU advertises
	 * IDR0.MSI (Linux points it at the CMD_SYNC's own slot and polls it),
	 * and the wired CMD_SYNC interrupt when it has one. The vqueue knows
	 * which of the two the VMM emulates. CS=SEV and CS=NONE signal
	 * nothing: consumption of the CMD_SYNC is the completion.
	 */
	if (FIELD_GET(SMMUV3_CMD0_CS, e->words[0]) == SMMUV3_SYNC_CS_IRQ) {
		s->flags = IOMMUFD_VQUEUE_SYNC_IRQ;
		if (s->addr)
			s->flags |= IOMMUFD_VQUEUE_SYNC_WRITE;
	}
}

static u32 smmuv3_cons_error(u32 cons, unsigned int err)
{
	return (cons & ~SMMUV3_CONS_ERR) | FIELD_PREP(SMMUV3_CONS_ERR, err);
}

/* A StreamID is 32 bits wide, and it is what the commands name */
static int smmuv3_vdevice_key(u64 virt_id, u64 *key)
{
	if (virt_id >> 32)
		return -EINVAL;
	*key = virt_id;
	return 0;
}

const struct iommufd_vqueue_format iommufd_vqueue_smmuv3_format = {
	.max_log2_entries = SMMUV3_Q_MAX_LOG2SIZE,
	.error_illegal = SMMUV3_CERROR_ILL,
	.error_abort = SMMUV3_CERROR_ABT,
	.inv_size = 16,
	.geometry = smmuv3_geometry,
	.consistent = smmuv3_consistent,
	.empty = smmuv3_empty,
	.pending = smmuv3_pending,
	.contig = smmuv3_contig,
	.index = smmuv3_index,
	.advance = smmuv3_advance,
	.decode = smmuv3_decode,
	.translate = smmuv3_translate,
	.sync = smmuv3_sync,
	.cons_error = smmuv3_cons_error,
	.vdevice_key = smmuv3_vdevice_key,
};
