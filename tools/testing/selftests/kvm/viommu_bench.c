// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU invalidation latency as a guest sees it, trap path against fast
 * path, in one run.
 *
 * The guest writes a batch of 1, 8 or 64 range TLBIs and a CMD_SYNC (CS=SEV)
 * into an SMMUv3 command queue, stores PROD once and polls CONS until it has
 * passed the sync; the time from just before the PROD store to the load that
 * sees completion is one sample.  Three emulated SMMUs, each with its own
 * queue and register page, are driven in turn:
 *
 *  trap:    PROD and CONS are plain MMIO.  The VMM takes each KVM_EXIT_MMIO,
 *           reads the new entries from guest memory, passes the TLBIs to the
 *           mock nested HWPT with IOMMU_HWPT_INVALIDATE, completes the sync
 *           and answers CONS loads, as a VMM does today.
 *  fast:    a KVM ioregion over PROD and CONS and an iommufd vqueue.
 *  fast_ro: the same, with the register page also mapped read-only into the
 *           guest, so that CONS polls do not exit at all.
 *
 * For every path and batch size it prints the median and 99th percentile in
 * TSC cycles, the exits to userspace and all exits per batch (from the
 * vCPU's stats, less the ucall that ends the phase), and the fast/trap
 * ratios of the medians; --json FILE writes the same as JSON.
 *
 * The mock IOMMU does no real work: the numbers measure the path, not an
 * IOMMU.  A benchmark, not a test: it asserts only that the paths work.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
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

/* tools/include's linux/types.h, first in the path, lacks it */
#ifndef __aligned_le64
#define __aligned_le64 __le64 __aligned(8)
#endif
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

enum { PATH_TRAP, PATH_FAST, PATH_FAST_RO, NR_PATHS };

static const char * const path_name[NR_PATHS] = { "trap", "fast", "fast_ro" };

static const uint32_t batch_sizes[] = { 1, 8, 64 };
#define NR_SIZES		ARRAY_SIZE(batch_sizes)

/* Queues and the guest's samples, mapped into the IOAS at IOVA == GPA */
#define DATA_GPA		BIT_ULL(30)
#define DATA_SLOT		10
#define DATA_PAGES		16
#define QUEUE_GPA(path)		(DATA_GPA + (path) * 0x1000)
#define SAMPLES_GPA		(DATA_GPA + 0x8000)
#define MAX_REPS		4096

/* One register page per path; only fast_ro has a (read-only) memslot */
#define REGS_GPA(path)		(BIT_ULL(32) + (path) * 0x1000)
#define RO_SLOT			11
#define REG_PROD		0x98
#define REG_CONS		0x9c

/* 256 entries: a batch of 64 TLBIs and a sync fits with room to spare */
#define Q_LOG2			8
#define Q_ENTRIES		((uint32_t)BIT(Q_LOG2))
#define Q_IDX_MASK		(Q_ENTRIES - 1)
#define Q_WRP_MASK		(2 * Q_ENTRIES - 1)
#define Q_BASE_RA		BIT_ULL(62)

#define OP_TLBI_NH_ALL		0x10
#define OP_TLBI_NH_VA		0x12
#define OP_TLBI_NSNH_ALL	0x30
#define OP_SYNC			0x46
#define SYNC_SEV		0x0fc02046ULL

#define GUEST_TIMEOUT_S		10
#define WARMUP			20

struct bench_params {
	uint32_t reps;
};

static struct bench_params params = { .reps = 500 };

/* Guest state; lives in guest memory only. */
static uint32_t guest_prod[NR_PATHS];

static uint64_t slot_gpa(int path, uint32_t idx)
{
	return QUEUE_GPA(path) + (idx & Q_IDX_MASK) * 16;
}

/* One batch as Linux sends it for an unmap: range TLBIs, then a sync. */
static uint64_t guest_batch(int path, uint32_t n)
{
	uint32_t *prod_reg = (uint32_t *)(REGS_GPA(path) + REG_PROD);
	uint32_t *cons_reg = (uint32_t *)(REGS_GPA(path) + REG_CONS);
	uint32_t prod = guest_prod[path];
	uint64_t *slot, t0, t1, end;
	uint32_t i, cons;

	for (i = 0; i < n; i++) {
		slot = (uint64_t *)slot_gpa(path, prod + i);
		/* ASID 1, TG=4K, TTL=3, leaf, SCALE=0 NUM=0: one page */
		WRITE_ONCE(slot[0], OP_TLBI_NH_VA | 1ULL << 48);
		WRITE_ONCE(slot[1], (uint64_t)(prod + i) << 12 | 1ULL << 10 |
				    3ULL << 8 | 1);
	}
	slot = (uint64_t *)slot_gpa(path, prod + n);
	WRITE_ONCE(slot[0], SYNC_SEV);
	WRITE_ONCE(slot[1], 0);
	prod = (prod + n + 1) & Q_WRP_MASK;
	guest_prod[path] = prod;

	barrier();
	t0 = rdtsc();
	WRITE_ONCE(*prod_reg, prod);
	end = t0 + guest_tsc_khz * 1000ULL * GUEST_TIMEOUT_S;
	for (;;) {
		cons = READ_ONCE(*cons_reg);
		t1 = rdtsc();
		if (cons == prod)
			break;
		__GUEST_ASSERT(t1 < end, "%s: CONS stuck at %#x, PROD %#x",
			       path == PATH_TRAP ? "trap" : "fast", cons, prod);
		cpu_relax();
	}
	return t1 - t0;
}

static void guest_code(void)
{
	uint64_t *samples = (uint64_t *)SAMPLES_GPA;
	uint32_t i, s;
	int path;

	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			for (i = 0; i < WARMUP; i++)
				guest_batch(path, batch_sizes[s]);
			/* ucall() takes its arguments as 64-bit varargs */
			GUEST_SYNC_ARGS((uint64_t)path, (uint64_t)s, 0ULL, 0ULL, 0ULL);
			for (i = 0; i < params.reps; i++)
				samples[i] = guest_batch(path, batch_sizes[s]);
			GUEST_SYNC_ARGS((uint64_t)path, (uint64_t)s, 1ULL, 0ULL, 0ULL);
		}
	}
	GUEST_DONE();
}

/* VMM side */

struct result {
	uint64_t median;
	uint64_t p99;
	double user_exits;
	double exits;
	/* With one batch in flight: the batch and its sync over the median */
	double cmds_per_sec;
};

struct bench {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int iommufd;
	uint32_t ioas_id;
	uint32_t nested_id;
	void *regs[NR_PATHS];
	/* The trap path's emulated registers */
	uint32_t trap_prod;
	uint32_t trap_cons;
	struct result res[NR_PATHS][NR_SIZES];
};

static int iommu_ioctl(struct bench *bn, unsigned long req, void *arg)
{
	return ioctl(bn->iommufd, req, arg);
}

static uint32_t hwpt_alloc(struct bench *bn, uint32_t dev_id, uint32_t pt_id,
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

	TEST_ASSERT(!iommu_ioctl(bn, IOMMU_HWPT_ALLOC, &cmd),
		    "HWPT_ALLOC: %s", strerror(errno));
	return cmd.out_hwpt_id;
}

static void iommu_setup(struct bench *bn)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = DATA_PAGES * bn->vm->page_size,
		.iova = DATA_GPA,
	};
	uint32_t idev_id, parent_id;

	bn->iommufd = open("/dev/iommu", O_RDWR);
	__TEST_REQUIRE(bn->iommufd >= 0, "no /dev/iommu");
	TEST_ASSERT(!iommu_ioctl(bn, IOMMU_IOAS_ALLOC, &ioas),
		    "IOAS_ALLOC: %s", strerror(errno));
	bn->ioas_id = ioas.out_ioas_id;

	map.ioas_id = bn->ioas_id;
	map.user_va = (uintptr_t)addr_gpa2hva(bn->vm, DATA_GPA);
	TEST_ASSERT(!iommu_ioctl(bn, IOMMU_IOAS_MAP, &map),
		    "IOAS_MAP: %s", strerror(errno));

	mock.id = bn->ioas_id;
	__TEST_REQUIRE(!iommu_ioctl(bn, IOMMU_TEST_CMD, &mock),
		       "no CONFIG_IOMMUFD_TEST mock");
	idev_id = mock.mock_domain.out_idev_id;
	parent_id = hwpt_alloc(bn, idev_id, bn->ioas_id,
			       IOMMU_HWPT_ALLOC_NEST_PARENT,
			       IOMMU_HWPT_DATA_NONE, NULL, 0);
	bn->nested_id = hwpt_alloc(bn, idev_id, parent_id, 0,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
}

/* A vqueue over @path's queue, and an ioregion over its PROD and CONS. */
static void fast_path_setup(struct bench *bn, int path)
{
	int doorbell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct iommu_vqueue_alloc alloc = {
		.size = sizeof(alloc),
		.hwpt_id = bn->nested_id,
		.format = IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3,
		.max_log2_entries = Q_LOG2,
		.base = Q_BASE_RA | QUEUE_GPA(path) | Q_LOG2,
		.regs_uptr = (uintptr_t)bn->regs[path],
		.prod_offset = REG_PROD,
		.cons_offset = REG_CONS,
		.doorbell_fd = doorbell,
		.event_fd = event,
		.irq_fd = -1,
	};
	struct kvm_ioregion r = {
		.guest_phys_addr = REGS_GPA(path) + REG_PROD,
		.size = 8,
		.userspace_addr = (uintptr_t)bn->regs[path] + REG_PROD,
		.doorbell_size = 4,
		.doorbell_fd = doorbell,
	};

	TEST_ASSERT(doorbell >= 0 && event >= 0, "eventfd: %s",
		    strerror(errno));
	TEST_ASSERT(!iommu_ioctl(bn, IOMMU_VQUEUE_ALLOC, &alloc),
		    "VQUEUE_ALLOC: %s", strerror(errno));
	vm_ioctl(bn->vm, KVM_SET_IOREGION, &r);
}

/* Today's VMM: consume the queue on the PROD write, synchronously. */
static void trap_consume(struct bench *bn)
{
	struct iommu_hwpt_invalidate_selftest_smmuv3 cmds[Q_ENTRIES];
	uint64_t *ring = addr_gpa2hva(bn->vm, QUEUE_GPA(PATH_TRAP));
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.hwpt_id = bn->nested_id,
		.data_uptr = (uintptr_t)cmds,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_SMMUV3,
		.entry_len = sizeof(cmds[0]),
	};
	uint32_t cons = bn->trap_cons, n = 0;
	uint64_t w0, w1;

	while (cons != bn->trap_prod) {
		w0 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2]);
		w1 = READ_ONCE(ring[(cons & Q_IDX_MASK) * 2 + 1]);
		cons = (cons + 1) & Q_WRP_MASK;
		if ((w0 & 0xff) == OP_SYNC) {
			/* Everything before the sync reaches the IOMMU first */
			if (n) {
				inv.entry_num = n;
				TEST_ASSERT(!iommu_ioctl(bn, IOMMU_HWPT_INVALIDATE,
							 &inv),
					    "HWPT_INVALIDATE: %s",
					    strerror(errno));
				TEST_ASSERT_EQ(inv.entry_num, n);
				n = 0;
			}
			continue;
		}
		if ((w0 & 0xff) == OP_TLBI_NSNH_ALL)
			w0 = OP_TLBI_NH_ALL;
		cmds[n].cmd[0] = w0;
		cmds[n].cmd[1] = w1;
		n++;
	}
	/* The guest sends nothing without a sync after it */
	TEST_ASSERT_EQ(n, 0);
	bn->trap_cons = cons;
}

static void trap_mmio(struct bench *bn)
{
	struct kvm_run *run = bn->vcpu->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t val;

	TEST_ASSERT(run->mmio.len == 4, "MMIO of %u bytes at %#llx",
		    run->mmio.len, run->mmio.phys_addr);
	if (gpa == REGS_GPA(PATH_TRAP) + REG_PROD && run->mmio.is_write) {
		memcpy(&val, run->mmio.data, 4);
		bn->trap_prod = val & Q_WRP_MASK;
		trap_consume(bn);
	} else if (gpa == REGS_GPA(PATH_TRAP) + REG_CONS &&
		   !run->mmio.is_write) {
		memcpy(run->mmio.data, &bn->trap_cons, 4);
	} else {
		TEST_FAIL("unexpected MMIO %s at %#lx",
			  run->mmio.is_write ? "store" : "load", gpa);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct exit_counts {
	uint64_t user;
	uint64_t all;
};

static void read_exits(struct bench *bn, struct exit_counts *c)
{
	c->user = vcpu_get_stat(bn->vcpu, "mmio_exits") +
		  vcpu_get_stat(bn->vcpu, "io_exits");
	c->all = vcpu_get_stat(bn->vcpu, "exits");
}

static void record(struct bench *bn, int path, uint32_t s,
		   const struct exit_counts *before)
{
	uint64_t *samples = addr_gpa2hva(bn->vm, SAMPLES_GPA);
	struct result *r = &bn->res[path][s];
	uint32_t n = params.reps;
	struct exit_counts now;

	read_exits(bn, &now);
	qsort(samples, n, sizeof(*samples), cmp_u64);
	r->median = samples[n / 2];
	r->p99 = samples[(uint64_t)n * 99 / 100];
	r->cmds_per_sec = r->median ? (batch_sizes[s] + 1) * 1000.0 *
				      guest_tsc_khz / r->median : 0;
	/* The phase ends with one ucall, a port I/O exit: not the path's */
	r->user_exits = (double)(now.user - before->user - 1) / n;
	r->exits = (double)(now.all - before->all - 1) / n;
}

static void run_guest(struct bench *bn)
{
	struct exit_counts before = {};
	struct ucall uc;

	for (;;) {
		vcpu_run(bn->vcpu);
		if (bn->vcpu->run->exit_reason == KVM_EXIT_MMIO) {
			trap_mmio(bn);
			continue;
		}
		switch (get_ucall(bn->vcpu, &uc)) {
		case UCALL_SYNC:
			if (!uc.args[3])
				read_exits(bn, &before);
			else
				record(bn, uc.args[1], uc.args[2], &before);
			break;
		case UCALL_DONE:
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %s",
				  exit_reason_str(bn->vcpu->run->exit_reason));
		}
	}
}

static double ratio(struct bench *bn, int path, uint32_t s)
{
	return (double)bn->res[path][s].median /
	       bn->res[PATH_TRAP][s].median;
}

static void print_results(struct bench *bn)
{
	struct result *r;
	uint32_t s;
	int path;

	printf("%-8s %5s %12s %12s %12s %12s %12s\n", "path", "batch",
	       "median", "p99", "user exits", "exits", "commands/s");
	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			r = &bn->res[path][s];
			printf("%-8s %5u %12lu %12lu %12.2f %12.2f %12.0f\n",
			       path_name[path], batch_sizes[s], r->median,
			       r->p99, r->user_exits, r->exits,
			       r->cmds_per_sec);
		}
	}
	printf("cycles: from the PROD store to the CONS load seeing completion\n");
	printf("exits: per batch, less the ucall ending each phase\n");
	printf("commands/s: TLBIs and the sync of one batch in flight, over the median\n");
	for (path = PATH_FAST; path < NR_PATHS; path++)
		for (s = 0; s < NR_SIZES; s++)
			printf("%s/trap median, batch %u: %.3f (speed-up %.2fx)\n",
			       path_name[path], batch_sizes[s],
			       ratio(bn, path, s), 1 / ratio(bn, path, s));
}

static void write_json(struct bench *bn, const char *file)
{
	FILE *f = fopen(file, "w");
	struct result *r;
	const char *sep = "";
	uint32_t s;
	int path;

	TEST_ASSERT(f, "%s: %s", file, strerror(errno));
	fprintf(f, "{\n  \"tsc_khz\": %lu,\n  \"reps\": %u,\n  \"results\": [",
		guest_tsc_khz, params.reps);
	for (path = 0; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			r = &bn->res[path][s];
			fprintf(f, "%s\n    { \"path\": \"%s\", \"batch\": %u, ",
				sep, path_name[path], batch_sizes[s]);
			fprintf(f, "\"median_cycles\": %lu, \"p99_cycles\": %lu, ",
				r->median, r->p99);
			fprintf(f, "\"user_exits_per_batch\": %.3f, \"exits_per_batch\": %.3f, ",
				r->user_exits, r->exits);
			fprintf(f, "\"commands_per_second\": %.0f }",
				r->cmds_per_sec);
			sep = ",";
		}
	}
	fprintf(f, "\n  ],\n  \"ratios\": [");
	sep = "";
	for (path = PATH_FAST; path < NR_PATHS; path++) {
		for (s = 0; s < NR_SIZES; s++) {
			fprintf(f, "%s\n    { \"path\": \"%s\", \"batch\": %u, ",
				sep, path_name[path], batch_sizes[s]);
			fprintf(f, "\"median_over_trap\": %.4f }",
				ratio(bn, path, s));
			sep = ",";
		}
	}
	fprintf(f, "\n  ]\n}\n");
	TEST_ASSERT(!fclose(f), "%s: %s", file, strerror(errno));
}

static void help(const char *name)
{
	printf("usage: %s [--json FILE] [--reps N]\n", name);
	printf("  --json FILE  also write the results as JSON to FILE\n");
	printf("  --reps N     batches measured per path and size (1..%d, default %u)\n",
	       MAX_REPS, params.reps);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "reps", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *json = NULL;
	struct bench bn = {};
	int opt, path, reps;

	while ((opt = getopt_long(argc, argv, "j:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = optarg;
			break;
		case 'r':
			reps = atoi(optarg);
			if (reps >= 1 && reps <= MAX_REPS) {
				params.reps = reps;
				break;
			}
			fallthrough;
		default:
			help(argv[0]);
			exit(opt == 'h' ? 0 : KSFT_FAIL);
		}
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IOREGION));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_READONLY_MEM));

	bn.vm = vm_create_with_one_vcpu(&bn.vcpu, guest_code);
	vm_userspace_mem_region_add(bn.vm, VM_MEM_SRC_ANONYMOUS, DATA_GPA,
				    DATA_SLOT, DATA_PAGES, 0);
	virt_map(bn.vm, DATA_GPA, DATA_GPA, DATA_PAGES);
	memset(addr_gpa2hva(bn.vm, DATA_GPA), 0,
	       DATA_PAGES * bn.vm->page_size);

	/* trap: no memslot, no ioregion; fast_ro: a read-only memslot */
	vm_userspace_mem_region_add(bn.vm, VM_MEM_SRC_ANONYMOUS,
				    REGS_GPA(PATH_FAST_RO), RO_SLOT, 1,
				    KVM_MEM_READONLY);
	bn.regs[PATH_FAST_RO] = addr_gpa2hva(bn.vm, REGS_GPA(PATH_FAST_RO));
	bn.regs[PATH_FAST] = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(bn.regs[PATH_FAST] != MAP_FAILED, "mmap: %s",
		    strerror(errno));
	for (path = 0; path < NR_PATHS; path++) {
		virt_map(bn.vm, REGS_GPA(path), REGS_GPA(path), 1);
		if (bn.regs[path])
			memset(bn.regs[path], 0, bn.vm->page_size);
	}

	iommu_setup(&bn);
	fast_path_setup(&bn, PATH_FAST);
	fast_path_setup(&bn, PATH_FAST_RO);
	sync_global_to_guest(bn.vm, params);

	run_guest(&bn);
	print_results(&bn);
	if (json)
		write_json(&bn, json);

	close(bn.iommufd);
	kvm_vm_free(bn.vm);
	return 0;
}
