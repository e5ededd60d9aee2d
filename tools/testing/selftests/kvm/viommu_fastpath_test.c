// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vIOMMU invalidation fast path end to end: a guest drives an emulated
 * SMMUv3 command queue the way Linux's arm-smmu-v3 driver does, its PROD
 * stores reach an iommufd vqueue through a KVM ioregion, and the mock nested
 * HWPT logs what the IOMMU driver would have been asked to invalidate.
 *
 * The test is the VMM: it creates the IOAS, maps the guest's queue memory at
 * IOVA == GPA, allocates the vqueue over the register page that the ioregion
 * serves, and then only watches.  After every batch the guest makes a ucall,
 * and the VMM checks that the mock log holds exactly that batch's
 * invalidations and that CONS is where the guest's PROD is.  The ucalls are
 * port I/O on x86, so the vCPU's mmio_exits stat must not move at all: a
 * single PROD store or CONS load that fell back to a userspace exit fails
 * the test.
 *
 * Every wait, in the guest and in the VMM, has a timeout, so that a broken
 * kernel fails the test instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "kselftest_harness.h"

/* tools/include's linux/types.h, first in the path, lacks it */
#ifndef __aligned_le64
#define __aligned_le64 __le64 __aligned(8)
#endif
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

/*
 * Guest memory that holds the queue (and so the MSI targets: Linux points a
 * CMD_SYNC's MSI at the sync's own slot).  It must lie inside the mock
 * IOMMU's aperture, since the IOAS maps it at IOVA == GPA.
 */
#define QUEUE_GPA		BIT_ULL(30)
#define QUEUE_SLOT		10
#define QUEUE_PAGES		16

/* The emulated SMMUv3 register page 0; no memslot unless read-only. */
#define REGS_GPA		(4ULL << 30)
#define REGS_SLOT		11
#define REG_PROD		0x98
#define REG_CONS		0x9c

/*
 * 64 entries: a batch of up to 64 entries can fill the queue exactly, and
 * CONS wraps about once every two batches.
 */
#define Q_LOG2			6
#define Q_ENTRIES		((uint32_t)BIT(Q_LOG2))
#define Q_IDX_MASK		(Q_ENTRIES - 1)
#define Q_WRP_MASK		(2 * Q_ENTRIES - 1)
#define Q_BASE_RA		BIT_ULL(62)
#define CONS_ERR_MASK		(0x7fU << 24)

#define NR_BATCHES		256
#define MAX_VCPUS		2
/* Every STE_PERIOD-th batch carries a CFGI_STE in its middle. */
#define STE_PERIOD		32
#define STE_PHASE		21
#define STE_MIN_LEN		8
#define MAX_STOPS		(NR_BATCHES / STE_PERIOD + 1)

/* Guest-side and VMM-side waits. */
#define GUEST_TIMEOUT_S		10
#define VMM_POLL_MS		50

#define OP_CFGI_STE		0x03
#define OP_TLBI_NH_ALL		0x10
#define OP_TLBI_NH_ASID		0x11
#define OP_TLBI_NH_VA		0x12
#define OP_TLBI_NSNH_ALL	0x30
#define OP_SYNC			0x46
/* CMD_SYNC with CS=SEV resp. CS=IRQ, MSH=ISH, MSIATTR=OIWB */
#define SYNC_SEV		0x0fc02046ULL
#define SYNC_IRQ		0x0fc01046ULL
#define SYNC_MSI_ADDR_MASK	0x000ffffffffffffcULL

struct cmd {
	uint64_t w[2];
};

/*
 * What the test runs, shared with the guest.  With two vCPUs both submit to
 * the one queue under a guest spinlock, vCPU 0 polling CONS and vCPU 1 in
 * MSI polling mode.
 */
struct params {
	uint32_t nr_vcpus;
	uint32_t nr_batches;
	bool msi;
	bool ste;
	bool regs_ro;
};

static struct params params;

/* The VMM, for the vCPU threads */
static struct vmm *vmm;

/* Guest state; lives in guest memory only. */
static uint32_t guest_lock;
static uint32_t guest_prod;

/* Batches of 1 to 64 entries, the last one a CMD_SYNC; every length occurs. */
static uint32_t batch_len(uint32_t vcpu, uint32_t b)
{
	uint32_t len = 1 + (b * 29 + vcpu * 7) % Q_ENTRIES;

	if (params.ste && (b % STE_PERIOD) == STE_PHASE && len < STE_MIN_LEN)
		len += STE_MIN_LEN;
	return len;
}

static bool batch_has_ste(uint32_t b)
{
	return params.ste && (b % STE_PERIOD) == STE_PHASE;
}

/* The CFGI_STE sits in the middle, with invalidations on both sides. */
static uint32_t ste_pos(uint32_t len)
{
	return (len - 1) / 2;
}

static bool vcpu_uses_msi(uint32_t vcpu)
{
	return params.nr_vcpus > 1 ? vcpu == 1 : params.msi;
}

/*
 * Entry @j of batch @b of @vcpu, but for the CMD_SYNC, which depends on its
 * slot.  The ASID names the vCPU and the batch so that a misplaced command
 * cannot match by accident.  Range TLBIs are as Linux builds them with
 * IDR3.RIL: TG=4K, TTL=3, leaf, NUM and SCALE giving the page count.
 */
static struct cmd batch_entry(uint32_t vcpu, uint32_t b, uint32_t j)
{
	uint64_t asid = (vcpu << 12 | (b & 0xfff)) + 1;
	uint64_t va = (uint64_t)(b * Q_ENTRIES + j) << 21;
	uint32_t len = batch_len(vcpu, b);
	struct cmd c;

	if (batch_has_ste(b) && j == ste_pos(len)) {
		c.w[0] = OP_CFGI_STE | (uint64_t)(0x100 + b) << 32;
		c.w[1] = 1;
		return c;
	}

	switch ((b + j) % 5) {
	case 0:
	case 1:
		c.w[0] = OP_TLBI_NH_VA | (uint64_t)(j % 4) << 12 |
			 (uint64_t)(j % 8) << 20 | asid << 48;
		c.w[1] = va | 1ULL << 10 | 3ULL << 8 | 1;
		break;
	case 2:
		/* No range: one page, not leaf-only */
		c.w[0] = OP_TLBI_NH_VA | asid << 48;
		c.w[1] = va;
		break;
	case 3:
		c.w[0] = OP_TLBI_NH_ASID | asid << 48;
		c.w[1] = 0;
		break;
	default:
		c.w[0] = OP_TLBI_NSNH_ALL;
		c.w[1] = 0;
		break;
	}
	return c;
}

/* Register accesses of exactly 32 bits, each one a guest load or store */
static uint32_t reg_read(uint32_t off)
{
	return READ_ONCE(*(uint32_t *)(REGS_GPA + off));
}

static void reg_write(uint32_t off, uint32_t val)
{
	WRITE_ONCE(*(uint32_t *)(REGS_GPA + off), val);
}

static uint64_t slot_gpa(uint32_t idx)
{
	return QUEUE_GPA + (idx & Q_IDX_MASK) * 16;
}

static void slot_write(uint32_t idx, uint64_t w0, uint64_t w1)
{
	WRITE_ONCE(((uint64_t *)slot_gpa(idx))[0], w0);
	WRITE_ONCE(((uint64_t *)slot_gpa(idx))[1], w1);
}

static uint64_t guest_deadline(void)
{
	return rdtsc() + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
}

static void guest_lock_acquire(void)
{
	uint64_t end = guest_deadline();

	while (__atomic_exchange_n(&guest_lock, 1, __ATOMIC_ACQUIRE)) {
		__GUEST_ASSERT(rdtsc() < end, "queue lock not released");
		cpu_relax();
	}
}

static void guest_lock_release(void)
{
	__atomic_store_n(&guest_lock, 0, __ATOMIC_RELEASE);
}

/* Writes one batch and rings the doorbell with one PROD store. */
static uint32_t guest_submit(uint32_t vcpu, uint32_t b, bool msi)
{
	uint32_t len = batch_len(vcpu, b);
	uint32_t prod = guest_prod;
	uint32_t cons, j;
	struct cmd c;

	/* Linux reads CONS for free space before it writes */
	cons = reg_read(REG_CONS);
	__GUEST_ASSERT(!(cons & CONS_ERR_MASK), "CONS %#x has an error", cons);
	__GUEST_ASSERT(Q_ENTRIES - ((prod - cons) & Q_WRP_MASK) >= len,
		       "no room for %u entries, PROD %#x CONS %#x", len, prod,
		       cons);

	for (j = 0; j < len - 1; j++) {
		c = batch_entry(vcpu, b, j);
		slot_write(prod + j, c.w[0], c.w[1]);
	}
	/* With MSIs, MSIData 0 to the sync's own slot, as Linux does */
	if (msi)
		slot_write(prod + j, SYNC_IRQ,
			   slot_gpa(prod + j) & SYNC_MSI_ADDR_MASK);
	else
		slot_write(prod + j, SYNC_SEV, 0);

	/* x86 keeps stores in order; the compiler must too */
	barrier();
	prod = (prod + len) & Q_WRP_MASK;
	reg_write(REG_PROD, prod);
	guest_prod = prod;
	return prod;
}

static void guest_wait_cons(uint32_t prod)
{
	uint64_t end = guest_deadline();
	uint32_t cons;

	for (;;) {
		cons = reg_read(REG_CONS);
		if (cons == prod)
			return;
		__GUEST_ASSERT(!(cons & CONS_ERR_MASK),
			       "CONS %#x has an error, PROD %#x", cons, prod);
		__GUEST_ASSERT(rdtsc() < end,
			       "CONS stuck at %#x, PROD %#x", cons, prod);
		cpu_relax();
	}
}

static void guest_wait_msi(uint32_t prod)
{
	uint32_t *msi = (uint32_t *)slot_gpa(prod - 1);
	uint64_t end = guest_deadline();
	uint32_t cons;

	/* No command has a zero first word: only the MSI write makes one */
	while (READ_ONCE(*msi) != 0) {
		__GUEST_ASSERT(rdtsc() < end,
			       "no MSI write for PROD %#x, CONS %#x", prod,
			       reg_read(REG_CONS));
		cpu_relax();
	}
	/* The vqueue moves CONS past a sync before it signals completion */
	cons = reg_read(REG_CONS);
	__GUEST_ASSERT(cons == prod, "MSI before CONS: CONS %#x, PROD %#x",
		       cons, prod);
}

static void guest_code(uint32_t vcpu)
{
	bool msi = vcpu_uses_msi(vcpu);
	uint32_t b, prod;

	for (b = 0; b < params.nr_batches; b++) {
		/*
		 * The lock covers the ucall too, so that the VMM checks one
		 * batch at a time and the bounded mock log never overflows.
		 */
		guest_lock_acquire();
		prod = guest_submit(vcpu, b, msi);
		if (msi)
			guest_wait_msi(prod);
		else
			guest_wait_cons(prod);
		/* ucall() takes its arguments as 64-bit varargs */
		GUEST_SYNC_ARGS(0ULL, (uint64_t)vcpu, (uint64_t)b, (uint64_t)prod,
				0ULL);
		guest_lock_release();
	}
	GUEST_DONE();
}

/* VMM side */

struct vcpu_stats {
	uint64_t mmio_exits;
	uint64_t io_exits;
	uint64_t exits;
	uint64_t loads;
	uint64_t stores;
	uint64_t doorbells;
};

struct stop_rec {
	struct iommu_vqueue_get_state st;
	uint32_t regs_cons;
	struct cmd log[MOCK_SMMUV3_LOG_NUM];
	uint32_t nlog;
	uint32_t dropped;
	int resume_rc;
};

struct vmm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	int iommufd;
	uint32_t ioas_id;
	uint32_t nested_id;
	uint32_t vqueue_id;
	int doorbell_fd;
	int event_fd;
	int irq_fd;
	void *regs;
	bool regs_mmapped;

	pthread_mutex_t lock;
	/* Under lock: what the VMM has checked so far */
	uint64_t total_entries;
	uint32_t next_batch[MAX_VCPUS];
	uint32_t nr_ucalls[MAX_VCPUS];
	uint32_t stops_checked;
	/* Under lock: what the event thread saw */
	uint32_t nr_stops;
	struct stop_rec stops[MAX_STOPS];
	bool event_thread_stop;
};

static void read_vcpu_stats(struct kvm_vcpu *vcpu, struct vcpu_stats *s)
{
	s->mmio_exits = vcpu_get_stat(vcpu, "mmio_exits");
	s->io_exits = vcpu_get_stat(vcpu, "io_exits");
	s->exits = vcpu_get_stat(vcpu, "exits");
	s->loads = vcpu_get_stat(vcpu, "ioregion_loads");
	s->stores = vcpu_get_stat(vcpu, "ioregion_stores");
	s->doorbells = vcpu_get_stat(vcpu, "ioregion_doorbells");
}

static uint32_t regs_cons(struct vmm *v)
{
	return __atomic_load_n((uint32_t *)(v->regs + REG_CONS),
			       __ATOMIC_ACQUIRE);
}

static int iommu_ioctl(struct vmm *v, unsigned long req, void *arg)
{
	return ioctl(v->iommufd, req, arg);
}

static void smmuv3_log(struct vmm *v, struct cmd *out, uint32_t *num,
		       uint32_t *dropped)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_SMMUV3_LOG,
		.id = v->nested_id,
		.smmuv3_log = { .uptr = (uintptr_t)out,
				.max = MOCK_SMMUV3_LOG_NUM },
	};

	TEST_ASSERT(!iommu_ioctl(v, IOMMU_TEST_CMD, &cmd),
		    "reading the mock SMMUv3 log: %s", strerror(errno));
	*num = cmd.smmuv3_log.out_num;
	*dropped = cmd.smmuv3_log.out_dropped;
}

static int vqueue_state(struct vmm *v, struct iommu_vqueue_get_state *st)
{
	*st = (struct iommu_vqueue_get_state){
		.size = sizeof(*st),
		.vqueue_id = v->vqueue_id,
	};
	return iommu_ioctl(v, IOMMU_VQUEUE_GET_STATE, st);
}

/* What the IOMMU must receive for an entry: NSNH_ALL becomes NH_ALL. */
static struct cmd expected_inv(struct cmd c)
{
	if ((c.w[0] & 0xff) == OP_TLBI_NSNH_ALL)
		c.w[0] = OP_TLBI_NH_ALL;
	return c;
}

static void check_log(const char *what, uint32_t vcpu, uint32_t b,
		      const struct cmd *got, uint32_t num, uint32_t dropped,
		      uint32_t from, uint32_t to)
{
	uint32_t i, n = 0;
	struct cmd want;

	TEST_ASSERT(!dropped, "%s: batch %u of vCPU %u: %u log entries dropped",
		    what, b, vcpu, dropped);
	for (i = from; i < to; i++) {
		if (batch_has_ste(b) && i == ste_pos(batch_len(vcpu, b)))
			continue;
		TEST_ASSERT(n < num,
			    "%s: batch %u of vCPU %u: log ends at %u entries, entry %u missing",
			    what, b, vcpu, num, i);
		want = expected_inv(batch_entry(vcpu, b, i));
		TEST_ASSERT(got[n].w[0] == want.w[0] && got[n].w[1] == want.w[1],
			    "%s: batch %u of vCPU %u, entry %u: IOMMU got %#lx %#lx, guest sent %#lx %#lx",
			    what, b, vcpu, i, got[n].w[0], got[n].w[1],
			    want.w[0], want.w[1]);
		n++;
	}
	TEST_ASSERT(n == num, "%s: batch %u of vCPU %u: %u entries logged, %u expected",
		    what, b, vcpu, num, n);
}

/* A batch completed in the guest: check what the IOMMU and CONS saw. */
static void check_batch(struct vmm *v, uint32_t vcpu, uint32_t b,
			uint32_t guest_prod_val)
{
	struct cmd got[MOCK_SMMUV3_LOG_NUM];
	uint32_t len = batch_len(vcpu, b);
	uint32_t start, prod, num, dropped, pos;
	struct stop_rec *s;

	pthread_mutex_lock(&v->lock);
	TEST_ASSERT(b == v->next_batch[vcpu], "vCPU %u: batch %u, wanted %u",
		    vcpu, b, v->next_batch[vcpu]);
	v->next_batch[vcpu]++;
	start = v->total_entries & Q_WRP_MASK;
	v->total_entries += len;
	prod = v->total_entries & Q_WRP_MASK;

	TEST_ASSERT(guest_prod_val == prod,
		    "vCPU %u batch %u: guest PROD %#x, VMM expects %#x",
		    vcpu, b, guest_prod_val, prod);
	TEST_ASSERT(regs_cons(v) == prod,
		    "vCPU %u batch %u: CONS %#x after completion, PROD %#x",
		    vcpu, b, regs_cons(v), prod);

	pos = 0;
	if (batch_has_ste(b)) {
		TEST_ASSERT(v->nr_stops == v->stops_checked + 1,
			    "batch %u with CFGI_STE: %u stops, wanted %u", b,
			    v->nr_stops, v->stops_checked + 1);
		s = &v->stops[v->stops_checked++];
		pos = ste_pos(len);
		TEST_ASSERT(s->st.out_state == IOMMU_VQUEUE_STATE_STOPPED &&
			    s->st.out_reason == IOMMU_VQUEUE_STOP_EXIT &&
			    !s->st.out_error,
			    "batch %u: stop state %u reason %u error %u", b,
			    s->st.out_state, s->st.out_reason, s->st.out_error);
		TEST_ASSERT(s->st.out_entry[0] == batch_entry(vcpu, b, pos).w[0] &&
			    s->st.out_entry[1] == batch_entry(vcpu, b, pos).w[1],
			    "batch %u: stopped on %#llx %#llx, not the CFGI_STE",
			    b, s->st.out_entry[0], s->st.out_entry[1]);
		TEST_ASSERT(s->st.out_cons == ((start + pos) & Q_WRP_MASK) &&
			    s->regs_cons == s->st.out_cons,
			    "batch %u: stopped with CONS %#x (register %#x), wanted %#x",
			    b, s->st.out_cons, s->regs_cons,
			    (start + pos) & Q_WRP_MASK);
		TEST_ASSERT(s->st.out_prod == prod,
			    "batch %u: stopped having read PROD %#x, wanted %#x",
			    b, s->st.out_prod, prod);
		TEST_ASSERT(!s->resume_rc, "batch %u: RESUME failed", b);
		/* Everything before the CFGI_STE, and nothing after it */
		check_log("at the stop", vcpu, b, s->log, s->nlog, s->dropped,
			  0, pos);
		pos++;
	}
	TEST_ASSERT(v->nr_stops == v->stops_checked,
		    "batch %u of vCPU %u: %u unexpected vqueue stops", b, vcpu,
		    v->nr_stops - v->stops_checked);

	smmuv3_log(v, got, &num, &dropped);
	check_log("after the sync", vcpu, b, got, num, dropped, pos, len - 1);
	pthread_mutex_unlock(&v->lock);
}

/*
 * The VMM's event loop: a stop on CFGI_STE is emulated (there is nothing to
 * do for a mock device) and skipped; anything else is recorded and left
 * stopped, so that the guest times out and the test fails saying why.
 */
static void *event_thread(void *arg)
{
	struct pollfd pfd;
	struct vmm *v = arg;
	struct stop_rec *s;
	uint64_t cnt;

	pfd.fd = v->event_fd;
	pfd.events = POLLIN;
	for (;;) {
		pthread_mutex_lock(&v->lock);
		if (v->event_thread_stop) {
			pthread_mutex_unlock(&v->lock);
			return NULL;
		}
		pthread_mutex_unlock(&v->lock);

		if (poll(&pfd, 1, VMM_POLL_MS) != 1)
			continue;
		if (read(v->event_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
			continue;

		pthread_mutex_lock(&v->lock);
		if (v->nr_stops == MAX_STOPS) {
			pr_info("event thread: too many vqueue stops\n");
			pthread_mutex_unlock(&v->lock);
			continue;
		}
		s = &v->stops[v->nr_stops++];
		memset(s, 0, sizeof(*s));
		s->resume_rc = -1;
		if (vqueue_state(v, &s->st)) {
			pr_info("event thread: GET_STATE: %s\n", strerror(errno));
			pthread_mutex_unlock(&v->lock);
			continue;
		}
		s->regs_cons = regs_cons(v);
		smmuv3_log(v, s->log, &s->nlog, &s->dropped);
		if (s->st.out_state == IOMMU_VQUEUE_STATE_STOPPED &&
		    s->st.out_reason == IOMMU_VQUEUE_STOP_EXIT &&
		    (s->st.out_entry[0] & 0xff) == OP_CFGI_STE) {
			struct iommu_vqueue_resume res = {
				.size = sizeof(res),
				.vqueue_id = v->vqueue_id,
				.consumed = 1,
			};

			s->resume_rc = iommu_ioctl(v, IOMMU_VQUEUE_RESUME, &res);
		} else {
			pr_info("event thread: unexpected stop: state %u reason %u error %u errno %d CONS %#x PROD %#x entry %#llx %#llx\n",
				s->st.out_state, s->st.out_reason,
				s->st.out_error, s->st.out_errno,
				s->st.out_cons, s->st.out_prod,
				s->st.out_entry[0], s->st.out_entry[1]);
		}
		pthread_mutex_unlock(&v->lock);
	}
}

/* Runs one vCPU to GUEST_DONE, checking each batch at its ucall. */
static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct vmm *v = vmm;
	uint32_t id = vcpu->id;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			__atomic_add_fetch(&v->nr_ucalls[id], 1, __ATOMIC_RELAXED);
			TEST_ASSERT(uc.args[2] == id, "vCPU %u ucall as vCPU %lu",
				    id, uc.args[2]);
			check_batch(v, id, uc.args[3], uc.args[4]);
			break;
		case UCALL_DONE:
			__atomic_add_fetch(&v->nr_ucalls[id], 1, __ATOMIC_RELAXED);
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			/* An MMIO exit here means the fast path was missed */
			TEST_FAIL("vCPU %u: unexpected exit %s, ucall %lu, MMIO at %#llx",
				  id, exit_reason_str(vcpu->run->exit_reason),
				  uc.cmd, vcpu->run->mmio.phys_addr);
		}
	}
}

static void ioas_map(struct vmm *v, void *hva, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = v->ioas_id,
		.user_va = (uintptr_t)hva,
		.length = len,
		.iova = iova,
	};

	TEST_ASSERT(!iommu_ioctl(v, IOMMU_IOAS_MAP, &map),
		    "IOAS_MAP of guest memory: %s", strerror(errno));
}

static uint32_t hwpt_alloc(struct vmm *v, uint32_t dev_id, uint32_t pt_id,
			   uint32_t flags, uint32_t type, void *data,
			   uint32_t len)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};

	TEST_ASSERT(!iommu_ioctl(v, IOMMU_HWPT_ALLOC, &cmd),
		    "HWPT_ALLOC: %s", strerror(errno));
	return cmd.out_hwpt_id;
}

/* Returns false if the kernel has no iommufd or no mock. */
static bool vmm_iommu_setup(struct vmm *v, uint32_t vq_flags)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_vqueue_alloc alloc;
	uint32_t idev_id, parent_id;

	v->iommufd = open("/dev/iommu", O_RDWR);
	if (v->iommufd < 0)
		return false;
	TEST_ASSERT(!iommu_ioctl(v, IOMMU_IOAS_ALLOC, &ioas), "IOAS_ALLOC: %s",
		    strerror(errno));
	v->ioas_id = ioas.out_ioas_id;

	/* The whole slot holding the queue and the MSI targets, GPA == IOVA */
	ioas_map(v, addr_gpa2hva(v->vm, QUEUE_GPA),
		 QUEUE_PAGES * v->vm->page_size, QUEUE_GPA);

	mock.id = v->ioas_id;
	if (iommu_ioctl(v, IOMMU_TEST_CMD, &mock))
		return false;
	idev_id = mock.mock_domain.out_idev_id;

	parent_id = hwpt_alloc(v, idev_id, v->ioas_id,
			       IOMMU_HWPT_ALLOC_NEST_PARENT,
			       IOMMU_HWPT_DATA_NONE, NULL, 0);
	v->nested_id = hwpt_alloc(v, idev_id, parent_id, 0,
				  IOMMU_HWPT_DATA_SELFTEST, &data,
				  sizeof(data));

	v->doorbell_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	TEST_ASSERT(v->doorbell_fd >= 0 && v->event_fd >= 0 && v->irq_fd >= 0,
		    "eventfd: %s", strerror(errno));

	alloc = (struct iommu_vqueue_alloc){
		.size = sizeof(alloc),
		.flags = vq_flags,
		.hwpt_id = v->nested_id,
		.format = IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3,
		.max_log2_entries = Q_LOG2,
		.base = Q_BASE_RA | QUEUE_GPA | Q_LOG2,
		.regs_uptr = (uintptr_t)v->regs,
		.prod_offset = REG_PROD,
		.cons_offset = REG_CONS,
		.doorbell_fd = v->doorbell_fd,
		.event_fd = v->event_fd,
		.irq_fd = v->irq_fd,
	};
	TEST_ASSERT(!iommu_ioctl(v, IOMMU_VQUEUE_ALLOC, &alloc),
		    "VQUEUE_ALLOC: %s", strerror(errno));
	v->vqueue_id = alloc.out_vqueue_id;
	return true;
}

/* PROD and CONS served from the vqueue's register memory, PROD rings. */
static void vmm_ioregion_setup(struct vmm *v)
{
	struct kvm_ioregion r = {
		.guest_phys_addr = REGS_GPA + REG_PROD,
		.size = 8,
		.userspace_addr = (uintptr_t)v->regs + REG_PROD,
		.doorbell_offset = 0,
		.doorbell_size = 4,
		.doorbell_fd = v->doorbell_fd,
	};

	vm_ioctl(v->vm, KVM_SET_IOREGION, &r);
}

FIXTURE(viommu) {
	struct vmm v;
};

FIXTURE_VARIANT(viommu) {
	uint32_t nr_vcpus;
	bool msi;
	bool ste;
	bool regs_ro;
};

/* Linux without MSIs: CMD_SYNC with CS=SEV, then polls CONS. */
FIXTURE_VARIANT_ADD(viommu, cons_poll) {
	.nr_vcpus = 1,
};

/* Linux with IDR0.MSI: CS=IRQ, the MSI written over the sync's own slot. */
FIXTURE_VARIANT_ADD(viommu, msi_poll) {
	.nr_vcpus = 1,
	.msi = true,
};

FIXTURE_VARIANT_ADD(viommu, cons_poll_cfgi_ste) {
	.nr_vcpus = 1,
	.ste = true,
};

FIXTURE_VARIANT_ADD(viommu, msi_poll_cfgi_ste) {
	.nr_vcpus = 1,
	.msi = true,
	.ste = true,
};

/* The register page mapped read-only: CONS polls do not exit at all. */
FIXTURE_VARIANT_ADD(viommu, cons_poll_regs_ro) {
	.nr_vcpus = 1,
	.regs_ro = true,
};

/* Two vCPUs share the queue, one in each completion mode. */
FIXTURE_VARIANT_ADD(viommu, two_vcpus) {
	.nr_vcpus = 2,
	.msi = true,
};

FIXTURE_SETUP(viommu)
{
	memset(&self->v, 0, sizeof(self->v));
	self->v.iommufd = -1;
	self->v.doorbell_fd = -1;
	self->v.event_fd = -1;
	self->v.irq_fd = -1;
	pthread_mutex_init(&self->v.lock, NULL);
}

FIXTURE_TEARDOWN(viommu)
{
	struct vmm *v = &self->v;

	/* The vqueue goes first: it pins guest memory and the register page */
	if (v->iommufd >= 0)
		close(v->iommufd);
	if (v->vm)
		kvm_vm_free(v->vm);
	if (v->doorbell_fd >= 0)
		close(v->doorbell_fd);
	if (v->event_fd >= 0)
		close(v->event_fd);
	if (v->irq_fd >= 0)
		close(v->irq_fd);
	if (v->regs_mmapped)
		munmap(v->regs, getpagesize());
	pthread_mutex_destroy(&v->lock);
}

TEST_F_TIMEOUT(viommu, fastpath, 600)
{
	struct vcpu_stats before[MAX_VCPUS], after[MAX_VCPUS];
	struct iommu_vqueue_get_state st;
	pthread_t threads[MAX_VCPUS], ev;
	struct vmm *v = &self->v;
	uint32_t i, nr_ste = 0;
	uint64_t cnt, nr_batches;

	if (variant->regs_ro && !kvm_has_cap(KVM_CAP_READONLY_MEM))
		SKIP(return, "KVM_CAP_READONLY_MEM not available");

	params = (struct params){
		.nr_vcpus = variant->nr_vcpus,
		.nr_batches = NR_BATCHES,
		.msi = variant->msi,
		.ste = variant->ste,
		.regs_ro = variant->regs_ro,
	};
	for (i = 0; i < NR_BATCHES; i++)
		nr_ste += batch_has_ste(i);

	vmm = v;
	v->vm = vm_create_with_vcpus(variant->nr_vcpus, guest_code, v->vcpus);
	vm_userspace_mem_region_add(v->vm, VM_MEM_SRC_ANONYMOUS, QUEUE_GPA,
				    QUEUE_SLOT, QUEUE_PAGES, 0);
	virt_map(v->vm, QUEUE_GPA, QUEUE_GPA, QUEUE_PAGES);
	memset(addr_gpa2hva(v->vm, QUEUE_GPA), 0,
	       QUEUE_PAGES * v->vm->page_size);

	if (variant->regs_ro) {
		vm_userspace_mem_region_add(v->vm, VM_MEM_SRC_ANONYMOUS,
					    REGS_GPA, REGS_SLOT, 1,
					    KVM_MEM_READONLY);
		v->regs = addr_gpa2hva(v->vm, REGS_GPA);
	} else {
		v->regs = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(v->regs != MAP_FAILED, "mmap: %s", strerror(errno));
		v->regs_mmapped = true;
	}
	memset(v->regs, 0, v->vm->page_size);
	virt_map(v->vm, REGS_GPA, REGS_GPA, 1);

	if (!vmm_iommu_setup(v, variant->msi ? IOMMU_VQUEUE_ALLOC_MSI : 0))
		SKIP(return, "no /dev/iommu or no CONFIG_IOMMUFD_TEST mock");
	vmm_ioregion_setup(v);

	sync_global_to_guest(v->vm, params);
	for (i = 0; i < variant->nr_vcpus; i++) {
		vcpu_args_set(v->vcpus[i], 1, i);
		read_vcpu_stats(v->vcpus[i], &before[i]);
	}

	TEST_ASSERT(!pthread_create(&ev, NULL, event_thread, v),
		    "pthread_create");
	if (variant->nr_vcpus == 1) {
		vcpu_thread(v->vcpus[0]);
	} else {
		for (i = 0; i < variant->nr_vcpus; i++)
			TEST_ASSERT(!pthread_create(&threads[i], NULL,
						    vcpu_thread, v->vcpus[i]),
				    "pthread_create");
		for (i = 0; i < variant->nr_vcpus; i++)
			pthread_join(threads[i], NULL);
	}
	pthread_mutex_lock(&v->lock);
	v->event_thread_stop = true;
	pthread_mutex_unlock(&v->lock);
	pthread_join(ev, NULL);

	nr_batches = NR_BATCHES * variant->nr_vcpus;
	for (i = 0; i < variant->nr_vcpus; i++) {
		TEST_ASSERT_EQ(v->next_batch[i], NR_BATCHES);
		read_vcpu_stats(v->vcpus[i], &after[i]);
		ksft_print_msg("vCPU %u: %u batches, %lu exits, to userspace %lu MMIO %lu PIO\n",
			       i, NR_BATCHES, after[i].exits - before[i].exits,
			       after[i].mmio_exits - before[i].mmio_exits,
			       after[i].io_exits - before[i].io_exits);
		ksft_print_msg("vCPU %u: %lu ioregion loads, %lu stores, %lu doorbells\n",
			       i, after[i].loads - before[i].loads,
			       after[i].stores - before[i].stores,
			       after[i].doorbells - before[i].doorbells);

		/* Not one PROD store or CONS load went to userspace */
		TEST_ASSERT_EQ(after[i].mmio_exits - before[i].mmio_exits, 0);
		/* The ucalls were the only exits to userspace, as port I/O */
		TEST_ASSERT_EQ(after[i].io_exits - before[i].io_exits,
			       v->nr_ucalls[i]);
		TEST_ASSERT_EQ(v->nr_ucalls[i], NR_BATCHES + 1);
		/* One PROD store per batch, and nothing else stored */
		TEST_ASSERT_EQ(after[i].stores - before[i].stores, NR_BATCHES);
		TEST_ASSERT_EQ(after[i].doorbells - before[i].doorbells,
			       NR_BATCHES);
		/* One CONS load for space per batch, one or more to complete */
		if (variant->regs_ro)
			TEST_ASSERT_EQ(after[i].loads - before[i].loads, 0);
		else if (vcpu_uses_msi(i))
			TEST_ASSERT_EQ(after[i].loads - before[i].loads,
				       2 * NR_BATCHES);
		else
			TEST_ASSERT(after[i].loads - before[i].loads >=
				    2 * NR_BATCHES, "%lu ioregion loads",
				    after[i].loads - before[i].loads);
	}

	/* CONS wrapped many times and ended where the guest's PROD is */
	ksft_print_msg("%lu entries in %lu batches, CONS wrapped %lu times, %u CFGI_STE stops\n",
		       v->total_entries, nr_batches,
		       v->total_entries / Q_ENTRIES, v->nr_stops);
	TEST_ASSERT(v->total_entries / Q_ENTRIES >= 100,
		    "CONS wrapped only %lu times", v->total_entries / Q_ENTRIES);
	TEST_ASSERT_EQ(regs_cons(v), v->total_entries & Q_WRP_MASK);
	TEST_ASSERT_EQ(v->nr_stops, nr_ste * variant->nr_vcpus);
	TEST_ASSERT_EQ(v->stops_checked, v->nr_stops);

	ASSERT_EQ(0, vqueue_state(v, &st));
	TEST_ASSERT_EQ(st.out_state, IOMMU_VQUEUE_STATE_RUNNING);
	TEST_ASSERT_EQ(st.out_cons, v->total_entries & Q_WRP_MASK);
	TEST_ASSERT_EQ(st.out_prod, v->total_entries & Q_WRP_MASK);
	TEST_ASSERT_EQ(st.out_msi_errors, 0);
	/* Whether the VMM's skipped entries count is not specified */
	TEST_ASSERT(st.out_consumed <= v->total_entries &&
		    st.out_consumed >= v->total_entries - v->nr_stops,
		    "%llu entries consumed in the kernel, of %lu",
		    st.out_consumed, v->total_entries);

	/* CS=SEV signals nothing; with MSIs the MSI write is the interrupt */
	TEST_ASSERT(read(v->irq_fd, &cnt, sizeof(cnt)) == -1 &&
		    errno == EAGAIN, "irq eventfd signalled");
}

int main(int argc, char *argv[])
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IOREGION));

	return test_harness_run(argc, argv);
}
