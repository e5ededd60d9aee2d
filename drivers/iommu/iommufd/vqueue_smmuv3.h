/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm SMMUv3 command queue encodings used by the iommufd vqueue format
 * (vqueue_smmuv3.c), its tests and the vqdecode tool: the one place that
 * defines them, selftests included. It needs <linux/bits.h> (tools/include
 * in userspace).
 *
 * The arm-smmu-v3 driver keeps its own definitions private; these are written
 * from the architecture (Arm IHI 0070) and carry an SMMUV3_ prefix so that
 * they can never be confused with the driver's.
 */
#ifndef __IOMMUFD_VQUEUE_SMMUV3_H
#define __IOMMUFD_VQUEUE_SMMUV3_H

#include <linux/bits.h>

/* Command opcodes, dword 0 [7:0], named as in the architecture */
#define SMMUV3_CMD_PREFETCH_CONFIG	0x01
#define SMMUV3_CMD_PREFETCH_ADDR	0x02
#define SMMUV3_CMD_CFGI_STE		0x03
#define SMMUV3_CMD_CFGI_STE_RANGE	0x04	/* CMD_CFGI_ALL when Range is 31 */
#define SMMUV3_CMD_CFGI_CD		0x05
#define SMMUV3_CMD_CFGI_CD_ALL		0x06
#define SMMUV3_CMD_CFGI_VMS_PIDM	0x07
#define SMMUV3_CMD_TLBI_NH_ALL		0x10
#define SMMUV3_CMD_TLBI_NH_ASID		0x11
#define SMMUV3_CMD_TLBI_NH_VA		0x12
#define SMMUV3_CMD_TLBI_NH_VAA		0x13
#define SMMUV3_CMD_TLBI_EL3_ALL		0x18
#define SMMUV3_CMD_TLBI_EL3_VA		0x1a
#define SMMUV3_CMD_TLBI_EL2_ALL		0x20
#define SMMUV3_CMD_TLBI_EL2_ASID	0x21
#define SMMUV3_CMD_TLBI_EL2_VA		0x22
#define SMMUV3_CMD_TLBI_EL2_VAA		0x23
#define SMMUV3_CMD_TLBI_S12_VMALL	0x28
#define SMMUV3_CMD_TLBI_S2_IPA		0x2a
#define SMMUV3_CMD_TLBI_NSNH_ALL	0x30
#define SMMUV3_CMD_ATC_INV		0x40
#define SMMUV3_CMD_PRI_RESP		0x41
#define SMMUV3_CMD_RESUME		0x44
#define SMMUV3_CMD_STALL_TERM		0x45
#define SMMUV3_CMD_SYNC			0x46
#define SMMUV3_CMD_TLBI_S_EL2_ALL	0x50
#define SMMUV3_CMD_TLBI_S_EL2_ASID	0x51
#define SMMUV3_CMD_TLBI_S_EL2_VA	0x52
#define SMMUV3_CMD_TLBI_S_EL2_VAA	0x53
#define SMMUV3_CMD_TLBI_S_S12_VMALL	0x58
#define SMMUV3_CMD_TLBI_S_S2_IPA	0x5a
#define SMMUV3_CMD_TLBI_SNH_ALL		0x60
#define SMMUV3_CMD_DPTI_ALL		0x70
#define SMMUV3_CMD_DPTI_PA		0x73

/* CMDQ_CONS.ERR codes */
#define SMMUV3_CERROR_NONE		0
#define SMMUV3_CERROR_ILL		1
#define SMMUV3_CERROR_ABT		2
#define SMMUV3_CERROR_ATC_INV_SYNC	3

/* CMDQ_BASE */
#define SMMUV3_Q_BASE_ADDR		GENMASK_ULL(55, 5)
#define SMMUV3_Q_BASE_LOG2SIZE		GENMASK_ULL(4, 0)
#define SMMUV3_Q_MAX_LOG2SIZE		19

/* CMDQ_CONS */
#define SMMUV3_CONS_ERR			GENMASK(30, 24)

/* Command dword 0 fields; which command has which is in vqueue_smmuv3.c */
#define SMMUV3_CMD0_OP			GENMASK_ULL(7, 0)
#define SMMUV3_CMD0_GLOBAL		BIT_ULL(9)
#define SMMUV3_CMD0_SSEC		BIT_ULL(10)
#define SMMUV3_CMD0_SSV			BIT_ULL(11)
#define SMMUV3_CMD0_SSID		GENMASK_ULL(31, 12)
#define SMMUV3_CMD0_NUM			GENMASK_ULL(16, 12)
#define SMMUV3_CMD0_SCALE		GENMASK_ULL(24, 20)
#define SMMUV3_CMD0_CS			GENMASK_ULL(13, 12)
#define SMMUV3_CMD0_MSH			GENMASK_ULL(23, 22)
#define SMMUV3_CMD0_MSIATTR		GENMASK_ULL(27, 24)
#define SMMUV3_CMD0_SID			GENMASK_ULL(63, 32)
#define SMMUV3_CMD0_VMID		GENMASK_ULL(47, 32)
#define SMMUV3_CMD0_ASID		GENMASK_ULL(63, 48)
#define SMMUV3_CMD0_MSIDATA		GENMASK_ULL(63, 32)

/* Command dword 1 fields */
#define SMMUV3_CMD1_LEAF		BIT_ULL(0)
#define SMMUV3_CMD1_RANGE		GENMASK_ULL(4, 0)
#define SMMUV3_CMD1_SIZE		GENMASK_ULL(5, 0)
#define SMMUV3_CMD1_TTL128		BIT_ULL(7)
#define SMMUV3_CMD1_TTL			GENMASK_ULL(9, 8)
#define SMMUV3_CMD1_TG			GENMASK_ULL(11, 10)
#define SMMUV3_CMD1_ADDR		GENMASK_ULL(63, 12)
#define SMMUV3_CMD1_IPA			GENMASK_ULL(55, 12)
#define SMMUV3_CMD1_RESP		GENMASK_ULL(13, 12)
#define SMMUV3_CMD1_STAG		GENMASK_ULL(15, 0)
#define SMMUV3_CMD1_MSIADDR		GENMASK_ULL(55, 2)

/* CMD_SYNC completion signal (CS) and MSI shareability (MSH) */
#define SMMUV3_SYNC_CS_NONE		0
#define SMMUV3_SYNC_CS_IRQ		1
#define SMMUV3_SYNC_CS_SEV		2
#define SMMUV3_SYNC_MSH_ISH		3
#define SMMUV3_SYNC_MSIATTR_OIWB	0xf

/* TLBI translation granule (TG) */
#define SMMUV3_TG_ANY			0
#define SMMUV3_TG_4K			1
#define SMMUV3_TG_16K			2
#define SMMUV3_TG_64K			3

/* CFGI_STE_RANGE Range value that means CMD_CFGI_ALL */
#define SMMUV3_CFGI_RANGE_ALL		31
/* ATC_INV Size that covers the whole address space */
#define SMMUV3_ATC_INV_SIZE_ALL		52
/* PRI_RESP Resp value that is illegal */
#define SMMUV3_PRI_RESP_ILLEGAL		3

#endif /* __IOMMUFD_VQUEUE_SMMUV3_H */
