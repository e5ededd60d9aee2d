// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU invalidation latency as a guest sees it, trap path against fast
 * path, measured side by side in one run.
 *
 * Each vCPU writes a batch of 1, 8 or 64 range TLBIs and a CMD_SYNC (CS=SEV)
 * into its own SMMUv3 command queue, stores PROD once and polls CONS until
 * it has passed the sync; the time from just before the PROD store to the
 * load that sees completion is one sample.  Every vCPU has, per path, its
 * own queue and register page, as with one ECMDQ or VCMDQ per CPU:
 *
 *  trap:    PROD and CONS are plain MMIO.  The VMM takes each KVM_EXIT_MMIO,
 *           reads the new entries from guest memory, passes the TLBIs to the
 *           mock nested HWPT with IOMMU_HWPT_INVALIDATE, completes the sync
 *           and answers CONS loads, as a VMM does today.  The emulation runs
 *           under one VMM-wide lock, as QEMU runs device MMIO under its big
 *           lock.
 *  fast:    a KVM ioregion over PROD and CONS and an iommufd vqueue.
 *  fast_ro: the same, with the register page also mapped read-only into the
 *           guest, so that CONS polls do not exit at all.
 *
 * The paths alternate phase by phase (for each batch size, each path in
 * turn) and the whole sequence repeats --runs times, so that a slow stretch
 * of the host hits all paths alike and the spread between runs shows.  The
 * sequence runs in several scenarios, each in a fresh VM: one vCPU with the
 * vqueue workers on another CPU, one vCPU with its worker pinned to the
 * vCPU's own CPU, and two vCPUs issuing concurrently.
 *
 * For every scenario, path and batch size it prints the median of the runs'
 * median latencies in TSC cycles with their range, the 99th percentile of
 * all samples, the exits to userspace and all exits per batch (from the
 * vCPUs' stats, less the ucall that ends each phase), the commands completed
 * per second, and the speed-up of each fast path over the trap path, run by
 * run.  --json FILE writes the same as JSON.
 *
 * The mock IOMMU does no real work: the numbers measure the path, not an
 * IOMMU.  A benchmark, not a test: it asserts only that the paths work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include <unistd.h>

#include <linux/iommufd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "../iommu/iommufd_vqueue_utils.h"

enum { PATH_TRAP, PATH_FAST, PATH_FAST_RO, NR_PATHS };

static const char * const path_name[NR_PATHS] = { "trap", "fast", "fast_ro" };

static const uint32_t batch_sizes[] = { 1, 8, 64 };
#define NR_SIZES		ARRAY_SIZE(batch_sizes)
/* Phases with this size index time single CONS loads instead of batches */
#define PROBE			NR_SIZES

#define MAX_VCPUS		2
#define MAX_REPS		2048
#define MAX_RUNS		16

/*
 * Guest data, mapped into the IOAS at IOVA == GPA: a queue page per vCPU
 * and path, each vCPU's phase start and end times, and each vCPU's samples.
 */
#define DATA_GPA		BIT_ULL(30)
#define DATA_SLOT		10
#define QUEUE_GPA(path, vcpu)	(DATA_GPA + ((vcpu) * NR_PATHS + (path)) * 0x1000)
#define TIMES_GPA		(DATA_GPA + MAX_VCPUS * NR_PATHS * 0x1000)
#define SAMPLES_GPA(vcpu)	(TIMES_GPA + 0x1000 + (vcpu) * MAX_REPS * 8)
#define DATA_PAGES		(MAX_VCPUS * NR_PATHS + 1 + MAX_VCPUS * MAX_REPS * 8 / 0x1000)

/*
 * A register page per path and vCPU.  Only fast_ro's have a memslot (one,
 * read-only, over all vCPUs' pages); the others exist only as MMIO.
 */
#define REGS_GPA(path, vcpu)	(BIT_ULL(32) + ((path) * MAX_VCPUS + (vcpu)) * 0x1000)
#define RO_SLOT			11
#define REG_PROD		SMMUV3_CMDQ_PROD_REG
#define REG_CONS		SMMUV3_CMDQ_CONS_REG

/* 256 entries: a batch of 64 TLBIs and a sync fits with room to spare */
#define Q_LOG2			8
#define Q_ENTRIES		((uint32_t)BIT(Q_LOG2))
#define Q_IDX_MASK		(Q_ENTRIES - 1)
#define Q_WRP_MASK		(2 * Q_ENTRIES - 1)

#define MOCK_SMMUV3		IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3

#define GUEST_TIMEOUT_S		10
#define WARMUP			20

enum { PHASE_START, PHASE_END };

struct bench_params {
	uint32_t reps;
	uint32_t runs;
	/* One more run of the fast paths, traced, kept out of the figures */
	uint32_t trace;
};

static struct bench_params params = { .reps = 500, .runs = 5 };

struct phase_times {
	uint64_t start;
	uint64_t end;
};

/* Guest state; lives in guest memory only, each vCPU uses its own row. */
static uint32_t guest_prod[MAX_VCPUS][NR_PATHS];

static uint64_t slot_gpa(int path, uint32_t vcpu, uint32_t idx)
{
	return QUEUE_GPA(path, vcpu) + (idx & Q_IDX_MASK) * 16;
}

/* One batch as Linux sends it for an unmap: range TLBIs, then a sync. */
static uint64_t guest_batch(int path, uint32_t vcpu, uint32_t n)
{
	uint32_t *prod_reg = (uint32_t *)(REGS_GPA(path, vcpu) + REG_PROD);
	uint32_t *cons_reg = (uint32_t *)(REGS_GPA(path, vcpu) + REG_CONS);
	uint32_t prod = guest_prod[vcpu][path];
	uint64_t *slot, t0, t1, end;
	struct test_smmuv3_cmd c;
	uint32_t i, cons;

	for (i = 0; i < n; i++) {
		slot = (uint64_t *)slot_gpa(path, vcpu, prod + i);
		/* ASID 1, SCALE=0 NUM=0: one page */
		c = test_smmuv3_tlbi_nh_va_range(1, (uint64_t)(prod + i) << 12,
						 0, 0);
		WRITE_ONCE(slot[0], c.w[0]);
		WRITE_ONCE(slot[1], c.w[1]);
	}
	slot = (uint64_t *)slot_gpa(path, vcpu, prod + n);
	c = test_smmuv3_sync(SMMUV3_SYNC_CS_SEV, 0, 0);
	WRITE_ONCE(slot[0], c.w[0]);
	WRITE_ONCE(slot[1], c.w[1]);
	prod = (prod + n + 1) & Q_WRP_MASK;
	guest_prod[vcpu][path] = prod;

	barrier();
	t0 = rdtsc();
	WRITE_ONCE(*prod_reg, prod);
	end = t0 + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
	for (;;) {
		cons = READ_ONCE(*cons_reg);
		t1 = rdtsc();
		if (cons == prod)
			break;
		__GUEST_ASSERT(t1 < end, "vCPU %u, %s: CONS stuck at %#x, PROD %#x",
			       vcpu, path == PATH_TRAP ? "trap" : "fast", cons,
			       prod);
		cpu_relax();
	}
	return t1 - t0;
}

/*
 * What one exit costs here: a CONS load is a userspace exit on the trap
 * path, an exit handled in the kernel on the fast path and no exit at all
 * with the read-only page.
 */
static uint64_t guest_probe(int path, uint32_t vcpu)
{
	uint32_t *cons_reg = (uint32_t *)(REGS_GPA(path, vcpu) + REG_CONS);
	uint64_t t0, t1;

	t0 = rdtsc();
	READ_ONCE(*cons_reg);
	t1 = rdtsc();
	return t1 - t0;
}

static void guest_phase(int path, uint32_t vcpu, uint32_t run, uint32_t s)
{
	struct phase_times *times = (struct phase_times *)TIMES_GPA + vcpu;
	uint64_t *samples = (uint64_t *)SAMPLES_GPA(vcpu);
	uint32_t i;

	for (i = 0; i < WARMUP; i++) {
		if (s == PROBE)
			guest_probe(path, vcpu);
		else
			guest_batch(path, vcpu, batch_sizes[s]);
	}
	/* ucall() takes its arguments as 64-bit varargs */
	GUEST_SYNC_ARGS((uint64_t)PHASE_START, (uint64_t)run, (uint64_t)s,
			(uint64_t)path, 0ULL);
	WRITE_ONCE(times->start, rdtsc());
	for (i = 0; i < params.reps; i++) {
		if (s == PROBE)
			samples[i] = guest_probe(path, vcpu);
		else
			samples[i] = guest_batch(path, vcpu, batch_sizes[s]);
	}
	WRITE_ONCE(times->end, rdtsc());
	GUEST_SYNC_ARGS((uint64_t)PHASE_END, (uint64_t)run, (uint64_t)s,
			(uint64_t)path, 0ULL);
}

static void guest_code(uint32_t vcpu)
{
	uint32_t run, s;
	int path;

	for (run = 0; run < params.runs; run++)
		for (s = 0; s <= PROBE; s++)
			for (path = 0; path < NR_PATHS; path++)
				guest_phase(path, vcpu, run, s);
	if (params.trace)
		for (s = 0; s < NR_SIZES; s++)
			for (path = PATH_FAST; path < NR_PATHS; path++)
				guest_phase(path, vcpu, params.runs, s);
	GUEST_DONE();
}

/* VMM side */

enum worker_cpu {
	/* Each worker pinned to a CPU that no vCPU of the scenario runs on */
	WORKER_OTHER_CPU,
	/* Each worker pinned to the CPU of the vCPU whose queue it serves */
	WORKER_SAME_CPU,
};

struct scenario {
	const char *name;
	const char *description;
	uint32_t nr_vcpus;
	enum worker_cpu worker;
	/* CPUs the scenario pins to; fewer online and it is skipped */
	uint32_t cpus_needed;
	/* Whether it adds the traced run */
	bool traced;
};

static const struct scenario scenarios[] = {
	{ "1vcpu", "1 vCPU on CPU 0, its vqueue workers on CPU 1",
	  1, WORKER_OTHER_CPU, 2, true },
	{ "1vcpu_same_cpu", "1 vCPU on CPU 0, its vqueue workers on CPU 0 too",
	  1, WORKER_SAME_CPU, 1 },
	{ "2vcpus", "2 vCPUs issuing concurrently on CPUs 0 and 1, each vCPU's workers on its CPU",
	  2, WORKER_SAME_CPU, 2 },
	{ "2vcpus_spare_cpu", "2 vCPUs issuing concurrently on CPUs 0 and 1, the workers on CPU 2",
	  2, WORKER_OTHER_CPU, 3 },
};

#define NR_SCENARIOS		ARRAY_SIZE(scenarios)

/* One path and batch size of one scenario, over all runs and vCPUs */
struct cell {
	uint64_t run_median[MAX_RUNS];
	double run_cmds_per_sec[MAX_RUNS];
	uint64_t *samples;
	uint32_t nr_samples;
	uint64_t user_exits;
	uint64_t exits;
	uint64_t batches;
};

struct exit_counts {
	uint64_t user;
	uint64_t all;
};

/* Medians of the traced run of one fast path and batch size, in cycles */
struct traced {
	uint32_t batches;
	uint64_t doorbell_to_worker;
	uint64_t worker_pass;
	uint64_t doorbell_to_completion;
};

struct bench {
	const struct scenario *scn;
	bool skipped;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	int iommufd;
	struct test_nest nest;
	void *regs[NR_PATHS][MAX_VCPUS];
	uint32_t vqueue_id[NR_PATHS][MAX_VCPUS];
	/* The trap path's emulated registers, under the VMM's big lock */
	pthread_mutex_t big_lock;
	uint32_t trap_prod[MAX_VCPUS];
	uint32_t trap_cons[MAX_VCPUS];
	pthread_barrier_t phase_barrier;
	/* Each vCPU's at its phase's start, and what the phase added */
	struct exit_counts start[MAX_VCPUS];
	struct exit_counts phase[MAX_VCPUS];
	struct cell cells[NR_PATHS][NR_SIZES + 1];
	bool traced;
	struct traced trace[NR_PATHS][NR_SIZES];
};

struct vcpu_thread_arg {
	struct bench *bn;
	uint32_t idx;
};

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

/* A vqueue over the vCPU's queue of @path, an ioregion over PROD and CONS. */
static void fast_path_setup(struct bench *bn, int path, uint32_t vcpu)
{
	struct iommu_vqueue_alloc alloc;
	struct test_vqueue_fds fds;
	struct kvm_ioregion r = {
		.guest_phys_addr = REGS_GPA(path, vcpu) + REG_PROD,
		.size = 8,
		.userspace_addr = (uintptr_t)bn->regs[path][vcpu] + REG_PROD,
		.flags = KVM_IOREGION_DOORBELL,
		.doorbell_size = 4,
	};

	TEST_ASSERT(!test_vqueue_fds_open(&fds, false), "eventfd: %s",
		    strerror(errno));
	alloc = test_vqueue_smmuv3(bn->nest.nested_id, QUEUE_GPA(path, vcpu),
				   Q_LOG2, bn->regs[path][vcpu], &fds);
	TEST_ASSERT(!_test_cmd_vqueue_alloc(bn->iommufd, &alloc,
					    &bn->vqueue_id[path][vcpu]),
		    "VQUEUE_ALLOC: %s", strerror(errno));
	r.doorbell_fd = fds.doorbell;
	vm_ioctl(bn->vm, KVM_SET_IOREGION, &r);
	/* The vqueue and the ioregion hold their own references */
	test_vqueue_fds_close(&fds);
}

static void pin_to_cpu(pid_t tid, uint32_t cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(tid, sizeof(set), &set),
		    "pinning task %d to CPU %u: %s", tid, cpu, strerror(errno));
}

/* The worker kthread of a vqueue, found by the name it is created with. */
static pid_t vqueue_worker(uint32_t vqueue_id)
{
	char want[32], comm[32], file[300];
	struct dirent *de;
	pid_t pid = 0;
	DIR *proc;
	FILE *f;

	snprintf(want, sizeof(want), "iommufd-vq/%u\n", vqueue_id);
	proc = opendir("/proc");
	TEST_ASSERT(proc, "/proc: %s", strerror(errno));
	while (!pid && (de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(file, sizeof(file), "/proc/%s/comm", de->d_name);
		f = fopen(file, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			pid = atoi(de->d_name);
		fclose(f);
	}
	closedir(proc);
	TEST_ASSERT(pid, "no worker thread for vqueue %u", vqueue_id);
	return pid;
}

static uint32_t worker_cpu(struct bench *bn, uint32_t vcpu)
{
	if (bn->scn->worker == WORKER_SAME_CPU)
		return vcpu;
	return bn->scn->nr_vcpus;
}

/* IOMMU_HWPT_INVALIDATE of @*num commands on the mock nested HWPT */
static int invalidate(struct bench *bn,
		      struct iommu_hwpt_invalidate_selftest_smmuv3 *cmds,
		      uint32_t *num)
{
	return _test_cmd_hwpt_invalidate_array(bn->iommufd, bn->nest.nested_id,
					       MOCK_SMMUV3, cmds,
					       sizeof(*cmds), num);
}

/* Today's VMM: consume the vCPU's queue on its PROD write, synchronously. */
static void trap_consume(struct bench *bn, uint32_t vcpu)
{
	struct iommu_hwpt_invalidate_selftest_smmuv3 cmds[Q_ENTRIES];
	uint64_t *ring = addr_gpa2hva(bn->vm, QUEUE_GPA(PATH_TRAP, vcpu));
	uint32_t cons = bn->trap_cons[vcpu], n = 0, done;
	int rc;
	uint64_t w0, w1;

	while (cons != bn->trap_prod[vcpu]) {
		w0 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2]);
		w1 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2 + 1]);
		cons = (cons + 1) & Q_WRP_MASK;
		if (test_smmuv3_opcode(w0) == SMMUV3_CMD_SYNC) {
			/* Everything before the sync reaches the IOMMU first */
			if (n) {
				done = n;
				rc = invalidate(bn, cmds, &done);
				TEST_ASSERT(!rc, "HWPT_INVALIDATE: %s",
					    strerror(errno));
				TEST_ASSERT_EQ(done, n);
				n = 0;
			}
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
	bn->trap_cons[vcpu] = cons;
}

static void trap_mmio(struct bench *bn, struct kvm_vcpu *vcpu, uint32_t idx)
{
	struct kvm_run *run = vcpu->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t val;

	TEST_ASSERT(run->mmio.len == 4, "MMIO of %u bytes at %#llx",
		    run->mmio.len, run->mmio.phys_addr);
	pthread_mutex_lock(&bn->big_lock);
	if (gpa == REGS_GPA(PATH_TRAP, idx) + REG_PROD && run->mmio.is_write) {
		memcpy(&val, run->mmio.data, 4);
		bn->trap_prod[idx] = val & Q_WRP_MASK;
		trap_consume(bn, idx);
	} else if (gpa == REGS_GPA(PATH_TRAP, idx) + REG_CONS &&
		   !run->mmio.is_write) {
		memcpy(run->mmio.data, &bn->trap_cons[idx], 4);
	} else {
		TEST_FAIL("vCPU %u: unexpected MMIO %s at %#lx", idx,
			  run->mmio.is_write ? "store" : "load", gpa);
	}
	pthread_mutex_unlock(&bn->big_lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median_u64(uint64_t *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static double median_double(double *v, uint32_t n)
{
	double t;
	uint32_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void read_exits(struct kvm_vcpu *vcpu, struct exit_counts *c)
{
	c->user = vcpu_get_stat(vcpu, "mmio_exits") +
		  vcpu_get_stat(vcpu, "io_exits");
	c->all = vcpu_get_stat(vcpu, "exits");
}

/* After a phase: every vCPU's samples, times and exits into the cell. */
static void record(struct bench *bn, uint32_t run, uint32_t s, int path)
{
	struct phase_times *times = addr_gpa2hva(bn->vm, TIMES_GPA);
	struct cell *c = &bn->cells[path][s];
	uint32_t n = params.reps, nr = bn->scn->nr_vcpus, v;
	uint64_t first = UINT64_MAX, last = 0, *this_run;

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
	}
	c->batches += (uint64_t)n * nr;
	c->run_median[run] = median_u64(this_run, n * nr);
	/* A probe phase's "commands" are its loads */
	c->run_cmds_per_sec[run] = last > first ?
		(double)(s == PROBE ? 1 : batch_sizes[s] + 1) * n * nr *
		1000.0 * guest_tsc_khz / (last - first) : 0;
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
 * Pair each doorbell of @path's vqueue with the worker pass it woke and the
 * CONS publish that ended it.  The doorbell event fires in the vCPU thread,
 * inside the ioregion store, so doorbell to worker is the wake-up alone.
 */
static void trace_end(struct bench *bn, uint32_t s, int path)
{
	uint32_t id = bn->vqueue_id[path][0], n = 0, vq;
	double t, doorbell = -1, run = -1;
	uint64_t *wake, *pass, *batch;
	struct traced *tr = &bn->trace[path][s];
	double cycles_per_sec = guest_tsc_khz * 1000.0;
	char *line = NULL, *ev, *ts;
	size_t len = 0;
	FILE *f;

	TEST_ASSERT(tracefs_write("tracing_on", "0") &&
		    tracefs_write("events/iommufd_vqueue/enable", "0"),
		    "stopping the trace: %s", strerror(errno));
	wake = calloc(params.reps, sizeof(*wake));
	pass = calloc(params.reps, sizeof(*pass));
	batch = malloc(params.reps * sizeof(*batch));
	TEST_ASSERT(wake && pass && batch, "out of memory");
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
			run = -1;
		} else if (strstr(ev, "iommufd_vqueue_pass:") == ev &&
			   doorbell >= 0 && run < 0) {
			run = t;
		} else if (strstr(ev, "iommufd_vqueue_publish:") == ev &&
			   run >= 0) {
			wake[n] = (run - doorbell) * cycles_per_sec;
			pass[n] = (t - run) * cycles_per_sec;
			n++;
			doorbell = -1;
			run = -1;
		}
	}
	free(line);
	fclose(f);

	memcpy(batch, addr_gpa2hva(bn->vm, SAMPLES_GPA(0)),
	       params.reps * sizeof(*batch));
	tr->batches = n;
	tr->doorbell_to_completion = median_u64(batch, params.reps);
	if (n) {
		tr->doorbell_to_worker = median_u64(wake, n);
		tr->worker_pass = median_u64(pass, n);
	}
	free(wake);
	free(pass);
	free(batch);
}

static void *vcpu_thread(void *data)
{
	struct vcpu_thread_arg *arg = data;
	struct bench *bn = arg->bn;
	struct kvm_vcpu *vcpu = bn->vcpus[arg->idx];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct exit_counts now;
	struct ucall uc, last = {};
	int path;

	pin_to_cpu(0, arg->idx);
	for (path = PATH_FAST; path < NR_PATHS; path++)
		pin_to_cpu(vqueue_worker(bn->vqueue_id[path][arg->idx]),
			   worker_cpu(bn, arg->idx));

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO) {
			trap_mmio(bn, vcpu, arg->idx);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			last = uc;
			if (uc.args[2] == params.runs) {
				/* The traced run: a single vCPU */
				if (uc.args[1] == PHASE_START)
					trace_begin();
				else
					trace_end(bn, uc.args[3], uc.args[4]);
				break;
			}
			if (uc.args[1] == PHASE_START) {
				read_exits(vcpu, &bn->start[arg->idx]);
				pthread_barrier_wait(&bn->phase_barrier);
				break;
			}
			read_exits(vcpu, &now);
			bn->phase[arg->idx].user = now.user - bn->start[arg->idx].user;
			bn->phase[arg->idx].all = now.all - bn->start[arg->idx].all;
			/*
			 * One thread records, the others go on to warm up; the
			 * next phase's start barrier waits for the recording.
			 */
			if (pthread_barrier_wait(&bn->phase_barrier) ==
			    PTHREAD_BARRIER_SERIAL_THREAD)
				record(bn, uc.args[2], uc.args[3], uc.args[4]);
			break;
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			vcpu_regs_get(vcpu, &regs);
			vcpu_sregs_get(vcpu, &sregs);
			pr_info("vCPU %u: RIP %#llx, RSP %#llx, CR2 %#llx\n",
				arg->idx, regs.rip, regs.rsp, sregs.cr2);
			TEST_FAIL("vCPU %u: unexpected exit %s after run %lu, size %lu, path %lu",
				  arg->idx,
				  exit_reason_str(vcpu->run->exit_reason),
				  last.args[2], last.args[3], last.args[4]);
		}
	}
}

static void run_scenario(struct bench *bn)
{
	struct vcpu_thread_arg args[MAX_VCPUS];
	pthread_t threads[MAX_VCPUS];
	uint32_t nr = bn->scn->nr_vcpus, v, s;
	int path;

	if (sysconf(_SC_NPROCESSORS_ONLN) < bn->scn->cpus_needed) {
		bn->skipped = true;
		return;
	}

	bn->vm = vm_create_with_vcpus(nr, guest_code, bn->vcpus);
	vm_userspace_mem_region_add(bn->vm, VM_MEM_SRC_ANONYMOUS, DATA_GPA,
				    DATA_SLOT, DATA_PAGES, 0);
	virt_map(bn->vm, DATA_GPA, DATA_GPA, DATA_PAGES);
	memset(addr_gpa2hva(bn->vm, DATA_GPA), 0,
	       DATA_PAGES * bn->vm->page_size);

	/* trap: no memslot, no ioregion; fast_ro: a read-only memslot */
	vm_userspace_mem_region_add(bn->vm, VM_MEM_SRC_ANONYMOUS,
				    REGS_GPA(PATH_FAST_RO, 0), RO_SLOT,
				    MAX_VCPUS, KVM_MEM_READONLY);
	for (v = 0; v < nr; v++) {
		bn->regs[PATH_FAST_RO][v] =
			addr_gpa2hva(bn->vm, REGS_GPA(PATH_FAST_RO, v));
		bn->regs[PATH_FAST][v] = mmap(NULL, getpagesize(),
					      PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS,
					      -1, 0);
		TEST_ASSERT(bn->regs[PATH_FAST][v] != MAP_FAILED, "mmap: %s",
			    strerror(errno));
		for (path = 0; path < NR_PATHS; path++) {
			virt_map(bn->vm, REGS_GPA(path, v), REGS_GPA(path, v), 1);
			if (bn->regs[path][v])
				memset(bn->regs[path][v], 0, bn->vm->page_size);
		}
	}

	iommu_setup(bn);
	for (v = 0; v < nr; v++) {
		fast_path_setup(bn, PATH_FAST, v);
		fast_path_setup(bn, PATH_FAST_RO, v);
	}
	bn->traced = bn->scn->traced && nr == 1 && trace_available();
	params.trace = bn->traced;
	sync_global_to_guest(bn->vm, params);

	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s <= PROBE; s++) {
			bn->cells[path][s].samples =
				calloc((size_t)params.runs * nr * params.reps,
				       sizeof(uint64_t));
			TEST_ASSERT(bn->cells[path][s].samples, "out of memory");
		}
	}

	pthread_mutex_init(&bn->big_lock, NULL);
	pthread_barrier_init(&bn->phase_barrier, NULL, nr);
	for (v = 0; v < nr; v++) {
		args[v] = (struct vcpu_thread_arg){ .bn = bn, .idx = v };
		vcpu_args_set(bn->vcpus[v], 1, v);
		pthread_create(&threads[v], NULL, vcpu_thread, &args[v]);
	}
	for (v = 0; v < nr; v++)
		pthread_join(threads[v], NULL);
	pthread_barrier_destroy(&bn->phase_barrier);
	pthread_mutex_destroy(&bn->big_lock);

	close(bn->iommufd);
	kvm_vm_free(bn->vm);
	for (v = 0; v < nr; v++)
		munmap(bn->regs[PATH_FAST][v], getpagesize());
}

struct summary {
	uint64_t median;
	uint64_t median_min;
	uint64_t median_max;
	uint64_t p99;
	double user_exits;
	double exits;
	double cmds_per_sec;
};

static void summarize(struct cell *c, struct summary *sum)
{
	uint64_t medians[MAX_RUNS];
	double cps[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		TEST_ASSERT(c->run_median[r], "run %u has no samples", r);
	memcpy(medians, c->run_median, sizeof(medians));
	memcpy(cps, c->run_cmds_per_sec, sizeof(cps));
	sum->median = median_u64(medians, params.runs);
	sum->median_min = medians[0];
	sum->median_max = medians[params.runs - 1];
	sum->cmds_per_sec = median_double(cps, params.runs);
	qsort(c->samples, c->nr_samples, sizeof(*c->samples), cmp_u64);
	sum->p99 = c->samples[(uint64_t)c->nr_samples * 99 / 100];
	sum->user_exits = (double)c->user_exits / c->batches;
	sum->exits = (double)c->exits / c->batches;
}

struct speedup {
	double median;
	double min;
	double max;
};

/* Trap over fast path, each run's pair of medians measured side by side */
static void speedup(struct bench *bn, int path, uint32_t s, struct speedup *sp)
{
	double v[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		v[r] = (double)bn->cells[PATH_TRAP][s].run_median[r] /
		       bn->cells[path][s].run_median[r];
	sp->median = median_double(v, params.runs);
	sp->min = v[0];
	sp->max = v[params.runs - 1];
}

/* Median over runs of the trap CONS load's cost over the fast path's */
static double probe_ratio(struct bench *bn)
{
	double v[MAX_RUNS];
	uint32_t r;

	for (r = 0; r < params.runs; r++)
		v[r] = (double)bn->cells[PATH_TRAP][PROBE].run_median[r] /
		       bn->cells[PATH_FAST][PROBE].run_median[r];
	return median_double(v, params.runs);
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
	printf("traced run of the fast paths (one more run, not in the figures above),\n");
	printf("medians in cycles: doorbell to completion as the guest saw it = doorbell to\n");
	printf("worker running + worker pass to CONS published + the rest (the exit\n");
	printf("around the doorbell store, the guest seeing CONS):\n");
	for (path = PATH_FAST; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			tr = &bn->trace[path][s];
			printf("  %-7s batch %2u: %9lu = %9lu + %9lu + rest (%u batches traced)\n",
			       path_name[path], batch_sizes[s],
			       tr->doorbell_to_completion,
			       tr->doorbell_to_worker, tr->worker_pass,
			       tr->batches);
		}
	}
}

static void print_scenario(struct bench *bn)
{
	struct summary sum;
	struct speedup sp;
	uint32_t s;
	int path;

	printf("\n== %s: %s; %u runs of %u batches per vCPU\n", bn->scn->name,
	       bn->scn->description, params.runs, params.reps);
	if (bn->skipped) {
		printf("skipped: needs %u CPUs\n", bn->scn->cpus_needed);
		return;
	}
	printf("%-8s %5s %10s %23s %10s %6s %6s %11s\n", "path", "batch",
	       "median", "run medians min-max", "p99", "uexits", "exits",
	       "commands/s");
	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			summarize(&bn->cells[path][s], &sum);
			printf("%-8s %5u %10lu %11lu-%-11lu %10lu %6.2f %6.2f %11.0f\n",
			       path_name[path], batch_sizes[s], sum.median,
			       sum.median_min, sum.median_max, sum.p99,
			       sum.user_exits, sum.exits, sum.cmds_per_sec);
		}
	}
	for (path = PATH_FAST; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			speedup(bn, path, s, &sp);
			printf("speed-up of %-7s over trap, batch %2u: %5.2fx (runs %.2f-%.2f)\n",
			       path_name[path], batch_sizes[s], sp.median,
			       sp.min, sp.max);
		}
	}
	printf("one CONS load alone (what an exit costs here):\n");
	for (path = 0; path < NR_PATHS; path++) {
		summarize(&bn->cells[path][PROBE], &sum);
		printf("  %-8s %10lu cycles (runs %lu-%lu), ",
		       path_name[path], sum.median, sum.median_min,
		       sum.median_max);
		printf("%.2f exits to userspace, %.2f exits in all\n",
		       sum.user_exits, sum.exits);
	}
	printf("  userspace exit / exit handled in the kernel: %.2fx\n",
	       probe_ratio(bn));
	print_traced(bn);
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

static void json_scenario(FILE *f, struct bench *bn)
{
	const char *sep = "";
	struct summary sum;
	struct speedup sp;
	struct traced *tr;
	uint32_t s, n;
	int path;

	fprintf(f, "\n    { ");
	json_member(f, &sep, "name", "\"%s\"", bn->scn->name);
	json_member(f, &sep, "description", "\"%s\"", bn->scn->description);
	json_member(f, &sep, "vcpus", "%u", bn->scn->nr_vcpus);
	json_member(f, &sep, "user_over_kernel_exit", "%.4f", probe_ratio(bn));

	json_member(f, &sep, "results", "[");
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
			fprintf(f, " }");
		}
	}
	fprintf(f, "\n      ]");

	sep = ", ";
	json_member(f, &sep, "speedups", "[");
	for (n = 0, path = PATH_FAST; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++, n++) {
			speedup(bn, path, s, &sp);
			sep = json_item(f, n);
			json_member(f, &sep, "path", "\"%s\"", path_name[path]);
			json_member(f, &sep, "batch", "%u", batch_sizes[s]);
			json_member(f, &sep, "speedup", "%.4f", sp.median);
			json_member(f, &sep, "speedup_min", "%.4f", sp.min);
			json_member(f, &sep, "speedup_max", "%.4f", sp.max);
			fprintf(f, " }");
		}
	}
	fprintf(f, "\n      ]");

	sep = ", ";
	json_member(f, &sep, "cons_load", "[");
	for (path = 0; path < NR_PATHS; path++) {
		summarize(&bn->cells[path][PROBE], &sum);
		sep = json_item(f, path);
		json_member(f, &sep, "path", "\"%s\"", path_name[path]);
		json_member(f, &sep, "median_cycles", "%lu", sum.median);
		json_member(f, &sep, "median_cycles_min", "%lu", sum.median_min);
		json_member(f, &sep, "median_cycles_max", "%lu", sum.median_max);
		json_member(f, &sep, "user_exits_per_load", "%.3f",
			    sum.user_exits);
		json_member(f, &sep, "exits_per_load", "%.3f", sum.exits);
		fprintf(f, " }");
	}
	fprintf(f, "\n      ]");

	sep = ", ";
	json_member(f, &sep, "traced", "[");
	for (n = 0, path = PATH_FAST; path < NR_PATHS && bn->traced; path++) {
		for (s = 0; s < NR_SIZES; s++, n++) {
			tr = &bn->trace[path][s];
			sep = json_item(f, n);
			json_member(f, &sep, "path", "\"%s\"", path_name[path]);
			json_member(f, &sep, "batch", "%u", batch_sizes[s]);
			json_member(f, &sep, "batches", "%u", tr->batches);
			json_member(f, &sep, "doorbell_to_completion_cycles",
				    "%lu", tr->doorbell_to_completion);
			json_member(f, &sep, "doorbell_to_worker_cycles", "%lu",
				    tr->doorbell_to_worker);
			json_member(f, &sep, "worker_pass_cycles", "%lu",
				    tr->worker_pass);
			fprintf(f, " }");
		}
	}
	fprintf(f, "\n      ] }");
}

static void write_json(struct bench *bn, const char *file)
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

	printf("usage: %s [--json FILE] [--reps N] [--runs N] [--scenario NAME]\n",
	       name);
	printf("  --json FILE  also write the results as JSON to FILE\n");
	printf("  --reps N     batches per vCPU, path, size and run (1..%d, default %u)\n",
	       MAX_REPS, params.reps);
	printf("  --runs N     times the whole sequence runs (1..%d, default %u)\n",
	       MAX_RUNS, params.runs);
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
		{ "scenario", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static struct bench bench[NR_SCENARIOS];
	const char *json = NULL, *only = NULL;
	int opt, val, path;
	uint32_t i, s;

	while ((opt = getopt_long(argc, argv, "j:r:n:s:h", opts, NULL)) != -1) {
		val = optarg ? atoi(optarg) : 0;
		switch (opt) {
		case 'j':
			json = optarg;
			continue;
		case 's':
			only = optarg;
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

	/* The feature it measures: its absence is a failure, not a skip */
	TEST_ASSERT(kvm_has_cap(KVM_CAP_IOREGION), "no KVM_CAP_IOREGION");
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_READONLY_MEM));

	printf("The guest runs under QEMU TCG: absolute cycle counts mean little;\n");
	printf("exit counts and the ratios measured side by side are the figures.\n");
	printf("median: of the runs' medians, guest TSC cycles from the PROD store to\n");
	printf("the CONS load seeing completion; p99 over all samples; uexits and exits:\n");
	printf("to userspace and in all, per batch, less the ucall ending each phase;\n");
	printf("commands/s: TLBIs and syncs all vCPUs completed, one batch in flight each\n");
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
		write_json(bench, json);
	for (i = 0; i < NR_SCENARIOS; i++)
		for (path = 0; path < NR_PATHS; path++)
			for (s = 0; s <= PROBE; s++)
				free(bench[i].cells[path][s].samples);
	return 0;
}
