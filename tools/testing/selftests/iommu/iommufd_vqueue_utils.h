/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd setup for the vqueue selftests: an IOAS over guest memory, a mock
 * device, a nesting parent and a mock nested HWPT, vqueues over the SMMUv3
 * and VT-d register layouts, and thin wrappers of the ioctls involved.
 *
 * Shared by tools/testing/selftests/iommu (kselftest_harness) and
 * tools/testing/selftests/kvm (the KVM selftest library), which report
 * failures differently.  So no helper asserts: each returns what ioctl()
 * returns, 0 or -1 with errno set, and passes IDs back through pointers;
 * the caller asserts, skips or reports in its own way.
 */
#ifndef __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H
#define __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

/* tools/include's linux/types.h, first in the KVM tests' path, lacks it */
#ifndef __aligned_le64
#define __aligned_le64 __le64 __aligned(8)
#endif
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

/* Only the KVM tests have tools/include in their path */
#ifndef BIT_ULL
#define BIT_ULL(nr)			(1ULL << (nr))
#endif

/* SMMUv3 register page 0: CMDQ_PROD and CMDQ_CONS, and CMDQ_BASE.RA */
#define IOMMUFD_VQ_SMMUV3_PROD		0x98
#define IOMMUFD_VQ_SMMUV3_CONS		0x9c
#define IOMMUFD_VQ_SMMUV3_BASE_RA	BIT_ULL(62)

/* VT-d remapping unit: IQH, IQT, IQA, ICS, and IQA.DW (256-bit) */
#define IOMMUFD_VQ_VTD_IQH		0x80
#define IOMMUFD_VQ_VTD_IQT		0x88
#define IOMMUFD_VQ_VTD_IQA		0x90
#define IOMMUFD_VQ_VTD_ICS		0x9c
#define IOMMUFD_VQ_VTD_IQA_DW		BIT_ULL(11)
/* IQA.QS=7 with 128-bit descriptors: 2^15 entries */
#define IOMMUFD_VQ_VTD_MAX_LOG2		15

/* VT-d descriptor types and fields this header builds */
#define IOMMUFD_VTD_CC			0x1
#define IOMMUFD_VTD_IOTLB		0x2
#define IOMMUFD_VTD_DEV_TLB		0x3
#define IOMMUFD_VTD_WAIT		0x5
#define IOMMUFD_VTD_PIOTLB		0x6
#define IOMMUFD_VTD_GRAN_SHIFT		4
#define IOMMUFD_VTD_PIOTLB_G_PASID	2
#define IOMMUFD_VTD_PIOTLB_G_PAGE	3

/**
 * struct iommufd_vtd_desc - A VT-d invalidation descriptor
 * @qw: Its quadwords; a 128-bit queue holds the first two only
 *
 * The builders below make them as Linux's intel-iommu driver does
 * (drivers/iommu/intel/dmar.c), and build for a KVM guest too.
 */
struct iommufd_vtd_desc {
	uint64_t qw[4];
};

/**
 * iommufd_vtd_type() - The type of a VT-d descriptor, {qw0[11:9], qw0[3:0]}
 * @qw0: Its first quadword
 *
 * Return: the type.
 */
static inline uint32_t iommufd_vtd_type(uint64_t qw0)
{
	return (qw0 & 0xf) | (qw0 >> 5 & 0x70);
}

/**
 * iommufd_vtd_piotlb() - Page-selective-within-PASID IOTLB invalidation
 * @did: Domain ID
 * @pasid: PASID
 * @addr: Address, 4KiB aligned
 * @am: Address mask: 2^@am pages, naturally aligned around @addr
 * @ih: Invalidation hint: only leaf entries changed
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc
iommufd_vtd_piotlb(uint16_t did, uint32_t pasid, uint64_t addr,
		   unsigned int am, bool ih)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_PIOTLB |
		IOMMUFD_VTD_PIOTLB_G_PAGE << IOMMUFD_VTD_GRAN_SHIFT |
		(uint64_t)did << 16 | (uint64_t)pasid << 32,
		addr | (uint64_t)ih << 6 | am } };
}

/**
 * iommufd_vtd_piotlb_pasid() - All non-global IOTLB entries of a PASID
 * @did: Domain ID
 * @pasid: PASID
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc iommufd_vtd_piotlb_pasid(uint16_t did,
							       uint32_t pasid)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_PIOTLB |
		IOMMUFD_VTD_PIOTLB_G_PASID << IOMMUFD_VTD_GRAN_SHIFT |
		(uint64_t)did << 16 | (uint64_t)pasid << 32, 0 } };
}

/**
 * iommufd_vtd_wait() - Invalidation wait descriptor
 * @sw: Write @data to @addr on completion
 * @fi: Raise the completion interrupt (IF)
 * @data: Status data
 * @addr: Status address, 4-byte aligned
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc iommufd_vtd_wait(bool sw, bool fi,
						       uint32_t data,
						       uint64_t addr)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_WAIT | (uint64_t)fi << 4 | (uint64_t)sw << 5 |
		(uint64_t)data << 32, addr } };
}

/**
 * iommufd_vtd_dev_tlb() - Device-TLB invalidation of one page
 * @sid: The device's source ID
 * @addr: Address, 4KiB aligned
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc iommufd_vtd_dev_tlb(uint16_t sid,
							  uint64_t addr)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_DEV_TLB | (uint64_t)sid << 32, addr } };
}

/**
 * iommufd_vtd_cc_global() - Global context-cache invalidation
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc iommufd_vtd_cc_global(void)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_CC | 1 << IOMMUFD_VTD_GRAN_SHIFT, 0 } };
}

/**
 * iommufd_vtd_iotlb_psi() - Page-selective IOTLB invalidation (legacy mode)
 * @did: Domain ID
 * @addr: Address, 4KiB aligned
 * @am: Address mask
 *
 * With read and write draining, as Linux asks when the unit has them.
 *
 * Return: the descriptor.
 */
static inline struct iommufd_vtd_desc iommufd_vtd_iotlb_psi(uint16_t did,
							    uint64_t addr,
							    unsigned int am)
{
	return (struct iommufd_vtd_desc){ {
		IOMMUFD_VTD_IOTLB | 3 << IOMMUFD_VTD_GRAN_SHIFT | 1 << 6 |
		1 << 7 | (uint64_t)did << 16, addr | am } };
}

/**
 * struct iommufd_nest - A mock device with a nested HWPT, as a VMM has them
 * @fd: The iommufd, or -1
 * @ioas_id: The IOAS; guest memory is mapped at IOVA == GPA
 * @stdev_id: The mock device's selftest object
 * @idev_id: The mock device's iommufd device
 * @mock_id: The mock device's number (its "physical StreamID")
 * @parent_id: The nesting parent HWPT over @ioas_id
 * @nested_id: A mock nested HWPT over @parent_id
 * @failed: After iommufd_nest_setup() failed, the step that did
 */
struct iommufd_nest {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	uint32_t mock_id;
	uint32_t parent_id;
	uint32_t nested_id;
	const char *failed;
};

/**
 * struct iommufd_vq_fds - The eventfds of one vqueue
 * @doorbell: Signalled by whoever emulates the producer register store
 * @event: Signalled by the vqueue when it stops for the VMM
 * @irq: Completion interrupts, or -1
 */
struct iommufd_vq_fds {
	int doorbell;
	int event;
	int irq;
};

/**
 * iommufd_ioas_alloc() - IOMMU_IOAS_ALLOC
 * @fd: iommufd
 * @ioas_id: Output: the new IOAS
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_ioas_alloc(int fd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc;

	rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
	if (!rc)
		*ioas_id = cmd.out_ioas_id;
	return rc;
}

/**
 * iommufd_ioas_map_fixed() - Map user memory read-write at a fixed IOVA
 * @fd: iommufd
 * @ioas_id: The IOAS
 * @va: User address
 * @len: Length in bytes
 * @iova: Where in the IOAS
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_ioas_map_fixed(int fd, uint32_t ioas_id, void *va,
					 size_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

/**
 * iommufd_ioas_unmap() - IOMMU_IOAS_UNMAP of one range
 * @fd: iommufd
 * @ioas_id: The IOAS
 * @iova: Start of the range
 * @len: Length in bytes
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_ioas_unmap(int fd, uint32_t ioas_id, uint64_t iova,
				     size_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

/**
 * iommufd_destroy() - IOMMU_DESTROY
 * @fd: iommufd
 * @id: Any object
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

/**
 * iommufd_mock_domain() - A mock device attached to @ioas_id
 * @fd: iommufd
 * @ioas_id: The IOAS
 * @stdev_id: Output: its selftest object, or NULL
 * @idev_id: Output: its iommufd device, or NULL
 *
 * Fails with ENOTTY without CONFIG_IOMMUFD_TEST.
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_mock_domain(int fd, uint32_t ioas_id,
				      uint32_t *stdev_id, uint32_t *idev_id)
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
	if (stdev_id)
		*stdev_id = cmd.mock_domain.out_stdev_id;
	if (idev_id)
		*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}

/**
 * iommufd_mock_dev_id() - The mock device number of a mock device
 * @fd: iommufd
 * @idev_id: Its iommufd device
 * @mock_id: Output: its number, the ID it has in commands to the mock
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_mock_dev_id(int fd, uint32_t idev_id,
				      uint32_t *mock_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DEV_ID,
		.id = idev_id,
	};
	int rc;

	rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!rc)
		*mock_id = cmd.mock_dev_id.out_mock_id;
	return rc;
}

/**
 * iommufd_hwpt_alloc() - IOMMU_HWPT_ALLOC
 * @fd: iommufd
 * @dev_id: The device
 * @pt_id: The IOAS, or the parent HWPT of a nested one
 * @flags: enum iommufd_hwpt_alloc_flags
 * @data_type: enum iommu_hwpt_data_type
 * @data: Driver data, or NULL
 * @data_len: Its size
 * @hwpt_id: Output: the new HWPT
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id,
				     uint32_t flags, uint32_t data_type,
				     void *data, uint32_t data_len,
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

/**
 * iommufd_hwpt_alloc_nested_mock() - A mock nested HWPT, IOTLB all default
 * @fd: iommufd
 * @dev_id: A mock device
 * @parent_id: A nesting parent HWPT
 * @hwpt_id: Output: the new HWPT
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_hwpt_alloc_nested_mock(int fd, uint32_t dev_id,
						 uint32_t parent_id,
						 uint32_t *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return iommufd_hwpt_alloc(fd, dev_id, parent_id, 0,
				  IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
				  hwpt_id);
}

/**
 * iommufd_hwpt_invalidate() - IOMMU_HWPT_INVALIDATE
 * @fd: iommufd
 * @hwpt_id: A nested HWPT
 * @data_type: enum iommu_hwpt_invalidate_data_type
 * @data: The entries
 * @entry_len: Size of one entry
 * @num: In: number of entries; out: how many the driver handled
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_hwpt_invalidate(int fd, uint32_t hwpt_id,
					  uint32_t data_type, void *data,
					  uint32_t entry_len, uint32_t *num)
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

/**
 * iommufd_nest_setup() - Open the iommufd, and build a guest's nested domain
 * @n: Filled in; @n->fd is -1 until /dev/iommu is open
 * @va: Guest memory to map
 * @len: Its length
 * @iova: Its GPA, where the IOAS maps it
 *
 * The IOAS, the mock device attached to it, the nesting parent HWPT and a
 * mock nested HWPT over it.  On failure @n->failed names the step, and
 * iommufd_nest_unsupported() tells whether the kernel lacks the feature
 * rather than failed: the caller then skips.  @n->fd stays open for the
 * caller to close either way.
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_nest_setup(struct iommufd_nest *n, void *va,
				     size_t len, uint64_t iova)
{
	memset(n, 0, sizeof(*n));
	n->failed = "open /dev/iommu";
	n->fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (n->fd < 0)
		return -1;
	n->failed = "IOMMU_IOAS_ALLOC";
	if (iommufd_ioas_alloc(n->fd, &n->ioas_id))
		return -1;
	n->failed = "IOMMU_IOAS_MAP";
	if (iommufd_ioas_map_fixed(n->fd, n->ioas_id, va, len, iova))
		return -1;
	n->failed = "IOMMU_TEST_OP_MOCK_DOMAIN";
	if (iommufd_mock_domain(n->fd, n->ioas_id, &n->stdev_id, &n->idev_id))
		return -1;
	n->failed = "IOMMU_TEST_OP_MOCK_DEV_ID";
	if (iommufd_mock_dev_id(n->fd, n->idev_id, &n->mock_id))
		return -1;
	n->failed = "IOMMU_HWPT_ALLOC of the nesting parent";
	if (iommufd_hwpt_alloc(n->fd, n->idev_id, n->ioas_id,
			       IOMMU_HWPT_ALLOC_NEST_PARENT,
			       IOMMU_HWPT_DATA_NONE, NULL, 0, &n->parent_id))
		return -1;
	n->failed = "IOMMU_HWPT_ALLOC of the nested HWPT";
	if (iommufd_hwpt_alloc_nested_mock(n->fd, n->idev_id, n->parent_id,
					   &n->nested_id))
		return -1;
	n->failed = NULL;
	return 0;
}

/**
 * iommufd_nest_unsupported() - Whether iommufd_nest_setup() found no iommufd
 * @n: After iommufd_nest_setup() failed
 *
 * Return: true if there is no /dev/iommu or no CONFIG_IOMMUFD_TEST mock.
 */
static inline bool iommufd_nest_unsupported(const struct iommufd_nest *n)
{
	return n->fd < 0 || !n->stdev_id;
}

/**
 * iommufd_vq_fds_open() - Non-blocking eventfds for a vqueue
 * @f: Filled in; every fd that could not be created is -1
 * @irq: Whether to create the irq eventfd too
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vq_fds_open(struct iommufd_vq_fds *f, bool irq)
{
	f->doorbell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->irq = irq ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	return f->doorbell < 0 || f->event < 0 || (irq && f->irq < 0) ? -1 : 0;
}

/**
 * iommufd_vq_fds_close() - Close what iommufd_vq_fds_open() opened
 * @f: The eventfds; each becomes -1
 */
static inline void iommufd_vq_fds_close(struct iommufd_vq_fds *f)
{
	if (f->doorbell >= 0)
		close(f->doorbell);
	if (f->event >= 0)
		close(f->event);
	if (f->irq >= 0)
		close(f->irq);
	f->doorbell = -1;
	f->event = -1;
	f->irq = -1;
}

/**
 * iommufd_vq_smmuv3_cmd() - IOMMU_VQUEUE_ALLOC of an SMMUv3 command queue
 * @hwpt_id: The mock nested HWPT
 * @iova: Queue base, in the IOAS
 * @log2: CMDQ_BASE.LOG2SIZE, also the largest size the vIOMMU offers
 * @regs: SMMUv3 register page 0, or any memory laid out like it
 * @f: The vqueue's eventfds
 *
 * The mock takes the raw commands; the caller may change any field before
 * iommufd_vqueue_alloc().
 *
 * Return: the request.
 */
static inline struct iommu_vqueue_alloc
iommufd_vq_smmuv3_cmd(uint32_t hwpt_id, uint64_t iova, unsigned int log2,
		      void *regs, const struct iommufd_vq_fds *f)
{
	return (struct iommu_vqueue_alloc){
		.size = sizeof(struct iommu_vqueue_alloc),
		.hwpt_id = hwpt_id,
		.format = IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3,
		.max_log2_entries = log2,
		.base = IOMMUFD_VQ_SMMUV3_BASE_RA | iova | log2,
		.regs_uptr = (uintptr_t)regs,
		.prod_offset = IOMMUFD_VQ_SMMUV3_PROD,
		.cons_offset = IOMMUFD_VQ_SMMUV3_CONS,
		.doorbell_fd = f->doorbell,
		.event_fd = f->event,
		.irq_fd = f->irq,
	};
}

/**
 * iommufd_vq_vtd_cmd() - IOMMU_VQUEUE_ALLOC of a VT-d invalidation queue
 * @hwpt_id: A mock nested HWPT over the guest's IOAS
 * @iqa: The guest's IQA: base, DW and QS
 * @regs: The remapping unit's registers: IQH, IQT and ICS in place
 * @f: The vqueue's eventfds
 *
 * The mock takes the stage-1 invalidations the vqueue converts P_IOTLB
 * descriptors to; the caller binds (DID, PASID) pairs with
 * iommufd_vqueue_bind_vtd() and may change any field before
 * iommufd_vqueue_alloc().
 *
 * Return: the request.
 */
static inline struct iommu_vqueue_alloc
iommufd_vq_vtd_cmd(uint32_t hwpt_id, uint64_t iqa, void *regs,
		   const struct iommufd_vq_fds *f)
{
	return (struct iommu_vqueue_alloc){
		.size = sizeof(struct iommu_vqueue_alloc),
		.hwpt_id = hwpt_id,
		.format = IOMMU_VQUEUE_FORMAT_VTD_QI,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_VTD,
		.max_log2_entries = IOMMUFD_VQ_VTD_MAX_LOG2,
		.base = iqa,
		.regs_uptr = (uintptr_t)regs,
		.prod_offset = IOMMUFD_VQ_VTD_IQT,
		.cons_offset = IOMMUFD_VQ_VTD_IQH,
		.status_offset = IOMMUFD_VQ_VTD_ICS,
		.doorbell_fd = f->doorbell,
		.event_fd = f->event,
		.irq_fd = f->irq,
	};
}

/**
 * iommufd_vqueue_alloc() - IOMMU_VQUEUE_ALLOC
 * @fd: iommufd
 * @cmd: The request
 * @vqueue_id: Output: the new vqueue
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_alloc(int fd, struct iommu_vqueue_alloc *cmd,
				       uint32_t *vqueue_id)
{
	int rc;

	rc = ioctl(fd, IOMMU_VQUEUE_ALLOC, cmd);
	if (!rc)
		*vqueue_id = cmd->out_vqueue_id;
	return rc;
}

/**
 * iommufd_vqueue_state() - IOMMU_VQUEUE_GET_STATE
 * @fd: iommufd
 * @vqueue_id: The vqueue
 * @st: Output
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_state(int fd, uint32_t vqueue_id,
				       struct iommu_vqueue_get_state *st)
{
	*st = (struct iommu_vqueue_get_state){
		.size = sizeof(*st),
		.vqueue_id = vqueue_id,
	};
	return ioctl(fd, IOMMU_VQUEUE_GET_STATE, st);
}

/**
 * iommufd_vqueue_resume() - IOMMU_VQUEUE_RESUME
 * @fd: iommufd
 * @vqueue_id: The vqueue
 * @flags: enum iommu_vqueue_resume_flags
 * @consumed: Entries the VMM emulated, from the one the vqueue stopped on
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_resume(int fd, uint32_t vqueue_id,
					uint32_t flags, uint32_t consumed)
{
	struct iommu_vqueue_resume cmd = {
		.size = sizeof(cmd),
		.vqueue_id = vqueue_id,
		.flags = flags,
		.consumed = consumed,
	};

	return ioctl(fd, IOMMU_VQUEUE_RESUME, &cmd);
}

/**
 * iommufd_vqueue_modify() - IOMMU_VQUEUE_MODIFY
 * @fd: iommufd
 * @vqueue_id: The vqueue
 * @flags: enum iommu_vqueue_modify_flags
 * @base: New base register value, with IOMMU_VQUEUE_MODIFY_BASE
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_modify(int fd, uint32_t vqueue_id,
					uint32_t flags, uint64_t base)
{
	struct iommu_vqueue_modify cmd = {
		.size = sizeof(cmd),
		.vqueue_id = vqueue_id,
		.flags = flags,
		.base = base,
	};

	return ioctl(fd, IOMMU_VQUEUE_MODIFY, &cmd);
}

/**
 * iommufd_vqueue_set_vsid() - IOMMU_VQUEUE_SET_VSID
 * @fd: iommufd
 * @vqueue_id: The vqueue
 * @flags: enum iommu_vqueue_vsid_flags
 * @id: The device, or with IOMMU_VQUEUE_VSID_HWPT the nested HWPT
 * @vsid: The virtual ID
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_set_vsid(int fd, uint32_t vqueue_id,
					  uint32_t flags, uint32_t id,
					  uint64_t vsid)
{
	struct iommu_vqueue_set_vsid cmd = {
		.size = sizeof(cmd),
		.vqueue_id = vqueue_id,
		.flags = flags,
		.dev_id = id,
		.vsid = vsid,
	};

	return ioctl(fd, IOMMU_VQUEUE_SET_VSID, &cmd);
}

/**
 * iommufd_vqueue_bind_vtd() - Bind or unbind a VT-d (DID, PASID)
 * @fd: iommufd
 * @vqueue_id: A VT-d vqueue
 * @flags: IOMMU_VQUEUE_VSID_REMOVE or 0
 * @hwpt_id: The nested HWPT holding the stage 1 the pair names
 * @did: The guest's domain ID
 * @pasid: The guest's PASID
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_vqueue_bind_vtd(int fd, uint32_t vqueue_id,
					  uint32_t flags, uint32_t hwpt_id,
					  uint16_t did, uint32_t pasid)
{
	return iommufd_vqueue_set_vsid(fd, vqueue_id,
				       IOMMU_VQUEUE_VSID_HWPT | flags, hwpt_id,
				       (uint64_t)pasid << 16 | did);
}

/* Both logs of the mock nested HWPT: IOMMU_TEST_OP_MD_{SMMUV3,VTD}_LOG */
static inline int __iommufd_mock_log(int fd, uint32_t op, uint32_t hwpt_id,
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

/**
 * iommufd_mock_smmuv3_log() - Take the mock nested HWPT's SMMUv3 commands
 * @fd: iommufd
 * @hwpt_id: The mock nested HWPT
 * @out: Room for @max commands: struct
 *	iommu_hwpt_invalidate_selftest_smmuv3, or any two little-endian
 *	64-bit words per command
 * @max: At most MOCK_SMMUV3_LOG_NUM are kept
 * @num: Output: how many were copied and removed from the log
 * @dropped: Output: how many did not fit in the log since the last read,
 *	or NULL
 *
 * Return: 0, or -1 with errno set.
 */
static inline int iommufd_mock_smmuv3_log(int fd, uint32_t hwpt_id, void *out,
					  uint32_t max, uint32_t *num,
					  uint32_t *dropped)
{
	return __iommufd_mock_log(fd, IOMMU_TEST_OP_MD_SMMUV3_LOG, hwpt_id,
				  out, max, num, dropped);
}

/**
 * iommufd_mock_vtd_log() - Take the mock nested HWPT's VT-d invalidations
 * @fd: iommufd
 * @hwpt_id: The mock nested HWPT
 * @out: Room for @max invalidations
 * @max: At most MOCK_VTD_LOG_NUM are kept
 * @num: Output: how many were copied and removed from the log
 * @dropped: Output: how many did not fit in the log since the last read,
 *	or NULL
 *
 * Return: 0, or -1 with errno set.
 */
static inline int
iommufd_mock_vtd_log(int fd, uint32_t hwpt_id,
		     struct iommu_hwpt_vtd_s1_invalidate *out, uint32_t max,
		     uint32_t *num, uint32_t *dropped)
{
	return __iommufd_mock_log(fd, IOMMU_TEST_OP_MD_VTD_LOG, hwpt_id, out,
				  max, num, dropped);
}

/**
 * iommufd_mock_check_iotlb() - Whether a mock IOTLB slot holds @val
 * @fd: iommufd
 * @hwpt_id: The mock nested HWPT
 * @slot: Below MOCK_NESTED_DOMAIN_IOTLB_NUM
 * @val: The value expected
 *
 * Return: 0 if it does, or -1 with errno set (EINVAL if it does not).
 */
static inline int iommufd_mock_check_iotlb(int fd, uint32_t hwpt_id,
					   uint32_t slot, uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt_id,
		.check_iotlb = { .id = slot, .iotlb = val },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

#endif /* __SELFTESTS_IOMMUFD_VQUEUE_UTILS_H */
