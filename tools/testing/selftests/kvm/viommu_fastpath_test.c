// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vIOMMU invalidation fast path end to end: a guest drives an emulated
 * SMMUv3 command queue the way Linux's arm-smmu-v3 driver does, or a VT-d
 * invalidation queue the way Linux's intel-iommu driver does, its PROD or
 * IQT stores reach an iommufd vqueue through a KVM ioregion, and the mock
 * nested HWPT logs what the IOMMU driver would have been asked to
 * invalidate.
 *
 * The test is the VMM: it creates the IOAS, maps the guest's queue memory at
 * IOVA == GPA, allocates the vqueue over the register page that the ioregion
 * serves, and then only watches.  After every batch the guest makes a ucall,
 * and the VMM checks that the mock log holds exactly that batch's
 * invalidations and that CONS (IQH) is where the guest's PROD (IQT) is.
 * The ucalls are port I/O on x86, so the vCPU's mmio_exits stat must not
 * move at all: a single doorbell store or consumer load that fell back to a
 * userspace exit fails the test.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "kselftest_harness.h"
#include "../iommu/iommufd_vqueue_utils.h"

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
#define REG_PROD		SMMUV3_CMDQ_PROD_REG
#define REG_CONS		SMMUV3_CMDQ_CONS_REG

/*
 * 64 entries: a batch of up to 64 entries can fill the queue exactly, and
 * CONS wraps about once every two batches.
 */
#define Q_LOG2			6
#define Q_ENTRIES		((uint32_t)BIT(Q_LOG2))
#define Q_IDX_MASK		(Q_ENTRIES - 1)
#define Q_WRP_MASK		(2 * Q_ENTRIES - 1)

#define NR_BATCHES		256
#define MAX_VCPUS		2
/* Every STE_PERIOD-th batch carries a CFGI_STE in its middle. */
#define STE_PERIOD		32
#define STE_PHASE		21
#define STE_MIN_LEN		8
/* VT-d in legacy mode stops on every batch's IOTLB invalidation */
#define MAX_STOPS		(NR_BATCHES + NR_BATCHES / STE_PERIOD + 1)

/* Guest-side and VMM-side waits. */
#define GUEST_TIMEOUT_S		10
#define VMM_POLL_MS		50

/*
 * VT-d as Linux's intel-iommu driver sets it up: 256 descriptors, of 256
 * bits in scalable mode (IQA.DW=1, QS=1) and of 128 bits in legacy mode
 * (QS=0), and a status word per descriptor beside the queue, which a wait
 * descriptor sets to QI_DONE.
 */
#define VTD_QI_LENGTH		256
#define VTD_STATUS_GPA		(QUEUE_GPA + 0x4000)
#define QI_FREE			0
#define QI_IN_USE		1
#define QI_DONE			2
/*
 * The ioregion covers IQH, IQT and IQA.  ICS stays out: its
 * write-1-to-clear cannot be a plain store into the register memory.
 */
#define VTD_WIN_SIZE		(VTD_ICS_REG - VTD_IQH_REG)
/* Descriptors before each wait: up to 127, so the queue wraps often */
#define VTD_MAX_BATCH		127
#define VTD_CC_MIN_LEN		3
#define VTD_MIN_WRAPS		50
/*
 * Two guest domains: requests without PASID (Linux's IOMMU_NO_PASID) in
 * one, a PASID of the other, each bound to a nested HWPT of its own.
 */
#define VTD_NR_DOMS		2
#define VTD_SID			0x100

static const uint16_t vtd_did[VTD_NR_DOMS] = { 1, 2 };
static const uint32_t vtd_pasid[VTD_NR_DOMS] = { 0, 5 };

/* What the vqueue does with a descriptor the VT-d guest sends */
enum vtd_kind {
	VTD_FWD,	/* to the nested HWPT of domain vtd_entry.dom */
	VTD_NOP,	/* completed in the kernel: device TLB */
	VTD_EXIT,	/* for the VMM: context cache, IOTLB */
};

struct vtd_entry {
	struct test_vtd_desc d;
	enum vtd_kind kind;
	uint32_t dom;
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
	bool vtd;
	bool vtd_legacy;
	bool worker_only;
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
static struct test_smmuv3_cmd batch_entry(uint32_t vcpu, uint32_t b, uint32_t j)
{
	uint16_t asid = (vcpu << 12 | (b & 0xfff)) + 1;
	uint64_t va = (uint64_t)(b * Q_ENTRIES + j) << 21;
	uint32_t len = batch_len(vcpu, b);

	if (batch_has_ste(b) && j == ste_pos(len))
		return test_smmuv3_cfgi_ste(0x100 + b);

	switch ((b + j) % 5) {
	case 0:
	case 1:
		return test_smmuv3_tlbi_nh_va_range(asid, va, j % 4, j % 8);
	case 2:
		/* No range: one page, not leaf-only */
		return test_smmuv3_tlbi_nh_va(asid, va, false);
	case 3:
		return test_smmuv3_tlbi_nh_asid(asid);
	default:
		return test_smmuv3_cmd(SMMUV3_CMD_TLBI_NSNH_ALL, 0);
	}
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
	struct test_smmuv3_cmd c;

	/* Linux reads CONS for free space before it writes */
	cons = reg_read(REG_CONS);
	__GUEST_ASSERT(!(cons & SMMUV3_CONS_ERR), "CONS %#x has an error", cons);
	__GUEST_ASSERT(Q_ENTRIES - ((prod - cons) & Q_WRP_MASK) >= len,
		       "no room for %u entries, PROD %#x CONS %#x", len, prod,
		       cons);

	for (j = 0; j < len - 1; j++) {
		c = batch_entry(vcpu, b, j);
		slot_write(prod + j, c.w[0], c.w[1]);
	}
	/* With MSIs, MSIData 0 to the sync's own slot, as Linux does */
	if (msi)
		c = test_smmuv3_sync(SMMUV3_SYNC_CS_IRQ, slot_gpa(prod + j), 0);
	else
		c = test_smmuv3_sync(SMMUV3_SYNC_CS_SEV, 0, 0);
	slot_write(prod + j, c.w[0], c.w[1]);

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
		__GUEST_ASSERT(!(cons & SMMUV3_CONS_ERR),
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

/*
 * VT-d.  Batch @b: up to VTD_MAX_BATCH descriptors, then the wait; every
 * STE_PERIOD-th batch has a context-cache invalidation in its middle.
 */
static uint32_t vtd_batch_len(uint32_t b)
{
	uint32_t len = 1 + (b * 37) % VTD_MAX_BATCH;

	if (batch_has_ste(b) && len < VTD_CC_MIN_LEN)
		len += VTD_CC_MIN_LEN;
	return len;
}

static uint32_t vtd_esize(void)
{
	return params.vtd_legacy ? 16 : 32;
}

static uint32_t vtd_reg(uint32_t slot)
{
	return (slot % VTD_QI_LENGTH) * vtd_esize();
}

/*
 * Descriptor @j of batch @b, as Linux flushes a first-stage domain in
 * scalable mode: page-selective P_IOTLB with the address mask and the leaf
 * hint (qi_flush_piotlb()), PASID-selective ones, and device-TLB
 * invalidations for an ATS device.  Some addresses are not aligned to
 * their mask: the hardware ignores the low bits and so must the
 * conversion.  In legacy mode each batch starts with an IOTLB
 * invalidation, which only the VMM can perform.
 */
static struct vtd_entry vtd_batch_entry(uint32_t b, uint32_t j)
{
	uint64_t addr = (uint64_t)(b * VTD_QI_LENGTH + j) << 22;
	uint32_t len = vtd_batch_len(b);
	unsigned int am = j % 11;
	struct vtd_entry e = { .kind = VTD_FWD };

	if (batch_has_ste(b) && j == ste_pos(len)) {
		e.d = test_vtd_cc_global();
		e.kind = VTD_EXIT;
		return e;
	}
	if (params.vtd_legacy) {
		if (j) {
			e.d = test_vtd_dev_tlb(VTD_SID, addr);
			e.kind = VTD_NOP;
		} else {
			e.d = test_vtd_iotlb_psi(vtd_did[0], addr, am);
			e.kind = VTD_EXIT;
		}
		return e;
	}

	switch ((b + j) % 5) {
	case 0:
	case 1:
		e.dom = 0;
		e.d = test_vtd_piotlb(vtd_did[0], vtd_pasid[0],
				      addr + (j % 3) * 0x1000, am, j & 1);
		break;
	case 2:
		e.dom = 1;
		e.d = test_vtd_piotlb_pasid(vtd_did[1], vtd_pasid[1]);
		break;
	case 3:
		e.dom = 1;
		e.d = test_vtd_piotlb(vtd_did[1], vtd_pasid[1], addr, 0,
				      false);
		break;
	default:
		e.d = test_vtd_dev_tlb(VTD_SID, addr);
		e.kind = VTD_NOP;
		break;
	}
	return e;
}

/* How many times batch @b stops the vqueue for the VMM */
static uint32_t vtd_batch_stops(uint32_t b)
{
	uint32_t j, n = 0;

	for (j = 0; j < vtd_batch_len(b); j++)
		n += vtd_batch_entry(b, j).kind == VTD_EXIT;
	return n;
}

static void vtd_slot_write(uint32_t slot, const struct test_vtd_desc *d)
{
	uint64_t *p = (uint64_t *)(QUEUE_GPA + vtd_reg(slot));
	uint32_t i;

	for (i = 0; i < vtd_esize() / 8; i++)
		WRITE_ONCE(p[i], d->qw[i]);
}

/*
 * One qi_submit_sync(): the descriptors, a wait with SW=1 whose status
 * word goes from QI_IN_USE to QI_DONE, one IQT store, then polling the
 * status word in memory.  Linux also reads FSTS while it polls, to catch
 * an IQE; that register is outside the window, and the test leaves it out
 * so that any exit counts as a failure.  The IQH load at the end is the
 * one Linux makes when it handles an IQE, here on every batch.
 */
static void vtd_guest_code(uint32_t vcpu)
{
	uint32_t *status = (uint32_t *)VTD_STATUS_GPA;
	struct test_vtd_desc wait;
	uint32_t b, j, n, index, wait_index, iqh;
	struct vtd_entry e;
	uint64_t end;

	for (b = 0; b < params.nr_batches; b++) {
		n = vtd_batch_len(b);
		index = guest_prod;
		wait_index = (index + n) % VTD_QI_LENGTH;

		for (j = 0; j < n; j++) {
			e = vtd_batch_entry(b, j);
			vtd_slot_write(index + j, &e.d);
		}
		wait = test_vtd_wait(true, false, QI_DONE,
				     VTD_STATUS_GPA + wait_index * 4);
		vtd_slot_write(wait_index, &wait);
		WRITE_ONCE(status[wait_index], QI_IN_USE);

		guest_prod = (index + n + 1) % VTD_QI_LENGTH;
		/* x86 keeps stores in order; the compiler must too */
		barrier();
		reg_write(VTD_IQT_REG, vtd_reg(guest_prod));

		end = guest_deadline();
		while (READ_ONCE(status[wait_index]) != QI_DONE) {
			__GUEST_ASSERT(rdtsc() < end,
				       "batch %u: no status write, IQH %#x IQT %#x",
				       b, reg_read(VTD_IQH_REG),
				       vtd_reg(guest_prod));
			cpu_relax();
		}
		iqh = reg_read(VTD_IQH_REG);
		__GUEST_ASSERT(iqh == vtd_reg(guest_prod),
			       "batch %u: status written with IQH %#x, IQT %#x",
			       b, iqh, vtd_reg(guest_prod));

		GUEST_SYNC_ARGS(0ULL, (uint64_t)vcpu, (uint64_t)b,
				(uint64_t)iqh, (uint64_t)wait_index);
		/* reclaim_free_desc(), once the VMM had a look */
		WRITE_ONCE(status[wait_index], QI_FREE);
	}
	GUEST_DONE();
}

#define NR_EXCEPTION_VECTORS	32

/*
 * The IDT every selftest VM has reports an unexpected exception without its
 * error code or, for a page fault, the address: report them, since they are
 * what tell a guest bug from a host one.  A handler on a vector takes
 * precedence over the fixups of the *_safe() accessors, which the guest does
 * not use.
 */
static void guest_report_exception(struct ex_regs *regs)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	GUEST_FAIL("Unexpected exception %lu at RIP %#lx, error code %#lx, CR2 %#lx",
		   regs->vector, regs->rip, regs->error_code, cr2);
}

static void report_guest_exceptions(struct kvm_vm *vm)
{
	int i;

	for (i = 0; i < NR_EXCEPTION_VECTORS; i++)
		vm_install_exception_handler(vm, i, guest_report_exception);
}

static void guest_code(uint32_t vcpu)
{
	bool msi = vcpu_uses_msi(vcpu);
	uint32_t b, prod;

	if (params.vtd) {
		vtd_guest_code(vcpu);
		return;
	}

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

struct vtd_log {
	struct iommu_hwpt_vtd_s1_invalidate e[MOCK_VTD_LOG_NUM];
	uint32_t num;
	uint32_t dropped;
};

/* What the event thread saw at a stop: the state, CONS, the mock's logs */
struct stop_rec {
	struct iommu_vqueue_get_state st;
	uint32_t regs_cons;
	struct test_smmuv3_cmd log[MOCK_SMMUV3_LOG_NUM];
	uint32_t nlog;
	uint32_t dropped;
	struct vtd_log vtd[VTD_NR_DOMS];
	int resume_rc;
};

struct vmm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	int iommufd;
	struct test_nest n;
	/* The nested HWPT of each VT-d guest domain */
	uint32_t vtd_hwpt[VTD_NR_DOMS];
	uint32_t vqueue_id;
	struct test_vqueue_fds f;
	void *regs;
	bool regs_mmapped;
	/* The consumer register: SMMUv3 CONS or VT-d IQH */
	uint32_t cons_off;

	pthread_mutex_t lock;
	/* Under lock: what the VMM has checked so far */
	uint64_t total_entries;
	uint32_t next_batch[MAX_VCPUS];
	uint32_t nr_ucalls[MAX_VCPUS];
	uint32_t stops_checked;
	/* Under lock: what the event thread saw */
	uint32_t nr_stops;
	struct stop_rec *stops;
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
	return __atomic_load_n((uint32_t *)(v->regs + v->cons_off),
			       __ATOMIC_ACQUIRE);
}

static void smmuv3_log(struct vmm *v, struct test_smmuv3_cmd *out, uint32_t *num,
		       uint32_t *dropped)
{
	TEST_ASSERT(!_test_cmd_mock_log(v->iommufd, IOMMU_TEST_OP_MD_SMMUV3_LOG,
					v->n.nested_id, out,
					MOCK_SMMUV3_LOG_NUM, num, dropped),
		    "reading the mock SMMUv3 log: %s", strerror(errno));
}

static void vtd_logs(struct vmm *v, struct vtd_log *log)
{
	uint32_t i;

	for (i = 0; i < VTD_NR_DOMS; i++)
		TEST_ASSERT(!_test_cmd_mock_log(v->iommufd,
						IOMMU_TEST_OP_MD_VTD_LOG,
						v->vtd_hwpt[i], log[i].e,
						MOCK_VTD_LOG_NUM, &log[i].num,
						&log[i].dropped),
			    "reading the mock VT-d log: %s", strerror(errno));
}

static int vqueue_state(struct vmm *v, struct iommu_vqueue_get_state *st)
{
	return _test_cmd_vqueue_get_state(v->iommufd, v->vqueue_id, st);
}

/* What the IOMMU must receive for an entry: NSNH_ALL becomes NH_ALL. */
static struct test_smmuv3_cmd expected_inv(struct test_smmuv3_cmd c)
{
	if (test_smmuv3_opcode(c.w[0]) == SMMUV3_CMD_TLBI_NSNH_ALL)
		c.w[0] = SMMUV3_CMD_TLBI_NH_ALL;
	return c;
}

static void check_log(const char *what, uint32_t vcpu, uint32_t b,
		      const struct test_smmuv3_cmd *got, uint32_t num, uint32_t dropped,
		      uint32_t from, uint32_t to)
{
	uint32_t i, n = 0;
	struct test_smmuv3_cmd want;

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
	struct test_smmuv3_cmd got[MOCK_SMMUV3_LOG_NUM];
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
			    s->st.out_stop_reason == IOMMU_VQUEUE_STOP_EXIT &&
			    !s->st.out_error_code,
			    "batch %u: stop state %u reason %u error %u", b,
			    s->st.out_state, s->st.out_stop_reason, s->st.out_error_code);
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
 * The stage-1 invalidation a P_IOTLB descriptor asks for, from the VT-d
 * specification rather than the kernel's code: page-selective covers the
 * 2^AM pages naturally aligned around ADDR, PASID-selective everything.
 */
static struct iommu_hwpt_vtd_s1_invalidate
vtd_expected_inv(const struct test_vtd_desc *d)
{
	unsigned int am = FIELD_GET(VTD_DESC1_AM, d->qw[1]);
	struct iommu_hwpt_vtd_s1_invalidate inv = {};

	if (FIELD_GET(VTD_DESC0_GRAN, d->qw[0]) == VTD_PIOTLB_G_PASID) {
		inv.npages = UINT64_MAX;
		return inv;
	}
	inv.addr = d->qw[1] & ~((1ULL << (am + 12)) - 1);
	inv.npages = 1ULL << am;
	if (d->qw[1] & VTD_DESC1_IH)
		inv.flags = IOMMU_VTD_INV_FLAGS_LEAF;
	return inv;
}

/*
 * Each domain's log holds exactly the P_IOTLBs of that domain among
 * descriptors [@from, @to) of batch @b, converted, in queue order.
 */
static void vtd_check_logs(const char *what, uint32_t b,
			   const struct vtd_log *log, uint32_t from,
			   uint32_t to)
{
	struct iommu_hwpt_vtd_s1_invalidate want;
	const struct iommu_hwpt_vtd_s1_invalidate *got;
	struct vtd_entry e;
	uint32_t dom, j, n;

	for (dom = 0; dom < VTD_NR_DOMS; dom++) {
		TEST_ASSERT(!log[dom].dropped,
			    "%s: batch %u: %u entries dropped from domain %u's log",
			    what, b, log[dom].dropped, dom);
		n = 0;
		for (j = from; j < to; j++) {
			e = vtd_batch_entry(b, j);
			if (e.kind != VTD_FWD || e.dom != dom)
				continue;
			TEST_ASSERT(n < log[dom].num,
				    "%s: batch %u: domain %u's log ends at %u entries, descriptor %u missing",
				    what, b, dom, log[dom].num, j);
			want = vtd_expected_inv(&e.d);
			got = &log[dom].e[n++];
			TEST_ASSERT(got->addr == want.addr &&
				    got->npages == want.npages &&
				    got->flags == want.flags && !got->__reserved,
				    "%s: batch %u, descriptor %u (%#lx %#lx): domain %u got addr %#llx npages %#llx flags %#x, wanted %#llx %#llx %#x",
				    what, b, j, e.d.qw[0], e.d.qw[1], dom,
				    got->addr, got->npages, got->flags,
				    want.addr, want.npages, want.flags);
		}
		TEST_ASSERT(n == log[dom].num,
			    "%s: batch %u: domain %u got %u invalidations, %u expected",
			    what, b, dom, log[dom].num, n);
	}
}

/* The wait wrote its status word, and no other */
static void vtd_check_status(struct vmm *v, uint32_t b, uint32_t wait_index)
{
	uint32_t *status = addr_gpa2hva(v->vm, VTD_STATUS_GPA);
	uint32_t i;

	for (i = 0; i < VTD_QI_LENGTH; i++)
		TEST_ASSERT(status[i] == (i == wait_index ? QI_DONE : QI_FREE),
			    "batch %u: status word %u is %u, the wait's is %u",
			    b, i, status[i], wait_index);
}

static void vtd_check_stop(struct vmm *v, uint32_t b, uint32_t j,
			   uint32_t start, uint32_t end,
			   const struct vtd_entry *e, const struct stop_rec *s)
{
	uint32_t iqh = vtd_reg(start + j), i;

	TEST_ASSERT(s->st.out_state == IOMMU_VQUEUE_STATE_STOPPED &&
		    s->st.out_stop_reason == IOMMU_VQUEUE_STOP_EXIT &&
		    !s->st.out_error_code && !s->st.out_errno,
		    "batch %u: stop state %u reason %u error %u errno %d", b,
		    s->st.out_state, s->st.out_stop_reason, s->st.out_error_code,
		    s->st.out_errno);
	for (i = 0; i < ARRAY_SIZE(s->st.out_entry); i++)
		TEST_ASSERT(s->st.out_entry[i] ==
			    (i < vtd_esize() / 8 ? e->d.qw[i] : 0),
			    "batch %u: stopped on %#llx %#llx, not descriptor %u (%#lx %#lx)",
			    b, s->st.out_entry[0], s->st.out_entry[1], j,
			    e->d.qw[0], e->d.qw[1]);
	TEST_ASSERT(s->st.out_cons == iqh && s->regs_cons == iqh,
		    "batch %u: stopped with IQH %#x (register %#x), wanted %#x",
		    b, s->st.out_cons, s->regs_cons, iqh);
	TEST_ASSERT(s->st.out_prod == vtd_reg(end),
		    "batch %u: stopped having read IQT %#x, wanted %#x", b,
		    s->st.out_prod, vtd_reg(end));
	TEST_ASSERT(!s->resume_rc, "batch %u: RESUME failed", b);
}

/*
 * A VT-d batch completed in the guest: each stop on the descriptor it
 * should be, with exactly the P_IOTLBs before it forwarded, and after the
 * wait the rest; the status word written; IQH equal to the guest's IQT.
 */
static void vtd_check_batch(struct vmm *v, uint32_t vcpu, uint32_t b,
			    uint32_t guest_iqh, uint32_t wait_index)
{
	uint32_t n = vtd_batch_len(b), start, end, j, from = 0;
	struct vtd_log now[VTD_NR_DOMS];
	struct vtd_entry e;

	pthread_mutex_lock(&v->lock);
	TEST_ASSERT(b == v->next_batch[vcpu], "vCPU %u: batch %u, wanted %u",
		    vcpu, b, v->next_batch[vcpu]);
	v->next_batch[vcpu]++;
	start = v->total_entries % VTD_QI_LENGTH;
	v->total_entries += n + 1;
	end = v->total_entries % VTD_QI_LENGTH;

	TEST_ASSERT(guest_iqh == vtd_reg(end) && regs_cons(v) == vtd_reg(end),
		    "batch %u: guest read IQH %#x, register %#x, IQT %#x", b,
		    guest_iqh, regs_cons(v), vtd_reg(end));
	TEST_ASSERT(wait_index == (start + n) % VTD_QI_LENGTH,
		    "batch %u: wait in slot %u, VMM expects %u", b, wait_index,
		    (start + n) % VTD_QI_LENGTH);
	vtd_check_status(v, b, wait_index);

	for (j = 0; j < n; j++) {
		e = vtd_batch_entry(b, j);
		if (e.kind != VTD_EXIT)
			continue;
		TEST_ASSERT(v->stops_checked < v->nr_stops,
			    "batch %u: no stop on descriptor %u", b, j);
		vtd_check_stop(v, b, j, start, end, &e,
			       &v->stops[v->stops_checked]);
		vtd_check_logs("at the stop", b,
			       v->stops[v->stops_checked].vtd, from, j);
		v->stops_checked++;
		from = j + 1;
	}
	TEST_ASSERT(v->nr_stops == v->stops_checked,
		    "batch %u: %u unexpected vqueue stops", b,
		    v->nr_stops - v->stops_checked);

	vtd_logs(v, now);
	vtd_check_logs("after the wait", b, now, from, n);
	pthread_mutex_unlock(&v->lock);
}

/*
 * Whether the VMM emulates what the vqueue stopped on: SMMUv3 CFGI_STE,
 * VT-d context-cache and IOTLB invalidations.  For the mock there is
 * nothing to do beyond recording them.
 */
static bool vmm_emulates(const struct iommu_vqueue_get_state *st)
{
	uint32_t type;

	if (st->out_state != IOMMU_VQUEUE_STATE_STOPPED ||
	    st->out_stop_reason != IOMMU_VQUEUE_STOP_EXIT)
		return false;
	if (!params.vtd)
		return test_smmuv3_opcode(st->out_entry[0]) ==
		       SMMUV3_CMD_CFGI_STE;
	type = test_vtd_type(st->out_entry[0]);
	return type == VTD_DESC_CC || type == VTD_DESC_IOTLB;
}

/*
 * The VMM's event loop: a stop it emulates is skipped past; anything else
 * is recorded and left stopped, so that the guest times out and the test
 * fails saying why.
 */
static void *event_thread(void *arg)
{
	struct pollfd pfd;
	struct vmm *v = arg;
	struct stop_rec *s;
	uint64_t cnt;

	pfd.fd = v->f.stop;
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
		if (read(v->f.stop, &cnt, sizeof(cnt)) != sizeof(cnt))
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
		if (params.vtd)
			vtd_logs(v, s->vtd);
		else
			smmuv3_log(v, s->log, &s->nlog, &s->dropped);
		if (vmm_emulates(&s->st)) {
			/* Emulated: IQH or CONS moves past it */
			s->resume_rc = _test_cmd_vqueue_resume(v->iommufd,
							       v->vqueue_id, 0,
							       1);
		} else {
			pr_info("event thread: unexpected stop: state %u reason %u error %u errno %d CONS %#x PROD %#x entry %#llx %#llx\n",
				s->st.out_state, s->st.out_stop_reason,
				s->st.out_error_code, s->st.out_errno,
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
			if (params.vtd)
				vtd_check_batch(v, id, uc.args[3], uc.args[4],
						uc.args[5]);
			else
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

/*
 * Returns false if the kernel has no iommufd or no mock, which are not this
 * test's features; any other failure fails the test.
 */
static bool vmm_iommu_setup(struct vmm *v, uint32_t vq_flags)
{
	struct iommu_vqueue_alloc alloc;
	uint64_t iqa;
	uint32_t i;

	v->iommufd = open("/dev/iommu", O_RDWR);
	if (v->iommufd < 0 && errno == ENOENT)
		return false;
	TEST_ASSERT(v->iommufd >= 0, "open /dev/iommu: %s", strerror(errno));
	/* The whole slot holding the queue and the MSI targets, GPA == IOVA */
	if (_test_nest_setup(v->iommufd, &v->n,
			     addr_gpa2hva(v->vm, QUEUE_GPA),
			     QUEUE_PAGES * v->vm->page_size, QUEUE_GPA)) {
		TEST_ASSERT(v->n.mock_absent, "%s: %s", v->n.failed,
			    strerror(errno));
		return false;
	}
	TEST_ASSERT(!test_vqueue_fds_open(&v->f, true), "eventfd: %s",
		    strerror(errno));

	if (params.vtd) {
		/* 256 descriptors: QS=1 with 256-bit ones, QS=0 with 128 */
		iqa = params.vtd_legacy ? QUEUE_GPA :
		      QUEUE_GPA | VTD_IQA_DW | 1;
		alloc = test_vqueue_vtd(v->n.nested_id, iqa, v->regs, &v->f);
	} else {
		alloc = test_vqueue_smmuv3(v->n.nested_id, QUEUE_GPA, Q_LOG2,
					   v->regs, &v->f);
	}
	alloc.flags = vq_flags;
	if (params.worker_only)
		alloc.flags |= IOMMU_VQUEUE_ALLOC_WORKER_ONLY;
	TEST_ASSERT(!_test_cmd_vqueue_alloc(v->iommufd, &alloc, &v->vqueue_id),
		    "IOMMU_VQUEUE_ALLOC: %s", strerror(errno));
	if (!params.vtd)
		return true;

	/* The vqueue's own HWPT serves one domain, a second one the other */
	v->vtd_hwpt[0] = v->n.nested_id;
	TEST_ASSERT(!_test_cmd_hwpt_alloc_mock_nested(v->iommufd, v->n.idev_id,
						      v->n.parent_id,
						      &v->vtd_hwpt[1]),
		    "IOMMU_HWPT_ALLOC: %s", strerror(errno));
	for (i = 0; i < VTD_NR_DOMS; i++)
		TEST_ASSERT(!_test_cmd_vqueue_set_vdomain(v->iommufd,
							  v->vqueue_id, 0,
							  v->vtd_hwpt[i],
							  vtd_did[i],
							  vtd_pasid[i]),
			    "IOMMU_VQUEUE_SET_VDOMAIN (DID %u, PASID %u): %s",
			    vtd_did[i], vtd_pasid[i], strerror(errno));
	return true;
}

/*
 * The producer and consumer registers served from the vqueue's register
 * memory, the producer's store rings: SMMUv3 PROD and CONS, or VT-d IQH,
 * IQT and IQA.
 */
static void vmm_ioregion_setup(struct vmm *v)
{
	uint32_t off = params.vtd ? VTD_IQH_REG : REG_PROD;
	struct kvm_ioregion r = {
		.guest_phys_addr = REGS_GPA + off,
		.size = params.vtd ? VTD_WIN_SIZE : 8,
		.userspace_addr = (uintptr_t)v->regs + off,
		.flags = KVM_IOREGION_DOORBELL,
		.doorbell_offset = params.vtd ?
			VTD_IQT_REG - VTD_IQH_REG : 0,
		.doorbell_size = 4,
		.doorbell_fd = v->f.doorbell,
	};

	vm_ioctl(v->vm, KVM_SET_IOREGION, &r);
}

FIXTURE(viommu) {
	struct vmm v;
};

/*
 * Unless worker_only, the vCPU thread that stored PROD consumes the queue
 * before it re-enters the guest.
 */
FIXTURE_VARIANT(viommu) {
	uint32_t nr_vcpus;
	bool msi;
	bool ste;
	bool regs_ro;
	bool vtd;
	bool vtd_legacy;
	bool worker_only;
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

FIXTURE_VARIANT_ADD(viommu, cons_poll_regs_ro_worker_only) {
	.nr_vcpus = 1,
	.regs_ro = true,
	.worker_only = true,
};

/* Two vCPUs share the queue, one in each completion mode. */
FIXTURE_VARIANT_ADD(viommu, two_vcpus) {
	.nr_vcpus = 2,
	.msi = true,
};

FIXTURE_VARIANT_ADD(viommu, two_vcpus_worker_only) {
	.nr_vcpus = 2,
	.msi = true,
	.worker_only = true,
};

/*
 * VT-d in scalable mode: P_IOTLBs for two domains and device-TLB
 * invalidations, waits with a status write, context-cache invalidations
 * for the VMM.
 */
FIXTURE_VARIANT_ADD(viommu, vtd_scalable) {
	.nr_vcpus = 1,
	.ste = true,
	.vtd = true,
};

/* The same with IQH loads served by a read-only mapping */
FIXTURE_VARIANT_ADD(viommu, vtd_scalable_regs_ro) {
	.nr_vcpus = 1,
	.ste = true,
	.regs_ro = true,
	.vtd = true,
};

FIXTURE_VARIANT_ADD(viommu, vtd_scalable_regs_ro_worker_only) {
	.nr_vcpus = 1,
	.ste = true,
	.regs_ro = true,
	.vtd = true,
	.worker_only = true,
};

/*
 * VT-d in legacy mode, 128-bit descriptors: the kernel has no stage 1 to
 * forward an IOTLB invalidation to, so each batch stops once for the VMM
 * and the device-TLB invalidations and the wait complete in the kernel.
 */
FIXTURE_VARIANT_ADD(viommu, vtd_legacy) {
	.nr_vcpus = 1,
	.ste = true,
	.vtd = true,
	.vtd_legacy = true,
};

FIXTURE_SETUP(viommu)
{
	memset(&self->v, 0, sizeof(self->v));
	self->v.iommufd = -1;
	self->v.f = (struct test_vqueue_fds){ -1, -1, -1 };
	self->v.stops = calloc(MAX_STOPS, sizeof(*self->v.stops));
	ASSERT_NE(NULL, self->v.stops);
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
	test_vqueue_fds_close(&v->f);
	if (v->regs_mmapped)
		munmap(v->regs, getpagesize());
	free(v->stops);
	pthread_mutex_destroy(&v->lock);
}

TEST_F_TIMEOUT(viommu, fastpath, 600)
{
	struct vcpu_stats before[MAX_VCPUS], after[MAX_VCPUS];
	struct iommu_vqueue_get_state st;
	pthread_t threads[MAX_VCPUS], ev;
	struct vmm *v = &self->v;
	uint32_t i, nr_stops = 0, end, q_len, min_wraps;
	uint64_t cnt, nr_batches;

	if (variant->regs_ro && !kvm_has_cap(KVM_CAP_READONLY_MEM))
		SKIP(return, "KVM_CAP_READONLY_MEM not available");

	params = (struct params){
		.nr_vcpus = variant->nr_vcpus,
		.nr_batches = NR_BATCHES,
		.msi = variant->msi,
		.ste = variant->ste,
		.regs_ro = variant->regs_ro,
		.vtd = variant->vtd,
		.vtd_legacy = variant->vtd_legacy,
		.worker_only = variant->worker_only,
	};
	for (i = 0; i < NR_BATCHES; i++)
		nr_stops += params.vtd ? vtd_batch_stops(i) : batch_has_ste(i);
	nr_stops *= variant->nr_vcpus;

	vmm = v;
	v->cons_off = params.vtd ? VTD_IQH_REG : REG_CONS;
	v->vm = vm_create_with_vcpus(variant->nr_vcpus, guest_code, v->vcpus);
	report_guest_exceptions(v->vm);
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

		/* Not one doorbell store or consumer load went to userspace */
		TEST_ASSERT_EQ(after[i].mmio_exits - before[i].mmio_exits, 0);
		/* The ucalls were the only exits to userspace, as port I/O */
		TEST_ASSERT_EQ(after[i].io_exits - before[i].io_exits,
			       v->nr_ucalls[i]);
		TEST_ASSERT_EQ(v->nr_ucalls[i], NR_BATCHES + 1);
		/* One doorbell store per batch, and nothing else stored */
		TEST_ASSERT_EQ(after[i].stores - before[i].stores, NR_BATCHES);
		TEST_ASSERT_EQ(after[i].doorbells - before[i].doorbells,
			       NR_BATCHES);
		/*
		 * SMMUv3: one CONS load for space per batch, one or more to
		 * complete.  VT-d: the status word is polled in memory, and
		 * IQH is read once per batch.
		 */
		if (variant->regs_ro)
			TEST_ASSERT_EQ(after[i].loads - before[i].loads, 0);
		else if (params.vtd)
			TEST_ASSERT_EQ(after[i].loads - before[i].loads,
				       NR_BATCHES);
		else if (vcpu_uses_msi(i))
			TEST_ASSERT_EQ(after[i].loads - before[i].loads,
				       2 * NR_BATCHES);
		else
			TEST_ASSERT(after[i].loads - before[i].loads >=
				    2 * NR_BATCHES, "%lu ioregion loads",
				    after[i].loads - before[i].loads);
	}

	/* CONS wrapped many times and ended where the guest's PROD is */
	q_len = params.vtd ? VTD_QI_LENGTH : Q_ENTRIES;
	min_wraps = params.vtd ? VTD_MIN_WRAPS : 100;
	end = params.vtd ? vtd_reg(v->total_entries % VTD_QI_LENGTH) :
	      v->total_entries & Q_WRP_MASK;
	ksft_print_msg("%lu entries in %lu batches, %s wrapped %lu times, %u VMM stops\n",
		       v->total_entries, nr_batches, params.vtd ? "IQH" : "CONS",
		       v->total_entries / q_len, v->nr_stops);
	TEST_ASSERT(v->total_entries / q_len >= min_wraps,
		    "wrapped only %lu times", v->total_entries / q_len);
	TEST_ASSERT_EQ(regs_cons(v), end);
	TEST_ASSERT_EQ(v->nr_stops, nr_stops);
	TEST_ASSERT_EQ(v->stops_checked, v->nr_stops);

	ASSERT_EQ(0, vqueue_state(v, &st));
	TEST_ASSERT_EQ(st.out_state, IOMMU_VQUEUE_STATE_RUNNING);
	TEST_ASSERT_EQ(st.out_cons, end);
	TEST_ASSERT_EQ(st.out_prod, end);
	TEST_ASSERT_EQ(st.out_write_errors, 0);
	/* Whether the VMM's skipped entries count is not specified */
	TEST_ASSERT(st.out_consumed <= v->total_entries &&
		    st.out_consumed >= v->total_entries - v->nr_stops,
		    "%llu entries consumed in the kernel, of %lu",
		    st.out_consumed, v->total_entries);
	/*
	 * Inline, a single vCPU consumed each of its batches itself, and the
	 * worker only runs after a resume (the VMM's thread rings no
	 * doorbell); a doorbell that finds the worker in that pass leaves its
	 * batch to it, which looks at the queue again after its pass. Two
	 * vCPUs may find each other's pass running, one of them may run out of
	 * its inline budget and leave the rest to the worker, and once both
	 * rang, the queue is the worker's for a while.
	 */
	if (params.worker_only) {
		TEST_ASSERT_EQ(st.out_inline_passes, 0);
	} else if (variant->nr_vcpus == 1) {
		/* That takes a resume at the doorbell's moment: rarely */
		TEST_ASSERT(st.out_inline_passes >=
			    (nr_stops ? NR_BATCHES / 2 : NR_BATCHES),
			    "%llu inline passes, %u stops",
			    st.out_inline_passes, nr_stops);
		if (!nr_stops)
			TEST_ASSERT_EQ(st.out_worker_passes, 0);
	} else {
		TEST_ASSERT(st.out_inline_passes > 0, "no inline pass");
	}

	/*
	 * CS=SEV signals nothing; with MSIs the MSI write is the interrupt.
	 * No VT-d wait asked for one (IF=0): ICS.IWC stays clear.
	 */
	TEST_ASSERT(read(v->f.irq, &cnt, sizeof(cnt)) == -1 &&
		    errno == EAGAIN, "irq eventfd signalled");
	if (params.vtd)
		TEST_ASSERT_EQ(*(uint32_t *)(v->regs + VTD_ICS_REG), 0);
}

/*
 * A hostile guest, for a bounded number of steps: random entries (random
 * words, and commands with random fields), random producer indexes (past
 * the queue, backwards, with error and wrap bits), and, through ucalls,
 * the VMM disabling the queue, rewriting its base (to bad values too),
 * unmapping and remapping the queue memory and resuming at random times.
 * No splat, no hang: every stop is one the VMM can read, and afterwards
 * the queue, reset as a guest driver resets it, works.
 */
#define HOSTILE_STEPS		3000

enum hostile_action {
	HOSTILE_ACK = 1,	/* the guest acknowledges an error, or not */
	HOSTILE_TOGGLE,		/* CMDQEN / QIE off and on */
	HOSTILE_REBASE,		/* a new base, while disabled, maybe a bad one */
	HOSTILE_UNMAP,		/* the VMM unmaps and remaps guest memory */
	HOSTILE_RESET,		/* the guest driver's reset: a sane queue */
};

static uint64_t hostile_rng;

static uint64_t hostile_rand(void)
{
	/* xorshift64 */
	hostile_rng ^= hostile_rng << 13;
	hostile_rng ^= hostile_rng >> 7;
	hostile_rng ^= hostile_rng << 17;
	return hostile_rng;
}

/* An SMMUv3 command: random words, or a real opcode with random fields */
static struct test_smmuv3_cmd hostile_smmuv3_cmd(void)
{
	static const uint8_t ops[] = {
		SMMUV3_CMD_TLBI_NH_ASID, SMMUV3_CMD_TLBI_NH_VA,
		SMMUV3_CMD_TLBI_NH_VAA, SMMUV3_CMD_TLBI_NH_ALL,
		SMMUV3_CMD_TLBI_NSNH_ALL, SMMUV3_CMD_CFGI_STE,
		SMMUV3_CMD_CFGI_CD, SMMUV3_CMD_ATC_INV, SMMUV3_CMD_SYNC,
	};
	uint64_t w0 = hostile_rand(), w1 = hostile_rand();

	if (hostile_rand() & 1) {
		w0 = (w0 & ~0xffULL) | ops[hostile_rand() % sizeof(ops)];
		/* A sync's MSI mostly inside guest memory */
		if ((w0 & 0xff) == SMMUV3_CMD_SYNC && (hostile_rand() & 1))
			w1 = QUEUE_GPA + (w1 % (QUEUE_PAGES * 4096) & ~3ULL);
	}
	return test_smmuv3_cmd(w0, w1);
}

/* A VT-d descriptor: random, or a known type with random fields */
static struct test_vtd_desc hostile_vtd_desc(void)
{
	struct test_vtd_desc d;
	uint32_t i;

	for (i = 0; i < 4; i++)
		d.qw[i] = hostile_rand();
	if (hostile_rand() & 1) {
		d.qw[0] = (d.qw[0] & ~0xe0fULL) | (hostile_rand() % 8);
		/* A wait's status mostly inside guest memory */
		if ((d.qw[0] & 0xf) == VTD_DESC_WAIT && (hostile_rand() & 1))
			d.qw[1] = QUEUE_GPA +
				  (d.qw[1] % (QUEUE_PAGES * 4096) & ~3ULL);
	}
	return d;
}

static void hostile_guest_code(uint64_t seed)
{
	uint32_t prod_reg = params.vtd ? VTD_IQT_REG : REG_PROD;
	uint32_t entries = params.vtd ? VTD_QI_LENGTH : Q_ENTRIES;
	uint32_t esize = params.vtd ? 32 : 16;
	uint32_t i, k, slot, prod = 0;
	uint64_t *p, end;

	hostile_rng = seed | 1;
	for (i = 0; i < HOSTILE_STEPS; i++) {
		switch (hostile_rand() % 16) {
		case 0 ... 5:
			/* Entries at PROD and on, then PROD past them */
			for (k = 0; k < 1 + hostile_rand() % 8; k++) {
				slot = (prod + k) % entries;
				p = (uint64_t *)(QUEUE_GPA + slot * esize);
				if (params.vtd) {
					struct test_vtd_desc d = hostile_vtd_desc();

					memcpy(p, d.qw, esize);
				} else {
					struct test_smmuv3_cmd c = hostile_smmuv3_cmd();

					memcpy(p, c.w, esize);
				}
			}
			prod += k;
			reg_write(prod_reg, params.vtd ?
				  (prod % entries) * esize :
				  prod & Q_WRP_MASK);
			break;
		case 6 ... 7:
			/* Any value at all */
			reg_write(prod_reg, hostile_rand());
			break;
		case 8:
			/* Backwards */
			prod -= hostile_rand() % entries;
			reg_write(prod_reg, params.vtd ?
				  (prod % entries) * esize :
				  prod & Q_WRP_MASK);
			break;
		case 9:
			(void)reg_read(params.vtd ? VTD_IQH_REG : REG_CONS);
			break;
		case 10 ... 11:
			GUEST_SYNC_ARGS((uint64_t)HOSTILE_ACK, hostile_rand(), 0ULL, 0ULL,
					0ULL);
			break;
		case 12:
			GUEST_SYNC_ARGS((uint64_t)HOSTILE_TOGGLE, 0ULL, 0ULL, 0ULL,
					0ULL);
			break;
		case 13:
			GUEST_SYNC_ARGS((uint64_t)HOSTILE_REBASE, hostile_rand(), 0ULL,
					0ULL, 0ULL);
			break;
		case 14:
			GUEST_SYNC_ARGS((uint64_t)HOSTILE_UNMAP, 0ULL, 0ULL, 0ULL,
					0ULL);
			break;
		default:
			/* Random bytes anywhere in the queue memory */
			p = (uint64_t *)(QUEUE_GPA + hostile_rand() %
					 (QUEUE_PAGES * 4096 / 8) * 8);
			WRITE_ONCE(*p, hostile_rand());
			break;
		}
	}

	/* The driver resets its queue; one plain batch must complete */
	GUEST_SYNC_ARGS((uint64_t)HOSTILE_RESET, 0ULL, 0ULL, 0ULL, 0ULL);
	if (params.vtd) {
		struct test_vtd_desc d[2] = {
			test_vtd_piotlb_pasid(vtd_did[0], vtd_pasid[0]),
			test_vtd_wait(true, false, QI_DONE, VTD_STATUS_GPA),
		};
		uint32_t *status = (uint32_t *)VTD_STATUS_GPA;

		WRITE_ONCE(*status, QI_IN_USE);
		memcpy((void *)QUEUE_GPA, d, sizeof(d));
		reg_write(VTD_IQT_REG, 2 * esize);
		end = guest_deadline();
		while (READ_ONCE(*status) != QI_DONE) {
			__GUEST_ASSERT(rdtsc() < end, "reset queue: no status write, IQH %#x",
				       reg_read(VTD_IQH_REG));
			cpu_relax();
		}
	} else {
		struct test_smmuv3_cmd c[2] = {
			test_smmuv3_tlbi_nh_asid(0x77),
			test_smmuv3_sync(SMMUV3_SYNC_CS_SEV, 0, 0),
		};

		memcpy((void *)QUEUE_GPA, c, sizeof(c));
		reg_write(REG_PROD, 2);
		end = guest_deadline();
		while (reg_read(REG_CONS) != 2) {
			__GUEST_ASSERT(rdtsc() < end, "reset queue: CONS %#x",
				       reg_read(REG_CONS));
			cpu_relax();
		}
	}
	GUEST_DONE();
}

struct hostile_counts {
	uint64_t stops[8];
	uint64_t acks, toggles, rebases, unmaps, bad_bases, resume_einval;
};

/* The VMM's side of a ucall: what a VMM does when the guest does this */
static void hostile_vmm_action(struct vmm *v, struct ucall *uc,
			       struct hostile_counts *c)
{
	void *guest = addr_gpa2hva(v->vm, QUEUE_GPA);
	size_t len = QUEUE_PAGES * v->vm->page_size;
	uint64_t base;
	int rc;

	/* args[1] is the action, args[2] its argument */
	pthread_mutex_lock(&v->lock);
	switch (uc->args[1]) {
	case HOSTILE_ACK:
		/* Acked or not, and perhaps with nothing stopped */
		c->acks++;
		rc = _test_cmd_vqueue_resume(v->iommufd, v->vqueue_id,
					     uc->args[2] & 1 ?
					     IOMMU_VQUEUE_RESUME_RETRY : 0, 0);
		TEST_ASSERT(!rc || errno == EINVAL, "RESUME: %s",
			    strerror(errno));
		c->resume_einval += !!rc;
		break;
	case HOSTILE_TOGGLE:
		c->toggles++;
		TEST_ASSERT(!_test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
						     IOMMU_VQUEUE_MODIFY_DISABLE,
						     0), "DISABLE: %s",
			    strerror(errno));
		TEST_ASSERT(!_test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
						     IOMMU_VQUEUE_MODIFY_ENABLE,
						     0), "ENABLE: %s",
			    strerror(errno));
		break;
	case HOSTILE_REBASE:
		c->rebases++;
		base = uc->args[2];
		/* Half of them are in guest memory, with any size */
		if (base & 1)
			base = params.vtd ?
			       QUEUE_GPA | (base & (VTD_IQA_DW | 0x7)) :
			       SMMUV3_Q_BASE_RA | QUEUE_GPA | (base & 0x1f);
		rc = _test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
					     IOMMU_VQUEUE_MODIFY_DISABLE |
					     IOMMU_VQUEUE_MODIFY_BASE, base);
		TEST_ASSERT(!rc || errno == EINVAL, "MODIFY BASE %#lx: %s",
			    base, strerror(errno));
		c->bad_bases += !!rc;
		TEST_ASSERT(!_test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
						     IOMMU_VQUEUE_MODIFY_ENABLE,
						     0), "ENABLE: %s",
			    strerror(errno));
		break;
	case HOSTILE_UNMAP:
		c->unmaps++;
		TEST_ASSERT(!_test_ioctl_ioas_unmap_range(v->iommufd,
							  v->n.ioas_id,
							  QUEUE_GPA, len),
			    "IOAS_UNMAP: %s", strerror(errno));
		TEST_ASSERT(!_test_ioctl_ioas_map_fixed(v->iommufd,
							v->n.ioas_id, guest,
							len, QUEUE_GPA),
			    "IOAS_MAP: %s", strerror(errno));
		break;
	case HOSTILE_RESET:
		/* Disabled, the registers are the VMM's: a sane queue again */
		TEST_ASSERT(!_test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
						     IOMMU_VQUEUE_MODIFY_DISABLE |
						     IOMMU_VQUEUE_MODIFY_BASE,
						     params.vtd ?
						     QUEUE_GPA | VTD_IQA_DW | 1 :
						     SMMUV3_Q_BASE_RA |
						     QUEUE_GPA | Q_LOG2),
			    "MODIFY BASE: %s", strerror(errno));
		memset(v->regs, 0, v->vm->page_size);
		/* The driver also clears any error: stopped or not */
		_test_cmd_vqueue_resume(v->iommufd, v->vqueue_id,
					IOMMU_VQUEUE_RESUME_RETRY, 0);
		TEST_ASSERT(!_test_cmd_vqueue_modify(v->iommufd, v->vqueue_id,
						     IOMMU_VQUEUE_MODIFY_ENABLE,
						     0), "ENABLE: %s",
			    strerror(errno));
		/* Whatever the hostile phase forwarded is history */
		if (params.vtd) {
			struct vtd_log log[VTD_NR_DOMS];

			vtd_logs(v, log);
		} else {
			struct test_smmuv3_cmd log[MOCK_SMMUV3_LOG_NUM];
			uint32_t num, dropped;

			smmuv3_log(v, log, &num, &dropped);
		}
		break;
	default:
		TEST_FAIL("ucall %lu", uc->args[1]);
	}
	pthread_mutex_unlock(&v->lock);
}

/* Stops the VMM resolves at once; errors wait for the guest's ack */
static void *hostile_event_thread(void *arg)
{
	struct hostile_counts *c = arg;
	struct iommu_vqueue_get_state st;
	struct pollfd pfd = { .events = POLLIN };
	struct vmm *v = vmm;
	uint64_t cnt;

	pfd.fd = v->f.stop;
	for (;;) {
		pthread_mutex_lock(&v->lock);
		if (v->event_thread_stop) {
			pthread_mutex_unlock(&v->lock);
			return NULL;
		}
		pthread_mutex_unlock(&v->lock);
		if (poll(&pfd, 1, VMM_POLL_MS) != 1 ||
		    read(v->f.stop, &cnt, sizeof(cnt)) != sizeof(cnt))
			continue;

		pthread_mutex_lock(&v->lock);
		TEST_ASSERT(!vqueue_state(v, &st), "GET_STATE: %s",
			    strerror(errno));
		TEST_ASSERT(st.out_stop_reason < 8, "stop reason %u",
			    st.out_stop_reason);
		c->stops[st.out_stop_reason]++;
		if (st.out_state == IOMMU_VQUEUE_STATE_STOPPED) {
			switch (st.out_stop_reason) {
			case IOMMU_VQUEUE_STOP_EXIT:
				/* Emulated, or not: skipped either way */
				_test_cmd_vqueue_resume(v->iommufd,
							v->vqueue_id, 0, 1);
				break;
			case IOMMU_VQUEUE_STOP_FETCH_FAULT:
			case IOMMU_VQUEUE_STOP_COMPLETION_FAULT:
				_test_cmd_vqueue_resume(v->iommufd,
							v->vqueue_id, 0, 0);
				break;
			default:
				TEST_ASSERT(st.out_stop_reason ==
					    IOMMU_VQUEUE_STOP_ILLEGAL ||
					    st.out_stop_reason ==
					    IOMMU_VQUEUE_STOP_ABORT,
					    "stopped for no reason");
				TEST_ASSERT(st.out_error_code,
					    "an error stop without a code");
			}
		}
		pthread_mutex_unlock(&v->lock);
	}
}

FIXTURE(viommu_hostile) {
	struct vmm v;
};

FIXTURE_VARIANT(viommu_hostile) {
	bool vtd;
};

FIXTURE_VARIANT_ADD(viommu_hostile, smmuv3) {
	.vtd = false,
};

FIXTURE_VARIANT_ADD(viommu_hostile, vtd) {
	.vtd = true,
};

FIXTURE_SETUP(viommu_hostile)
{
	memset(&self->v, 0, sizeof(self->v));
	self->v.iommufd = -1;
	self->v.f = (struct test_vqueue_fds){ -1, -1, -1 };
	pthread_mutex_init(&self->v.lock, NULL);
}

FIXTURE_TEARDOWN(viommu_hostile)
{
	struct vmm *v = &self->v;

	if (v->iommufd >= 0)
		close(v->iommufd);
	if (v->vm)
		kvm_vm_free(v->vm);
	test_vqueue_fds_close(&v->f);
	if (v->regs_mmapped)
		munmap(v->regs, getpagesize());
	pthread_mutex_destroy(&v->lock);
}

TEST_F_TIMEOUT(viommu_hostile, guest, 600)
{
	struct hostile_counts c = {};
	struct vmm *v = &self->v;
	struct ucall uc;
	pthread_t ev;
	uint32_t i;

	params = (struct params){ .nr_vcpus = 1, .vtd = variant->vtd };
	vmm = v;
	v->cons_off = params.vtd ? VTD_IQH_REG : REG_CONS;
	v->vm = vm_create_with_one_vcpu(&v->vcpus[0], hostile_guest_code);
	report_guest_exceptions(v->vm);
	vm_userspace_mem_region_add(v->vm, VM_MEM_SRC_ANONYMOUS, QUEUE_GPA,
				    QUEUE_SLOT, QUEUE_PAGES, 0);
	virt_map(v->vm, QUEUE_GPA, QUEUE_GPA, QUEUE_PAGES);
	memset(addr_gpa2hva(v->vm, QUEUE_GPA), 0,
	       QUEUE_PAGES * v->vm->page_size);
	v->regs = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v->regs);
	v->regs_mmapped = true;
	memset(v->regs, 0, getpagesize());
	virt_map(v->vm, REGS_GPA, REGS_GPA, 1);
	if (!vmm_iommu_setup(v, params.vtd ? 0 : IOMMU_VQUEUE_ALLOC_MSI))
		SKIP(return, "no /dev/iommu or no CONFIG_IOMMUFD_TEST mock");
	vmm_ioregion_setup(v);
	sync_global_to_guest(v->vm, params);
	vcpu_args_set(v->vcpus[0], 1, 0x9e3779b97f4a7c15ULL);

	ASSERT_EQ(0, pthread_create(&ev, NULL, hostile_event_thread, &c));
	for (;;) {
		vcpu_run(v->vcpus[0]);
		i = get_ucall(v->vcpus[0], &uc);
		if (i == UCALL_DONE)
			break;
		if (i == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		TEST_ASSERT(i == UCALL_SYNC, "exit %s",
			    exit_reason_str(v->vcpus[0]->run->exit_reason));
		hostile_vmm_action(v, &uc, &c);
	}
	pthread_mutex_lock(&v->lock);
	v->event_thread_stop = true;
	pthread_mutex_unlock(&v->lock);
	pthread_join(ev, NULL);

	ksft_print_msg("%u steps; stops: exit %lu, illegal %lu, abort %lu\n",
		       HOSTILE_STEPS, c.stops[IOMMU_VQUEUE_STOP_EXIT],
		       c.stops[IOMMU_VQUEUE_STOP_ILLEGAL],
		       c.stops[IOMMU_VQUEUE_STOP_ABORT]);
	ksft_print_msg("stops: fetch fault %lu, completion fault %lu\n",
		       c.stops[IOMMU_VQUEUE_STOP_FETCH_FAULT],
		       c.stops[IOMMU_VQUEUE_STOP_COMPLETION_FAULT]);
	ksft_print_msg("VMM: %lu acks, %lu of them with nothing stopped\n",
		       c.acks, c.resume_einval);
	ksft_print_msg("VMM: %lu toggles, %lu rebases (%lu refused), %lu unmaps\n",
		       c.toggles, c.rebases, c.bad_bases, c.unmaps);
	/* The hostile phase reached the error paths it is for */
	TEST_ASSERT(c.stops[IOMMU_VQUEUE_STOP_ILLEGAL], "no illegal entry");
	/* The reset queue forwarded its one invalidation, and only that */
	if (params.vtd) {
		struct vtd_log log[VTD_NR_DOMS];

		vtd_logs(v, log);
		TEST_ASSERT(log[0].num == 1 && !log[1].num,
			    "after the reset: %u and %u invalidations logged",
			    log[0].num, log[1].num);
	} else {
		struct test_smmuv3_cmd log[MOCK_SMMUV3_LOG_NUM];
		uint32_t num, dropped;

		smmuv3_log(v, log, &num, &dropped);
		TEST_ASSERT(num == 1 && log[0].w[0] ==
			    test_smmuv3_tlbi_nh_asid(0x77).w[0],
			    "after the reset: %u commands logged", num);
	}
}

int main(int argc, char *argv[])
{
	/* The feature under test: its absence is a failure, not a skip */
	TEST_ASSERT(kvm_has_cap(KVM_CAP_IOREGION), "no KVM_CAP_IOREGION");

	return test_harness_run(argc, argv);
}
