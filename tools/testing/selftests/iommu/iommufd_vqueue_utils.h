/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd helpers for the vqueue selftests: a guest's nested domain over the
 * mock IOMMU, vqueues over the SMMUv3 and VT-d register layouts, the vqueue
 * and mock-log commands, and queue entries as Linux builds them.
 *
 * In the idiom of iommufd_utils.h: _test_cmd_X() returns what ioctl()
 * returns, 0 or -1 with errno set; test_cmd_X() asserts that it succeeds and
 * test_err_X() that it fails with an errno, on self->fd inside a
 * kselftest_harness test.  The KVM selftests, which check from VMM threads
 * outside any test, call the _test_cmd_X() forms and assert their own way.
 *
 * iommufd_utils.h itself cannot be included next to tools/include, which the
 * KVM selftests and the queue format headers need: its PAGE_SIZE variable,
 * bit operations and BIT_MASK clash with tools/include's.  The few generic
 * commands needed here are therefore named apart from its helpers.
 */
#ifndef __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H
#define __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/bitfield.h>
#include <linux/iommufd.h>

/* tools/include's linux/types.h, which shadows the uAPI one, lacks it */
#ifndef __aligned_le64
#define __aligned_le64 __le64 __aligned(8)
#endif
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"
#include "../../../../drivers/iommu/iommufd/vqueue_smmuv3.h"
#include "../../../../drivers/iommu/iommufd/vqueue_vtd.h"

/* SMMUv3 register page 0: CMDQ_PROD, CMDQ_CONS, and CMDQ_BASE.RA */
#define SMMUV3_CMDQ_PROD_REG		0x98
#define SMMUV3_CMDQ_CONS_REG		0x9c
#define SMMUV3_Q_BASE_RA		BIT_ULL(62)

/**
 * struct test_smmuv3_cmd - An SMMUv3 command
 * @w: Its two 64-bit words
 */
struct test_smmuv3_cmd {
	uint64_t w[2];
};

/**
 * test_smmuv3_cmd() - A command from its words
 * @w0: Word 0, with the opcode
 * @w1: Word 1
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd test_smmuv3_cmd(uint64_t w0, uint64_t w1)
{
	return (struct test_smmuv3_cmd){ { w0, w1 } };
}

/**
 * test_smmuv3_tlbi_nh_asid() - CMD_TLBI_NH_ASID
 * @asid: The ASID
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd test_smmuv3_tlbi_nh_asid(uint16_t asid)
{
	return test_smmuv3_cmd(SMMUV3_CMD_TLBI_NH_ASID |
			       FIELD_PREP(SMMUV3_CMD0_ASID, asid), 0);
}

/**
 * test_smmuv3_tlbi_nh_va() - CMD_TLBI_NH_VA of one page, without range
 * @asid: The ASID
 * @va: The address
 * @leaf: Only leaf entries changed
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd
test_smmuv3_tlbi_nh_va(uint16_t asid, uint64_t va, bool leaf)
{
	return test_smmuv3_cmd(SMMUV3_CMD_TLBI_NH_VA |
			       FIELD_PREP(SMMUV3_CMD0_ASID, asid),
			       (va & SMMUV3_CMD1_ADDR) |
			       FIELD_PREP(SMMUV3_CMD1_LEAF, leaf));
}

/**
 * test_smmuv3_tlbi_nh_va_range() - Leaf range CMD_TLBI_NH_VA, TG=4K, TTL=3
 * @asid: The ASID
 * @va: The start address
 * @num: NUM: (@num + 1) << @scale pages
 * @scale: SCALE
 *
 * As Linux builds them with IDR3.RIL for an unmap.
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd
test_smmuv3_tlbi_nh_va_range(uint16_t asid, uint64_t va, unsigned int num,
			     unsigned int scale)
{
	return test_smmuv3_cmd(SMMUV3_CMD_TLBI_NH_VA |
			       FIELD_PREP(SMMUV3_CMD0_NUM, num) |
			       FIELD_PREP(SMMUV3_CMD0_SCALE, scale) |
			       FIELD_PREP(SMMUV3_CMD0_ASID, asid),
			       (va & SMMUV3_CMD1_ADDR) |
			       FIELD_PREP(SMMUV3_CMD1_TG, SMMUV3_TG_4K) |
			       FIELD_PREP(SMMUV3_CMD1_TTL, 3) |
			       SMMUV3_CMD1_LEAF);
}

/**
 * test_smmuv3_sync() - CMD_SYNC, MSH=ISH, MSIATTR=OIWB
 * @cs: SMMUV3_SYNC_CS_SEV, or SMMUV3_SYNC_CS_IRQ for an MSI or interrupt
 * @msi_addr: With CS=IRQ, where the MSI goes (Linux: the sync's own slot)
 * @msi_data: Its data
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd test_smmuv3_sync(unsigned int cs,
						      uint64_t msi_addr,
						      uint32_t msi_data)
{
	return test_smmuv3_cmd(SMMUV3_CMD_SYNC |
			       FIELD_PREP(SMMUV3_CMD0_CS, cs) |
			       FIELD_PREP(SMMUV3_CMD0_MSH,
					  SMMUV3_SYNC_MSH_ISH) |
			       FIELD_PREP(SMMUV3_CMD0_MSIATTR,
					  SMMUV3_SYNC_MSIATTR_OIWB) |
			       FIELD_PREP(SMMUV3_CMD0_MSIDATA, msi_data),
			       msi_addr & SMMUV3_CMD1_MSIADDR);
}

/**
 * test_smmuv3_cfgi_ste() - CMD_CFGI_STE, leaf
 * @sid: The StreamID
 *
 * Return: the command.
 */
static inline struct test_smmuv3_cmd test_smmuv3_cfgi_ste(uint32_t sid)
{
	return test_smmuv3_cmd(SMMUV3_CMD_CFGI_STE |
			       FIELD_PREP(SMMUV3_CMD0_SID, sid),
			       SMMUV3_CMD1_LEAF);
}

/**
 * test_smmuv3_opcode() - The opcode of a command
 * @w0: Its word 0
 *
 * Return: the opcode.
 */
static inline unsigned int test_smmuv3_opcode(uint64_t w0)
{
	return FIELD_GET(SMMUV3_CMD0_OP, w0);
}

/**
 * struct test_vtd_desc - A VT-d invalidation descriptor
 * @qw: Its quadwords; a 128-bit queue holds the first two only
 *
 * The builders below make them as Linux's intel-iommu driver does
 * (drivers/iommu/intel/dmar.c), and build for a KVM guest too.
 */
struct test_vtd_desc {
	uint64_t qw[4];
};

/**
 * test_vtd_type() - The type of a VT-d descriptor, {qw0[11:9], qw0[3:0]}
 * @qw0: Its first quadword
 *
 * Return: the type.
 */
static inline uint32_t test_vtd_type(uint64_t qw0)
{
	return FIELD_GET(VTD_DESC0_TYPE_LO, qw0) |
	       FIELD_GET(VTD_DESC0_TYPE_HI, qw0) << 4;
}

/**
 * test_vtd_piotlb() - Page-selective-within-PASID IOTLB invalidation
 * @did: Domain ID
 * @pasid: PASID
 * @addr: Address, 4KiB aligned
 * @am: Address mask: 2^@am pages, naturally aligned around @addr
 * @ih: Invalidation hint: only leaf entries changed
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_piotlb(uint16_t did,
						   uint32_t pasid,
						   uint64_t addr,
						   unsigned int am, bool ih)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_PASID_IOTLB |
		FIELD_PREP(VTD_DESC0_GRAN, VTD_PIOTLB_G_PAGE) |
		FIELD_PREP(VTD_DESC0_DID, did) |
		FIELD_PREP(VTD_DESC0_PASID, pasid),
		addr | FIELD_PREP(VTD_DESC1_IH, ih) |
		FIELD_PREP(VTD_DESC1_AM, am) } };
}

/**
 * test_vtd_piotlb_pasid() - All non-global IOTLB entries of a PASID
 * @did: Domain ID
 * @pasid: PASID
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_piotlb_pasid(uint16_t did,
							 uint32_t pasid)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_PASID_IOTLB |
		FIELD_PREP(VTD_DESC0_GRAN, VTD_PIOTLB_G_PASID) |
		FIELD_PREP(VTD_DESC0_DID, did) |
		FIELD_PREP(VTD_DESC0_PASID, pasid), 0 } };
}

/**
 * test_vtd_wait() - Invalidation wait descriptor
 * @sw: Write @data to @addr on completion
 * @fi: Raise the completion interrupt (IF)
 * @data: Status data
 * @addr: Status address, 4-byte aligned
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_wait(bool sw, bool fi,
						 uint32_t data, uint64_t addr)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_WAIT | FIELD_PREP(VTD_WAIT0_IF, fi) |
		FIELD_PREP(VTD_WAIT0_SW, sw) |
		FIELD_PREP(VTD_WAIT0_DATA, data), addr } };
}

/**
 * test_vtd_dev_tlb() - Device-TLB invalidation of one page
 * @sid: The device's source ID
 * @addr: Address, 4KiB aligned
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_dev_tlb(uint16_t sid,
						    uint64_t addr)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_DEV_TLB | FIELD_PREP(VTD_DESC0_SID, sid), addr } };
}

/**
 * test_vtd_cc_global() - Global context-cache invalidation
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_cc_global(void)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_CC | FIELD_PREP(VTD_DESC0_GRAN, 1), 0 } };
}

/**
 * test_vtd_iotlb_psi() - Page-selective IOTLB invalidation (legacy mode)
 * @did: Domain ID
 * @addr: Address, 4KiB aligned
 * @am: Address mask
 *
 * With read and write draining, as Linux asks when the unit has them.
 *
 * Return: the descriptor.
 */
static inline struct test_vtd_desc test_vtd_iotlb_psi(uint16_t did,
						      uint64_t addr,
						      unsigned int am)
{
	return (struct test_vtd_desc){ {
		VTD_DESC_IOTLB | FIELD_PREP(VTD_DESC0_GRAN, 3) |
		VTD_IOTLB0_DW | VTD_IOTLB0_DR | FIELD_PREP(VTD_DESC0_DID, did),
		addr | FIELD_PREP(VTD_DESC1_AM, am) } };
}

/* The call fails, with this errno */
#ifndef EXPECT_ERRNO
#define EXPECT_ERRNO(expected_errno, cmd)		\
	({						\
		errno = 0;				\
		ASSERT_EQ(-1, cmd);			\
		EXPECT_EQ(expected_errno, errno);	\
	})
#endif

/*
 * ioctl() @request with a struct @type, its size set and the fields given
 * after it, as designated initialisers
 */
#define test_ioctl_sized(fd, request, type, ...)			\
	ioctl(fd, request, &(type) { .size = sizeof(type), __VA_ARGS__ })

/* Generic iommufd and mock commands */

static inline int _test_ioctl_ioas_map_fixed(int fd, uint32_t ioas_id,
					     void *va, size_t len,
					     uint64_t iova)
{
	return test_ioctl_sized(fd, IOMMU_IOAS_MAP, struct iommu_ioas_map,
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
					 IOMMU_IOAS_MAP_READABLE |
					 IOMMU_IOAS_MAP_WRITEABLE,
				.ioas_id = ioas_id, .user_va = (uintptr_t)va,
				.length = len, .iova = iova);
}

#define test_ioctl_ioas_map_fixed_at(ioas_id, va, len, iova)		\
	ASSERT_EQ(0, _test_ioctl_ioas_map_fixed(self->fd, ioas_id, va, len, \
						iova))

static inline int _test_ioctl_ioas_unmap_range(int fd, uint32_t ioas_id,
					       uint64_t iova, size_t len)
{
	return test_ioctl_sized(fd, IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap,
				.ioas_id = ioas_id, .iova = iova,
				.length = len);
}

#define test_ioctl_ioas_unmap_range(ioas_id, iova, len)			\
	ASSERT_EQ(0, _test_ioctl_ioas_unmap_range(self->fd, ioas_id, iova, len))

static inline int _test_ioctl_object_destroy(int fd, uint32_t id)
{
	return test_ioctl_sized(fd, IOMMU_DESTROY, struct iommu_destroy,
				.id = id);
}

#define test_ioctl_object_destroy(id)					\
	ASSERT_EQ(0, _test_ioctl_object_destroy(self->fd, id))
#define test_err_object_destroy(_errno, id)				\
	EXPECT_ERRNO(_errno, _test_ioctl_object_destroy(self->fd, id))

/* Mock device attached to @ioas_id, and its number in commands */
static inline int _test_cmd_mock_device(int fd, uint32_t ioas_id,
					uint32_t *stdev_id, uint32_t *idev_id,
					uint32_t *mock_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas_id,
	};
	int rc;

	rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (rc)
		return rc;
	*stdev_id = cmd.mock_domain.out_stdev_id;
	*idev_id = cmd.mock_domain.out_idev_id;

	cmd = (struct iommu_test_cmd){
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DEV_ID,
		.id = *idev_id,
	};
	rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!rc)
		*mock_id = cmd.mock_dev_id.out_mock_id;
	return rc;
}

static inline int _test_cmd_hwpt_alloc_flags(int fd, uint32_t dev_id,
					     uint32_t pt_id, uint32_t flags,
					     uint32_t data_type, void *data,
					     uint32_t data_len,
					     uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc;

	rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!rc)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

/* A nesting parent HWPT over @ioas_id */
static inline int _test_cmd_hwpt_alloc_parent(int fd, uint32_t dev_id,
					      uint32_t ioas_id,
					      uint32_t *hwpt_id)
{
	return _test_cmd_hwpt_alloc_flags(fd, dev_id, ioas_id,
					  IOMMU_HWPT_ALLOC_NEST_PARENT,
					  IOMMU_HWPT_DATA_NONE, NULL, 0,
					  hwpt_id);
}

#define test_cmd_hwpt_alloc_parent(dev_id, ioas_id, hwpt_id)		\
	ASSERT_EQ(0, _test_cmd_hwpt_alloc_parent(self->fd, dev_id, ioas_id, \
						 hwpt_id))

/* A mock nested HWPT over @parent_id, its IOTLB all default */
static inline int _test_cmd_hwpt_alloc_mock_nested(int fd, uint32_t dev_id,
						   uint32_t parent_id,
						   uint32_t *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return _test_cmd_hwpt_alloc_flags(fd, dev_id, parent_id, 0,
					  IOMMU_HWPT_DATA_SELFTEST, &data,
					  sizeof(data), hwpt_id);
}

#define test_cmd_hwpt_alloc_mock_nested(dev_id, parent_id, hwpt_id)	\
	ASSERT_EQ(0, _test_cmd_hwpt_alloc_mock_nested(self->fd, dev_id,	\
						      parent_id, hwpt_id))

/* IOMMU_HWPT_INVALIDATE of @*num entries; @*num becomes what was handled */
static inline int _test_cmd_hwpt_invalidate_array(int fd, uint32_t hwpt_id,
						  uint32_t data_type,
						  void *data,
						  uint32_t entry_len,
						  uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)data,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int rc;

	rc = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
	*num = cmd.entry_num;
	return rc;
}

/* Fails with EINVAL if the mock IOTLB @slot does not hold @val */
static inline int _test_cmd_mock_check_iotlb(int fd, uint32_t hwpt_id,
					     uint32_t slot, uint32_t val)
{
	return test_ioctl_sized(fd, IOMMU_TEST_CMD, struct iommu_test_cmd,
				.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
				.id = hwpt_id,
				.check_iotlb = { .id = slot, .iotlb = val });
}

#define test_cmd_mock_check_iotlb(hwpt_id, slot, val)			\
	EXPECT_EQ(0, _test_cmd_mock_check_iotlb(self->fd, hwpt_id, slot, val))

/*
 * Take up to @max entries of a mock nested HWPT's log of what it was asked
 * to invalidate (@op: IOMMU_TEST_OP_MD_SMMUV3_LOG, SMMUv3 commands as two
 * words each; IOMMU_TEST_OP_MD_VTD_LOG, struct iommu_hwpt_vtd_s1_invalidate).
 * @num is how many were copied and removed, @dropped (or NULL) how many did
 * not fit in the log since the last read.
 */
static inline int _test_cmd_mock_log(int fd, uint32_t op, uint32_t hwpt_id,
				     void *out, uint32_t max, uint32_t *num,
				     uint32_t *dropped)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = hwpt_id,
	};
	struct iommu_test_log *log = op == IOMMU_TEST_OP_MD_VTD_LOG ?
				     &cmd.vtd_log : &cmd.smmuv3_log;
	int rc;

	log->uptr = (uintptr_t)out;
	log->max = max;
	rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (rc)
		return rc;
	*num = log->out_num;
	if (dropped)
		*dropped = log->out_dropped;
	return 0;
}

#define test_cmd_mock_log(op, hwpt_id, out, max, num)			\
	ASSERT_EQ(0, _test_cmd_mock_log(self->fd, op, hwpt_id, out, max, num, \
					NULL))

/* The vqueue commands; test_cmd_X() and test_err_X() assert on self->fd */
#define test_cmd(cmd, ...)						\
	ASSERT_EQ(0, _test_cmd_##cmd(self->fd, __VA_ARGS__))
#define test_err(_errno, cmd, ...)					\
	EXPECT_ERRNO(_errno, _test_cmd_##cmd(self->fd, __VA_ARGS__))

static inline int _test_cmd_vqueue_alloc(int fd,
					 struct iommu_vqueue_alloc *cmd,
					 uint32_t *vqueue_id)
{
	int rc;

	rc = ioctl(fd, IOMMU_VQUEUE_ALLOC, cmd);
	if (!rc && vqueue_id)
		*vqueue_id = cmd->out_vqueue_id;
	return rc;
}

static inline int _test_cmd_vqueue_get_state(int fd, uint32_t vqueue_id,
					     struct iommu_vqueue_get_state *st)
{
	*st = (struct iommu_vqueue_get_state){
		.size = sizeof(*st),
		.vqueue_id = vqueue_id,
	};
	return ioctl(fd, IOMMU_VQUEUE_GET_STATE, st);
}

#define test_cmd_vqueue_get_state(vqueue_id, st)			\
	ASSERT_EQ(0, _test_cmd_vqueue_get_state(self->fd, vqueue_id, st))
#define test_err_vqueue_get_state(_errno, vqueue_id)			\
	({								\
		struct iommu_vqueue_get_state __st;			\
		EXPECT_ERRNO(_errno, _test_cmd_vqueue_get_state(self->fd, \
								vqueue_id, \
								&__st)); \
	})

static inline int _test_cmd_vqueue_modify(int fd, uint32_t vqueue_id,
					  uint32_t flags, uint64_t base)
{
	return test_ioctl_sized(fd, IOMMU_VQUEUE_MODIFY,
				struct iommu_vqueue_modify, .flags = flags,
				.vqueue_id = vqueue_id, .base = base);
}

static inline int _test_cmd_vqueue_set_vdevice(int fd, uint32_t vqueue_id,
					       uint32_t flags, uint32_t dev_id,
					       uint64_t virt_id)
{
	return test_ioctl_sized(fd, IOMMU_VQUEUE_SET_VDEVICE,
				struct iommu_vqueue_set_vdevice, .flags = flags,
				.vqueue_id = vqueue_id, .dev_id = dev_id,
				.virt_id = virt_id);
}

static inline int _test_cmd_vqueue_set_vdomain(int fd, uint32_t vqueue_id,
					       uint32_t flags, uint32_t hwpt_id,
					       uint32_t domain_id,
					       uint32_t pasid)
{
	return test_ioctl_sized(fd, IOMMU_VQUEUE_SET_VDOMAIN,
				struct iommu_vqueue_set_vdomain, .flags = flags,
				.vqueue_id = vqueue_id, .hwpt_id = hwpt_id,
				.domain_id = domain_id, .pasid = pasid);
}

static inline int _test_cmd_vqueue_resume(int fd, uint32_t vqueue_id,
					  uint32_t flags, uint32_t consumed)
{
	return test_ioctl_sized(fd, IOMMU_VQUEUE_RESUME,
				struct iommu_vqueue_resume, .flags = flags,
				.vqueue_id = vqueue_id, .consumed = consumed);
}

#define test_cmd_vqueue_alloc(...)		test_cmd(vqueue_alloc, __VA_ARGS__)
#define test_cmd_vqueue_modify(...)		test_cmd(vqueue_modify, __VA_ARGS__)
#define test_cmd_vqueue_set_vdevice(...)	test_cmd(vqueue_set_vdevice, __VA_ARGS__)
#define test_cmd_vqueue_set_vdomain(...)	test_cmd(vqueue_set_vdomain, __VA_ARGS__)
#define test_cmd_vqueue_resume(...)		test_cmd(vqueue_resume, __VA_ARGS__)
#define test_err_vqueue_alloc(_errno, ...)	test_err(_errno, vqueue_alloc, __VA_ARGS__)
#define test_err_vqueue_modify(_errno, ...)	test_err(_errno, vqueue_modify, __VA_ARGS__)
#define test_err_vqueue_set_vdevice(_errno, ...)	\
	test_err(_errno, vqueue_set_vdevice, __VA_ARGS__)
#define test_err_vqueue_set_vdomain(_errno, ...)	\
	test_err(_errno, vqueue_set_vdomain, __VA_ARGS__)
#define test_err_vqueue_resume(_errno, ...)	test_err(_errno, vqueue_resume, __VA_ARGS__)

/**
 * struct test_nest - A mock device with a nested HWPT, as a VMM has them
 * @ioas_id: The IOAS; guest memory is mapped at IOVA == GPA
 * @stdev_id: The mock device's selftest object
 * @idev_id: The mock device's iommufd device
 * @mock_id: The mock device's number (its "physical StreamID")
 * @parent_id: The nesting parent HWPT over @ioas_id
 * @nested_id: A mock nested HWPT over @parent_id
 * @failed: After _test_nest_setup() failed, the step that did
 * @mock_absent: After _test_nest_setup() failed, whether it was because the
 *	kernel has no CONFIG_IOMMUFD_TEST mock
 */
struct test_nest {
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	uint32_t mock_id;
	uint32_t parent_id;
	uint32_t nested_id;
	const char *failed;
	bool mock_absent;
};

/**
 * _test_nest_setup() - Build a guest's nested domain over the mock IOMMU
 * @fd: iommufd
 * @n: Filled in
 * @va: Guest memory to map
 * @len: Its length
 * @iova: Its GPA, where the IOAS maps it
 *
 * The IOAS, the mock device attached to it, the nesting parent HWPT and a
 * mock nested HWPT over it.  On failure @n->failed names the step.  The
 * first mock command failing with ENOTTY sets @n->mock_absent: that is the
 * one failure that means a feature is absent rather than broken.
 *
 * Return: 0, or -1 with errno set.
 */
static inline int _test_nest_setup(int fd, struct test_nest *n, void *va,
				   size_t len, uint64_t iova)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };

	memset(n, 0, sizeof(*n));
	n->failed = "IOMMU_IOAS_ALLOC";
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		return -1;
	n->ioas_id = ioas.out_ioas_id;
	n->failed = "IOMMU_IOAS_MAP of guest memory";
	if (_test_ioctl_ioas_map_fixed(fd, n->ioas_id, va, len, iova))
		return -1;
	n->failed = "IOMMU_TEST_OP_MOCK_DOMAIN";
	if (_test_cmd_mock_device(fd, n->ioas_id, &n->stdev_id, &n->idev_id,
				  &n->mock_id)) {
		n->mock_absent = errno == ENOTTY && !n->stdev_id;
		return -1;
	}
	n->failed = "IOMMU_HWPT_ALLOC of the nesting parent";
	if (_test_cmd_hwpt_alloc_parent(fd, n->idev_id, n->ioas_id,
					&n->parent_id))
		return -1;
	n->failed = "IOMMU_HWPT_ALLOC of the nested HWPT";
	if (_test_cmd_hwpt_alloc_mock_nested(fd, n->idev_id, n->parent_id,
					     &n->nested_id))
		return -1;
	n->failed = NULL;
	return 0;
}

/**
 * test_vqueue_worker_tid() - The vqueue's worker, a thread of this process
 * @vqueue_id: Its vqueue
 *
 * Return: the thread ID of the thread named for the vqueue's worker, or 0
 */
static inline pid_t test_vqueue_worker_tid(uint32_t vqueue_id)
{
	char want[32], path[300], comm[32];
	struct dirent *d;
	pid_t tid = 0;
	DIR *dir;
	FILE *f;

	snprintf(want, sizeof(want), "iommufd-vq-%u\n", vqueue_id);
	dir = opendir("/proc/self/task");
	if (!dir)
		return 0;
	while (!tid && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			tid = atoi(d->d_name);
		fclose(f);
	}
	closedir(dir);
	return tid;
}

/**
 * struct test_vqueue_fds - The eventfds of one vqueue
 * @doorbell: Signalled by whoever emulates the producer register store
 * @stop: Signalled by the vqueue when it stops for the VMM
 * @irq: Completion interrupts, or -1
 */
struct test_vqueue_fds {
	int doorbell;
	int stop;
	int irq;
};

/**
 * test_vqueue_fds_open() - Non-blocking eventfds for a vqueue
 * @f: Filled in; every fd that could not be created is -1
 * @irq: Whether to create the irq eventfd too
 *
 * Return: 0, or -1 with errno set.
 */
static inline int test_vqueue_fds_open(struct test_vqueue_fds *f, bool irq)
{
	f->doorbell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->irq = irq ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	return f->doorbell < 0 || f->stop < 0 || (irq && f->irq < 0) ? -1 : 0;
}

/**
 * test_vqueue_fds_close() - Close what test_vqueue_fds_open() opened
 * @f: The eventfds; each becomes -1
 */
static inline void test_vqueue_fds_close(struct test_vqueue_fds *f)
{
	if (f->doorbell >= 0)
		close(f->doorbell);
	if (f->stop >= 0)
		close(f->stop);
	if (f->irq >= 0)
		close(f->irq);
	f->doorbell = -1;
	f->stop = -1;
	f->irq = -1;
}

/**
 * test_vqueue_smmuv3() - IOMMU_VQUEUE_ALLOC of an SMMUv3 command queue
 * @hwpt_id: The mock nested HWPT
 * @iova: Queue base, in the IOAS
 * @log2: CMDQ_BASE.LOG2SIZE, also the largest size the vIOMMU offers
 * @regs: SMMUv3 register page 0, or any memory laid out like it
 * @f: The vqueue's eventfds
 *
 * The mock takes the raw commands; the caller may change any field before
 * _test_cmd_vqueue_alloc().
 *
 * Return: the request.
 */
static inline struct iommu_vqueue_alloc
test_vqueue_smmuv3(uint32_t hwpt_id, uint64_t iova, unsigned int log2,
		   void *regs, const struct test_vqueue_fds *f)
{
	return (struct iommu_vqueue_alloc){
		.size = sizeof(struct iommu_vqueue_alloc),
		.hwpt_id = hwpt_id,
		.format = IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3,
		.max_log2_entries = log2,
		.base = SMMUV3_Q_BASE_RA | iova | log2,
		.regs_uptr = (uintptr_t)regs,
		.prod_offset = SMMUV3_CMDQ_PROD_REG,
		.cons_offset = SMMUV3_CMDQ_CONS_REG,
		.doorbell_fd = f->doorbell,
		.stop_fd = f->stop,
		.irq_fd = f->irq,
	};
}

/**
 * test_vqueue_vtd() - IOMMU_VQUEUE_ALLOC of a VT-d invalidation queue
 * @hwpt_id: A mock nested HWPT over the guest's IOAS
 * @iqa: The guest's IQA: base, DW and QS
 * @regs: The remapping unit's registers: IQH, IQT and ICS in place
 * @f: The vqueue's eventfds
 *
 * The mock takes the stage-1 invalidations the vqueue converts P_IOTLB
 * descriptors to; the caller binds (DID, PASID) pairs with
 * IOMMU_VQUEUE_SET_VDOMAIN and may change any field before
 * _test_cmd_vqueue_alloc().
 *
 * Return: the request.
 */
static inline struct iommu_vqueue_alloc
test_vqueue_vtd(uint32_t hwpt_id, uint64_t iqa, void *regs,
		const struct test_vqueue_fds *f)
{
	return (struct iommu_vqueue_alloc){
		.size = sizeof(struct iommu_vqueue_alloc),
		.hwpt_id = hwpt_id,
		.format = IOMMU_VQUEUE_FORMAT_VTD_QI,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_VTD,
		.max_log2_entries = VTD_IQ_MAX_LOG2,
		.base = iqa,
		.regs_uptr = (uintptr_t)regs,
		.prod_offset = VTD_IQT_REG,
		.cons_offset = VTD_IQH_REG,
		.status_offset = VTD_ICS_REG,
		.doorbell_fd = f->doorbell,
		.stop_fd = f->stop,
		.irq_fd = f->irq,
	};
}

#endif /* __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H */
