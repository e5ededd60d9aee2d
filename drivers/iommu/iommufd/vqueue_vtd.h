/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VT-d invalidation queue encodings used by the iommufd vqueue format
 * (vqueue_vtd.c), its tests and the vqdecode tool.
 *
 * The intel-iommu driver keeps its QI_* definitions private; these are
 * written from the VT-d architecture specification (invalidation queue
 * registers and descriptors) and carry a VTD_ prefix so that they can never
 * be confused with the driver's.
 */
#ifndef __IOMMUFD_VQUEUE_VTD_H
#define __IOMMUFD_VQUEUE_VTD_H

#include <linux/bits.h>
#include <linux/types.h>

/* Remapping unit registers of the invalidation queue */
#define VTD_IQH_REG			0x80
#define VTD_IQT_REG			0x88
#define VTD_IQA_REG			0x90
#define VTD_ICS_REG			0x9c
#define VTD_IQERCD_REG			0xb0

/* IQH and IQT: byte offset of a descriptor in the queue */
#define VTD_IQ_OFFSET			GENMASK(18, 4)

/* IQA: base, descriptor width (0: 128-bit, 1: 256-bit), 2^QS 4KiB pages */
#define VTD_IQA_ADDR			GENMASK_ULL(63, 12)
#define VTD_IQA_DW			BIT_ULL(11)
#define VTD_IQA_QS			GENMASK_ULL(2, 0)
/* QS=7 with 128-bit descriptors: 2^15 entries */
#define VTD_IQ_MAX_LOG2			15

/* ICS: an invalidation wait descriptor with IF=1 completed */
#define VTD_ICS_IWC			BIT(0)

/* IQERCD.IQEI: why FSTS.IQE was set (IQERCD register description) */
#define VTD_IQEI_NONE			0	/* no information */
#define VTD_IQEI_TAIL			1	/* invalid tail pointer */
#define VTD_IQEI_FETCH			2	/* descriptor fetch error */
#define VTD_IQEI_TYPE			3	/* invalid descriptor type */
#define VTD_IQEI_RSVD			4	/* reserved field in a valid type */
#define VTD_IQEI_IQA_DW			5	/* invalid IQA.DW programmed */

/* Descriptor types, {qw0[11:9], qw0[3:0]} */
#define VTD_DESC_CC			0x1
#define VTD_DESC_IOTLB			0x2
#define VTD_DESC_DEV_TLB		0x3
#define VTD_DESC_IEC			0x4
#define VTD_DESC_WAIT			0x5
#define VTD_DESC_PASID_IOTLB		0x6
#define VTD_DESC_PASID_CACHE		0x7
#define VTD_DESC_PASID_DEV_TLB		0x8
#define VTD_DESC_PAGE_GRP_RESP		0x9

/* Quadword 0; which type has which field is in vqueue_vtd.c */
#define VTD_DESC0_TYPE_LO		GENMASK_ULL(3, 0)
#define VTD_DESC0_TYPE_HI		GENMASK_ULL(11, 9)
#define VTD_DESC0_TYPE			(VTD_DESC0_TYPE_HI | VTD_DESC0_TYPE_LO)
#define VTD_DESC0_GRAN			GENMASK_ULL(5, 4)
#define VTD_DESC0_DID			GENMASK_ULL(31, 16)
#define VTD_DESC0_RID			GENMASK_ULL(31, 16)
#define VTD_DESC0_SID			GENMASK_ULL(47, 32)
#define VTD_DESC0_PASID			GENMASK_ULL(51, 32)
#define VTD_DESC0_PFSID_LO		GENMASK_ULL(15, 12)
#define VTD_DESC0_PFSID_HI		GENMASK_ULL(63, 52)
#define VTD_CC0_FM			GENMASK_ULL(49, 48)
#define VTD_IOTLB0_DW			BIT_ULL(6)
#define VTD_IOTLB0_DR			BIT_ULL(7)
#define VTD_DEV_TLB0_MIP		GENMASK_ULL(20, 16)
#define VTD_IEC0_G			BIT_ULL(4)
#define VTD_IEC0_IM			GENMASK_ULL(31, 27)
#define VTD_IEC0_IIDX			GENMASK_ULL(47, 32)
#define VTD_WAIT0_IF			BIT_ULL(4)
#define VTD_WAIT0_SW			BIT_ULL(5)
#define VTD_WAIT0_FN			BIT_ULL(6)
#define VTD_WAIT0_PD			BIT_ULL(7)
#define VTD_WAIT0_DATA			GENMASK_ULL(63, 32)
#define VTD_PDEV_TLB0_MIP		GENMASK_ULL(8, 4)
#define VTD_PGRP0_PP			BIT_ULL(4)
#define VTD_PGRP0_PDP			BIT_ULL(5)
#define VTD_PGRP0_RESP			GENMASK_ULL(15, 12)

/* Quadword 1 */
#define VTD_DESC1_ADDR			GENMASK_ULL(63, 12)
#define VTD_DESC1_AM			GENMASK_ULL(5, 0)
#define VTD_DESC1_IH			BIT_ULL(6)
#define VTD_DEV_TLB1_S			BIT_ULL(0)
#define VTD_PDEV_TLB1_G			BIT_ULL(0)
#define VTD_PDEV_TLB1_S			BIT_ULL(11)
#define VTD_WAIT1_ADDR			GENMASK_ULL(63, 2)
#define VTD_PGRP1_LPIG			BIT_ULL(2)
#define VTD_PGRP1_PRGI			GENMASK_ULL(11, 3)

/* PASID-based IOTLB granularity */
#define VTD_PIOTLB_G_PASID		2	/* all non-global in PASID */
#define VTD_PIOTLB_G_PAGE		3	/* page-selective in PASID */

/* An address mask this large covers the whole 64-bit address space */
#define VTD_AM_ALL			52

struct iommu_hwpt_vtd_s1_invalidate;

void iommufd_vqueue_vtd_s1_range(u64 qw0, u64 qw1,
				 struct iommu_hwpt_vtd_s1_invalidate *inv);

#endif /* __IOMMUFD_VQUEUE_VTD_H */
