// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU invalidation latency as a guest sees it, through every way a VMM
 * can consume the guest's SMMUv3 command queue, measured side by side in
 * one run.
 *
 * Each vCPU writes a batch of 1, 8 or 64 range TLBIs and a CMD_SYNC (CS=SEV)
 * into a command queue, stores PROD once and polls CONS until it has passed
 * the sync; the time from just before the PROD store (with a shared queue:
 * before taking the queue's lock) to the load that sees completion is one
 * sample.  The paths:
 *
 *  trap:          PROD and CONS are plain MMIO.  The VMM takes each
 *                 KVM_EXIT_MMIO, reads the new entries from guest memory,
 *                 passes the TLBIs to the mock nested HWPT with
 *                 IOMMU_HWPT_INVALIDATE and answers CONS loads, as VMMs do
 *                 today, under one VMM-wide lock as QEMU runs device MMIO
 *                 under its big lock.
 *  trap_ro:       the register page is a read-only memslot: CONS loads read
 *                 memory, a PROD store exits to the VMM, which consumes
 *                 synchronously and writes CONS into that memory.  What a
 *                 VMM can do today with no new uAPI.
 *  user_consumer: a KVM ioregion doorbell on PROD signals an eventfd; a VMM
 *                 thread blocked on it consumes with IOMMU_HWPT_INVALIDATE
 *                 and writes CONS into the read-only page.  What the
 *                 ioregion alone is worth, without the kernel consumer.
 *  fast_worker:   the ioregion and an iommufd vqueue forced to consume in
 *                 its worker thread (IOMMU_VQUEUE_ALLOC_WORKER_ONLY),
 *                 read-only page.
 *  fast_inline:   the ioregion and a vqueue consuming on the ringing vCPU
 *                 before it re-enters the guest, read-only page.
 *
 * For each batch size the paths run one phase each, in an order drawn at
 * random for every run from a printed seed, and the whole sequence repeats
 * --runs times, so that a slow stretch of the host hits all paths alike
 * and ratios can be taken run by run.  Scenarios, each in a fresh VM: one
 * vCPU; two vCPUs with a queue each (one ECMDQ or VCMDQ per CPU); two vCPUs
 * on one shared queue under the guest's own lock, as Linux's arm-smmu-v3
 * driver uses its one CMDQ; and one vCPU on a VT-d invalidation queue.
 *
 * The VT-d guest does what Linux's qi_submit_sync() does for a first-stage
 * domain: page-selective P_IOTLBs and a wait descriptor with SW=1 into a
 * queue of 256-bit descriptors, one IQT store, then it polls the wait's
 * status word in memory, reading FSTS between polls.  There a VMM that
 * consumes synchronously on the IQT exit has completed the wait before the
 * guest looks, so trap pays one exit to userspace per batch, not two, and
 * trap_ro only moves the FSTS loads it never makes into memory.
 *
 * For every scenario, path and batch size it prints the median of the runs'
 * median latencies in guest TSC cycles with their range, the 99th
 * percentile of all samples, the exits to userspace and all exits per
 * batch, the commands completed per second, the host CPU time per command
 * of the whole process (vCPU threads, VMM threads and the vqueue workers,
 * which are threads of this process) and of the threads other than the
 * vCPUs', the vqueue passes per batch run inline and by the worker, and
 * speed-ups over trap and trap_ro as medians of per-run ratios with their
 * range.  It times what one exit costs (a lone load exiting to userspace,
 * or handled by an ioregion in the kernel), traces one more run of the
 * vqueue paths, and prints the limit line: an exit handled in the kernel
 * plus the traced inline pass, with each fast path's latency as a multiple
 * of it.  --json FILE writes the same as JSON.
 *
 * A VMM thread services the vqueues' stop eventfds as a VMM must: a pass
 * that would have waited for a page fault stops for the VMM, which makes
 * the memory present or does the completion write itself and resumes.  The
 * counts are printed; any other stop fails the run.  A guest that stops
 * executing (no phase starts or ends for a minute) fails the run too, with
 * each vCPU's last ucall.
 *
 * The mock IOMMU does no real work: the numbers measure the path, not an
 * IOMMU.  A benchmark, not a test: it asserts only that the paths work.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "../iommu/iommufd_vqueue_utils.h"

enum {
	PATH_TRAP,
	PATH_TRAP_RO,
	PATH_USER_CONSUMER,
	PATH_FAST_WORKER,
	PATH_FAST_INLINE,
	NR_PATHS
};

static const char * const path_name[NR_PATHS] = {
	"trap", "trap_ro", "user_consumer", "fast_worker", "fast_inline"
};

/* The paths speed-ups are taken over */
static const int baselines[] = { PATH_TRAP, PATH_TRAP_RO };
#define NR_BASELINES		ARRAY_SIZE(baselines)

static bool path_is_vqueue(int path)
{
	return path == PATH_FAST_WORKER || path == PATH_FAST_INLINE;
}

/* What one lone load costs, by where it is served */
enum {
	/* A trap-path CONS load: an exit to the VMM */
	PROBE_USER_EXIT,
	/* A load from an ioregion without memslot: an exit ending in KVM */
	PROBE_KERNEL_EXIT,
	/* A CONS load from the read-only page: no exit */
	PROBE_NO_EXIT,
	NR_PROBES
};

static const char * const probe_name[NR_PROBES] = {
	"user_exit", "kernel_exit", "no_exit"
};

static const char * const probe_description[NR_PROBES] = {
	"exit to userspace (trap CONS or IQH load)",
	"exit handled in the kernel (ioregion load)",
	"no exit (read-only page load)",
};

static const uint32_t batch_sizes[] = { 1, 8, 64 };
#define NR_SIZES		ARRAY_SIZE(batch_sizes)
/* Phases with this size index time single loads instead of batches */
#define PROBE			NR_SIZES

#define MAX_VCPUS		2
#define MAX_QUEUES		MAX_VCPUS
#define MAX_REPS		2048
#define MAX_RUNS		16

/*
 * Guest data, mapped into the IOAS at IOVA == GPA: a queue page per queue
 * and path, each vCPU's phase start and end times, and each vCPU's samples.
 */
#define DATA_GPA		BIT_ULL(30)
#define DATA_SLOT		10
#define QUEUE_GPA(path, q)	(DATA_GPA + ((q) * NR_PATHS + (path)) * 0x1000)
#define TIMES_GPA		(DATA_GPA + MAX_QUEUES * NR_PATHS * 0x1000)
#define SAMPLES_GPA(vcpu)	(TIMES_GPA + 0x1000 + (vcpu) * MAX_REPS * 8)
#define DATA_PAGES		(MAX_QUEUES * NR_PATHS + 1 + MAX_VCPUS * MAX_REPS * 8 / 0x1000)

/*
 * A register page per path and queue.  All but trap's are in one read-only
 * memslot; trap's exist only as MMIO.  After them, the probe's ioregion,
 * with no memslot either.
 */
#define REGS_GPA(path, q)	(BIT_ULL(32) + ((path) * MAX_QUEUES + (q)) * 0x1000)
#define RO_SLOT			11
#define RO_PAGES		((NR_PATHS - PATH_TRAP_RO) * MAX_QUEUES)
#define PROBE_GPA		REGS_GPA(NR_PATHS, 0)
#define REG_PROD		SMMUV3_CMDQ_PROD_REG
#define REG_CONS		SMMUV3_CMDQ_CONS_REG
/* VT-d's fault status register, which Linux reads while it waits */
#define VTD_FSTS_REG		0x34

/* 256 entries: a batch of 64 TLBIs and a sync from each vCPU fits */
#define Q_LOG2			8
#define Q_ENTRIES		((uint32_t)BIT(Q_LOG2))
#define Q_IDX_MASK		(Q_ENTRIES - 1)
#define Q_WRP_MASK		(2 * Q_ENTRIES - 1)
/*
 * On a shared queue each vCPU has one batch (its commands and a sync) in
 * flight, and the queue is consumed in order: once the others have produced
 * more than this after a batch, one of them saw its own later batch
 * complete, so this one completed too.
 */
#define SHARED_LAPPED		((MAX_VCPUS - 1) * (batch_sizes[NR_SIZES - 1] + 1))

#define MOCK_SMMUV3		IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3
#define MOCK_VTD		IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_VTD

/*
 * A VT-d queue fills its page with 128 descriptors of 256 bits (IQA.DW=1,
 * QS=0); the P_IOTLBs name one (DID, PASID) pair, bound to the nested HWPT.
 * Each wait's status word is in the times page, one per queue and path.
 */
#define VTD_DESC_SIZE		32
#define VTD_Q_ENTRIES		(0x1000 / VTD_DESC_SIZE)
#define VTD_DID			1
#define VTD_PASID		0
#define STATUS_GPA(path, q)	(TIMES_GPA + 0x800 + ((q) * NR_PATHS + (path)) * 4)

#define GUEST_TIMEOUT_S		10
/* A phase takes well under a second; no phase change in this long is a hang */
#define PROGRESS_TIMEOUT_S	60
#define WARMUP			20

enum { PHASE_START, PHASE_END };

struct bench_params {
	uint32_t reps;
	uint32_t runs;
	/* One more run of the vqueue paths, traced, kept out of the figures */
	uint32_t trace;
	/* All vCPUs on queue 0, under the guest's lock */
	uint32_t shared;
	/* VT-d invalidation queues instead of SMMUv3 command queues */
	uint32_t vtd;
	/* Per run and batch size, the paths in the order they run */
	uint8_t order[MAX_RUNS][NR_SIZES][NR_PATHS];
};

static struct bench_params params = { .reps = 500, .runs = 7 };

struct phase_times {
	uint64_t start;
	uint64_t end;
};

/* Guest state; lives in guest memory only, one row per queue. */
static uint32_t guest_prod[MAX_QUEUES][NR_PATHS];
static uint32_t guest_lock[MAX_QUEUES][NR_PATHS];
/* Commands produced into a shared queue, under its lock; never wraps here */
static uint32_t guest_produced[MAX_QUEUES][NR_PATHS];
/* The data of the last VT-d wait, which its status write stores */
static uint32_t guest_wait_data[MAX_QUEUES][NR_PATHS];

static uint64_t slot_gpa(int path, uint32_t q, uint32_t idx)
{
	return QUEUE_GPA(path, q) + (idx & Q_IDX_MASK) * 16;
}

/*
 * A shared queue's lock holds its owner's vCPU index plus one: a vCPU that
 * never comes back from its PROD store shows up as the one holding it.
 */
static void guest_spin_lock(uint32_t *lock, uint32_t vcpu, int path)
{
	uint64_t end = rdtsc() + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
	uint32_t owner;

	for (;;) {
		/* Plain loads while it is held: the owner's release is a store */
		owner = READ_ONCE(*lock);
		if (!owner &&
		    __atomic_compare_exchange_n(lock, &owner, vcpu + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		__GUEST_ASSERT(rdtsc() < end,
			       "vCPU %u, path %d: queue lock held by vCPU %u",
			       vcpu, path, owner - 1);
		cpu_relax();
	}
}

static void guest_spin_unlock(uint32_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* Whether CONS has reached @prod; other producers may have gone further */
static bool cons_passed(uint32_t cons, uint32_t prod)
{
	return ((cons - prod) & Q_WRP_MASK) < Q_ENTRIES;
}

static void guest_vtd_write(int path, uint32_t q, uint32_t idx,
			    const struct test_vtd_desc *d)
{
	uint64_t *slot = (uint64_t *)(QUEUE_GPA(path, q) +
				      (idx % VTD_Q_ENTRIES) * VTD_DESC_SIZE);
	uint32_t i;

	for (i = 0; i < VTD_DESC_SIZE / 8; i++)
		WRITE_ONCE(slot[i], d->qw[i]);
}

/* One qi_submit_sync() of Linux for an unmap: P_IOTLBs, then a wait */
static uint64_t guest_vtd_batch(int path, uint32_t vcpu, uint32_t n)
{
	uint32_t *iqt_reg = (uint32_t *)(REGS_GPA(path, vcpu) + VTD_IQT_REG);
	uint32_t *fsts_reg = (uint32_t *)(REGS_GPA(path, vcpu) + VTD_FSTS_REG);
	uint32_t *status = (uint32_t *)STATUS_GPA(path, vcpu);
	uint32_t tail = guest_prod[vcpu][path], data, i;
	struct test_vtd_desc d;
	uint64_t t0, t1, end;
	bool done;

	for (i = 0; i < n; i++) {
		/* One 4 KiB page (AM=0), no invalidation hint */
		d = test_vtd_piotlb(VTD_DID, VTD_PASID,
				    (uint64_t)(tail + i) << 12, 0, false);
		guest_vtd_write(path, vcpu, tail + i, &d);
	}
	/* A new value each time, so the status word needs no reset */
	data = ++guest_wait_data[vcpu][path];
	d = test_vtd_wait(true, false, data, STATUS_GPA(path, vcpu));
	guest_vtd_write(path, vcpu, tail + n, &d);
	tail = (tail + n + 1) % VTD_Q_ENTRIES;
	guest_prod[vcpu][path] = tail;

	barrier();
	t0 = rdtsc();
	WRITE_ONCE(*iqt_reg, tail * VTD_DESC_SIZE);
	end = t0 + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
	for (;;) {
		done = READ_ONCE(*status) == data;
		t1 = rdtsc();
		if (done)
			break;
		__GUEST_ASSERT(t1 < end, "path %d: wait %u not completed, IQT %#x",
			       path, data, tail * VTD_DESC_SIZE);
		/* Where Linux looks for a queue error, a read-only page here */
		(void)READ_ONCE(*fsts_reg);
		cpu_relax();
	}
	return t1 - t0;
}

/* One batch as Linux sends it for an unmap: range TLBIs, then a sync. */
static uint64_t guest_batch(int path, uint32_t vcpu, uint32_t n)
{
	uint32_t q = params.shared ? 0 : vcpu;
	uint32_t *prod_reg = (uint32_t *)(REGS_GPA(path, q) + REG_PROD);
	uint32_t *cons_reg = (uint32_t *)(REGS_GPA(path, q) + REG_CONS);
	uint64_t *slot, t0, t1, end;
	struct test_smmuv3_cmd c;
	uint32_t i, prod, cons, mark = 0;

	if (params.vtd)
		return guest_vtd_batch(path, vcpu, n);
	t0 = rdtsc();
	if (params.shared) {
		guest_spin_lock(&guest_lock[q][path], vcpu, path);
		mark = guest_produced[q][path] + n + 1;
		WRITE_ONCE(guest_produced[q][path], mark);
	}
	prod = guest_prod[q][path];
	for (i = 0; i < n; i++) {
		slot = (uint64_t *)slot_gpa(path, q, prod + i);
		/* ASID 1, SCALE=0 NUM=0: one page */
		c = test_smmuv3_tlbi_nh_va_range(1, (uint64_t)(prod + i) << 12,
						 0, 0);
		WRITE_ONCE(slot[0], c.w[0]);
		WRITE_ONCE(slot[1], c.w[1]);
	}
	slot = (uint64_t *)slot_gpa(path, q, prod + n);
	c = test_smmuv3_sync(SMMUV3_SYNC_CS_SEV, 0, 0);
	WRITE_ONCE(slot[0], c.w[0]);
	WRITE_ONCE(slot[1], c.w[1]);
	prod = (prod + n + 1) & Q_WRP_MASK;
	guest_prod[q][path] = prod;

	barrier();
	if (!params.shared)
		t0 = rdtsc();
	WRITE_ONCE(*prod_reg, prod);
	if (params.shared)
		guest_spin_unlock(&guest_lock[q][path]);
	end = t0 + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
	for (;;) {
		cons = READ_ONCE(*cons_reg);
		t1 = rdtsc();
		if (cons_passed(cons & Q_WRP_MASK, prod))
			break;
		/*
		 * A vCPU held up long enough (by its host CPU, under TCG) can
		 * find CONS a whole queue further on, looking as if it had not
		 * reached this batch yet.
		 */
		if (params.shared &&
		    READ_ONCE(guest_produced[q][path]) - mark > SHARED_LAPPED)
			break;
		__GUEST_ASSERT(t1 < end, "vCPU %u, path %d: CONS stuck at %#x, PROD %#x",
			       vcpu, path, cons, prod);
		cpu_relax();
	}
	return t1 - t0;
}

/* One lone load, served where @probe says */
static uint64_t guest_probe(int probe, uint32_t vcpu)
{
	uint32_t q = params.shared ? 0 : vcpu;
	uint32_t cons = params.vtd ? VTD_IQH_REG : REG_CONS;
	uint64_t gpa, t0, t1;

	if (probe == PROBE_USER_EXIT)
		gpa = REGS_GPA(PATH_TRAP, q) + cons;
	else if (probe == PROBE_KERNEL_EXIT)
		gpa = PROBE_GPA;
	else
		gpa = REGS_GPA(PATH_TRAP_RO, q) + cons;
	t0 = rdtsc();
	READ_ONCE(*(uint32_t *)gpa);
	t1 = rdtsc();
	return t1 - t0;
}

/* @kind: a path, or with @s == PROBE a probe */
static void guest_phase(int kind, uint32_t vcpu, uint32_t run, uint32_t s)
{
	struct phase_times *times = (struct phase_times *)TIMES_GPA + vcpu;
	uint64_t *samples = (uint64_t *)SAMPLES_GPA(vcpu);
	uint32_t i;

	for (i = 0; i < WARMUP; i++) {
		if (s == PROBE)
			guest_probe(kind, vcpu);
		else
			guest_batch(kind, vcpu, batch_sizes[s]);
	}
	/* ucall() takes its arguments as 64-bit varargs */
	GUEST_SYNC_ARGS((uint64_t)PHASE_START, (uint64_t)run, (uint64_t)s,
			(uint64_t)kind, 0ULL);
	WRITE_ONCE(times->start, rdtsc());
	for (i = 0; i < params.reps; i++) {
		if (s == PROBE)
			samples[i] = guest_probe(kind, vcpu);
		else
			samples[i] = guest_batch(kind, vcpu, batch_sizes[s]);
	}
	WRITE_ONCE(times->end, rdtsc());
	GUEST_SYNC_ARGS((uint64_t)PHASE_END, (uint64_t)run, (uint64_t)s,
			(uint64_t)kind, 0ULL);
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
	uint32_t run, s, k;

	for (run = 0; run < params.runs; run++) {
		for (s = 0; s < NR_SIZES; s++)
			for (k = 0; k < NR_PATHS; k++)
				guest_phase(params.order[run][s][k], vcpu, run, s);
		for (k = 0; k < NR_PROBES; k++)
			guest_phase(k, vcpu, run, PROBE);
	}
	if (params.trace)
		for (s = 0; s < NR_SIZES; s++)
			for (k = PATH_FAST_WORKER; k <= PATH_FAST_INLINE; k++)
				guest_phase(k, vcpu, params.runs, s);
	GUEST_DONE();
}

/* VMM side */

struct scenario {
	const char *name;
	const char *description;
	uint32_t nr_vcpus;
	bool shared;
	/* Queue q's worker and consumer thread run on CPU q + this */
	uint32_t helper_cpu_offset;
	/* CPUs the scenario pins to; fewer online and it is skipped */
	uint32_t cpus_needed;
	/* Whether it adds the traced run */
	bool traced;
	/* VT-d invalidation queues instead of SMMUv3 command queues */
	bool vtd;
};

static const struct scenario scenarios[] = {
	{ "1vcpu",
	  "1 vCPU on CPU 0, its queue's worker and consumer thread on CPU 1",
	  1, false, 1, 2, true },
	{ "2vcpus",
	  "2 vCPUs on CPUs 0 and 1, a queue each, queue i's worker and consumer thread on CPU i",
	  2, false, 0, 2 },
	{ "2vcpus_shared",
	  "2 vCPUs on CPUs 0 and 1 sharing one queue under the guest's lock, its worker and consumer thread on CPU 0",
	  2, true, 0, 2 },
	{ "vtd_1vcpu",
	  "1 vCPU on CPU 0 on a VT-d queue, waits polled in memory, its worker and consumer thread on CPU 1",
	  1, false, 1, 2, true, true },
};

#define NR_SCENARIOS		ARRAY_SIZE(scenarios)

/* One path (or probe) and batch size of one scenario, over all runs */
struct cell {
	uint64_t run_median[MAX_RUNS];
	double run_cmds_per_sec[MAX_RUNS];
	/* Host CPU ns per command: the process, and its threads but the vCPUs */
	double run_cpu_per_cmd[MAX_RUNS];
	double run_helper_cpu_per_cmd[MAX_RUNS];
	uint64_t *samples;
	uint32_t nr_samples;
	uint64_t user_exits;
	uint64_t exits;
	uint64_t batches;
	uint64_t inline_passes;
	uint64_t worker_passes;
};

struct exit_counts {
	uint64_t user;
	uint64_t all;
};

/* What a phase used, taken at its start and its end */
struct accounting {
	uint64_t process_ns;
	uint64_t inline_passes;
	uint64_t worker_passes;
};

/* Medians of the traced run of one vqueue path and batch size, in cycles */
struct traced {
	uint32_t batches;
	uint64_t doorbell_to_pass;
	uint64_t pass_to_publish;
	uint64_t doorbell_to_publish;
	uint64_t doorbell_to_completion;
};

/* The VMM's consumer thread of a user_consumer queue */
struct user_consumer {
	struct bench *bn;
	uint32_t q;
	int doorbell;
	bool stop;
	pthread_t thread;
};

/*
 * The VMM's side of the vqueues' stop eventfds. A pass that would wait for a
 * page fault stops instead (a page khugepaged is collapsing, say), and only
 * the VMM can resume it; the guest only sends entries the kernel completes,
 * so any other stop is a failure.
 */
struct stop_service {
	struct bench *bn;
	int stop_fd[NR_PATHS][MAX_QUEUES];
	int quit;
	pthread_t thread;
	uint64_t fetch_faults;
	uint64_t completion_faults;
};

struct bench {
	const struct scenario *scn;
	uint32_t nr_queues;
	bool skipped;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	int iommufd;
	struct test_nest nest;
	void *regs[NR_PATHS][MAX_QUEUES];
	void *probe_page;
	uint32_t vqueue_id[NR_PATHS][MAX_QUEUES];
	struct user_consumer consumers[MAX_QUEUES];
	struct stop_service stops;
	/* The trap paths' emulation, under the VMM's big lock */
	pthread_mutex_t big_lock;
	uint32_t trap_prod[NR_PATHS][MAX_QUEUES];
	uint32_t trap_cons[NR_PATHS][MAX_QUEUES];
	pthread_barrier_t phase_barrier;
	/* Each vCPU's at its phase's start, and what the phase added */
	struct exit_counts start[MAX_VCPUS];
	struct exit_counts phase[MAX_VCPUS];
	uint64_t vcpu_cpu_start[MAX_VCPUS];
	uint64_t vcpu_cpu[MAX_VCPUS];
	struct accounting acct_start;
	uint8_t order[MAX_RUNS][NR_SIZES][NR_PATHS];
	struct cell cells[NR_PATHS][NR_SIZES];
	struct cell probes[NR_PROBES];
	bool traced;
	struct traced trace[NR_PATHS][NR_SIZES];
	/* Phase starts and ends seen, and each vCPU's last one, for a hang */
	uint64_t progress;
	struct ucall last_sync[MAX_VCPUS];
};

struct vcpu_thread_arg {
	struct bench *bn;
	uint32_t idx;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	TEST_ASSERT(!clock_gettime(clock, &ts), "clock_gettime: %s",
		    strerror(errno));
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Per run a random order of the paths for each batch size */
static uint64_t rng_state;

static uint32_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) >> 32;
}

static void draw_order(struct bench *bn)
{
	uint32_t r, s, k, j;
	uint8_t *o, t;

	for (r = 0; r < params.runs; r++) {
		for (s = 0; s < NR_SIZES; s++) {
			o = bn->order[r][s];
			for (k = 0; k < NR_PATHS; k++)
				o[k] = k;
			for (k = NR_PATHS - 1; k > 0; k--) {
				j = rng_next() % (k + 1);
				t = o[k];
				o[k] = o[j];
				o[j] = t;
			}
		}
	}
}

static void iommu_setup(struct bench *bn)
{
	struct test_nest *n = &bn->nest;
	int rc;

	/* No iommufd or no mock is a skip; any other failure is one */
	bn->iommufd = open("/dev/iommu", O_RDWR);
	__TEST_REQUIRE(bn->iommufd >= 0 || errno != ENOENT, "no /dev/iommu");
	TEST_ASSERT(bn->iommufd >= 0, "open /dev/iommu: %s", strerror(errno));
	rc = _test_nest_setup(bn->iommufd, n, addr_gpa2hva(bn->vm, DATA_GPA),
			      DATA_PAGES * bn->vm->page_size, DATA_GPA);
	__TEST_REQUIRE(!rc || !n->mock_absent, "no CONFIG_IOMMUFD_TEST mock");
	TEST_ASSERT(!rc, "%s: %s", n->failed, strerror(errno));
}

/* An ioregion over PROD and CONS of @path's queue @q, its doorbell on PROD */
static void doorbell_setup(struct bench *bn, int path, uint32_t q, int fd)
{
	struct kvm_ioregion r = {
		.guest_phys_addr = REGS_GPA(path, q) + REG_PROD,
		.size = 8,
		.userspace_addr = (uintptr_t)bn->regs[path][q] + REG_PROD,
		.flags = KVM_IOREGION_DOORBELL,
		.doorbell_size = 4,
		.doorbell_fd = fd,
	};

	/* VT-d: IQH, IQT and IQA, ringing on IQT; ICS is write-1-to-clear */
	if (bn->scn->vtd) {
		r.guest_phys_addr = REGS_GPA(path, q) + VTD_IQH_REG;
		r.size = VTD_ICS_REG - VTD_IQH_REG;
		r.userspace_addr = (uintptr_t)bn->regs[path][q] + VTD_IQH_REG;
		r.doorbell_offset = VTD_IQT_REG - VTD_IQH_REG;
	}
	vm_ioctl(bn->vm, KVM_SET_IOREGION, &r);
}

/* A vqueue over @path's queue @q, and its ioregion */
static void vqueue_setup(struct bench *bn, int path, uint32_t q)
{
	struct iommu_vqueue_alloc alloc;
	struct test_vqueue_fds fds;

	TEST_ASSERT(!test_vqueue_fds_open(&fds, false), "eventfd: %s",
		    strerror(errno));
	if (bn->scn->vtd)
		alloc = test_vqueue_vtd(bn->nest.nested_id,
					QUEUE_GPA(path, q) | VTD_IQA_DW,
					bn->regs[path][q], &fds);
	else
		alloc = test_vqueue_smmuv3(bn->nest.nested_id,
					   QUEUE_GPA(path, q), Q_LOG2,
					   bn->regs[path][q], &fds);
	if (path == PATH_FAST_WORKER)
		alloc.flags |= IOMMU_VQUEUE_ALLOC_WORKER_ONLY;
	TEST_ASSERT(!_test_cmd_vqueue_alloc(bn->iommufd, &alloc,
					    &bn->vqueue_id[path][q]),
		    "VQUEUE_ALLOC: %s", strerror(errno));
	if (bn->scn->vtd)
		TEST_ASSERT(!_test_cmd_vqueue_set_vdomain(bn->iommufd,
							  bn->vqueue_id[path][q],
							  0, bn->nest.nested_id,
							  VTD_DID, VTD_PASID),
			    "VQUEUE_SET_VDOMAIN: %s", strerror(errno));
	doorbell_setup(bn, path, q, fds.doorbell);
	bn->stops.stop_fd[path][q] = fds.stop;
	fds.stop = -1;
	/* The vqueue and the ioregion hold their own references */
	test_vqueue_fds_close(&fds);
}

/* An ioregion without doorbell or memslot: each load exits into KVM alone */
static void probe_setup(struct bench *bn)
{
	struct kvm_ioregion r = {
		.guest_phys_addr = PROBE_GPA,
		.size = 8,
	};

	bn->probe_page = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(bn->probe_page != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(bn->probe_page, 0, getpagesize());
	r.userspace_addr = (uintptr_t)bn->probe_page;
	vm_ioctl(bn->vm, KVM_SET_IOREGION, &r);
}

static void pin_to_cpu(pid_t tid, uint32_t cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(tid, sizeof(set), &set),
		    "pinning task %d to CPU %u: %s", tid, cpu, strerror(errno));
}

/* The worker of a vqueue, which the benchmark pins */
static pid_t vqueue_worker(uint32_t vqueue_id)
{
	pid_t tid = test_vqueue_worker_tid(vqueue_id);

	TEST_ASSERT(tid, "no worker thread for vqueue %u", vqueue_id);
	return tid;
}

static uint32_t helper_cpu(struct bench *bn, uint32_t q)
{
	return (q + bn->scn->helper_cpu_offset) % bn->scn->cpus_needed;
}

static void vmm_invalidate(struct bench *bn, uint32_t data_type,
			   void *cmds, uint32_t cmd_size, uint32_t n)
{
	uint32_t done = n;
	int rc;

	rc = _test_cmd_hwpt_invalidate_array(bn->iommufd, bn->nest.nested_id,
					     data_type, cmds, cmd_size, &done);
	TEST_ASSERT(!rc, "HWPT_INVALIDATE: %s", strerror(errno));
	TEST_ASSERT_EQ(done, n);
}

/*
 * Consume @path's queue @q from *@cons up to @prod, as a VMM does: the TLBIs
 * before each sync go to the mock nested HWPT in one IOMMU_HWPT_INVALIDATE.
 */
static void vmm_consume(struct bench *bn, int path, uint32_t q, uint32_t prod,
			uint32_t *consp)
{
	struct iommu_hwpt_invalidate_selftest_smmuv3 cmds[Q_ENTRIES];
	uint64_t *ring = addr_gpa2hva(bn->vm, QUEUE_GPA(path, q));
	uint32_t cons = *consp, n = 0;
	uint64_t w0, w1;

	while (cons != prod) {
		w0 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2]);
		w1 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2 + 1]);
		cons = (cons + 1) & Q_WRP_MASK;
		if (test_smmuv3_opcode(w0) == SMMUV3_CMD_SYNC) {
			/* Everything before the sync reaches the IOMMU first */
			if (n)
				vmm_invalidate(bn, MOCK_SMMUV3, cmds,
					       sizeof(cmds[0]), n);
			n = 0;
			continue;
		}
		if (test_smmuv3_opcode(w0) == SMMUV3_CMD_TLBI_NSNH_ALL)
			w0 = SMMUV3_CMD_TLBI_NH_ALL;
		cmds[n].cmd[0] = w0;
		cmds[n].cmd[1] = w1;
		n++;
	}
	/* The guest sends nothing without a sync after it */
	TEST_ASSERT_EQ(n, 0);
	*consp = cons;
}

/*
 * Consume @path's VT-d queue @q from index *@head up to @tail, as a VMM with
 * nesting does: the P_IOTLBs before each wait become one
 * IOMMU_HWPT_INVALIDATE of stage-1 ranges, then the wait writes its status.
 */
static void vmm_consume_vtd(struct bench *bn, int path, uint32_t q,
			    uint32_t tail, uint32_t *headp)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[VTD_Q_ENTRIES];
	uint64_t *ring = addr_gpa2hva(bn->vm, QUEUE_GPA(path, q));
	uint32_t head = *headp, n = 0, *status;
	uint64_t qw0, qw1;
	unsigned int am;

	while (head != tail) {
		qw0 = READ_ONCE(ring[head * VTD_DESC_SIZE / 8]);
		qw1 = READ_ONCE(ring[head * VTD_DESC_SIZE / 8 + 1]);
		head = (head + 1) % VTD_Q_ENTRIES;
		if (test_vtd_type(qw0) == VTD_DESC_WAIT) {
			if (n)
				vmm_invalidate(bn, MOCK_VTD, inv,
					       sizeof(inv[0]), n);
			n = 0;
			TEST_ASSERT(qw0 & VTD_WAIT0_SW, "wait without SW");
			status = addr_gpa2hva(bn->vm, qw1 & VTD_WAIT1_ADDR);
			__atomic_store_n(status, FIELD_GET(VTD_WAIT0_DATA, qw0),
					 __ATOMIC_RELEASE);
			continue;
		}
		TEST_ASSERT_EQ(test_vtd_type(qw0), VTD_DESC_PASID_IOTLB);
		am = FIELD_GET(VTD_DESC1_AM, qw1);
		inv[n] = (struct iommu_hwpt_vtd_s1_invalidate){
			.addr = qw1 & VTD_DESC1_ADDR & ~((1ULL << (am + 12)) - 1),
			.npages = 1ULL << am,
		};
		n++;
	}
	TEST_ASSERT_EQ(n, 0);
	*headp = head;
}

static void vmm_consume_any(struct bench *bn, int path, uint32_t q,
			    uint32_t prod, uint32_t *consp)
{
	if (bn->scn->vtd)
		vmm_consume_vtd(bn, path, q, prod, consp);
	else
		vmm_consume(bn, path, q, prod, consp);
}

/* The producer register's value as an index into the queue */
static uint32_t prod_index(struct bench *bn, uint32_t val)
{
	return bn->scn->vtd ? (val / VTD_DESC_SIZE) % VTD_Q_ENTRIES :
			      val & Q_WRP_MASK;
}

/* CONS (IQH) into the read-only page, after the invalidations it reports */
static void publish_cons(struct bench *bn, int path, uint32_t q, uint32_t cons)
{
	uint32_t off = bn->scn->vtd ? VTD_IQH_REG : REG_CONS;
	uint32_t *reg = (uint32_t *)((char *)bn->regs[path][q] + off);

	__atomic_store_n(reg, bn->scn->vtd ? cons * VTD_DESC_SIZE : cons,
			 __ATOMIC_RELEASE);
}

static void *user_consumer_thread(void *data)
{
	struct user_consumer *uc = data;
	struct bench *bn = uc->bn;
	uint32_t *prod_reg = (uint32_t *)((char *)
		bn->regs[PATH_USER_CONSUMER][uc->q] +
		(bn->scn->vtd ? VTD_IQT_REG : REG_PROD));
	uint32_t prod, cons = 0;
	uint64_t cnt;

	for (;;) {
		if (read(uc->doorbell, &cnt, sizeof(cnt)) != sizeof(cnt)) {
			TEST_ASSERT(errno == EINTR, "doorbell read: %s",
				    strerror(errno));
			continue;
		}
		if (READ_ONCE(uc->stop))
			return NULL;
		/* Pairs with the guest writing its entries before PROD */
		prod = prod_index(bn, __atomic_load_n(prod_reg,
						      __ATOMIC_ACQUIRE));
		vmm_consume_any(bn, PATH_USER_CONSUMER, uc->q, prod, &cons);
		publish_cons(bn, PATH_USER_CONSUMER, uc->q, cons);
	}
}

static void user_consumer_start(struct bench *bn, uint32_t q)
{
	struct user_consumer *uc = &bn->consumers[q];
	cpu_set_t set;

	*uc = (struct user_consumer){ .bn = bn, .q = q };
	/* Blocking: the thread sleeps until the doorbell rings */
	uc->doorbell = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(uc->doorbell >= 0, "eventfd: %s", strerror(errno));
	doorbell_setup(bn, PATH_USER_CONSUMER, q, uc->doorbell);
	TEST_ASSERT(!pthread_create(&uc->thread, NULL, user_consumer_thread,
				    uc), "pthread_create");
	CPU_ZERO(&set);
	CPU_SET(helper_cpu(bn, q), &set);
	TEST_ASSERT(!pthread_setaffinity_np(uc->thread, sizeof(set), &set),
		    "pinning the consumer thread");
}

static void user_consumer_stop(struct bench *bn, uint32_t q)
{
	struct user_consumer *uc = &bn->consumers[q];
	uint64_t one = 1;

	WRITE_ONCE(uc->stop, true);
	TEST_ASSERT(write(uc->doorbell, &one, sizeof(one)) == sizeof(one),
		    "doorbell write: %s", strerror(errno));
	pthread_join(uc->thread, NULL);
	close(uc->doorbell);
}

/*
 * A PROD (IQT) store or CONS (IQH, FSTS) load of a trap path: the VMM
 * emulates it
 */
static void trap_mmio(struct bench *bn, struct kvm_vcpu *vcpu, uint32_t idx)
{
	uint32_t prod_reg = bn->scn->vtd ? VTD_IQT_REG : REG_PROD;
	uint32_t cons_reg = bn->scn->vtd ? VTD_IQH_REG : REG_CONS;
	struct kvm_run *run = vcpu->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t q, val;
	int path;

	TEST_ASSERT(run->mmio.len == 4, "MMIO of %u bytes at %#llx",
		    run->mmio.len, run->mmio.phys_addr);
	pthread_mutex_lock(&bn->big_lock);
	for (path = PATH_TRAP; path <= PATH_TRAP_RO; path++) {
		for (q = 0; q < bn->nr_queues; q++) {
			if (gpa == REGS_GPA(path, q) + prod_reg &&
			    run->mmio.is_write) {
				memcpy(&val, run->mmio.data, 4);
				bn->trap_prod[path][q] = prod_index(bn, val);
				vmm_consume_any(bn, path, q,
						bn->trap_prod[path][q],
						&bn->trap_cons[path][q]);
				if (path == PATH_TRAP_RO)
					publish_cons(bn, path, q,
						     bn->trap_cons[path][q]);
				goto out;
			}
			if (path == PATH_TRAP &&
			    gpa == REGS_GPA(path, q) + cons_reg &&
			    !run->mmio.is_write) {
				val = bn->trap_cons[path][q];
				if (bn->scn->vtd)
					val *= VTD_DESC_SIZE;
				memcpy(run->mmio.data, &val, 4);
				goto out;
			}
			/* No queue error to report */
			if (path == PATH_TRAP && bn->scn->vtd &&
			    gpa == REGS_GPA(path, q) + VTD_FSTS_REG &&
			    !run->mmio.is_write) {
				memset(run->mmio.data, 0, 4);
				goto out;
			}
		}
	}
	TEST_FAIL("vCPU %u: unexpected MMIO %s at %#lx", idx,
		  run->mmio.is_write ? "store" : "load", gpa);
out:
	pthread_mutex_unlock(&bn->big_lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median_u64(uint64_t *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* Median, smallest and largest of @n values */
struct spread {
	double median;
	double min;
	double max;
};

static struct spread spread_of(const double *v, uint32_t n)
{
	double sorted[MAX_RUNS];

	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	return (struct spread){ sorted[n / 2], sorted[0], sorted[n - 1] };
}

/* A worker's scheduler state and where it sleeps, for a stuck queue */
static void print_worker(uint32_t vqueue_id)
{
	char file[64], line[128], wchan[64] = "?";
	pid_t tid = test_vqueue_worker_tid(vqueue_id);
	FILE *f;

	if (!tid) {
		pr_info("    no worker thread\n");
		return;
	}

	snprintf(file, sizeof(file), "/proc/self/task/%d/wchan", tid);
	f = fopen(file, "r");
	if (f) {
		if (!fgets(wchan, sizeof(wchan), f))
			snprintf(wchan, sizeof(wchan), "?");
		fclose(f);
	}
	snprintf(file, sizeof(file), "/proc/self/task/%d/status", tid);
	f = fopen(file, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			pr_info("    worker %d: %.*s, waiting in %s\n", tid,
				(int)strcspn(line + 7, "\n"), line + 7, wchan);
	if (f)
		fclose(f);
}

/* What each vqueue says of itself, when the guest saw one stuck */
static void print_vqueues(struct bench *bn)
{
	struct iommu_vqueue_get_state st;
	uint32_t q;
	int path;

	for (path = 0; path < NR_PATHS; path++) {
		if (!path_is_vqueue(path))
			continue;
		for (q = 0; q < bn->nr_queues; q++) {
			if (_test_cmd_vqueue_get_state(bn->iommufd,
						       bn->vqueue_id[path][q],
						       &st)) {
				pr_info("  %s queue %u: GET_STATE: %s\n",
					path_name[path], q, strerror(errno));
				continue;
			}
			pr_info("  %s queue %u: state %u stop reason %u error %u errno %d, CONS %#x PROD %#x, %llu consumed, passes %llu inline %llu worker\n",
				path_name[path], q, st.out_state,
				st.out_stop_reason, st.out_error_code,
				st.out_errno, st.out_cons, st.out_prod,
				(unsigned long long)st.out_consumed,
				(unsigned long long)st.out_inline_passes,
				(unsigned long long)st.out_worker_passes);
			print_worker(bn->vqueue_id[path][q]);
		}
	}
}

/*
 * What a VMM does on the two stops that say nothing about the guest: make
 * the queue memory present again, or make the completion write the kernel
 * could not make, and resume.
 */
static void service_fault_stop(struct bench *bn, int path, uint32_t q,
			       const struct iommu_vqueue_get_state *st)
{
	const uint64_t *e = (const uint64_t *)st->out_entry;
	uint8_t *queue;
	uint32_t *status;

	if (st->out_stop_reason == IOMMU_VQUEUE_STOP_FETCH_FAULT) {
		/* Every queue here is one page, whichever entry it stopped on */
		queue = addr_gpa2hva(bn->vm, QUEUE_GPA(path, q));
		(void)READ_ONCE(*queue);
		bn->stops.fetch_faults++;
	} else {
		/*
		 * Only VT-d's waits write (SW=1), and none asks for an
		 * interrupt, which the VMM would then latch in ICS.IWC and
		 * signal; the SMMUv3 queues have no MSIs, so their syncs never
		 * write.
		 */
		TEST_ASSERT(bn->scn->vtd && (e[0] & VTD_WAIT0_SW) &&
			    !(e[0] & VTD_WAIT0_IF),
			    "%s queue %u: completion fault on %#llx %#llx",
			    path_name[path], q, (unsigned long long)e[0],
			    (unsigned long long)e[1]);
		status = addr_gpa2hva(bn->vm, e[1] & VTD_WAIT1_ADDR);
		__atomic_store_n(status, FIELD_GET(VTD_WAIT0_DATA, e[0]),
				 __ATOMIC_RELEASE);
		bn->stops.completion_faults++;
	}
	TEST_ASSERT(!_test_cmd_vqueue_resume(bn->iommufd,
					     bn->vqueue_id[path][q], 0, 0),
		    "%s queue %u: VQUEUE_RESUME: %s", path_name[path], q,
		    strerror(errno));
}

static void *stop_service_thread(void *data)
{
	struct pollfd pfd[1 + NR_PATHS * MAX_QUEUES] = {};
	int path_of[ARRAY_SIZE(pfd)], path;
	uint32_t queue_of[ARRAY_SIZE(pfd)], q;
	struct stop_service *ss = data;
	struct bench *bn = ss->bn;
	struct iommu_vqueue_get_state st;
	uint32_t n = 1, i, id;
	uint64_t cnt;

	pfd[0] = (struct pollfd){ .fd = ss->quit, .events = POLLIN };
	for (path = 0; path < NR_PATHS; path++) {
		if (!path_is_vqueue(path))
			continue;
		for (q = 0; q < bn->nr_queues; q++, n++) {
			pfd[n] = (struct pollfd){ .fd = ss->stop_fd[path][q],
						  .events = POLLIN };
			path_of[n] = path;
			queue_of[n] = q;
		}
	}

	for (;;) {
		TEST_ASSERT(poll(pfd, n, -1) > 0 || errno == EINTR,
			    "poll: %s", strerror(errno));
		if (pfd[0].revents)
			return NULL;
		for (i = 1; i < n; i++) {
			if (!(pfd[i].revents & POLLIN) ||
			    read(pfd[i].fd, &cnt, sizeof(cnt)) != sizeof(cnt))
				continue;
			path = path_of[i];
			q = queue_of[i];
			id = bn->vqueue_id[path][q];
			TEST_ASSERT(!_test_cmd_vqueue_get_state(bn->iommufd, id,
								&st),
				    "%s queue %u: GET_STATE: %s",
				    path_name[path], q, strerror(errno));
			if (st.out_state != IOMMU_VQUEUE_STATE_STOPPED)
				continue;
			if (st.out_stop_reason == IOMMU_VQUEUE_STOP_FETCH_FAULT ||
			    st.out_stop_reason ==
			    IOMMU_VQUEUE_STOP_COMPLETION_FAULT) {
				service_fault_stop(bn, path, q, &st);
				continue;
			}
			print_vqueues(bn);
			TEST_FAIL("%s queue %u: stop %u, error %u, errno %d, entry %#llx %#llx",
				  path_name[path], q, st.out_stop_reason,
				  st.out_error_code, st.out_errno,
				  (unsigned long long)st.out_entry[0],
				  (unsigned long long)st.out_entry[1]);
		}
	}
}

static void stop_service_start(struct bench *bn)
{
	struct stop_service *ss = &bn->stops;

	ss->bn = bn;
	ss->quit = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(ss->quit >= 0, "eventfd: %s", strerror(errno));
	TEST_ASSERT(!pthread_create(&ss->thread, NULL, stop_service_thread,
				    ss), "pthread_create failed");
}

static void stop_service_stop(struct bench *bn)
{
	struct stop_service *ss = &bn->stops;
	uint32_t q;
	int path;

	TEST_ASSERT(eventfd_write(ss->quit, 1) == 0, "eventfd_write: %s",
		    strerror(errno));
	pthread_join(ss->thread, NULL);
	close(ss->quit);
	for (path = 0; path < NR_PATHS; path++)
		for (q = 0; q < bn->nr_queues && path_is_vqueue(path); q++)
			close(ss->stop_fd[path][q]);
}

static void read_exits(struct kvm_vcpu *vcpu, struct exit_counts *c)
{
	c->user = vcpu_get_stat(vcpu, "mmio_exits") +
		  vcpu_get_stat(vcpu, "io_exits");
	c->all = vcpu_get_stat(vcpu, "exits");
}

/* The process's CPU time and, for a vqueue path, its queues' passes */
static void account(struct bench *bn, uint32_t s, int kind,
		    struct accounting *a)
{
	struct iommu_vqueue_get_state st;
	uint32_t q;
	int rc;

	memset(a, 0, sizeof(*a));
	a->process_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (s == PROBE || !path_is_vqueue(kind))
		return;
	for (q = 0; q < bn->nr_queues; q++) {
		rc = _test_cmd_vqueue_get_state(bn->iommufd,
						bn->vqueue_id[kind][q], &st);
		TEST_ASSERT(!rc, "VQUEUE_GET_STATE: %s", strerror(errno));
		TEST_ASSERT(st.out_state == IOMMU_VQUEUE_STATE_RUNNING,
			    "%s queue %u stopped, reason %u", path_name[kind],
			    q, st.out_stop_reason);
		a->inline_passes += st.out_inline_passes;
		a->worker_passes += st.out_worker_passes;
	}
}

/* After a phase: every vCPU's samples, times, exits and CPU into the cell. */
static void record(struct bench *bn, uint32_t run, uint32_t s, int kind)
{
	struct phase_times *times = addr_gpa2hva(bn->vm, TIMES_GPA);
	struct cell *c = s == PROBE ? &bn->probes[kind] : &bn->cells[kind][s];
	uint32_t n = params.reps, nr = bn->scn->nr_vcpus, v;
	uint64_t first = UINT64_MAX, last = 0, *this_run, vcpu_ns = 0;
	double cmds, process_ns;
	struct accounting end;

	account(bn, s, kind, &end);
	this_run = c->samples + c->nr_samples;
	for (v = 0; v < nr; v++) {
		memcpy(c->samples + c->nr_samples,
		       addr_gpa2hva(bn->vm, SAMPLES_GPA(v)), n * sizeof(uint64_t));
		c->nr_samples += n;
		first = min(first, times[v].start);
		last = max(last, times[v].end);
		/* Each vCPU's phase ends with one ucall, a port I/O exit */
		c->user_exits += bn->phase[v].user - 1;
		c->exits += bn->phase[v].all - 1;
		vcpu_ns += bn->vcpu_cpu[v];
	}
	c->batches += (uint64_t)n * nr;
	c->inline_passes += end.inline_passes - bn->acct_start.inline_passes;
	c->worker_passes += end.worker_passes - bn->acct_start.worker_passes;
	c->run_median[run] = median_u64(this_run, n * nr);
	/* A probe phase's "commands" are its loads */
	cmds = (double)(s == PROBE ? 1 : batch_sizes[s] + 1) * n * nr;
	c->run_cmds_per_sec[run] = last > first ?
		cmds * 1000.0 * guest_tsc_khz / (last - first) : 0;
	process_ns = end.process_ns - bn->acct_start.process_ns;
	c->run_cpu_per_cmd[run] = process_ns / cmds;
	c->run_helper_cpu_per_cmd[run] = process_ns > vcpu_ns ?
		(process_ns - vcpu_ns) / cmds : 0;
}

#define TRACEFS			"/sys/kernel/tracing"

static bool tracefs_write(const char *file, const char *val)
{
	ssize_t len = strlen(val);
	char path[128];
	bool ok;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return false;
	ok = write(fd, val, len) == len;
	close(fd);
	return ok;
}

static bool trace_available(void)
{
	const char *events = TRACEFS "/events/iommufd_vqueue/enable";

	if (access(events, W_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	return !access(events, W_OK);
}

static void trace_begin(void)
{
	TEST_ASSERT(tracefs_write("tracing_on", "0") &&
		    tracefs_write("trace", "") &&
		    tracefs_write("events/iommufd_vqueue/enable", "1") &&
		    tracefs_write("tracing_on", "1"),
		    "starting the trace: %s", strerror(errno));
}

/*
 * Pair each doorbell of @path's vqueue with the pass it caused and the CONS
 * publish that ended it.  The doorbell event fires in the vCPU thread,
 * inside the ioregion store; the pass runs in the worker (fast_worker) or
 * in the same vCPU thread before it re-enters the guest (fast_inline).
 */
static void trace_end(struct bench *bn, uint32_t s, int path)
{
	uint32_t id = bn->vqueue_id[path][0], n = 0, vq;
	double t, doorbell = -1, pass_start = -1;
	uint64_t *to_pass, *pass, *to_publish, *batch;
	struct traced *tr = &bn->trace[path][s];
	double cycles_per_sec = guest_tsc_khz * 1000.0;
	char *line = NULL, *ev, *ts;
	size_t len = 0;
	FILE *f;

	TEST_ASSERT(tracefs_write("tracing_on", "0") &&
		    tracefs_write("events/iommufd_vqueue/enable", "0"),
		    "stopping the trace: %s", strerror(errno));
	to_pass = calloc(params.reps, sizeof(*to_pass));
	pass = calloc(params.reps, sizeof(*pass));
	to_publish = calloc(params.reps, sizeof(*to_publish));
	batch = malloc(params.reps * sizeof(*batch));
	TEST_ASSERT(to_pass && pass && to_publish && batch, "out of memory");
	f = fopen(TRACEFS "/trace", "r");
	TEST_ASSERT(f, TRACEFS "/trace: %s", strerror(errno));
	while (getline(&line, &len, f) > 0 && n < params.reps) {
		/* "<task>-<pid> [<cpu>] <flags> <seconds>: <event>: vqueue=<id> ..." */
		ev = strstr(line, ": iommufd_vqueue_");
		if (!ev)
			continue;
		*ev = '\0';
		ev += 2;
		ts = strrchr(line, ' ');
		if (!ts || sscanf(ts, "%lf", &t) != 1)
			continue;
		ts = strstr(ev, "vqueue=");
		if (!ts || sscanf(ts, "vqueue=%u", &vq) != 1 || vq != id)
			continue;
		if (strstr(ev, "iommufd_vqueue_doorbell:") == ev) {
			doorbell = t;
			pass_start = -1;
		} else if (strstr(ev, "iommufd_vqueue_pass:") == ev &&
			   doorbell >= 0 && pass_start < 0) {
			pass_start = t;
		} else if (strstr(ev, "iommufd_vqueue_publish:") == ev &&
			   pass_start >= 0) {
			to_pass[n] = (pass_start - doorbell) * cycles_per_sec;
			pass[n] = (t - pass_start) * cycles_per_sec;
			to_publish[n] = (t - doorbell) * cycles_per_sec;
			n++;
			doorbell = -1;
			pass_start = -1;
		}
	}
	free(line);
	fclose(f);

	memcpy(batch, addr_gpa2hva(bn->vm, SAMPLES_GPA(0)),
	       params.reps * sizeof(*batch));
	tr->batches = n;
	tr->doorbell_to_completion = median_u64(batch, params.reps);
	if (n) {
		tr->doorbell_to_pass = median_u64(to_pass, n);
		tr->pass_to_publish = median_u64(pass, n);
		tr->doorbell_to_publish = median_u64(to_publish, n);
	}
	free(to_pass);
	free(pass);
	free(to_publish);
	free(batch);
}

/* The phase's start and end meet all vCPUs; one of them takes the figures */
static void phase_start(struct bench *bn, uint32_t idx, uint32_t s, int kind)
{
	read_exits(bn->vcpus[idx], &bn->start[idx]);
	bn->vcpu_cpu_start[idx] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (pthread_barrier_wait(&bn->phase_barrier) ==
	    PTHREAD_BARRIER_SERIAL_THREAD)
		account(bn, s, kind, &bn->acct_start);
	pthread_barrier_wait(&bn->phase_barrier);
}

static void phase_end(struct bench *bn, uint32_t idx, uint32_t run,
		      uint32_t s, int kind)
{
	struct exit_counts now;

	read_exits(bn->vcpus[idx], &now);
	bn->vcpu_cpu[idx] = clock_ns(CLOCK_THREAD_CPUTIME_ID) -
			    bn->vcpu_cpu_start[idx];
	bn->phase[idx].user = now.user - bn->start[idx].user;
	bn->phase[idx].all = now.all - bn->start[idx].all;
	/* No vCPU warms up for the next phase before the figures are taken */
	if (pthread_barrier_wait(&bn->phase_barrier) ==
	    PTHREAD_BARRIER_SERIAL_THREAD)
		record(bn, run, s, kind);
	pthread_barrier_wait(&bn->phase_barrier);
}

static void *vcpu_thread(void *data)
{
	struct vcpu_thread_arg *arg = data;
	struct bench *bn = arg->bn;
	struct kvm_vcpu *vcpu = bn->vcpus[arg->idx];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct ucall uc, last = {};

	pin_to_cpu(0, arg->idx);
	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO) {
			trap_mmio(bn, vcpu, arg->idx);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			last = uc;
			bn->last_sync[arg->idx] = uc;
			__atomic_add_fetch(&bn->progress, 1, __ATOMIC_RELAXED);
			if (uc.args[2] == params.runs) {
				/* The traced run: a single vCPU */
				if (uc.args[1] == PHASE_START)
					trace_begin();
				else
					trace_end(bn, uc.args[3], uc.args[4]);
			} else if (uc.args[1] == PHASE_START) {
				phase_start(bn, arg->idx, uc.args[3],
					    uc.args[4]);
			} else {
				phase_end(bn, arg->idx, uc.args[2], uc.args[3],
					  uc.args[4]);
			}
			break;
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			print_vqueues(bn);
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			/*
			 * On AMD, KVM resets the vCPU on the SHUTDOWN
			 * intercept: its registers then say nothing.
			 */
			if (vcpu->run->exit_reason != KVM_EXIT_SHUTDOWN ||
			    !host_cpu_is_amd) {
				vcpu_regs_get(vcpu, &regs);
				vcpu_sregs_get(vcpu, &sregs);
				pr_info("vCPU %u: RIP %#llx, RSP %#llx, CR2 %#llx\n",
					arg->idx, regs.rip, regs.rsp, sregs.cr2);
			}
			TEST_FAIL("vCPU %u: unexpected exit %s %s run %lu, size %lu, path %lu",
				  arg->idx,
				  exit_reason_str(vcpu->run->exit_reason),
				  last.args[1] == PHASE_START ? "in" : "after",
				  last.args[2], last.args[3], last.args[4]);
		}
	}
}

/*
 * Join the vCPU threads, or fail with where each vCPU was if no phase starts
 * or ends for PROGRESS_TIMEOUT_S: a guest that stopped executing, which its
 * own timeouts cannot catch, would otherwise hold the run until the suite's
 * watchdog. Nothing here may take a vCPU's mutex, which KVM_RUN holds.
 */
static void join_vcpus(struct bench *bn, pthread_t *threads, uint32_t nr)
{
	uint64_t seen = UINT64_MAX, now;
	uint32_t v, joined = 0, idle = 0;
	struct ucall *u;

	while (joined < nr) {
		sleep(1);
		for (v = joined; v < nr && !pthread_tryjoin_np(threads[v], NULL);
		     v++)
			joined++;
		now = __atomic_load_n(&bn->progress, __ATOMIC_RELAXED);
		idle = now == seen ? idle + 1 : 0;
		seen = now;
		if (idle < PROGRESS_TIMEOUT_S)
			continue;

		for (v = joined; v < nr; v++) {
			u = &bn->last_sync[v];
			pr_info("vCPU %u: last ucall at the %s of run %lu, size %lu, path %lu\n",
				v, u->args[1] == PHASE_START ? "start" : "end",
				u->args[2], u->args[3], u->args[4]);
		}
		print_vqueues(bn);
		TEST_FAIL("%s: no phase started or ended in %u s",
			  bn->scn->name, PROGRESS_TIMEOUT_S);
	}
}

static uint64_t *alloc_samples(uint32_t nr_vcpus)
{
	uint64_t *p = calloc((size_t)params.runs * nr_vcpus * params.reps,
			     sizeof(uint64_t));

	TEST_ASSERT(p, "out of memory");
	return p;
}

static void run_scenario(struct bench *bn)
{
	struct vcpu_thread_arg args[MAX_VCPUS];
	pthread_t threads[MAX_VCPUS];
	uint32_t nr = bn->scn->nr_vcpus, v, q, s;
	int path;

	if (sysconf(_SC_NPROCESSORS_ONLN) < bn->scn->cpus_needed) {
		bn->skipped = true;
		return;
	}
	bn->nr_queues = bn->scn->shared ? 1 : nr;
	draw_order(bn);

	bn->vm = vm_create_with_vcpus(nr, guest_code, bn->vcpus);
	report_guest_exceptions(bn->vm);
	vm_userspace_mem_region_add(bn->vm, VM_MEM_SRC_ANONYMOUS, DATA_GPA,
				    DATA_SLOT, DATA_PAGES, 0);
	virt_map(bn->vm, DATA_GPA, DATA_GPA, DATA_PAGES);
	memset(addr_gpa2hva(bn->vm, DATA_GPA), 0,
	       DATA_PAGES * bn->vm->page_size);

	/* trap: no memslot; every other path: a read-only one */
	vm_userspace_mem_region_add(bn->vm, VM_MEM_SRC_ANONYMOUS,
				    REGS_GPA(PATH_TRAP_RO, 0), RO_SLOT,
				    RO_PAGES, KVM_MEM_READONLY);
	for (path = 0; path <= NR_PATHS; path++) {
		for (q = 0; q < MAX_QUEUES; q++) {
			virt_map(bn->vm, REGS_GPA(path, q), REGS_GPA(path, q),
				 1);
			if (path == PATH_TRAP || path == NR_PATHS)
				continue;
			bn->regs[path][q] = addr_gpa2hva(bn->vm,
							 REGS_GPA(path, q));
			memset(bn->regs[path][q], 0, bn->vm->page_size);
		}
	}

	iommu_setup(bn);
	probe_setup(bn);
	for (q = 0; q < bn->nr_queues; q++) {
		user_consumer_start(bn, q);
		for (path = PATH_FAST_WORKER; path <= PATH_FAST_INLINE; path++) {
			vqueue_setup(bn, path, q);
			pin_to_cpu(vqueue_worker(bn->vqueue_id[path][q]),
				   helper_cpu(bn, q));
		}
	}
	stop_service_start(bn);
	bn->traced = bn->scn->traced && nr == 1 && trace_available();
	params.trace = bn->traced;
	params.shared = bn->scn->shared;
	params.vtd = bn->scn->vtd;
	memcpy(params.order, bn->order, sizeof(params.order));
	sync_global_to_guest(bn->vm, params);

	for (path = 0; path < NR_PATHS; path++)
		for (s = 0; s < NR_SIZES; s++)
			bn->cells[path][s].samples = alloc_samples(nr);
	for (s = 0; s < NR_PROBES; s++)
		bn->probes[s].samples = alloc_samples(nr);

	pthread_mutex_init(&bn->big_lock, NULL);
	pthread_barrier_init(&bn->phase_barrier, NULL, nr);
	for (v = 0; v < nr; v++) {
		args[v] = (struct vcpu_thread_arg){ .bn = bn, .idx = v };
		vcpu_args_set(bn->vcpus[v], 1, v);
		pthread_create(&threads[v], NULL, vcpu_thread, &args[v]);
	}
	join_vcpus(bn, threads, nr);
	pthread_barrier_destroy(&bn->phase_barrier);
	pthread_mutex_destroy(&bn->big_lock);

	for (q = 0; q < bn->nr_queues; q++)
		user_consumer_stop(bn, q);
	stop_service_stop(bn);
	close(bn->iommufd);
	kvm_vm_free(bn->vm);
	munmap(bn->probe_page, getpagesize());
}

struct summary {
	uint64_t median;
	uint64_t median_min;
	uint64_t median_max;
	uint64_t p99;
	double user_exits;
	double exits;
	double cmds_per_sec;
	struct spread cpu_per_cmd;
	struct spread helper_cpu_per_cmd;
	double inline_passes;
	double worker_passes;
};

static void summarize(struct cell *c, struct summary *sum)
{
	uint64_t medians[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		TEST_ASSERT(c->run_median[r], "run %u has no samples", r);
	memcpy(medians, c->run_median, sizeof(medians));
	sum->median = median_u64(medians, params.runs);
	sum->median_min = medians[0];
	sum->median_max = medians[params.runs - 1];
	sum->cmds_per_sec = spread_of(c->run_cmds_per_sec, params.runs).median;
	sum->cpu_per_cmd = spread_of(c->run_cpu_per_cmd, params.runs);
	sum->helper_cpu_per_cmd = spread_of(c->run_helper_cpu_per_cmd,
					    params.runs);
	qsort(c->samples, c->nr_samples, sizeof(*c->samples), cmp_u64);
	sum->p99 = c->samples[(uint64_t)c->nr_samples * 99 / 100];
	sum->user_exits = (double)c->user_exits / c->batches;
	sum->exits = (double)c->exits / c->batches;
	sum->inline_passes = (double)c->inline_passes / c->batches;
	sum->worker_passes = (double)c->worker_passes / c->batches;
}

/* @base's median over @path's, each run's pair measured side by side */
static struct spread speedup(struct bench *bn, int path, int base, uint32_t s)
{
	double v[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		v[r] = (double)bn->cells[base][s].run_median[r] /
		       bn->cells[path][s].run_median[r];
	return spread_of(v, params.runs);
}

/* Median over runs of a userspace exit's cost over one in the kernel */
static double probe_ratio(struct bench *bn)
{
	double v[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		v[r] = (double)bn->probes[PROBE_USER_EXIT].run_median[r] /
		       bn->probes[PROBE_KERNEL_EXIT].run_median[r];
	return spread_of(v, params.runs).median;
}

/*
 * The limit line: the least a doorbell can cost, one exit handled in the
 * kernel plus the traced inline pass from doorbell to CONS published.
 */
static uint64_t limit_line(struct bench *bn, uint32_t s)
{
	uint64_t exit_medians[MAX_RUNS];

	memcpy(exit_medians, bn->probes[PROBE_KERNEL_EXIT].run_median,
	       sizeof(exit_medians));
	return median_u64(exit_medians, params.runs) +
	       bn->trace[PATH_FAST_INLINE][s].doorbell_to_publish;
}

static bool has_limit(struct bench *bn)
{
	uint32_t s;

	if (!bn->traced)
		return false;
	for (s = 0; s < NR_SIZES; s++)
		if (!bn->trace[PATH_FAST_INLINE][s].batches)
			return false;
	return true;
}

static void print_traced(struct bench *bn)
{
	struct traced *tr;
	uint32_t s;
	int path;

	if (!bn->scn->traced)
		return;
	if (!bn->traced) {
		printf("not traced: no tracefs, or no iommufd_vqueue trace events\n");
		return;
	}
	printf("traced run of the vqueue paths (one more run, not in the figures above),\n");
	printf("medians in cycles: doorbell to completion as the guest saw it = doorbell\n");
	printf("to pass starting + pass to CONS published + the rest (the exit around the\n");
	printf("PROD store, the guest seeing CONS):\n");
	for (path = PATH_FAST_WORKER; path <= PATH_FAST_INLINE; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			tr = &bn->trace[path][s];
			printf("  %-13s batch %2u: %9lu = %9lu + %9lu + rest (%u batches traced)\n",
			       path_name[path], batch_sizes[s],
			       tr->doorbell_to_completion, tr->doorbell_to_pass,
			       tr->pass_to_publish, tr->batches);
		}
	}
}

static void print_limit(struct bench *bn)
{
	uint64_t exit_cost, limit;
	struct summary sum;
	uint32_t s;
	int path;

	if (!has_limit(bn)) {
		printf("limit line: needs the traced run (the %s scenario, with tracefs)\n",
		       scenarios[0].name);
		return;
	}
	summarize(&bn->probes[PROBE_KERNEL_EXIT], &sum);
	exit_cost = sum.median;
	printf("limit line = one exit handled in the kernel (%lu cycles) + the traced\n",
	       exit_cost);
	printf("fast_inline pass, doorbell to CONS published; each path's median as a\n");
	printf("multiple of it:\n");
	printf("  %5s %9s %9s %9s", "batch", "exit", "pass", "limit");
	for (path = 0; path < NR_PATHS; path++)
		printf(" %13s", path_name[path]);
	printf("\n");
	for (s = 0; s < NR_SIZES; s++) {
		limit = limit_line(bn, s);
		printf("  %5u %9lu %9lu %9lu", batch_sizes[s], exit_cost,
		       bn->trace[PATH_FAST_INLINE][s].doorbell_to_publish, limit);
		for (path = 0; path < NR_PATHS; path++) {
			summarize(&bn->cells[path][s], &sum);
			printf(" %12.2fx", (double)sum.median / limit);
		}
		printf("\n");
	}
}

static void print_order(struct bench *bn)
{
	uint32_t r, s, k;
	int path;

	printf("path order per run, for batches of");
	for (s = 0; s < NR_SIZES; s++)
		printf(" %u%s", batch_sizes[s], s + 1 < NR_SIZES ? "," : "");
	printf(" (");
	for (path = 0; path < NR_PATHS; path++)
		printf("%d %s%s", path, path_name[path],
		       path + 1 < NR_PATHS ? ", " : "):\n");
	for (r = 0; r < params.runs; r++) {
		printf("  run %2u:", r);
		for (s = 0; s < NR_SIZES; s++) {
			printf(" ");
			for (k = 0; k < NR_PATHS; k++)
				printf("%u", bn->order[r][s][k]);
		}
		printf("\n");
	}
}

static void print_scenario(struct bench *bn)
{
	struct summary sum;
	struct spread sp;
	uint32_t s, b;
	int path;

	printf("\n== %s: %s; %u runs of %u batches per vCPU\n", bn->scn->name,
	       bn->scn->description, params.runs, params.reps);
	if (bn->skipped) {
		printf("skipped: needs %u CPUs\n", bn->scn->cpus_needed);
		return;
	}
	print_order(bn);
	printf("%-13s %5s %9s %19s %9s %6s %6s %10s %8s %8s %11s\n", "path",
	       "batch", "median", "run medians", "p99", "uexits", "exits",
	       "commands/s", "cpu-ns", "other-ns", "passes i/w");
	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			summarize(&bn->cells[path][s], &sum);
			printf("%-13s %5u %9lu %9lu-%-9lu %9lu %6.2f %6.2f %10.0f %8.0f %8.0f",
			       path_name[path], batch_sizes[s], sum.median,
			       sum.median_min, sum.median_max, sum.p99,
			       sum.user_exits, sum.exits, sum.cmds_per_sec,
			       sum.cpu_per_cmd.median,
			       sum.helper_cpu_per_cmd.median);
			if (path_is_vqueue(path))
				printf(" %5.2f/%-5.2f", sum.inline_passes,
				       sum.worker_passes);
			printf("\n");
		}
	}
	printf("speed-ups, median of the per-run ratios (range):\n");
	printf("  %-13s %5s", "path", "batch");
	for (b = 0; b < NR_BASELINES; b++)
		printf("   %-22s", path_name[baselines[b]]);
	printf("\n");
	for (path = PATH_TRAP_RO; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			printf("  %-13s %5u", path_name[path], batch_sizes[s]);
			for (b = 0; b < NR_BASELINES; b++) {
				if (baselines[b] == path) {
					printf("   %-22s", "");
					continue;
				}
				sp = speedup(bn, path, baselines[b], s);
				printf("   %5.2fx (%5.2f-%5.2f)   ", sp.median,
				       sp.min, sp.max);
			}
			printf("\n");
		}
	}
	for (b = 0; b < NR_BASELINES; b++) {
		printf("fast_inline against %s:", path_name[baselines[b]]);
		for (s = 0; s < NR_SIZES; s++) {
			sp = speedup(bn, PATH_FAST_INLINE, baselines[b], s);
			printf(" batch %u %.2fx (%.2f-%.2f)%s", batch_sizes[s],
			       sp.median, sp.min, sp.max,
			       s + 1 < NR_SIZES ? "," : "\n");
		}
	}
	printf("one lone load (what an exit costs here):\n");
	for (s = 0; s < NR_PROBES; s++) {
		summarize(&bn->probes[s], &sum);
		printf("  %-43s %8lu cycles (runs %lu-%lu), %.2f exits to userspace, %.2f in all\n",
		       probe_description[s], sum.median, sum.median_min,
		       sum.median_max, sum.user_exits, sum.exits);
	}
	printf("  userspace exit / exit handled in the kernel: %.2fx\n",
	       probe_ratio(bn));
	printf("vqueue stops the VMM serviced: %lu fetch faults, %lu completion faults\n",
	       bn->stops.fetch_faults, bn->stops.completion_faults);
	print_traced(bn);
	print_limit(bn);
}

/* One "key": value member of a JSON object, after the one before it */
static void json_member(FILE *f, const char **sep, const char *key,
			const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%s\"%s\": ", *sep, key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	*sep = ", ";
}

/* Opens an array of objects, one a line; returns the members' separator */
static const char *json_item(FILE *f, uint32_t n)
{
	fprintf(f, "%s\n        { ", n ? "," : "");
	return "";
}

static void json_spread(FILE *f, const char **sep, const char *key,
			struct spread sp)
{
	char name[64];

	json_member(f, sep, key, "%.4f", sp.median);
	snprintf(name, sizeof(name), "%s_min", key);
	json_member(f, sep, name, "%.4f", sp.min);
	snprintf(name, sizeof(name), "%s_max", key);
	json_member(f, sep, name, "%.4f", sp.max);
}

static void json_order(FILE *f, struct bench *bn)
{
	uint32_t r, s, k;

	fprintf(f, "[");
	for (r = 0; r < params.runs; r++) {
		fprintf(f, "%s\n        [", r ? "," : "");
		for (s = 0; s < NR_SIZES; s++) {
			fprintf(f, "%s[", s ? ", " : "");
			for (k = 0; k < NR_PATHS; k++)
				fprintf(f, "%s\"%s\"", k ? ", " : "",
					path_name[bn->order[r][s][k]]);
			fprintf(f, "]");
		}
		fprintf(f, "]");
	}
	fprintf(f, "\n      ]");
}

static void json_results(FILE *f, struct bench *bn)
{
	struct summary sum;
	const char *sep;
	uint32_t s, n;
	int path;

	fprintf(f, "[");
	for (n = 0, path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++, n++) {
			summarize(&bn->cells[path][s], &sum);
			sep = json_item(f, n);
			json_member(f, &sep, "path", "\"%s\"", path_name[path]);
			json_member(f, &sep, "batch", "%u", batch_sizes[s]);
			json_member(f, &sep, "median_cycles", "%lu", sum.median);
			json_member(f, &sep, "median_cycles_min", "%lu",
				    sum.median_min);
			json_member(f, &sep, "median_cycles_max", "%lu",
				    sum.median_max);
			json_member(f, &sep, "p99_cycles", "%lu", sum.p99);
			json_member(f, &sep, "user_exits_per_batch", "%.3f",
				    sum.user_exits);
			json_member(f, &sep, "exits_per_batch", "%.3f",
				    sum.exits);
			json_member(f, &sep, "commands_per_second", "%.0f",
				    sum.cmds_per_sec);
			json_spread(f, &sep, "cpu_ns_per_command",
				    sum.cpu_per_cmd);
			json_spread(f, &sep, "other_threads_cpu_ns_per_command",
				    sum.helper_cpu_per_cmd);
			if (path_is_vqueue(path)) {
				json_member(f, &sep, "inline_passes_per_batch",
					    "%.3f", sum.inline_passes);
				json_member(f, &sep, "worker_passes_per_batch",
					    "%.3f", sum.worker_passes);
			}
			fprintf(f, " }");
		}
	}
	fprintf(f, "\n      ]");
}

static void json_speedups(FILE *f, struct bench *bn)
{
	const char *sep;
	uint32_t s, b, n = 0;
	int path;

	fprintf(f, "[");
	for (path = PATH_TRAP_RO; path < NR_PATHS; path++) {
		for (b = 0; b < NR_BASELINES; b++) {
			if (baselines[b] == path)
				continue;
			for (s = 0; s < NR_SIZES; s++, n++) {
				sep = json_item(f, n);
				json_member(f, &sep, "path", "\"%s\"",
					    path_name[path]);
				json_member(f, &sep, "over", "\"%s\"",
					    path_name[baselines[b]]);
				json_member(f, &sep, "batch", "%u",
					    batch_sizes[s]);
				json_spread(f, &sep, "speedup",
					    speedup(bn, path, baselines[b], s));
				fprintf(f, " }");
			}
		}
	}
	fprintf(f, "\n      ]");
}

static void json_probes(FILE *f, struct bench *bn)
{
	struct summary sum;
	const char *sep;
	uint32_t p;

	fprintf(f, "[");
	for (p = 0; p < NR_PROBES; p++) {
		summarize(&bn->probes[p], &sum);
		sep = json_item(f, p);
		json_member(f, &sep, "probe", "\"%s\"", probe_name[p]);
		json_member(f, &sep, "description", "\"%s\"",
			    probe_description[p]);
		json_member(f, &sep, "median_cycles", "%lu", sum.median);
		json_member(f, &sep, "median_cycles_min", "%lu", sum.median_min);
		json_member(f, &sep, "median_cycles_max", "%lu", sum.median_max);
		json_member(f, &sep, "user_exits_per_load", "%.3f",
			    sum.user_exits);
		json_member(f, &sep, "exits_per_load", "%.3f", sum.exits);
		fprintf(f, " }");
	}
	fprintf(f, "\n      ]");
}

static void json_traced(FILE *f, struct bench *bn)
{
	struct traced *tr;
	const char *sep;
	uint32_t s, n;
	int path;

	fprintf(f, "[");
	for (n = 0, path = PATH_FAST_WORKER;
	     path <= PATH_FAST_INLINE && bn->traced; path++) {
		for (s = 0; s < NR_SIZES; s++, n++) {
			tr = &bn->trace[path][s];
			sep = json_item(f, n);
			json_member(f, &sep, "path", "\"%s\"", path_name[path]);
			json_member(f, &sep, "batch", "%u", batch_sizes[s]);
			json_member(f, &sep, "batches", "%u", tr->batches);
			json_member(f, &sep, "doorbell_to_completion_cycles",
				    "%lu", tr->doorbell_to_completion);
			json_member(f, &sep, "doorbell_to_pass_cycles", "%lu",
				    tr->doorbell_to_pass);
			json_member(f, &sep, "pass_to_publish_cycles", "%lu",
				    tr->pass_to_publish);
			json_member(f, &sep, "doorbell_to_publish_cycles", "%lu",
				    tr->doorbell_to_publish);
			fprintf(f, " }");
		}
	}
	fprintf(f, "\n      ]");
}

static void json_limit(FILE *f, struct bench *bn)
{
	struct summary sum;
	uint64_t limit;
	const char *sep;
	uint32_t s;
	int path;

	fprintf(f, "[");
	for (s = 0; s < NR_SIZES && has_limit(bn); s++) {
		limit = limit_line(bn, s);
		sep = json_item(f, s);
		json_member(f, &sep, "batch", "%u", batch_sizes[s]);
		summarize(&bn->probes[PROBE_KERNEL_EXIT], &sum);
		json_member(f, &sep, "kernel_exit_cycles", "%lu", sum.median);
		json_member(f, &sep, "inline_pass_cycles", "%lu",
			    bn->trace[PATH_FAST_INLINE][s].doorbell_to_publish);
		json_member(f, &sep, "limit_cycles", "%lu", limit);
		json_member(f, &sep, "multiple", "{");
		for (sep = "", path = 0; path < NR_PATHS; path++) {
			summarize(&bn->cells[path][s], &sum);
			json_member(f, &sep, path_name[path], "%.4f",
				    (double)sum.median / limit);
		}
		fprintf(f, "} }");
	}
	fprintf(f, "\n      ]");
}

static void json_scenario(FILE *f, struct bench *bn)
{
	const char *sep = "";

	fprintf(f, "\n    { ");
	json_member(f, &sep, "name", "\"%s\"", bn->scn->name);
	json_member(f, &sep, "description", "\"%s\"", bn->scn->description);
	json_member(f, &sep, "vcpus", "%u", bn->scn->nr_vcpus);
	json_member(f, &sep, "queues", "%u", bn->nr_queues);
	json_member(f, &sep, "shared_queue", "%s",
		    bn->scn->shared ? "true" : "false");
	json_member(f, &sep, "format", "\"%s\"",
		    bn->scn->vtd ? "vtd" : "smmuv3");
	json_member(f, &sep, "user_over_kernel_exit", "%.4f", probe_ratio(bn));
	json_member(f, &sep, "order", "");
	json_order(f, bn);
	json_member(f, &sep, "results", "");
	json_results(f, bn);
	json_member(f, &sep, "speedups", "");
	json_speedups(f, bn);
	json_member(f, &sep, "loads", "");
	json_probes(f, bn);
	json_member(f, &sep, "traced", "");
	json_traced(f, bn);
	json_member(f, &sep, "limit", "");
	json_limit(f, bn);
	json_member(f, &sep, "vmm_serviced_stops",
		    "{ \"fetch_fault\": %lu, \"completion_fault\": %lu }",
		    bn->stops.fetch_faults, bn->stops.completion_faults);
	fprintf(f, " }");
}

static void write_json(struct bench *bn, const char *file, uint64_t seed)
{
	const char *sep = "";
	uint32_t i;
	FILE *f;

	f = fopen(file, "w");
	TEST_ASSERT(f, "%s: %s", file, strerror(errno));
	fprintf(f, "{ ");
	json_member(f, &sep, "tsc_khz", "%lu", guest_tsc_khz);
	json_member(f, &sep, "reps", "%u", params.reps);
	json_member(f, &sep, "runs", "%u", params.runs);
	json_member(f, &sep, "seed", "%lu", seed);
	json_member(f, &sep, "paths", "[");
	for (i = 0; i < NR_PATHS; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", path_name[i]);
	fprintf(f, "]");
	json_member(f, &sep, "scenarios", "[");
	for (sep = "", i = 0; i < NR_SCENARIOS; i++, bn++) {
		if (bn->skipped)
			continue;
		fprintf(f, "%s", sep);
		json_scenario(f, bn);
		sep = ",";
	}
	fprintf(f, "\n  ]\n}\n");
	TEST_ASSERT(!fclose(f), "%s: %s", file, strerror(errno));
}

static void help(const char *name)
{
	uint32_t i;

	printf("usage: %s [--json FILE] [--reps N] [--runs N] [--seed N] [--scenario NAME]\n",
	       name);
	printf("  --json FILE  also write the results as JSON to FILE\n");
	printf("  --reps N     batches per vCPU, path, size and run (1..%d, default %u)\n",
	       MAX_REPS, params.reps);
	printf("  --runs N     times the whole sequence runs (1..%d, default %u)\n",
	       MAX_RUNS, params.runs);
	printf("  --seed N     seed of the paths' order (default: from the clock)\n");
	printf("  --scenario NAME  run only this scenario:");
	for (i = 0; i < NR_SCENARIOS; i++)
		printf(" %s", scenarios[i].name);
	printf("\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "reps", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "scenario", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static struct bench bench[NR_SCENARIOS];
	const char *json = NULL, *only = NULL;
	uint64_t seed = clock_ns(CLOCK_REALTIME);
	int opt, val, path;
	uint32_t i, s;

	while ((opt = getopt_long(argc, argv, "j:r:n:S:s:h", opts, NULL)) != -1) {
		val = optarg ? atoi(optarg) : 0;
		switch (opt) {
		case 'j':
			json = optarg;
			continue;
		case 's':
			only = optarg;
			continue;
		case 'S':
			seed = strtoull(optarg, NULL, 0);
			continue;
		case 'r':
			if (val >= 1 && val <= MAX_REPS) {
				params.reps = val;
				continue;
			}
			break;
		case 'n':
			if (val >= 1 && val <= MAX_RUNS) {
				params.runs = val;
				continue;
			}
			break;
		}
		help(argv[0]);
		exit(opt == 'h' ? 0 : KSFT_FAIL);
	}
	/* xorshift never leaves 0 */
	seed = seed ? seed : 1;
	rng_state = seed;

	/* The feature it measures: its absence is a failure, not a skip */
	TEST_ASSERT(kvm_has_cap(KVM_CAP_IOREGION), "no KVM_CAP_IOREGION");
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_READONLY_MEM));

	printf("The guest runs under QEMU TCG: absolute cycle counts mean little;\n");
	printf("exit counts and the ratios measured side by side are the figures.\n");
	printf("median: of the runs' medians, guest TSC cycles from the PROD (IQT) store\n");
	printf("(with a shared queue: from taking its lock) to the CONS load (status word\n");
	printf("load) seeing completion;\n");
	printf("p99 over all samples; uexits and exits: to userspace and in all, per\n");
	printf("batch, less the ucall ending each phase; commands/s: invalidations and\n");
	printf("syncs (waits) all vCPUs completed, one batch in flight each; cpu-ns: host\n");
	printf("CPU time of the whole process per command (vCPU threads, guest time\n");
	printf("included, VMM threads, vqueue workers), other-ns: of its threads but the\n");
	printf("vCPUs'; passes i/w: vqueue passes per batch, inline on the ringing vCPU /\n");
	printf("in the worker.\n");
	printf("Paths run in a random order per run and batch size, seed %lu\n", seed);
	for (i = 0; i < NR_SCENARIOS; i++) {
		bench[i].scn = &scenarios[i];
		if (only && strcmp(only, scenarios[i].name)) {
			bench[i].skipped = true;
			continue;
		}
		run_scenario(&bench[i]);
		print_scenario(&bench[i]);
	}
	if (json)
		write_json(bench, json, seed);
	for (i = 0; i < NR_SCENARIOS; i++) {
		for (path = 0; path < NR_PATHS; path++)
			for (s = 0; s < NR_SIZES; s++)
				free(bench[i].cells[path][s].samples);
		for (s = 0; s < NR_PROBES; s++)
			free(bench[i].probes[s].samples);
	}
	return 0;
}
