// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd vqueue selftest: drives an in-kernel SMMUv3 command queue consumer
 * and VT-d invalidation queue consumer the way a VMM and a Linux guest
 * would, against the mock IOMMU.
 *
 * The "guest memory" is anonymous memory mapped into an IOAS at a fixed IOVA,
 * the "register page" is another anonymous page, and the test plays both the
 * guest (writing commands and PROD) and the ioregion (ringing the doorbell).
 * Every wait has a timeout, so a broken kernel fails a test instead of
 * hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "../fail_nth.h"
#include "iommufd_vqueue_utils.h"

#define GUEST_IOVA	MOCK_APERTURE_START
#define GUEST_SIZE	0x100000UL
#define QUEUE_IOVA	GUEST_IOVA
/* A second queue and MSI targets live well away from the first queue */
#define QUEUE2_IOVA	(GUEST_IOVA + 0x40000)
#define STATUS_IOVA	(GUEST_IOVA + 0x80000)
#define UNMAPPED_IOVA	(GUEST_IOVA + 0x1000000)

#define REG_PROD	SMMUV3_CMDQ_PROD_REG
#define REG_CONS	SMMUV3_CMDQ_CONS_REG
#define CONS_ERR(c)	FIELD_GET(SMMUV3_CONS_ERR, c)

#define VSID		0x100
/* Not a command the architecture defines */
#define ILLEGAL_OPCODE	0x47
#define TIMEOUT_MS	5000
/* The documented limit (iommufd_vqueue.rst) */
#define VQUEUES_PER_IOMMUFD	64

/* Commands as Linux's arm-smmu-v3 driver builds them */
static struct test_smmuv3_cmd cmd_nh_asid(uint16_t asid)
{
	return test_smmuv3_tlbi_nh_asid(asid);
}

/* Leaf, no range (IDR3.RIL == 0) */
static struct test_smmuv3_cmd cmd_nh_va(uint16_t asid, uint64_t va)
{
	return test_smmuv3_tlbi_nh_va(asid, va, true);
}

static struct test_smmuv3_cmd cmd_sync_sev(void)
{
	return test_smmuv3_sync(SMMUV3_SYNC_CS_SEV, 0, 0);
}

/* CS=IRQ with an MSI address: Linux's MSI polling mode */
static struct test_smmuv3_cmd cmd_sync_msi(uint64_t addr, uint32_t data)
{
	return test_smmuv3_sync(SMMUV3_SYNC_CS_IRQ, addr, data);
}

static struct test_smmuv3_cmd cmd_cfgi_cd(uint32_t sid, uint32_t ssid)
{
	return test_smmuv3_cmd(SMMUV3_CMD_CFGI_CD |
			       FIELD_PREP(SMMUV3_CMD0_SSID, ssid) |
			       FIELD_PREP(SMMUV3_CMD0_SID, sid),
			       SMMUV3_CMD1_LEAF);
}

static struct test_smmuv3_cmd cmd_cfgi_cd_all(uint32_t sid)
{
	return test_smmuv3_cmd(SMMUV3_CMD_CFGI_CD_ALL |
			       FIELD_PREP(SMMUV3_CMD0_SID, sid), 0);
}

/* ATC_INV covering 2^@size 4 KiB pages at @iova, no PASID */
static struct test_smmuv3_cmd cmd_atc_inv(uint32_t sid, uint64_t iova,
					  unsigned int size)
{
	return test_smmuv3_cmd(SMMUV3_CMD_ATC_INV |
			       FIELD_PREP(SMMUV3_CMD0_SID, sid),
			       iova | FIELD_PREP(SMMUV3_CMD1_SIZE, size));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int eventfd_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t cnt;
	int rc;

	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0)
		return -1;
	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return -1;
	return 0;
}

/*
 * A userfaultfd that can write-protect the page at @page, as a VMM taking a
 * live snapshot or a postcopy migration target has: a write to it waits
 * until userspace lets it go.  Returns the fd, or -1.
 */
static int uffd_open_wp(void *page)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = {
		.range = { (uintptr_t)page, getpagesize() },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int fd;

	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int uffd_protect(int fd, void *page, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { (uintptr_t)page, getpagesize() },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
}

/*
 * The guest of both fixtures: its memory, mapped into the IOAS of a nested
 * domain over the mock IOMMU, and a register page.  Nothing here skips but
 * a kernel without the mock: every other setup failure fails the test.
 */
static void guest_setup(struct __test_metadata *_metadata, int *fd,
			struct test_nest *n, void **guest, void **regs)
{
	*guest = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *guest);
	memset(*guest, 0, GUEST_SIZE);
	*regs = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *regs);
	memset(*regs, 0, getpagesize());

	*fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, *fd);
	if (_test_nest_setup(*fd, n, *guest, GUEST_SIZE, GUEST_IOVA)) {
		if (n->mock_absent)
			SKIP(return, "no CONFIG_IOMMUFD_TEST mock");
		TH_LOG("%s: %s", n->failed, strerror(errno));
		ASSERT_TRUE(false);
	}
}

static void guest_teardown(int fd, struct test_vqueue_fds *f, void *guest,
			   void *regs)
{
	/* Closing the iommufd destroys the vqueue before its eventfds go */
	if (fd >= 0)
		close(fd);
	test_vqueue_fds_close(f);
	munmap(guest, GUEST_SIZE);
	munmap(regs, getpagesize());
}

/* An SMMUv3 command queue: its ring in guest memory, PROD and CONS */
struct vq {
	uint32_t id;
	uint64_t iova;
	unsigned int log2;
	struct test_smmuv3_cmd *ring;
	uint32_t *prod;
	uint32_t *cons;
	uint32_t prod_val;
	struct test_vqueue_fds f;
};

/*
 * Every case runs twice: with the queue consumed by the task that rings the
 * doorbell (the test's own thread, on its way back from write()), and only
 * by the vqueue's worker.
 */
FIXTURE(vqueue_smmuv3)
{
	int fd;
	struct test_nest n;
	void *guest;
	void *regs;
	struct vq q;
	uint32_t alloc_flags;
};

FIXTURE_VARIANT(vqueue_smmuv3)
{
	uint32_t alloc_flags;
};

FIXTURE_VARIANT_ADD(vqueue_smmuv3, inline_pass)
{
	.alloc_flags = 0,
};

FIXTURE_VARIANT_ADD(vqueue_smmuv3, worker_only)
{
	.alloc_flags = IOMMU_VQUEUE_ALLOC_WORKER_ONLY,
};

static void vq_alloc_cmd(struct _test_data_vqueue_smmuv3 *self, struct vq *q,
			 struct iommu_vqueue_alloc *cmd, uint64_t iova,
			 unsigned int log2, uint32_t reg_base, uint32_t flags)
{
	memset(q, 0, sizeof(*q));
	q->iova = iova;
	q->log2 = log2;
	q->ring = self->guest + (iova - GUEST_IOVA);
	q->prod = self->regs + reg_base + REG_PROD;
	q->cons = self->regs + reg_base + REG_CONS;
	__atomic_store_n(q->prod, 0, __ATOMIC_RELAXED);
	__atomic_store_n(q->cons, 0, __ATOMIC_RELAXED);
	test_vqueue_fds_open(&q->f, true);

	*cmd = test_vqueue_smmuv3(self->n.nested_id, iova, log2,
				  self->regs + reg_base, &q->f);
	cmd->flags = flags | self->alloc_flags;
	/* The largest queue the uAPI allows: the guest's LOG2SIZE is taken */
	cmd->max_log2_entries = SMMUV3_Q_MAX_LOG2SIZE;
}

static int vq_alloc(struct _test_data_vqueue_smmuv3 *self, struct vq *q,
		    uint64_t iova, unsigned int log2, uint32_t reg_base,
		    uint32_t flags)
{
	struct iommu_vqueue_alloc cmd;

	vq_alloc_cmd(self, q, &cmd, iova, log2, reg_base, flags);
	return _test_cmd_vqueue_alloc(self->fd, &cmd, &q->id);
}

/* The guest: queue @n commands at PROD, then one PROD write */
static void vq_push(struct vq *q, const struct test_smmuv3_cmd *cmds,
		    unsigned int n)
{
	uint32_t mask = (2U << q->log2) - 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t idx = (q->prod_val + i) & ((1U << q->log2) - 1);

		q->ring[idx] = cmds[i];
	}
	q->prod_val = (q->prod_val + n) & mask;
	__atomic_store_n(q->prod, q->prod_val, __ATOMIC_RELEASE);
}

/* The ioregion: the store is visible, ring the doorbell */
static void vq_ring(struct vq *q)
{
	uint64_t one = 1;

	if (write(q->f.doorbell, &one, sizeof(one)) != sizeof(one))
		abort();
}

static uint32_t vq_cons(struct vq *q)
{
	return __atomic_load_n(q->cons, __ATOMIC_ACQUIRE);
}

static bool vq_wait_cons(struct vq *q, uint32_t want)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (vq_cons(q) != want) {
		if (now_ms() > end)
			return false;
		usleep(100);
	}
	return true;
}

static bool wait_u32_nonzero(uint32_t *p)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (!__atomic_load_n(p, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* CONS at or past @want, on a queue that does not wrap */
static bool wait_cons_past(struct vq *q, uint32_t want)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (vq_cons(q) < want) {
		if (now_ms() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* The guest's MSI polling: the write lands after CONS moves past the sync */
static bool wait_u32(uint32_t *p, uint32_t want)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (now_ms() > end)
			return false;
		usleep(100);
	}
	return true;
}

FIXTURE_SETUP(vqueue_smmuv3)
{
	self->alloc_flags = variant->alloc_flags;
	self->q.f = (struct test_vqueue_fds){ -1, -1, -1 };
	guest_setup(_metadata, &self->fd, &self->n, &self->guest, &self->regs);
}

FIXTURE_TEARDOWN(vqueue_smmuv3)
{
	guest_teardown(self->fd, &self->q.f, self->guest, self->regs);
}

static void expect_log(struct __test_metadata *_metadata, int fd,
		       uint32_t nested_id, const struct test_smmuv3_cmd *want,
		       unsigned int n)
{
	struct test_smmuv3_cmd got[MOCK_SMMUV3_LOG_NUM];
	uint32_t num = 0;
	unsigned int i;

	ASSERT_EQ(0, _test_cmd_mock_log(fd, IOMMU_TEST_OP_MD_SMMUV3_LOG,
					nested_id, got, MOCK_SMMUV3_LOG_NUM,
					&num, NULL));
	ASSERT_EQ(n, num);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want[i].w[0], got[i].w[0]);
		EXPECT_EQ(want[i].w[1], got[i].w[1]);
	}
}

/* a batch, then one across the wrap, then a full queue */
TEST_F(vqueue_smmuv3, batch_wrap_full)
{
	struct test_smmuv3_cmd first[6] = {
		cmd_nh_asid(1), cmd_nh_asid(2), cmd_nh_va(3, 0x1000),
		cmd_nh_va(3, 0x2000), cmd_nh_asid(5), cmd_sync_sev(),
	};
	struct test_smmuv3_cmd wrap[4] = {
		cmd_nh_asid(6), cmd_nh_asid(7), cmd_nh_asid(8), cmd_sync_sev(),
	};
	struct test_smmuv3_cmd full[8];
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));

	vq_push(&self->q, first, 6);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 0x6));
	expect_log(_metadata, self->fd, self->n.nested_id, first, 5);
	/* ASIDs 1, 2, 3 and 5 hit mock IOTLB slots 1, 2, 3 and 1 */
	test_cmd_mock_check_iotlb(self->n.nested_id, 0,
				  IOMMU_TEST_IOTLB_DEFAULT);
	for (i = 1; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		test_cmd_mock_check_iotlb(self->n.nested_id, i, 0);

	/* Slots 6, 7, 0, 1; PROD has its wrap bit set */
	vq_push(&self->q, wrap, 4);
	ASSERT_EQ(0xa, self->q.prod_val);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 0xa));
	expect_log(_metadata, self->fd, self->n.nested_id, wrap, 3);

	/* Eight entries from CONS=0xa: PROD=0x2 with CONS=0xa is full */
	for (i = 0; i < 7; i++)
		full[i] = cmd_nh_asid(i);
	full[7] = cmd_sync_sev();
	vq_push(&self->q, full, 8);
	ASSERT_EQ(0x2, self->q.prod_val);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 0x2));
	expect_log(_metadata, self->fd, self->n.nested_id, full, 7);
}

/* A batch larger than one wake-up's budget, across the wrap of a big queue */
TEST_F(vqueue_smmuv3, large_batch)
{
	static struct test_smmuv3_cmd cmds[700];
	struct test_smmuv3_cmd got[MOCK_SMMUV3_LOG_NUM];
	unsigned int i;
	uint32_t num;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 10, 0, 0));
	/* Start near the end so that the batch wraps */
	__atomic_store_n(self->q.cons, 1000, __ATOMIC_RELAXED);
	self->q.prod_val = 1000;
	test_cmd_vqueue_modify(self->q.id, IOMMU_VQUEUE_MODIFY_DISABLE, 0);
	test_cmd_vqueue_modify(self->q.id, IOMMU_VQUEUE_MODIFY_ENABLE, 0);

	/* The mock log holds 64 commands: forward mostly syncs */
	for (i = 0; i < 700; i++)
		cmds[i] = i % 16 ? cmd_sync_sev() : cmd_nh_asid(i / 16);
	vq_push(&self->q, cmds, 700);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, (1000 + 700) & 0x7ff));

	test_cmd_mock_log(IOMMU_TEST_OP_MD_SMMUV3_LOG, self->n.nested_id, got,
			  MOCK_SMMUV3_LOG_NUM, &num);
	ASSERT_EQ(44, num);
	for (i = 0; i < num; i++)
		EXPECT_EQ(cmd_nh_asid(i).w[0], got[i].w[0]);
}

/* CMD_SYNC in MSI polling mode writes its MSI data into guest memory */
TEST_F(vqueue_smmuv3, sync_msi)
{
	uint32_t *status = self->guest + (STATUS_IOVA - GUEST_IOVA);
	struct iommu_vqueue_get_state st;
	struct test_smmuv3_cmd cmds[3];
	uint64_t cnt;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0,
			      IOMMU_VQUEUE_ALLOC_MSI));

	/* Linux: MSI data 0, to the low word of the CMD_SYNC's own slot */
	cmds[0] = cmd_nh_asid(1);
	cmds[1] = cmd_sync_msi(QUEUE_IOVA + 1 * 16, 0);
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(wait_u32((uint32_t *)&self->q.ring[1].w[0], 0));
	EXPECT_EQ(2, vq_cons(&self->q));

	/* Data elsewhere in guest memory */
	__atomic_store_n(status, 0, __ATOMIC_RELAXED);
	cmds[0] = cmd_sync_msi(STATUS_IOVA, 0xcafe);
	vq_push(&self->q, cmds, 1);
	vq_ring(&self->q);
	ASSERT_TRUE(wait_u32(status, 0xcafe));
	EXPECT_EQ(3, vq_cons(&self->q));
	/* With MSIs the MSI write is the interrupt */
	EXPECT_EQ(-1, read(self->q.f.irq, &cnt, sizeof(cnt)));

	/* An MSI address outside guest memory is counted, the queue goes on */
	cmds[0] = cmd_sync_msi(UNMAPPED_IOVA, 1);
	cmds[1] = cmd_nh_asid(2);
	cmds[2] = cmd_sync_sev();
	vq_push(&self->q, cmds, 3);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 6));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(1, st.out_write_errors);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_RUNNING, st.out_state);
}

/*
 * An MSI write to memory that the kernel cannot write without waiting for
 * userspace is the VMM's: the CMD_SYNC is consumed, the queue stops with it,
 * and nothing waits for the fault, neither the pass nor IOMMU_DESTROY.
 */
TEST_F(vqueue_smmuv3, completion_fault_userfaultfd)
{
	void *page = self->guest + (STATUS_IOVA - GUEST_IOVA);
	struct test_smmuv3_cmd cmds[2] = {
		cmd_nh_asid(1), cmd_sync_msi(STATUS_IOVA, 0xcafe),
	};
	struct iommu_vqueue_get_state st;
	uint32_t *status = page;
	int uffd;

	uffd = uffd_open_wp(page);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, uffd_protect(uffd, page, true));
	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0,
			      IOMMU_VQUEUE_ALLOC_MSI));

	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_STOPPED, st.out_state);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_COMPLETION_FAULT, st.out_stop_reason);
	EXPECT_EQ(-EFAULT, st.out_errno);
	EXPECT_EQ(cmds[1].w[0], st.out_entry[0]);
	EXPECT_EQ(cmds[1].w[1], st.out_entry[1]);
	/* Executed and consumed, with no error code */
	EXPECT_EQ(2, vq_cons(&self->q));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
	EXPECT_EQ(0, *status);

	/* The VMM's write may wait for the fault; then it resumes */
	ASSERT_EQ(0, uffd_protect(uffd, page, false));
	__atomic_store_n(status, 0xcafe, __ATOMIC_RELEASE);
	test_cmd_vqueue_resume(self->q.id, 0, 0);

	/* Writable again: the kernel makes the next one */
	cmds[0] = cmd_sync_msi(STATUS_IOVA, 0xbeef);
	vq_push(&self->q, cmds, 1);
	vq_ring(&self->q);
	ASSERT_TRUE(wait_u32(status, 0xbeef));
	EXPECT_EQ(3, vq_cons(&self->q));

	/* Protected, rung and destroyed at once */
	ASSERT_EQ(0, uffd_protect(uffd, page, true));
	cmds[0] = cmd_sync_msi(STATUS_IOVA, 0xf00d);
	vq_push(&self->q, cmds, 1);
	vq_ring(&self->q);
	test_ioctl_object_destroy(self->q.id);
	EXPECT_EQ(0xbeef, *status);
	close(uffd);
}

/*
 * An entry in memory that the kernel cannot read without a fault is the
 * VMM's too, unread and with no error: the VMM's own read takes the fault.
 */
TEST_F(vqueue_smmuv3, fetch_fault_resume)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	struct iommu_vqueue_get_state st;
	void *page;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	page = self->q.ring;
	vq_push(&self->q, cmds, 2);
	ASSERT_EQ(0, mprotect(page, getpagesize(), PROT_NONE));
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_FETCH_FAULT, st.out_stop_reason);
	EXPECT_EQ(-EFAULT, st.out_errno);
	EXPECT_EQ(0, st.out_error_code);
	EXPECT_EQ(0, st.out_entry[0]);
	EXPECT_EQ(0, vq_cons(&self->q));
	expect_log(_metadata, self->fd, self->n.nested_id, NULL, 0);

	/* Not an error the guest made: no RETRY */
	ASSERT_EQ(0, mprotect(page, getpagesize(), PROT_READ | PROT_WRITE));
	test_cmd_vqueue_resume(self->q.id, 0, 0);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
}

/* Without MSIs, CS=IRQ signals the irq eventfd and CS=SEV does not */
TEST_F(vqueue_smmuv3, sync_irq)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	uint64_t cnt;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	EXPECT_EQ(-1, read(self->q.f.irq, &cnt, sizeof(cnt)));

	cmds[1] = cmd_sync_msi(QUEUE_IOVA + 3 * 16, 0);
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.irq, TIMEOUT_MS));
	ASSERT_TRUE(vq_wait_cons(&self->q, 4));
	/* No MSI advertised: guest memory is left alone */
	EXPECT_EQ(0x0fc01046, (uint32_t)self->q.ring[3].w[0]);
}

/* What reaches the IOMMU: NSNH_ALL converted, the vSID translated */
TEST_F(vqueue_smmuv3, log_translated)
{
	struct test_smmuv3_cmd cmds[7] = {
		test_smmuv3_cmd(SMMUV3_CMD_TLBI_NSNH_ALL, 0),
		cmd_atc_inv(VSID, 0, SMMUV3_ATC_INV_SIZE_ALL),
		cmd_cfgi_cd(VSID, 3),
		cmd_cfgi_cd_all(VSID),
		cmd_nh_va(2, 0x5000),
		cmd_nh_asid(3),
		cmd_sync_sev(),
	};
	struct test_smmuv3_cmd want[6] = {
		test_smmuv3_cmd(SMMUV3_CMD_TLBI_NH_ALL, 0),
		cmd_atc_inv(self->n.mock_id, 0, SMMUV3_ATC_INV_SIZE_ALL),
		cmd_cfgi_cd(self->n.mock_id, 3),
		cmd_cfgi_cd_all(self->n.mock_id),
		cmd_nh_va(2, 0x5000),
		cmd_nh_asid(3),
	};
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	test_cmd_vqueue_set_vdevice(self->q.id, 0, self->n.idev_id, VSID);
	vq_push(&self->q, cmds, 7);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 7));
	expect_log(_metadata, self->fd, self->n.nested_id, want, 6);
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		test_cmd_mock_check_iotlb(self->n.nested_id, i, 0);

	/* Once removed, the vSID is unknown: CERROR_ILL, nothing forwarded */
	test_cmd_vqueue_set_vdevice(self->q.id, IOMMU_VQUEUE_SET_VDEVICE_REMOVE,
				    self->n.idev_id, VSID);
	cmds[0] = cmd_atc_inv(VSID, 0, SMMUV3_ATC_INV_SIZE_ALL);
	vq_push(&self->q, cmds, 1);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(SMMUV3_CERROR_ILL << 24 | 7, vq_cons(&self->q));
	expect_log(_metadata, self->fd, self->n.nested_id, NULL, 0);
}

/*
 * What a Linux guest sends when it unmaps 4 KiB at 0x5000 and then 2 MiB at
 * 0x200000 from a domain with ASID 7 behind an ATS-capable device: per unmap,
 * one range TLBI, one ATC_INV and a CMD_SYNC, in one batch each.  The IOMMU
 * must receive the TLBIs with their range fields untouched and the ATC_INVs
 * with the physical SID, in order, and nothing else.
 */
TEST_F(vqueue_smmuv3, linux_unmap_sequence)
{
	struct test_smmuv3_cmd cmds[6] = {
		test_smmuv3_tlbi_nh_va_range(7, 0x5000, 0, 0),
		cmd_atc_inv(VSID, 0x5000, 0),
		cmd_sync_sev(),
		test_smmuv3_tlbi_nh_va_range(7, 0x200000, 0, 9),
		cmd_atc_inv(VSID, 0x200000, 9),
		cmd_sync_sev(),
	};
	struct test_smmuv3_cmd want[4] = {
		cmds[0], cmd_atc_inv(self->n.mock_id, 0x5000, 0),
		cmds[3], cmd_atc_inv(self->n.mock_id, 0x200000, 9),
	};
	struct test_smmuv3_cmd got[MOCK_SMMUV3_LOG_NUM];
	uint32_t num = 0;
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	test_cmd_vqueue_set_vdevice(self->q.id, 0, self->n.idev_id, VSID);
	vq_push(&self->q, cmds, 3);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 3));
	vq_push(&self->q, cmds + 3, 3);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 6));

	test_cmd_mock_log(IOMMU_TEST_OP_MD_SMMUV3_LOG, self->n.nested_id, got,
			  MOCK_SMMUV3_LOG_NUM, &num);
	ASSERT_EQ(4, num);
	for (i = 0; i < num; i++) {
		TH_LOG("mock log %u: %#018llx %#018llx", i,
		       (unsigned long long)got[i].w[0],
		       (unsigned long long)got[i].w[1]);
		EXPECT_EQ(want[i].w[0], got[i].w[0]);
		EXPECT_EQ(want[i].w[1], got[i].w[1]);
	}
	/* NH_VA with ASID 7 drops the mock's IOTLB slot 7 % 4 only */
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		test_cmd_mock_check_iotlb(self->n.nested_id, i,
					  i == 3 ? 0 : IOMMU_TEST_IOTLB_DEFAULT);
}

/* CFGI_STE is the VMM's: stop, exit record, resume past it */
TEST_F(vqueue_smmuv3, cfgi_ste_exit_resume)
{
	struct test_smmuv3_cmd cmds[4] = {
		cmd_nh_asid(1), test_smmuv3_cfgi_ste(VSID), cmd_sync_sev(),
		cmd_nh_asid(2),
	};
	struct iommu_vqueue_get_state st;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	vq_push(&self->q, cmds, 4);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));

	EXPECT_EQ(1, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_STOPPED, st.out_state);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_EXIT, st.out_stop_reason);
	EXPECT_EQ(0, st.out_error_code);
	EXPECT_EQ(1, st.out_cons);
	EXPECT_EQ(4, st.out_prod);
	EXPECT_EQ(cmds[1].w[0], st.out_entry[0]);
	EXPECT_EQ(cmds[1].w[1], st.out_entry[1]);
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);

	/* Stopped means stopped, whatever the guest does */
	vq_ring(&self->q);
	usleep(10000);
	EXPECT_EQ(1, vq_cons(&self->q));

	/* The VMM emulated the CFGI_STE */
	test_cmd_vqueue_resume(self->q.id, 0, 1);
	ASSERT_TRUE(vq_wait_cons(&self->q, 4));
	expect_log(_metadata, self->fd, self->n.nested_id, &cmds[3], 1);
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_RUNNING, st.out_state);

	/* Running: nothing to resume */
	test_err_vqueue_resume(EINVAL, self->q.id, 0, 0);
}

/* SMMUV3_CERROR_ILL, then the guest's skip_err and recovery */
TEST_F(vqueue_smmuv3, illegal_recover)
{
	struct test_smmuv3_cmd cmds[3] = {
		cmd_nh_asid(1), test_smmuv3_cmd(ILLEGAL_OPCODE, 0),
		cmd_sync_sev(),
	};
	struct iommu_vqueue_get_state st;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	vq_push(&self->q, cmds, 3);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(0x01000001, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(SMMUV3_CERROR_ILL, st.out_error_code);
	EXPECT_EQ(0x01000001, st.out_cons);
	EXPECT_EQ(0x47, st.out_entry[0]);

	/* An error stop needs the guest's ack */
	test_err_vqueue_resume(EINVAL, self->q.id, 0, 0);

	/* Linux overwrites the bad command with a CMD_SYNC and acks */
	self->q.ring[1] = cmd_sync_sev();
	test_cmd_vqueue_resume(self->q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_TRUE(vq_wait_cons(&self->q, 3));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
}

/* The driver refuses the second command of a run: stop exactly there */
TEST_F(vqueue_smmuv3, backend_partial)
{
	struct test_smmuv3_cmd cmds[4] = {
		cmd_nh_asid(1), cmd_nh_asid(MOCK_SMMUV3_ASID_REJECT),
		cmd_nh_asid(2), cmd_sync_sev(),
	};
	struct iommu_vqueue_get_state st;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	vq_push(&self->q, cmds, 4);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(SMMUV3_CERROR_ILL << 24 | 1, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(-EIO, st.out_errno);
	EXPECT_EQ(cmds[1].w[0], st.out_entry[0]);
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);

	/* The VMM skips it for the guest */
	test_cmd_vqueue_resume(self->q.id, IOMMU_VQUEUE_RESUME_RETRY, 1);
	ASSERT_TRUE(vq_wait_cons(&self->q, 4));
	expect_log(_metadata, self->fd, self->n.nested_id, &cmds[2], 1);
}

/* a queue base outside guest memory, then fixed */
TEST_F(vqueue_smmuv3, abort_unmapped_base)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	struct iommu_vqueue_get_state st;
	void *more;

	ASSERT_EQ(0, vq_alloc(self, &self->q, UNMAPPED_IOVA, 3, 0, 0));
	/* The test's own copy of the ring is elsewhere: only PROD counts */
	self->q.ring = self->guest;
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(SMMUV3_CERROR_ABT << 24 | 0, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ABORT, st.out_stop_reason);
	EXPECT_EQ(SMMUV3_CERROR_ABT, st.out_error_code);
	EXPECT_NE(0, st.out_errno);

	/* Memory appears at the base; Linux acks and the fetch is retried */
	more = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, more);
	memcpy(more, cmds, sizeof(cmds));
	test_ioctl_ioas_map_fixed_at(self->n.ioas_id, more, 4096,
				     UNMAPPED_IOVA);
	test_cmd_vqueue_resume(self->q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
	test_ioctl_object_destroy(self->q.id);
	test_ioctl_ioas_unmap_range(self->n.ioas_id, UNMAPPED_IOVA, 4096);
	munmap(more, 4096);
}

/* A PROD that cannot follow CONS consumes nothing */
TEST_F(vqueue_smmuv3, inconsistent_prod)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);

	/* WR < RD with equal wraps */
	__atomic_store_n(self->q.prod, 1, __ATOMIC_RELEASE);
	vq_ring(&self->q);
	usleep(20000);
	EXPECT_EQ(2, vq_cons(&self->q));
	expect_log(_metadata, self->fd, self->n.nested_id, NULL, 0);

	/* PROD beyond the queue: the bits above the wrap bit are ignored */
	self->q.prod_val = 2;
	vq_push(&self->q, cmds, 2);
	__atomic_store_n(self->q.prod, 0xff00 | 4, __ATOMIC_RELEASE);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 4));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
}

/* The guest rewrites CMDQ_BASE while CMDQEN == 0 */
TEST_F(vqueue_smmuv3, modify_base)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	struct iommu_vqueue_get_state st;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	test_err_vqueue_modify(EBUSY, self->q.id, IOMMU_VQUEUE_MODIFY_BASE,
			       SMMUV3_Q_BASE_RA | QUEUE2_IOVA | 3);
	test_cmd_vqueue_modify(self->q.id,
			       IOMMU_VQUEUE_MODIFY_DISABLE |
			       IOMMU_VQUEUE_MODIFY_BASE,
			       SMMUV3_Q_BASE_RA | QUEUE2_IOVA | 3);
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_DISABLED, st.out_state);

	/* Disabled: the doorbell does nothing */
	self->q.ring = self->guest + (QUEUE2_IOVA - GUEST_IOVA);
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	usleep(20000);
	EXPECT_EQ(0, vq_cons(&self->q));

	test_cmd_vqueue_modify(self->q.id, IOMMU_VQUEUE_MODIFY_ENABLE, 0);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);
}

/* IOMMU_VQUEUE_ALLOC refuses bad arguments with the documented errno */
TEST_F(vqueue_smmuv3, alloc_bad_args)
{
	struct iommu_vqueue_alloc cmd;
	struct {
		struct iommu_vqueue_alloc cmd;
		uint64_t extra;
	} big;
	struct vq q2;
	void *hole;

#define ALLOC_ERR(_errno, _field, _val)					\
	do {								\
		vq_alloc_cmd(self, &q2, &cmd, QUEUE_IOVA, 3, 0, 0);	\
		cmd._field = _val;					\
		test_err_vqueue_alloc(_errno, &cmd, NULL);		\
		test_vqueue_fds_close(&q2.f);				\
	} while (0)

	ALLOC_ERR(EINVAL, size, 8);
	ALLOC_ERR(EOPNOTSUPP, flags, 1 << 7);
	ALLOC_ERR(EOPNOTSUPP, format, 0);
	ALLOC_ERR(EOPNOTSUPP, format, 3);
	ALLOC_ERR(EINVAL, status_offset, 0x80);
	ALLOC_ERR(EOPNOTSUPP, __reserved, 1);
	ALLOC_ERR(EINVAL, max_log2_entries, SMMUV3_Q_MAX_LOG2SIZE + 1);
	ALLOC_ERR(EINVAL, prod_offset, 0x99);
	ALLOC_ERR(EINVAL, cons_offset, REG_PROD);
	ALLOC_ERR(EINVAL, cons_offset, 4096);
	ALLOC_ERR(EINVAL, regs_uptr, (uintptr_t)self->regs + 2);
	ALLOC_ERR(ENOENT, hwpt_id, self->n.parent_id);
	ALLOC_ERR(ENOENT, hwpt_id, self->n.ioas_id);
	ALLOC_ERR(ENOENT, hwpt_id, 0xffff);
	ALLOC_ERR(EOPNOTSUPP, data_type,
		  IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID);
	ALLOC_ERR(EBADF, doorbell_fd, -1);
	ALLOC_ERR(EINVAL, doorbell_fd, self->fd);
	ALLOC_ERR(EBADF, stop_fd, -1);
	ALLOC_ERR(EINVAL, stop_fd, self->fd);
	ALLOC_ERR(EBADF, irq_fd, -2);

	/* Register memory that is not there */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ALLOC_ERR(EFAULT, regs_uptr, (uintptr_t)hole);
	munmap(hole, 4096);
#undef ALLOC_ERR

	/* Size-versioned: a longer struct must have a zero tail */
	vq_alloc_cmd(self, &q2, &big.cmd, QUEUE_IOVA, 3, 0, 0);
	big.cmd.size = sizeof(big);
	big.extra = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_VQUEUE_ALLOC, &big));
	test_vqueue_fds_close(&q2.f);
}

/* MODIFY, RESUME and GET_STATE refuse bad arguments */
TEST_F(vqueue_smmuv3, cmd_bad_args)
{
	struct iommu_vqueue_get_state st;
	struct iommu_vqueue_modify m;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));

	test_err_vqueue_modify(ENOENT, self->n.ioas_id,
			       IOMMU_VQUEUE_MODIFY_DISABLE, 0);
	test_err_vqueue_modify(EOPNOTSUPP, self->q.id, 1 << 5, 0);
	test_err_vqueue_modify(EINVAL, self->q.id,
			       IOMMU_VQUEUE_MODIFY_DISABLE |
			       IOMMU_VQUEUE_MODIFY_ENABLE, 0);
	test_err_vqueue_modify(EBUSY, self->q.id, IOMMU_VQUEUE_MODIFY_BASE,
			       QUEUE2_IOVA);
	m = (struct iommu_vqueue_modify){
		.size = sizeof(m),
		.vqueue_id = self->q.id,
		.__reserved = 1,
	};
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VQUEUE_MODIFY, &m));

	test_err_vqueue_resume(EOPNOTSUPP, self->q.id, 1 << 4, 0);
	test_err_vqueue_resume(EINVAL, self->q.id, 0, 0);
	test_err_vqueue_resume(ENOENT, self->n.nested_id, 0, 0);

	st = (struct iommu_vqueue_get_state){
		.size = sizeof(st), .vqueue_id = self->q.id, .flags = 1,
	};
	EXPECT_ERRNO(EOPNOTSUPP,
		     ioctl(self->fd, IOMMU_VQUEUE_GET_STATE, &st));
	test_err_vqueue_get_state(ENOENT, self->n.stdev_id);
	st = (struct iommu_vqueue_get_state){
		.size = 8, .vqueue_id = self->q.id,
	};
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_VQUEUE_GET_STATE, &st));

	/* What the vqueue holds cannot go away under it */
	test_err_object_destroy(EBUSY, self->n.nested_id);
	test_err_object_destroy(EBUSY, self->n.parent_id);
	test_err_object_destroy(EBUSY, self->n.ioas_id);
}

/* SET_VDEVICE binding rules; an SMMUv3 vqueue takes no domain bindings */
TEST_F(vqueue_smmuv3, set_vdevice_bad_args)
{
	const uint32_t remove = IOMMU_VQUEUE_SET_VDEVICE_REMOVE;
	uint32_t dev = self->n.idev_id;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));

	test_err_vqueue_set_vdevice(EOPNOTSUPP, self->q.id, 1 << 3, dev, VSID);
	test_err_vqueue_set_vdevice(EINVAL, self->q.id, 0, dev,
				    (uint64_t)UINT32_MAX + 1);
	test_err_vqueue_set_vdevice(ENOENT, self->q.id, 0, self->n.ioas_id,
				    VSID);
	test_err_vqueue_set_vdevice(ENOENT, self->n.ioas_id, 0, dev, VSID);
	/* Nothing bound yet: nothing to remove */
	test_err_vqueue_set_vdevice(ENOENT, self->q.id, remove, dev, VSID);

	test_cmd_vqueue_set_vdevice(self->q.id, 0, dev, VSID);
	test_err_vqueue_set_vdevice(EEXIST, self->q.id, 0, dev, VSID);
	test_err_vqueue_set_vdevice(EEXIST, self->q.id, 0, dev, VSID + 1);
	test_err_vqueue_set_vdevice(ENOENT, self->q.id, remove, dev, VSID + 1);
	/* Removal names the device that is bound */
	test_err_vqueue_set_vdevice(EINVAL, self->q.id, remove, dev + 1000,
				    VSID);
	test_cmd_vqueue_set_vdevice(self->q.id, remove, dev, VSID);
	test_err_vqueue_set_vdevice(ENOENT, self->q.id, remove, dev, VSID);

	/* The VT-d command on an SMMUv3 vqueue */
	test_err_vqueue_set_vdomain(EINVAL, self->q.id, 0, self->n.nested_id,
				    1, 0);
	test_err_vqueue_set_vdomain(EINVAL, self->q.id,
				    IOMMU_VQUEUE_SET_VDOMAIN_REMOVE,
				    self->n.nested_id, 1, 0);
}

/* Destroying the HWPT under a live vqueue fails; after the vqueue, it works */
TEST_F(vqueue_smmuv3, destroy_hwpt_live)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 3, 0, 0));
	test_err_object_destroy(EBUSY, self->n.nested_id);

	/* Still working */
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));

	test_ioctl_object_destroy(self->q.id);
	test_ioctl_object_destroy(self->n.nested_id);
	test_ioctl_object_destroy(self->n.parent_id);
}

/* IOMMU_DESTROY while the worker has a full queue to go through */
TEST_F(vqueue_smmuv3, destroy_pending)
{
	static struct test_smmuv3_cmd cmds[4096];
	unsigned int i;

	for (i = 0; i < 4096; i++)
		cmds[i] = i % 2 ? cmd_sync_sev() : cmd_nh_va(i, i << 12);

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 12, 0, 0));
	vq_push(&self->q, cmds, 4096);
	vq_ring(&self->q);
	test_ioctl_object_destroy(self->q.id);
	/* The worker is gone: nothing moves any more */
	i = vq_cons(&self->q);
	usleep(20000);
	EXPECT_EQ(i, vq_cons(&self->q));
	test_ioctl_object_destroy(self->n.nested_id);
}

struct ringer {
	struct vq *q;
	bool stop;
};

static void *ring_thread(void *arg)
{
	struct ringer *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		vq_ring(r->q);
		usleep(50);
	}
	return NULL;
}

/* Free slots the guest may fill, as Linux computes them */
static unsigned int vq_space(struct vq *q)
{
	uint32_t mask = (2U << q->log2) - 1;

	return (1U << q->log2) - ((q->prod_val - vq_cons(q)) & mask);
}

static void *ring_once_thread(void *arg)
{
	vq_ring(arg);
	return NULL;
}

/*
 * IOMMU_VQUEUE_MODIFY(DISABLE) is a barrier: once it returns, the consumer
 * register is the VMM's and no completion write of a pass that was running
 * lands any more.  Every CMD_SYNC writes its own number to one word, so a
 * write after the disable shows as a change of that word.
 */
TEST_F(vqueue_smmuv3, disable_is_a_barrier)
{
	static struct test_smmuv3_cmd cmds[4096];
	uint32_t *status = self->guest + (STATUS_IOVA - GUEST_IOVA);
	struct iommu_vqueue_get_state st;
	uint32_t seen, cons;
	pthread_t thread;
	unsigned int i;

	for (i = 0; i < 4096; i++)
		cmds[i] = i % 2 ? cmd_sync_msi(STATUS_IOVA, i) :
				  cmd_nh_va(i, i << 12);
	__atomic_store_n(status, 0, __ATOMIC_RELAXED);
	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 12, 0,
			      IOMMU_VQUEUE_ALLOC_MSI));
	vq_push(&self->q, cmds, 4096);
	/* Rung by another vCPU thread, consumed inline there or by the worker */
	ASSERT_EQ(0, pthread_create(&thread, NULL, ring_once_thread,
				    &self->q));
	ASSERT_TRUE(wait_u32_nonzero(status));
	test_cmd_vqueue_modify(self->q.id, IOMMU_VQUEUE_MODIFY_DISABLE, 0);
	seen = __atomic_load_n(status, __ATOMIC_ACQUIRE);
	cons = vq_cons(&self->q);
	pthread_join(thread, NULL);
	usleep(50000);

	EXPECT_EQ(seen, __atomic_load_n(status, __ATOMIC_ACQUIRE));
	EXPECT_EQ(cons, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_DISABLED, st.out_state);
	/* The last MSI written is that of the last sync published */
	EXPECT_EQ(seen, (st.out_cons & 0x1fff) - 1);
	TH_LOG("disabled at CONS %#x of 4096", cons);
}

/*
 * Teardown races, each iteration on a fresh iommufd over the same guest
 * memory: VQUEUE_RACE_ITERATIONS in the environment runs more of them.
 */
#define RACE_ITERATIONS		240

static unsigned int race_iterations(void)
{
	const char *env = getenv("VQUEUE_RACE_ITERATIONS");

	return env ? strtoul(env, NULL, 0) : RACE_ITERATIONS;
}

/* A VMM's vqueue over the fixture's guest memory, on its own iommufd */
struct race_vmm {
	int fd;
	struct test_nest n;
	struct test_vqueue_fds f;
	uint32_t id;
};

static int race_vmm_start(struct _test_data_vqueue_smmuv3 *self,
			  struct race_vmm *v, unsigned int n)
{
	static struct test_smmuv3_cmd cmds[1024];
	struct iommu_vqueue_alloc cmd;
	struct vq q = {
		.log2 = 10,
		.ring = self->guest,
		.prod = self->regs + REG_PROD,
	};
	unsigned int i;

	v->fd = open("/dev/iommu", O_RDWR);
	if (v->fd < 0 || _test_nest_setup(v->fd, &v->n, self->guest,
					  GUEST_SIZE, GUEST_IOVA) ||
	    test_vqueue_fds_open(&v->f, true))
		return -1;
	__atomic_store_n((uint32_t *)(self->regs + REG_PROD), 0,
			 __ATOMIC_RELAXED);
	__atomic_store_n((uint32_t *)(self->regs + REG_CONS), 0,
			 __ATOMIC_RELAXED);
	cmd = test_vqueue_smmuv3(v->n.nested_id, QUEUE_IOVA, 10, self->regs,
				 &v->f);
	cmd.flags = self->alloc_flags | IOMMU_VQUEUE_ALLOC_MSI;
	if (_test_cmd_vqueue_alloc(v->fd, &cmd, &v->id))
		return -1;
	for (i = 0; i < n; i++)
		cmds[i] = i % 3 ? cmd_nh_asid(i) :
				  cmd_sync_msi(STATUS_IOVA, i);
	vq_push(&q, cmds, n);
	vq_ring(&(struct vq){ .f = v->f });
	return 0;
}

static void race_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Close the iommufd and the three eventfds in each of the 24 orders, with
 * the doorbell rung between the closes while it is open.
 */
TEST_F_TIMEOUT(vqueue_smmuv3, teardown_close_orders, 300)
{
	unsigned int it, k, j, iterations = race_iterations();

	for (it = 0; it < iterations; it++) {
		struct race_vmm v;
		int *fds[4] = { &v.fd, &v.f.doorbell, &v.f.stop, &v.f.irq };
		int *order[4];
		unsigned int code = it % 24, left = 4;

		ASSERT_EQ(0, race_vmm_start(self, &v, 1000));
		/* The code-th permutation of the four */
		memcpy(order, fds, sizeof(order));
		for (k = 0; k < 4; k++, left--) {
			unsigned int fact = left == 4 ? 6 : left == 3 ? 2 : 1;
			unsigned int pick = code / fact;
			int *chosen = order[k + pick];

			code %= fact;
			for (j = k + pick; j > k; j--)
				order[j] = order[j - 1];
			order[k] = chosen;
		}
		for (k = 0; k < 4; k++) {
			race_close(order[k]);
			if (v.f.doorbell >= 0)
				vq_ring(&(struct vq){ .f = v.f });
		}
	}
	TH_LOG("%u iterations", iterations);
}

struct destroyer {
	int fd;
	uint32_t id;
	unsigned int delay_us;
	int rc;
};

static void *destroy_thread(void *arg)
{
	struct destroyer *d = arg;

	usleep(d->delay_us);
	d->rc = _test_ioctl_object_destroy(d->fd, d->id);
	return NULL;
}

/* IOMMU_DESTROY from another thread while a batch is being consumed */
TEST_F_TIMEOUT(vqueue_smmuv3, teardown_destroy_mid_batch, 300)
{
	unsigned int it, iterations = race_iterations();
	uint32_t *cons = self->regs + REG_CONS;

	for (it = 0; it < iterations; it++) {
		struct race_vmm v;
		struct destroyer d;
		pthread_t thread;
		uint32_t c;

		ASSERT_EQ(0, race_vmm_start(self, &v, 1000));
		d = (struct destroyer){ v.fd, v.id, it % 8 * 250, -1 };
		ASSERT_EQ(0, pthread_create(&thread, NULL, destroy_thread, &d));
		vq_ring(&(struct vq){ .f = v.f });
		pthread_join(thread, NULL);
		EXPECT_EQ(0, d.rc);
		/* Destroyed: nothing moves CONS any more */
		c = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
		vq_ring(&(struct vq){ .f = v.f });
		usleep(1000);
		EXPECT_EQ(c, __atomic_load_n(cons, __ATOMIC_ACQUIRE));
		close(v.fd);
		test_vqueue_fds_close(&v.f);
	}
	TH_LOG("%u iterations", iterations);
}

/* SIGKILL of a VMM in the middle of a batch, its worker with it */
TEST_F_TIMEOUT(vqueue_smmuv3, teardown_kill_mid_batch, 300)
{
	unsigned int it, iterations = race_iterations() / 4;
	int status, ready[2];
	char byte;
	pid_t pid;

	for (it = 0; it < iterations; it++) {
		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct race_vmm v;

			if (race_vmm_start(self, &v, 1000) ||
			    write(ready[1], "", 1) != 1)
				_exit(1);
			for (;;)
				vq_ring(&(struct vq){ .f = v.f });
		}
		close(ready[1]);
		/* Its batch is queued and rung: kill it at some point of it */
		EXPECT_EQ(1, read(ready[0], &byte, 1));
		close(ready[0]);
		usleep(it % 8 * 500);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		/* Killed, not failed: its setup worked */
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	TH_LOG("%u iterations", iterations);
}

struct flooder {
	struct vq *q;
	bool stop;
	unsigned long rounds;
};

/* A guest that keeps its queue full and its doorbell ringing */
static void *flood_thread(void *arg)
{
	static struct test_smmuv3_cmd cmds[1024];
	struct flooder *fl = arg;
	unsigned int i, n;

	for (i = 0; i < 1024; i++)
		cmds[i] = cmd_nh_asid(i);
	while (!__atomic_load_n(&fl->stop, __ATOMIC_RELAXED)) {
		n = vq_space(fl->q);
		if (n)
			vq_push(fl->q, cmds, n);
		vq_ring(fl->q);
		fl->rounds++;
	}
	return NULL;
}

/*
 * A queue flooded without pause does not starve another: every pass is
 * bounded, so the second queue's batches all complete meanwhile, and the
 * flooded one keeps moving too.
 */
TEST_F(vqueue_smmuv3, flood_does_not_starve)
{
	struct test_smmuv3_cmd cmds[2];
	struct flooder fl = { .q = &self->q };
	struct iommu_vqueue_get_state st;
	pthread_t thread;
	struct vq q2;
	unsigned int b;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 10, 0, 0));
	ASSERT_EQ(0, vq_alloc(self, &q2, QUEUE2_IOVA, 4, 0x200, 0));
	ASSERT_EQ(0, pthread_create(&thread, NULL, flood_thread, &fl));
	ASSERT_TRUE(wait_cons_past(&self->q, 1));

	for (b = 0; b < 64; b++) {
		cmds[0] = cmd_nh_asid(b);
		cmds[1] = cmd_sync_sev();
		vq_push(&q2, cmds, 2);
		vq_ring(&q2);
		ASSERT_TRUE(vq_wait_cons(&q2, q2.prod_val));
	}
	__atomic_store_n(&fl.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	/* The flooded queue was never stuck either: it drains */
	ASSERT_TRUE(vq_wait_cons(&self->q, self->q.prod_val));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_RUNNING, st.out_state);
	TH_LOG("flooded queue: %llu entries consumed in %lu rounds",
	       (unsigned long long)st.out_consumed, fl.rounds);
	test_ioctl_object_destroy(q2.id);
	test_vqueue_fds_close(&q2.f);
}

/* Everything but the ioctl is made before the point is armed */
struct fail_alloc {
	int fd;
	struct iommu_vqueue_alloc cmd;
	struct vq q;
};

static int fail_alloc_call(void *arg)
{
	struct fail_alloc *a = arg;

	return _test_cmd_vqueue_alloc(a->fd, &a->cmd, &a->q.id);
}

static void fail_alloc_undo(void *arg)
{
	struct fail_alloc *a = arg;

	_test_ioctl_object_destroy(a->fd, a->q.id);
}

/* IOMMU_VQUEUE_ALLOC with each of its injection points failing */
TEST_F(vqueue_smmuv3, fail_nth_alloc)
{
	struct fail_alloc a = { .fd = self->fd };
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	unsigned int points, i;
	struct vq q[VQUEUES_PER_IOMMUFD];

	vq_alloc_cmd(self, &a.q, &a.cmd, QUEUE_IOVA, 4, 0,
		     IOMMU_VQUEUE_ALLOC_MSI);
	points = fail_nth_sweep(fail_alloc_call, fail_alloc_undo, &a);
	test_vqueue_fds_close(&a.q.f);
	TH_LOG("IOMMU_VQUEUE_ALLOC: %u injection points", points);
	EXPECT_LT(0, points);

	/* None of the failures kept a vqueue's share of the limit */
	for (i = 0; i < VQUEUES_PER_IOMMUFD; i++)
		ASSERT_EQ(0, vq_alloc(self, &q[i], QUEUE_IOVA, 4, 0, 0));
	for (i = 0; i < VQUEUES_PER_IOMMUFD; i++) {
		test_ioctl_object_destroy(q[i].id);
		test_vqueue_fds_close(&q[i].f);
	}

	/* And the queue works */
	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
}

struct fail_bind {
	struct _test_data_vqueue_smmuv3 *self;
	uint32_t vqueue_id;
};

static int fail_bind_call(void *arg)
{
	struct fail_bind *b = arg;

	return _test_cmd_vqueue_set_vdevice(b->self->fd, b->vqueue_id, 0,
					    b->self->n.idev_id, VSID);
}

static void fail_bind_undo(void *arg)
{
	struct fail_bind *b = arg;

	_test_cmd_vqueue_set_vdevice(b->self->fd, b->vqueue_id,
				     IOMMU_VQUEUE_SET_VDEVICE_REMOVE,
				     b->self->n.idev_id, VSID);
}

/* IOMMU_VQUEUE_SET_VDEVICE likewise; the binding works afterwards */
TEST_F(vqueue_smmuv3, fail_nth_set_vdevice)
{
	struct test_smmuv3_cmd cmds[2] = {
		cmd_cfgi_cd(VSID, 0), cmd_sync_sev(),
	};
	struct test_smmuv3_cmd want = cmd_cfgi_cd(self->n.mock_id, 0);
	struct fail_bind b = { .self = self };
	unsigned int points;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	b.vqueue_id = self->q.id;
	points = fail_nth_sweep(fail_bind_call, fail_bind_undo, &b);
	TH_LOG("IOMMU_VQUEUE_SET_VDEVICE: %u injection points", points);
	EXPECT_LT(0, points);

	test_cmd_vqueue_set_vdevice(self->q.id, 0, self->n.idev_id, VSID);
	vq_push(&self->q, cmds, 2);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, &want, 1);
}

/* Unmap the queue's IOVA while the worker is busy with it */
TEST_F(vqueue_smmuv3, unmap_busy)
{
	static struct test_smmuv3_cmd cmds[512];
	struct iommu_vqueue_get_state st;
	struct ringer r = { .q = &self->q };
	pthread_t thread;
	unsigned int i, n;

	for (i = 0; i < 512; i++)
		cmds[i] = i % 8 ? cmd_sync_sev() : cmd_nh_asid(i);

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 12, 0, 0));
	ASSERT_EQ(0, pthread_create(&thread, NULL, ring_thread, &r));
	for (i = 0; i < 64; i++) {
		n = vq_space(&self->q);
		vq_push(&self->q, cmds, n < 512 ? n : 512);
	}
	test_ioctl_ioas_unmap_range(self->n.ioas_id, GUEST_IOVA, GUEST_SIZE);
	/* Whatever is pending now aborts on the entry at CONS */
	if (vq_space(&self->q))
		vq_push(&self->q, cmds, 1);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ABORT, st.out_stop_reason);
	EXPECT_EQ(SMMUV3_CERROR_ABT, CONS_ERR(vq_cons(&self->q)));
	test_ioctl_object_destroy(self->q.id);
}

/*
 * Once its device is gone, a virtual device ID names nothing: the physical
 * ID it stood for may be another VM's device by now.
 */
TEST_F(vqueue_smmuv3, vdevice_of_destroyed_device)
{
	struct test_smmuv3_cmd cmds[3] = {
		cmd_cfgi_cd(VSID + 1, 0), cmd_atc_inv(VSID + 1, 0, 0),
		cmd_sync_sev(),
	};
	struct iommu_vqueue_get_state st;
	uint32_t stdev, idev, mock;

	ASSERT_EQ(0, _test_cmd_mock_device(self->fd, self->n.ioas_id, &stdev,
					   &idev, &mock));
	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	test_cmd_vqueue_set_vdevice(self->q.id, 0, idev, VSID + 1);
	test_ioctl_object_destroy(stdev);
	/* The binding went with the device */
	test_err_vqueue_set_vdevice(ENOENT, self->q.id,
				    IOMMU_VQUEUE_SET_VDEVICE_REMOVE, idev,
				    VSID + 1);

	vq_push(&self->q, cmds, 3);
	vq_ring(&self->q);
	ASSERT_EQ(0, eventfd_wait(self->q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(SMMUV3_CERROR_ILL << 24 | 0, vq_cons(&self->q));
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(cmds[0].w[0], st.out_entry[0]);
	expect_log(_metadata, self->fd, self->n.nested_id, NULL, 0);
}

struct unmapper {
	int fd;
	uint32_t ioas_id;
	int rc;
	uint64_t start_ms;
	uint64_t end_ms;
};

static void *unmap_thread(void *arg)
{
	struct unmapper *u = arg;

	u->start_ms = now_ms();
	u->rc = _test_ioctl_ioas_unmap_range(u->fd, u->ioas_id, GUEST_IOVA,
					     GUEST_SIZE);
	u->end_ms = now_ms();
	return NULL;
}

#define UNMAP_DELAY_MS	2000

/*
 * IOMMU_DESTROY of a vqueue while an IOAS_UNMAP is telling its access about
 * the unmap: the destroy waits for the unmap to let go of the access, and
 * must be woken when it does.  Another access pins a page, so that the
 * unmap notifies every access of the IOAS; the vqueue's access holds on to
 * that notification, and only that one, for UNMAP_DELAY_MS.
 */
TEST_F(vqueue_smmuv3, destroy_during_unmap_notify)
{
	struct iommu_test_cmd access = {
		.size = sizeof(access),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = self->n.ioas_id,
		.create_access = {
			.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
		},
	};
	struct iommu_test_cmd pin = {
		.size = sizeof(pin),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.access_pages = {
			.iova = GUEST_IOVA + 0x10000,
			.length = 0x1000,
			.uptr = (uintptr_t)self->guest + 0x10000,
		},
	};
	struct iommu_test_cmd delay = {
		.size = sizeof(delay),
		.op = IOMMU_TEST_OP_VQUEUE_UNMAP_DELAY,
		.vqueue_unmap_delay = { .delay_ms = UNMAP_DELAY_MS },
	};
	struct unmapper u = { .fd = self->fd, .ioas_id = self->n.ioas_id };
	uint64_t destroy_start, destroy_end;
	pthread_t thread;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	delay.id = self->q.id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &delay));
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &access));
	pin.id = access.create_access.out_access_fd;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &pin));

	ASSERT_EQ(0, pthread_create(&thread, NULL, unmap_thread, &u));
	usleep(UNMAP_DELAY_MS * 1000 / 4);
	destroy_start = now_ms();
	ASSERT_EQ(0, _test_ioctl_object_destroy(self->fd, self->q.id));
	destroy_end = now_ms();
	pthread_join(thread, NULL);
	close(access.create_access.out_access_fd);

	EXPECT_EQ(0, u.rc);
	TH_LOG("unmap 0-%llu ms, destroy %llu-%llu ms",
	       (unsigned long long)(u.end_ms - u.start_ms),
	       (unsigned long long)(destroy_start - u.start_ms),
	       (unsigned long long)(destroy_end - u.start_ms));
	/* The race happened: the unmap was in the vqueue's access throughout */
	EXPECT_LE(UNMAP_DELAY_MS, u.end_ms - u.start_ms);
	EXPECT_LT(destroy_start, u.end_ms);
	/* ... and the destroy waited for it to let go */
	EXPECT_LE(u.start_ms + UNMAP_DELAY_MS, destroy_end);
}

/* Each vqueue has a task of the VMM: an iommufd has a bounded number */
TEST_F(vqueue_smmuv3, alloc_per_iommufd_limit)
{
	static struct vq q[VQUEUES_PER_IOMMUFD + 1];
	unsigned int i;

	for (i = 0; i < VQUEUES_PER_IOMMUFD; i++)
		ASSERT_EQ(0, vq_alloc(self, &q[i], QUEUE_IOVA, 4, 0, 0));
	EXPECT_ERRNO(ENOSPC, vq_alloc(self, &q[i], QUEUE_IOVA, 4, 0, 0));
	test_vqueue_fds_close(&q[i].f);

	/* A destroyed one makes room */
	test_ioctl_object_destroy(q[0].id);
	test_vqueue_fds_close(&q[0].f);
	ASSERT_EQ(0, vq_alloc(self, &q[0], QUEUE_IOVA, 4, 0, 0));

	for (i = 0; i < VQUEUES_PER_IOMMUFD; i++) {
		test_ioctl_object_destroy(q[i].id);
		test_vqueue_fds_close(&q[i].f);
	}
}

/*
 * The register page's pin counts against RLIMIT_MEMLOCK like the pages of
 * an IOAS mapping, for a VMM without CAP_IPC_LOCK: here one page, which one
 * vqueue takes.
 */
TEST_F(vqueue_smmuv3, regs_pin_accounted)
{
	struct rlimit one_page = {
		.rlim_cur = getpagesize(),
		.rlim_max = getpagesize(),
	};
	struct vq q[2];

	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &one_page));
	/* No capabilities from here on; the iommufd stays open */
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));

	ASSERT_EQ(0, vq_alloc(self, &q[0], QUEUE_IOVA, 4, 0, 0));
	EXPECT_ERRNO(ENOMEM, vq_alloc(self, &q[1], QUEUE_IOVA, 4, 0, 0));
	test_vqueue_fds_close(&q[1].f);

	/* Destroying it gives the page back */
	test_ioctl_object_destroy(q[0].id);
	test_vqueue_fds_close(&q[0].f);
	ASSERT_EQ(0, vq_alloc(self, &q[1], QUEUE_IOVA, 4, 0, 0));
	test_ioctl_object_destroy(q[1].id);
	test_vqueue_fds_close(&q[1].f);
}

/* Close the iommufd with doorbells still being rung and eventfds signalled */
TEST_F(vqueue_smmuv3, close_signalled)
{
	static struct test_smmuv3_cmd cmds[1024];
	struct ringer r = { .q = &self->q };
	struct vq q2;
	pthread_t thread;
	unsigned int i;

	for (i = 0; i < 1024; i++)
		cmds[i] = i % 3 ? cmd_nh_asid(i) : cmd_sync_msi(QUEUE_IOVA, 0);

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 10, 0, 0));
	ASSERT_EQ(0, vq_alloc(self, &q2, QUEUE2_IOVA, 10, 0x200,
			      IOMMU_VQUEUE_ALLOC_MSI));
	test_cmd_vqueue_set_vdevice(q2.id, 0, self->n.idev_id, VSID);
	ASSERT_EQ(0, pthread_create(&thread, NULL, ring_thread, &r));
	vq_push(&self->q, cmds, 1000);
	vq_push(&q2, cmds, 1000);
	vq_ring(&q2);

	/* The second vqueue's eventfds go first, then the iommufd */
	test_vqueue_fds_close(&q2.f);
	close(self->fd);
	self->fd = -1;
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	/* A fresh iommufd works: nothing was left behind holding the mock */
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
}

static bool worker_only(struct _test_data_vqueue_smmuv3 *self)
{
	return self->alloc_flags & IOMMU_VQUEUE_ALLOC_WORKER_ONLY;
}

/*
 * Who consumed the queue. Inline, the pass runs as task work of the ringing
 * thread before write() returns to it: CONS is there on return, with no
 * waiting, and the worker never ran.
 */
TEST_F(vqueue_smmuv3, pass_location)
{
	struct test_smmuv3_cmd cmds[4] = {
		cmd_nh_asid(1), cmd_nh_asid(2), cmd_nh_va(3, 0x1000),
		cmd_sync_sev(),
	};
	struct iommu_vqueue_get_state st;
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	for (i = 1; i <= 8; i++) {
		vq_push(&self->q, cmds, 4);
		vq_ring(&self->q);
		if (!worker_only(self))
			ASSERT_EQ(self->q.prod_val, vq_cons(&self->q));
		ASSERT_TRUE(vq_wait_cons(&self->q, self->q.prod_val));
	}
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(32, st.out_consumed);
	if (worker_only(self)) {
		EXPECT_EQ(0, st.out_inline_passes);
		EXPECT_LE(1, st.out_worker_passes);
	} else {
		EXPECT_EQ(8, st.out_inline_passes);
		EXPECT_EQ(0, st.out_worker_passes);
	}
}

/* One doorbell for more than an inline pass takes: the worker does the rest */
TEST_F(vqueue_smmuv3, inline_budget_handoff)
{
	static struct test_smmuv3_cmd cmds[300];
	struct iommu_vqueue_get_state st;
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 9, 0, 0));
	for (i = 0; i < 300; i++)
		cmds[i] = cmd_sync_sev();
	vq_push(&self->q, cmds, 300);
	vq_ring(&self->q);
	ASSERT_TRUE(vq_wait_cons(&self->q, 300));

	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_RUNNING, st.out_state);
	EXPECT_EQ(300, st.out_consumed);
	EXPECT_LE(1, st.out_worker_passes);
	EXPECT_EQ(worker_only(self) ? 0 : 1, st.out_inline_passes);
}

/* A doorbell from another process than the VMM's is the worker's */
TEST_F(vqueue_smmuv3, doorbell_other_process)
{
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(9), cmd_sync_sev() };
	struct iommu_vqueue_get_state st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	vq_push(&self->q, cmds, 2);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint64_t one = 1;

		_exit(write(self->q.f.doorbell, &one, sizeof(one)) !=
		      sizeof(one));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(vq_wait_cons(&self->q, 2));
	expect_log(_metadata, self->fd, self->n.nested_id, cmds, 1);

	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(0, st.out_inline_passes);
	EXPECT_LE(1, st.out_worker_passes);
}

#define SHARED_THREADS		2
#define SHARED_BATCHES		16

struct shared_queue {
	struct vq *q;
	pthread_mutex_t lock;
	unsigned int id;
	bool cons_backwards;
	bool timed_out;
	bool done;
};

/* A guest CPU: its commands under the queue lock, then its own doorbell */
static void *shared_queue_cpu(void *arg)
{
	struct shared_queue *sq = arg;
	unsigned int cpu, b;
	uint32_t want;

	pthread_mutex_lock(&sq->lock);
	cpu = sq->id++;
	pthread_mutex_unlock(&sq->lock);

	for (b = 0; b < SHARED_BATCHES; b++) {
		struct test_smmuv3_cmd cmds[2] = {
			cmd_nh_asid(1 + cpu * SHARED_BATCHES + b),
			cmd_sync_sev(),
		};

		pthread_mutex_lock(&sq->lock);
		vq_push(sq->q, cmds, 2);
		want = sq->q->prod_val;
		pthread_mutex_unlock(&sq->lock);
		vq_ring(sq->q);
		/* The queue does not wrap here: CONS only grows */
		if (!wait_cons_past(sq->q, want)) {
			sq->timed_out = true;
			break;
		}
	}
	return NULL;
}

static void *shared_queue_observer(void *arg)
{
	struct shared_queue *sq = arg;
	uint32_t last = 0, cons;

	while (!__atomic_load_n(&sq->done, __ATOMIC_ACQUIRE)) {
		cons = vq_cons(sq->q);
		if (cons < last)
			sq->cons_backwards = true;
		last = cons;
	}
	return NULL;
}

/*
 * Two CPUs of the guest share one queue, as Linux's SMMUv3 driver shares its
 * one CMDQ, and ring it concurrently: every command reaches the IOMMU once,
 * in the order it was queued, and CONS never moves back.
 */
TEST_F(vqueue_smmuv3, shared_queue_concurrent_doorbells)
{
	struct test_smmuv3_cmd got[MOCK_SMMUV3_LOG_NUM];
	pthread_t cpus[SHARED_THREADS], observer;
	bool seen[SHARED_THREADS * SHARED_BATCHES] = {};
	struct iommu_vqueue_get_state st;
	struct shared_queue sq = {
		.q = &self->q,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	uint32_t num = 0, asid;
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 8, 0, 0));
	ASSERT_EQ(0, pthread_create(&observer, NULL, shared_queue_observer,
				    &sq));
	for (i = 0; i < SHARED_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&cpus[i], NULL, shared_queue_cpu,
					    &sq));
	for (i = 0; i < SHARED_THREADS; i++)
		pthread_join(cpus[i], NULL);
	__atomic_store_n(&sq.done, true, __ATOMIC_RELEASE);
	pthread_join(observer, NULL);

	ASSERT_FALSE(sq.timed_out);
	EXPECT_FALSE(sq.cons_backwards);
	ASSERT_EQ(SHARED_THREADS * SHARED_BATCHES * 2, vq_cons(&self->q));

	ASSERT_EQ(0, _test_cmd_mock_log(self->fd, IOMMU_TEST_OP_MD_SMMUV3_LOG,
					self->n.nested_id, got,
					MOCK_SMMUV3_LOG_NUM, &num, NULL));
	ASSERT_EQ(SHARED_THREADS * SHARED_BATCHES, num);
	for (i = 0; i < num; i++) {
		asid = FIELD_GET(SMMUV3_CMD0_ASID, got[i].w[0]) - 1;
		ASSERT_GT(SHARED_THREADS * SHARED_BATCHES, asid);
		EXPECT_FALSE(seen[asid]);
		seen[asid] = true;
	}
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(SHARED_THREADS * SHARED_BATCHES * 2, st.out_consumed);
}

/*
 * Wait until the vqueue's worker sleeps for want of work: it has let go of
 * the pass it ran, and an inline pass will not find it running.
 */
static bool wait_worker_idle(uint32_t vqueue_id)
{
	pid_t tid = test_vqueue_worker_tid(vqueue_id);
	uint64_t end = now_ms() + TIMEOUT_MS;
	char path[64], stat[256], *state;
	bool idle = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	while (tid && !idle && now_ms() < end) {
		f = fopen(path, "r");
		if (!f)
			return false;
		/* "tid (comm) S ...": only the idle worker sleeps interruptibly */
		if (fgets(stat, sizeof(stat), f)) {
			state = strrchr(stat, ')');
			idle = state && state[1] == ' ' && state[2] == 'S';
		}
		fclose(f);
		if (!idle)
			usleep(1000);
	}
	return idle;
}

/*
 * A queue that a second thread of the VMM rings, as vCPUs share one, is the
 * worker's until one thread has rung it on its own for 16 doorbells.
 */
TEST_F(vqueue_smmuv3, other_ringer_goes_to_worker)
{
	/* This thread, another one, then this one 17 times */
	const unsigned int nr_rings = 19, other_ring = 1;
	struct test_smmuv3_cmd cmds[2] = { cmd_nh_asid(1), cmd_sync_sev() };
	struct iommu_vqueue_get_state st;
	pthread_t thread;
	unsigned int i;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 6, 0, 0));
	for (i = 0; i < nr_rings; i++) {
		vq_push(&self->q, cmds, 2);
		if (i == other_ring) {
			ASSERT_EQ(0, pthread_create(&thread, NULL,
						    ring_once_thread,
						    &self->q));
			ASSERT_EQ(0, pthread_join(thread, NULL));
		} else {
			vq_ring(&self->q);
		}
		ASSERT_TRUE(vq_wait_cons(&self->q, self->q.prod_val));
		/* An inline pass that finds the worker's running hands off */
		ASSERT_TRUE(wait_worker_idle(self->q.id));
	}
	test_cmd_vqueue_get_state(self->q.id, &st);
	EXPECT_EQ(2 * nr_rings, st.out_consumed);
	if (worker_only(self)) {
		EXPECT_EQ(0, st.out_inline_passes);
		EXPECT_LE(1, st.out_worker_passes);
	} else {
		/* The first doorbell and the last, from a thread on its own */
		EXPECT_EQ(2, st.out_inline_passes);
		EXPECT_EQ(nr_rings - 2, st.out_worker_passes);
	}
}

/* The worker is a thread of the VMM, for as long as the vqueue exists */
TEST_F(vqueue_smmuv3, worker_is_vmm_thread)
{
	uint64_t end;

	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	EXPECT_NE(0, test_vqueue_worker_tid(self->q.id));

	test_ioctl_object_destroy(self->q.id);
	end = now_ms() + TIMEOUT_MS;
	while (test_vqueue_worker_tid(self->q.id) && now_ms() < end)
		usleep(1000);
	EXPECT_EQ(0, test_vqueue_worker_tid(self->q.id));
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[128];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return rc;
}

static long read_long(const char *dir, const char *name)
{
	char path[128], buf[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

#define CGROUP_ROOT	"/tmp/vqueue-cgroup"
#define CGROUP_VMM	CGROUP_ROOT "/vmm"

/*
 * The worker counts against the VMM's pids.max: with room for none, the
 * allocation fails cleanly, and it is charged while it exists.
 */
TEST_F(vqueue_smmuv3, worker_charged_to_vmm_cgroup)
{
	char pid[16];
	struct vq q2;

	mkdir(CGROUP_ROOT, 0755);
	if (mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
		ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, write_file(CGROUP_ROOT, "cgroup.subtree_control",
				"+pids"));
	if (mkdir(CGROUP_VMM, 0755))
		ASSERT_EQ(EEXIST, errno);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, write_file(CGROUP_VMM, "cgroup.procs", pid));
	ASSERT_EQ(1, read_long(CGROUP_VMM, "pids.current"));

	ASSERT_EQ(0, write_file(CGROUP_VMM, "pids.max", "2"));
	ASSERT_EQ(0, vq_alloc(self, &self->q, QUEUE_IOVA, 4, 0, 0));
	EXPECT_EQ(2, read_long(CGROUP_VMM, "pids.current"));

	EXPECT_ERRNO(EAGAIN, vq_alloc(self, &q2, QUEUE2_IOVA, 4, 0x100, 0));
	test_vqueue_fds_close(&q2.f);
	EXPECT_EQ(2, read_long(CGROUP_VMM, "pids.current"));

	ASSERT_EQ(0, write_file(CGROUP_VMM, "pids.max", "max"));
	ASSERT_EQ(0, vq_alloc(self, &q2, QUEUE2_IOVA, 4, 0x100, 0));
	EXPECT_EQ(3, read_long(CGROUP_VMM, "pids.current"));
	test_ioctl_object_destroy(q2.id);
	test_vqueue_fds_close(&q2.f);
}

/*
 * VT-d invalidation queue. The register page is the remapping unit's: IQH,
 * IQT, IQA and ICS at their architectural offsets.
 */
#define VDID		3
#define VDID2		4
#define VPASID		0x10

FIXTURE(vqueue_vtd)
{
	int fd;
	struct test_nest n;
	void *guest;
	void *regs;
	struct test_vqueue_fds f;
	uint32_t alloc_flags;
};

FIXTURE_VARIANT(vqueue_vtd)
{
	uint32_t alloc_flags;
};

FIXTURE_VARIANT_ADD(vqueue_vtd, inline_pass)
{
	.alloc_flags = 0,
};

FIXTURE_VARIANT_ADD(vqueue_vtd, worker_only)
{
	.alloc_flags = IOMMU_VQUEUE_ALLOC_WORKER_ONLY,
};

FIXTURE_SETUP(vqueue_vtd)
{
	self->alloc_flags = variant->alloc_flags;
	self->f = (struct test_vqueue_fds){ -1, -1, -1 };
	guest_setup(_metadata, &self->fd, &self->n, &self->guest, &self->regs);
}

FIXTURE_TEARDOWN(vqueue_vtd)
{
	guest_teardown(self->fd, &self->f, self->guest, self->regs);
}

struct vtdq {
	struct vq q;		/* eventfds, id, IQT/IQH */
	uint8_t *ring;
	unsigned int esize;
	unsigned int entries;
	uint32_t *ics;
	uint32_t tail;
};

static uint32_t *status_at(struct _test_data_vqueue_vtd *self, unsigned int i)
{
	return self->guest + (STATUS_IOVA - GUEST_IOVA) + i * 4;
}

static void vtd_alloc_cmd(struct _test_data_vqueue_vtd *self, struct vtdq *v,
			  struct iommu_vqueue_alloc *cmd, bool dw,
			  unsigned int qs, uint32_t start)
{
	struct vq *q = &v->q;

	memset(v, 0, sizeof(*v));
	v->esize = dw ? 32 : 16;
	v->entries = (4096U << qs) / v->esize;
	v->ring = self->guest + (QUEUE_IOVA - GUEST_IOVA);
	v->ics = self->regs + VTD_ICS_REG;
	v->tail = start;
	q->id = 0;
	q->prod = self->regs + VTD_IQT_REG;
	q->cons = self->regs + VTD_IQH_REG;
	/* The VMM's QIE enable: IQH and IQT where the guest starts */
	__atomic_store_n(q->prod, start * v->esize, __ATOMIC_RELAXED);
	__atomic_store_n(q->cons, start * v->esize, __ATOMIC_RELAXED);
	__atomic_store_n(v->ics, 0, __ATOMIC_RELAXED);
	test_vqueue_fds_open(&q->f, true);

	*cmd = test_vqueue_vtd(self->n.nested_id,
			       QUEUE_IOVA | (dw ? VTD_IQA_DW : 0) | qs,
			       self->regs, &q->f);
	cmd->flags |= self->alloc_flags;
}

static int vtd_alloc(struct _test_data_vqueue_vtd *self, struct vtdq *v, bool dw,
		     unsigned int qs, uint32_t start)
{
	struct iommu_vqueue_alloc cmd;
	int rc;

	vtd_alloc_cmd(self, v, &cmd, dw, qs, start);
	rc = _test_cmd_vqueue_alloc(self->fd, &cmd, &v->q.id);
	/* Teardown closes the eventfds */
	self->f = v->q.f;
	return rc;
}

/* Write descriptor @d at slot @slot, as wide as the queue's descriptors */
static void vtd_put(struct vtdq *v, uint32_t slot, struct test_vtd_desc d)
{
	memcpy(v->ring + (size_t)slot * v->esize, d.qw, v->esize);
}

/* The guest: queue @n descriptors at IQT, then one IQT write */
static void vtd_push(struct vtdq *v, const struct test_vtd_desc *d,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vtd_put(v, (v->tail + i) % v->entries, d[i]);
	v->tail = (v->tail + n) % v->entries;
	__atomic_store_n(v->q.prod, v->tail * v->esize, __ATOMIC_RELEASE);
	vq_ring(&v->q);
}

static bool vtd_wait_head(struct vtdq *v, uint32_t slot)
{
	return vq_wait_cons(&v->q, slot * v->esize);
}

static void expect_vtd_log(struct __test_metadata *_metadata, int fd,
			   uint32_t nested_id,
			   const struct iommu_hwpt_vtd_s1_invalidate *want,
			   unsigned int n)
{
	struct iommu_hwpt_vtd_s1_invalidate got[MOCK_VTD_LOG_NUM];
	uint32_t num = 0;
	unsigned int i;

	ASSERT_EQ(0, _test_cmd_mock_log(fd, IOMMU_TEST_OP_MD_VTD_LOG, nested_id,
					got, MOCK_VTD_LOG_NUM, &num, NULL));
	ASSERT_EQ(n, num);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want[i].addr, got[i].addr);
		EXPECT_EQ(want[i].npages, got[i].npages);
		EXPECT_EQ(want[i].flags, got[i].flags);
		EXPECT_EQ(0, got[i].__reserved);
	}
}

/*
 * in a 128-bit queue: a device-TLB invalidation completes as a
 * no-op, the wait writes its status, and the queue wraps at 256 entries.
 */
TEST_F(vqueue_vtd, wait_wrap_128)
{
	struct test_vtd_desc d[2] = {
		test_vtd_dev_tlb(0x100, 0x200000),
		test_vtd_wait(true, false, 2, STATUS_IOVA),
	};
	struct iommu_vqueue_get_state st;
	struct vtdq v;
	uint64_t cnt;

	ASSERT_EQ(0, vtd_alloc(self, &v, false, 0, 0));
	vtd_push(&v, d, 2);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 2));
	ASSERT_TRUE(vtd_wait_head(&v, 2));
	EXPECT_EQ(0x20, vq_cons(&v.q));

	/* Linux's free_head = 254: the two land in slots 254 and 255 */
	test_ioctl_object_destroy(v.q.id);
	test_vqueue_fds_close(&self->f);
	ASSERT_EQ(0, vtd_alloc(self, &v, false, 0, 254));
	d[1] = test_vtd_wait(true, false, 3, STATUS_IOVA + 4);
	vtd_push(&v, d, 2);
	EXPECT_EQ(0, __atomic_load_n(v.q.prod, __ATOMIC_RELAXED));
	ASSERT_TRUE(wait_u32(status_at(self, 1), 3));
	ASSERT_TRUE(vtd_wait_head(&v, 0));

	/* And on after the wrap */
	d[1] = test_vtd_wait(true, false, 4, STATUS_IOVA + 8);
	vtd_push(&v, d, 2);
	ASSERT_TRUE(wait_u32(status_at(self, 2), 4));
	ASSERT_TRUE(vtd_wait_head(&v, 2));

	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_RUNNING, st.out_state);
	EXPECT_EQ(4, st.out_consumed);
	EXPECT_EQ(0, st.out_write_errors);
	/* No IF: no completion interrupt */
	EXPECT_EQ(-1, read(v.q.f.irq, &cnt, sizeof(cnt)));
	EXPECT_EQ(0, *v.ics);
}

/*
 * A 256-bit queue across its wrap: P_IOTLB descriptors reach the nested
 * HWPT bound to their (DID, PASID), converted to stage-1 invalidations,
 * in queue order, and the mock IOTLB shows them applied.
 */
TEST_F(vqueue_vtd, forward_wrap_256)
{
	struct test_vtd_desc d[5] = {
		test_vtd_piotlb(VDID, VPASID, 0x5000, 0, true),
		test_vtd_piotlb_pasid(VDID2, VPASID),
		/* AM=9: 2MiB, the address rounded down to it */
		test_vtd_piotlb(VDID, VPASID, 0x2ff000, 9, false),
		test_vtd_dev_tlb(0x100, 0),
		test_vtd_wait(true, false, 7, STATUS_IOVA),
	};
	struct iommu_hwpt_vtd_s1_invalidate want1[2] = {
		{ .addr = 0x5000, .npages = 1,
		  .flags = IOMMU_VTD_INV_FLAGS_LEAF },
		{ .addr = 0x200000, .npages = 512 },
	};
	struct iommu_hwpt_vtd_s1_invalidate want2[1] = {
		{ .addr = 0, .npages = UINT64_MAX },
	};
	uint32_t nested_id2;
	struct vtdq v;

	/* QS=0 with 256-bit descriptors: 128 entries; start 2 before the end */
	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 126));
	ASSERT_EQ(128, v.entries);
	test_cmd_hwpt_alloc_mock_nested(self->n.idev_id, self->n.parent_id,
					&nested_id2);
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID, VPASID);
	test_cmd_vqueue_set_vdomain(v.q.id, 0, nested_id2, VDID2, VPASID);

	vtd_push(&v, d, 5);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 7));
	ASSERT_TRUE(vtd_wait_head(&v, 3));
	EXPECT_EQ(3 * 32, vq_cons(&v.q));

	expect_vtd_log(_metadata, self->fd, self->n.nested_id, want1, 2);
	expect_vtd_log(_metadata, self->fd, nested_id2, want2, 1);
	/* Page 5 is slot 1; the 2MiB range covers every slot */
	test_cmd_mock_check_iotlb(self->n.nested_id, 1, 0);
	test_cmd_mock_check_iotlb(self->n.nested_id, 0, 0);
	test_cmd_mock_check_iotlb(nested_id2, 3, 0);
}

/* IF=1: ICS.IWC and the irq eventfd, not again until the guest clears it */
TEST_F(vqueue_vtd, wait_irq_latch)
{
	struct test_vtd_desc d[3];
	struct vtdq v;
	uint64_t cnt;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));

	/* A fenced no-op wait (Linux's IQE drain) completes silently */
	d[0] = (struct test_vtd_desc){ { 0x45, 0 } };
	d[1] = test_vtd_wait(true, false, 1, STATUS_IOVA);
	vtd_push(&v, d, 2);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 1));
	EXPECT_EQ(-1, read(v.q.f.irq, &cnt, sizeof(cnt)));
	EXPECT_EQ(0, *v.ics);

	d[0] = test_vtd_wait(false, true, 0, 0);
	vtd_push(&v, d, 1);
	ASSERT_EQ(0, eventfd_wait(v.q.f.irq, TIMEOUT_MS));
	EXPECT_EQ(1, __atomic_load_n(v.ics, __ATOMIC_ACQUIRE));
	ASSERT_TRUE(vtd_wait_head(&v, 3));

	/*
	 * IWC still set: no new interrupt. SW and IF together write the
	 * status first; the last wait's status shows the worker is past
	 * both.
	 */
	d[0] = test_vtd_wait(true, true, 2, STATUS_IOVA + 4);
	d[1] = test_vtd_wait(false, true, 0, 0);
	d[2] = test_vtd_wait(true, false, 3, STATUS_IOVA + 8);
	vtd_push(&v, d, 3);
	ASSERT_TRUE(wait_u32(status_at(self, 1), 2));
	ASSERT_TRUE(wait_u32(status_at(self, 2), 3));
	EXPECT_EQ(-1, read(v.q.f.irq, &cnt, sizeof(cnt)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, __atomic_load_n(v.ics, __ATOMIC_ACQUIRE));

	/* The VMM emulates the guest's write of 1 to ICS: an atomic clear */
	__atomic_fetch_and(v.ics, ~1U, __ATOMIC_SEQ_CST);
	d[0] = test_vtd_wait(false, true, 0, 0);
	vtd_push(&v, d, 1);
	ASSERT_EQ(0, eventfd_wait(v.q.f.irq, TIMEOUT_MS));
	EXPECT_EQ(1, __atomic_load_n(v.ics, __ATOMIC_ACQUIRE));
	ASSERT_TRUE(vtd_wait_head(&v, 7));
}

/*
 * A status write to memory that the kernel cannot write without waiting
 * for userspace: the wait is consumed, and its write and interrupt are the
 * VMM's; ICS is untouched.
 */
TEST_F(vqueue_vtd, completion_fault_userfaultfd)
{
	void *page = status_at(self, 0);
	struct iommu_vqueue_get_state st;
	struct test_vtd_desc d[2];
	struct vtdq v;
	uint64_t cnt;
	int uffd;

	uffd = uffd_open_wp(page);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, uffd_protect(uffd, page, true));
	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));

	d[0] = test_vtd_wait(true, true, 5, STATUS_IOVA);
	d[1] = test_vtd_wait(false, true, 0, 0);
	vtd_push(&v, d, 2);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_COMPLETION_FAULT, st.out_stop_reason);
	EXPECT_EQ(d[0].qw[0], st.out_entry[0]);
	EXPECT_EQ(d[0].qw[1], st.out_entry[1]);
	EXPECT_EQ(1 * v.esize, vq_cons(&v.q));
	EXPECT_EQ(0, *status_at(self, 0));
	EXPECT_EQ(0, __atomic_load_n(v.ics, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-1, read(v.q.f.irq, &cnt, sizeof(cnt)));

	/* The VMM writes the status and latches IWC; the queue goes on */
	ASSERT_EQ(0, uffd_protect(uffd, page, false));
	__atomic_store_n(status_at(self, 0), 5, __ATOMIC_RELEASE);
	__atomic_fetch_or(v.ics, 1, __ATOMIC_SEQ_CST);
	test_cmd_vqueue_resume(v.q.id, 0, 0);
	ASSERT_TRUE(vtd_wait_head(&v, 2));
	/* IWC was set: the second wait raises no new interrupt */
	EXPECT_EQ(-1, read(v.q.f.irq, &cnt, sizeof(cnt)));
	close(uffd);
}

/* IQE with IQH on the bad descriptor, recovery after the VMM */
TEST_F(vqueue_vtd, iqe_recover)
{
	struct test_vtd_desc d[3] = {
		test_vtd_piotlb(VDID, VPASID, 0x1000, 0, false),
		{ { 0, 0 } },
		test_vtd_wait(true, false, 9, STATUS_IOVA),
	};
	struct iommu_hwpt_vtd_s1_invalidate want[2] = {
		{ .addr = 0x1000, .npages = 1 },
		{ .addr = 0x3000, .npages = 1 },
	};
	struct iommu_vqueue_get_state st;
	struct vtdq v;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID, VPASID);
	vtd_push(&v, d, 3);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(32, vq_cons(&v.q));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STATE_STOPPED, st.out_state);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(VTD_IQEI_TYPE, st.out_error_code);
	EXPECT_EQ(32, st.out_cons);
	EXPECT_EQ(0, st.out_entry[0]);
	/* Nothing after the error ran */
	EXPECT_EQ(0, *status_at(self, 0));

	/* The guest has not cleared FSTS.IQE yet */
	test_err_vqueue_resume(EINVAL, v.q.id, 0, 0);

	/* Linux rewrites the slot and clears IQE; the VMM retries */
	vtd_put(&v, 1, test_vtd_piotlb(VDID, VPASID, 0x3000, 0, false));
	test_cmd_vqueue_resume(v.q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 9));
	ASSERT_TRUE(vtd_wait_head(&v, 3));
	expect_vtd_log(_metadata, self->fd, self->n.nested_id, want, 2);

	/* A reserved bit in quadword 2 */
	d[0] = test_vtd_wait(true, false, 10, STATUS_IOVA + 4);
	d[0].qw[2] = 1;
	vtd_push(&v, d, 1);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(VTD_IQEI_RSVD, st.out_error_code);
	EXPECT_EQ(3 * 32, st.out_cons);
	EXPECT_EQ(1, st.out_entry[2]);
	vtd_put(&v, 3, test_vtd_wait(true, false, 10, STATUS_IOVA + 4));
	test_cmd_vqueue_resume(v.q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_TRUE(wait_u32(status_at(self, 1), 10));

	/* IQT not on a 256-bit boundary: invalid tail, no entry */
	__atomic_store_n(v.q.prod, 4 * 32 + 16, __ATOMIC_RELEASE);
	vq_ring(&v.q);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(VTD_IQEI_TAIL, st.out_error_code);
	EXPECT_EQ(4 * 32, st.out_cons);
	EXPECT_EQ(0, st.out_entry[0]);
}

/*
 * A PASID-based descriptor in a 128-bit queue: VT-d 3.0 section 6.5.2 treats
 * it as an invalid descriptor, IQERCD.IQEI 3 (invalid descriptor type).
 */
TEST_F(vqueue_vtd, width_128)
{
	struct test_vtd_desc d =
		test_vtd_piotlb(VDID, VPASID, 0x1000, 0, false);
	struct iommu_vqueue_get_state st;
	struct vtdq v;
	uint32_t num = 1;

	ASSERT_EQ(0, vtd_alloc(self, &v, false, 0, 0));
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID, VPASID);
	vtd_push(&v, &d, 1);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(3, st.out_error_code);
	EXPECT_EQ(0, st.out_cons);
	test_cmd_mock_log(IOMMU_TEST_OP_MD_VTD_LOG, self->n.nested_id, NULL, 0,
			  &num);
	EXPECT_EQ(0, num);
}

/* A context-cache invalidation is the VMM's: stop, emulate, resume */
TEST_F(vqueue_vtd, cc_exit_resume)
{
	struct test_vtd_desc d[3] = {
		test_vtd_piotlb(VDID, VPASID, 0x1000, 0, false),
		test_vtd_cc_global(),
		test_vtd_wait(true, false, 5, STATUS_IOVA),
	};
	struct iommu_hwpt_vtd_s1_invalidate want = {
		.addr = 0x1000, .npages = 1,
	};
	struct iommu_vqueue_get_state st;
	struct vtdq v;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID, VPASID);
	vtd_push(&v, d, 3);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	EXPECT_EQ(32, vq_cons(&v.q));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_EXIT, st.out_stop_reason);
	EXPECT_EQ(0, st.out_error_code);
	EXPECT_EQ(0, st.out_errno);
	EXPECT_EQ(0x11, st.out_entry[0]);
	EXPECT_EQ(0, *status_at(self, 0));
	expect_vtd_log(_metadata, self->fd, self->n.nested_id, &want, 1);

	/* An exit is not an error: no retry flag, and the VMM consumed it */
	test_cmd_vqueue_resume(v.q.id, 0, 1);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 5));
	ASSERT_TRUE(vtd_wait_head(&v, 3));
}

/* (DID, PASID) pairs: unknown ones are never forwarded; binding rules */
TEST_F(vqueue_vtd, bind_unknown)
{
	struct test_vtd_desc d[2] = {
		test_vtd_piotlb(VDID2, VPASID, 0x4000, 0, false),
		test_vtd_wait(true, false, 6, STATUS_IOVA),
	};
	struct iommu_hwpt_vtd_s1_invalidate want = {
		.addr = 0x4000, .npages = 1,
	};
	struct iommu_vqueue_get_state st;
	uint32_t num = 1;
	struct vtdq v;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID, VPASID);

	/* Bound DID, other PASID, and other DID, same PASID: both unknown */
	d[0] = test_vtd_piotlb(VDID, VPASID + 1, 0x4000, 0, false);
	vtd_push(&v, d, 2);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(IOMMU_VQUEUE_STOP_ILLEGAL, st.out_stop_reason);
	EXPECT_EQ(VTD_IQEI_TYPE, st.out_error_code);
	EXPECT_EQ(-ENOENT, st.out_errno);
	EXPECT_EQ(0, st.out_cons);
	test_cmd_mock_log(IOMMU_TEST_OP_MD_VTD_LOG, self->n.nested_id, NULL, 0,
			  &num);
	EXPECT_EQ(0, num);

	vtd_put(&v, 0, test_vtd_piotlb(VDID2, VPASID, 0x4000, 0, false));
	test_cmd_vqueue_resume(v.q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_EQ(0, eventfd_wait(v.q.f.stop, TIMEOUT_MS));
	test_cmd_vqueue_get_state(v.q.id, &st);
	EXPECT_EQ(VTD_IQEI_TYPE, st.out_error_code);
	EXPECT_EQ(0, st.out_cons);

	/* The VMM learns of the domain, binds it and retries */
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID2,
				    VPASID);
	test_cmd_vqueue_resume(v.q.id, IOMMU_VQUEUE_RESUME_RETRY, 0);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 6));
	expect_vtd_log(_metadata, self->fd, self->n.nested_id, &want, 1);
}

struct fail_vdomain {
	int fd;
	uint32_t vqueue_id;
	uint32_t hwpt_id;
};

static int fail_vdomain_call(void *arg)
{
	struct fail_vdomain *b = arg;

	return _test_cmd_vqueue_set_vdomain(b->fd, b->vqueue_id, 0,
					    b->hwpt_id, VDID, VPASID);
}

static void fail_vdomain_undo(void *arg)
{
	struct fail_vdomain *b = arg;

	_test_cmd_vqueue_set_vdomain(b->fd, b->vqueue_id,
				     IOMMU_VQUEUE_SET_VDOMAIN_REMOVE,
				     b->hwpt_id, VDID, VPASID);
}

/* IOMMU_VQUEUE_SET_VDOMAIN with each of its injection points failing */
TEST_F(vqueue_vtd, fail_nth_set_vdomain)
{
	struct test_vtd_desc d[2] = {
		test_vtd_piotlb(VDID, VPASID, 0x4000, 0, false),
		test_vtd_wait(true, false, 6, STATUS_IOVA),
	};
	struct iommu_hwpt_vtd_s1_invalidate want = {
		.addr = 0x4000, .npages = 1,
	};
	struct fail_vdomain b = { .fd = self->fd };
	unsigned int points;
	struct vtdq v;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));
	b.vqueue_id = v.q.id;
	b.hwpt_id = self->n.nested_id;
	points = fail_nth_sweep(fail_vdomain_call, fail_vdomain_undo, &b);
	TH_LOG("IOMMU_VQUEUE_SET_VDOMAIN: %u injection points", points);
	EXPECT_LT(0, points);

	/* No binding and no HWPT reference was left behind */
	test_cmd_vqueue_set_vdomain(v.q.id, 0, self->n.nested_id, VDID,
				    VPASID);
	vtd_push(&v, d, 2);
	ASSERT_TRUE(wait_u32(status_at(self, 0), 6));
	expect_vtd_log(_metadata, self->fd, self->n.nested_id, &want, 1);
}

/* SET_VDOMAIN binding rules; a VT-d vqueue takes no device bindings */
TEST_F(vqueue_vtd, set_vdomain_bad_args)
{
	const uint32_t remove = IOMMU_VQUEUE_SET_VDOMAIN_REMOVE;
	struct iommu_ioas_alloc ioas2 = { .size = sizeof(ioas2) };
	uint32_t nested = self->n.nested_id;
	uint32_t parent2, other;
	struct vtdq v;

	ASSERT_EQ(0, vtd_alloc(self, &v, true, 0, 0));

	test_err_vqueue_set_vdomain(EOPNOTSUPP, v.q.id, 1 << 5, nested, 7, 0);
	/* DID is 16 bits, PASID 20 */
	test_err_vqueue_set_vdomain(EINVAL, v.q.id, 0, nested, 0x10000, 0);
	test_err_vqueue_set_vdomain(EINVAL, v.q.id, 0, nested, 7, 1U << 20);
	test_err_vqueue_set_vdomain(ENOENT, v.q.id, 0, self->n.parent_id, 7,
				    0);
	test_err_vqueue_set_vdomain(ENOENT, v.q.id, 0, self->n.ioas_id, 7, 0);
	test_err_vqueue_set_vdomain(ENOENT, self->n.ioas_id, 0, nested, 7, 0);
	/* Nothing bound yet: nothing to remove */
	test_err_vqueue_set_vdomain(ENOENT, v.q.id, remove, nested, 7, 0);

	test_cmd_vqueue_set_vdomain(v.q.id, 0, nested, VDID, VPASID);
	test_err_vqueue_set_vdomain(EEXIST, v.q.id, 0, nested, VDID, VPASID);
	/* One HWPT may serve several pairs */
	test_cmd_vqueue_set_vdomain(v.q.id, 0, nested, VDID, VPASID + 1);

	/* A stage 1 over another IOAS is not this guest's */
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_ALLOC, &ioas2));
	test_cmd_hwpt_alloc_parent(self->n.idev_id, ioas2.out_ioas_id,
				   &parent2);
	test_cmd_hwpt_alloc_mock_nested(self->n.idev_id, parent2, &other);
	test_err_vqueue_set_vdomain(EINVAL, v.q.id, 0, other, 7, 0);

	/* Bound HWPTs stay until unbound, and are unbound by name */
	test_cmd_hwpt_alloc_mock_nested(self->n.idev_id, self->n.parent_id,
					&other);
	test_cmd_vqueue_set_vdomain(v.q.id, 0, other, 7, 0);
	test_err_object_destroy(EBUSY, other);
	test_err_vqueue_set_vdomain(EINVAL, v.q.id, remove, nested, 7, 0);
	test_err_vqueue_set_vdomain(ENOENT, v.q.id, remove, other, 8, 0);
	test_cmd_vqueue_set_vdomain(v.q.id, remove, other, 7, 0);
	test_err_vqueue_set_vdomain(ENOENT, v.q.id, remove, other, 7, 0);
	test_ioctl_object_destroy(other);

	/* The SMMUv3 command on a VT-d vqueue */
	test_err_vqueue_set_vdevice(EINVAL, v.q.id, 0, self->n.idev_id, VSID);
	test_err_vqueue_set_vdevice(EINVAL, v.q.id,
				    IOMMU_VQUEUE_SET_VDEVICE_REMOVE,
				    self->n.idev_id, VSID);
}

/* VT-d arguments IOMMU_VQUEUE_ALLOC refuses */
/*
 * What the mock refuses in a VT-d stage-1 invalidation, straight through
 * IOMMU_HWPT_INVALIDATE: the errno intel_nested_cache_invalidate_user()
 * returns for the same entry (unknown flags and a set __reserved are not
 * supported, a misaligned address or "all pages" from a non-zero address
 * is invalid), and the entries before it reported done.
 */
TEST_F(vqueue_vtd, hwpt_invalidate_bad_args)
{
	static const struct {
		struct iommu_hwpt_vtd_s1_invalidate inv;
		int error;
	} bad[] = {
		{ { .addr = 0x1000, .npages = 1, .flags = 1 << 1 }, EOPNOTSUPP },
		{ { .addr = 0x1000, .npages = 1, .__reserved = 1 }, EOPNOTSUPP },
		{ { .addr = 0x1800, .npages = 1 }, EINVAL },
		{ { .addr = 0x1000, .npages = UINT64_MAX }, EINVAL },
	};
	struct iommu_hwpt_vtd_s1_invalidate inv[3] = {
		{ .addr = 0x200000, .npages = 512,
		  .flags = IOMMU_VTD_INV_FLAGS_LEAF },
		{ .npages = UINT64_MAX },
	};
	unsigned int i;
	uint32_t num;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		inv[2] = bad[i].inv;
		num = 3;
		test_err(bad[i].error, hwpt_invalidate_array,
			 self->n.nested_id,
			 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_VTD, inv,
			 sizeof(*inv), &num);
		EXPECT_EQ(2, num);
	}
	/* The two good entries alone go through and reach the log */
	num = 2;
	test_cmd(hwpt_invalidate_array, self->n.nested_id,
		 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_VTD, inv, sizeof(*inv),
		 &num);
	EXPECT_EQ(2, num);
}

TEST_F(vqueue_vtd, alloc_bad_args)
{
	struct iommu_vqueue_alloc cmd;
	struct vtdq v;

#define VTD_ALLOC_ERR(_errno, _field, _val)				\
	do {								\
		vtd_alloc_cmd(self, &v, &cmd, true, 0, 0);		\
		cmd.max_log2_entries = 7;				\
		cmd._field = _val;					\
		test_err_vqueue_alloc(_errno, &cmd, NULL);		\
		test_vqueue_fds_close(&v.q.f);				\
	} while (0)

	/* Status write and interrupt are per descriptor, not an MSI mode */
	VTD_ALLOC_ERR(EINVAL, flags, IOMMU_VQUEUE_ALLOC_MSI);
	VTD_ALLOC_ERR(EOPNOTSUPP, __reserved, 1);
	VTD_ALLOC_ERR(EINVAL, status_offset, VTD_IQT_REG);
	VTD_ALLOC_ERR(EINVAL, status_offset, VTD_IQH_REG);
	VTD_ALLOC_ERR(EINVAL, status_offset, 0x9e);
	VTD_ALLOC_ERR(EINVAL, status_offset, 4096);
	VTD_ALLOC_ERR(EINVAL, max_log2_entries, VTD_IQ_MAX_LOG2 + 1);
	/* QS=1 with 256-bit descriptors is 2^8 entries: not capped, refused */
	VTD_ALLOC_ERR(EINVAL, base, QUEUE_IOVA | VTD_IQA_DW | 1);
	/* The probe: the mock takes VT-d entries only under its own type */
	VTD_ALLOC_ERR(EOPNOTSUPP, data_type, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1);
#undef VTD_ALLOC_ERR

	/* The largest queue: QS=7, 128-bit, 2^15 entries */
	vtd_alloc_cmd(self, &v, &cmd, false, 7, 0);
	self->f = v.q.f;
	test_cmd_vqueue_alloc(&cmd, &v.q.id);
}

TEST_HARNESS_MAIN
