// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_IOREGION: guest-physical windows whose loads and stores KVM serves
 * from VMM memory without exiting to userspace, with a doorbell eventfd.
 *
 * Every test checks the outcome of the guest's accesses in the backing memory,
 * in the doorbell eventfd and in the vCPU's binary stats, so that a window that
 * silently falls back to ordinary userspace exits fails instead of passing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "kselftest_harness.h"
#include "../fail_nth.h"

/* No memslot here: every access is MMIO. */
#define WIN_GPA			(4ULL << 30)
/* A read-only memslot over the backing memory. */
#define RO_GPA			(5ULL << 30)
#define RO_SLOT			10
/* Many small windows, to reach the bus device limit. */
#define LIMIT_GPA		(6ULL << 30)

/* VT-d register offsets; only the invalidation queue is in the fast path. */
#define VTD_VER			0x00
#define VTD_GCMD		0x18
#define VTD_IQH			0x80
#define VTD_IQT			0x88
#define VTD_IQA			0x90
#define VTD_ICS			0x9c
#define VTD_QI_END		0xa0
/*
 * ICS is write-1-to-clear, so a store to it is not a plain memory store: the
 * window ends before it and ICS stays with the VMM's device model.
 */
#define VTD_QI_WIN_END		VTD_ICS

#define NR_COUNTED		100
#define NR_HAMMER		5000
#define NR_RO_LOADS		10000
#define NR_IOBUS_DEVS_MAX	1000

#if defined(__x86_64__)
#define USER_MMIO_STAT		"mmio_exits"
/* x86 ucalls are port I/O: they are not counted as MMIO exits. */
#define UCALL_USER_MMIO		0
#elif defined(__aarch64__)
#define USER_MMIO_STAT		"mmio_exit_user"
/* arm64 ucalls are MMIO stores that exit to userspace. */
#define UCALL_USER_MMIO		1
#else
#error "ioregion_test supports x86_64 and aarch64"
#endif

/*
 * Guest accesses of an exact width.  On arm64 the instruction must report a
 * valid syndrome (no pair, no writeback) for KVM to emulate it, so the
 * instruction is spelled out instead of left to the compiler.
 */
static void mmio_write(uint64_t gpa, int size, uint64_t val)
{
#if defined(__aarch64__)
	switch (size) {
	case 1:
		asm volatile("strb %w0, [%1]" : : "r"(val), "r"(gpa) : "memory");
		break;
	case 2:
		asm volatile("strh %w0, [%1]" : : "r"(val), "r"(gpa) : "memory");
		break;
	case 4:
		asm volatile("str %w0, [%1]" : : "r"(val), "r"(gpa) : "memory");
		break;
	case 8:
		asm volatile("str %0, [%1]" : : "r"(val), "r"(gpa) : "memory");
		break;
	default:
		GUEST_FAIL("bad store size %d", size);
	}
#else
	switch (size) {
	case 1:
		WRITE_ONCE(*(uint8_t *)gpa, val);
		break;
	case 2:
		WRITE_ONCE(*(uint16_t *)gpa, val);
		break;
	case 4:
		WRITE_ONCE(*(uint32_t *)gpa, val);
		break;
	case 8:
		WRITE_ONCE(*(uint64_t *)gpa, val);
		break;
	default:
		GUEST_FAIL("bad store size %d", size);
	}
#endif
}

static uint64_t mmio_read(uint64_t gpa, int size)
{
	uint64_t val = 0;

#if defined(__aarch64__)
	switch (size) {
	case 1:
		asm volatile("ldrb %w0, [%1]" : "=r"(val) : "r"(gpa) : "memory");
		break;
	case 2:
		asm volatile("ldrh %w0, [%1]" : "=r"(val) : "r"(gpa) : "memory");
		break;
	case 4:
		asm volatile("ldr %w0, [%1]" : "=r"(val) : "r"(gpa) : "memory");
		break;
	case 8:
		asm volatile("ldr %0, [%1]" : "=r"(val) : "r"(gpa) : "memory");
		break;
	default:
		GUEST_FAIL("bad load size %d", size);
	}
#else
	switch (size) {
	case 1:
		val = READ_ONCE(*(uint8_t *)gpa);
		break;
	case 2:
		val = READ_ONCE(*(uint16_t *)gpa);
		break;
	case 4:
		val = READ_ONCE(*(uint32_t *)gpa);
		break;
	case 8:
		val = READ_ONCE(*(uint64_t *)gpa);
		break;
	default:
		GUEST_FAIL("bad load size %d", size);
	}
#endif
	return val;
}

struct io_stats {
	uint64_t user_mmio;
	uint64_t exits;
	uint64_t loads;
	uint64_t stores;
	uint64_t doorbells;
};

static void read_io_stats(struct kvm_vcpu *vcpu, struct io_stats *s)
{
	s->user_mmio = vcpu_get_stat(vcpu, USER_MMIO_STAT);
	s->exits = vcpu_get_stat(vcpu, "exits");
	s->loads = vcpu_get_stat(vcpu, "ioregion_loads");
	s->stores = vcpu_get_stat(vcpu, "ioregion_stores");
	s->doorbells = vcpu_get_stat(vcpu, "ioregion_doorbells");
}

/*
 * Check the stats moved by exactly the given amounts since @before; @user_mmio
 * excludes the ucall that ended the stage.
 */
static void assert_io_stats(struct kvm_vcpu *vcpu, const struct io_stats *before,
			    uint64_t user_mmio, uint64_t loads, uint64_t stores,
			    uint64_t doorbells)
{
	struct io_stats now;

	read_io_stats(vcpu, &now);
	TEST_ASSERT_EQ(now.user_mmio - before->user_mmio,
		       user_mmio + UCALL_USER_MMIO);
	TEST_ASSERT_EQ(now.loads - before->loads, loads);
	TEST_ASSERT_EQ(now.stores - before->stores, stores);
	TEST_ASSERT_EQ(now.doorbells - before->doorbells, doorbells);
}

/* The measured counts are the point of the test: leave them in its output. */
static void log_io_stats(const char *what, struct kvm_vcpu *vcpu,
			 const struct io_stats *before)
{
	struct io_stats now;

	read_io_stats(vcpu, &now);
	ksft_print_msg("%s: %s %lu, exits %lu, loads %lu, stores %lu, doorbells %lu\n",
		       what, USER_MMIO_STAT, now.user_mmio - before->user_mmio,
		       now.exits - before->exits, now.loads - before->loads,
		       now.stores - before->stores,
		       now.doorbells - before->doorbells);
}

#if defined(__x86_64__)
#define NR_EXCEPTION_VECTORS	32

static void guest_report_exception(struct ex_regs *regs)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	GUEST_FAIL("Unexpected exception %lu at RIP %#lx, error code %#lx, CR2 %#lx",
		   regs->vector, regs->rip, regs->error_code, cr2);
}
#endif

/*
 * An exception the guest does not expect is reported with what tells a guest
 * bug from a host one, not left to end in a triple fault or a silent loop.
 * On x86 every selftest VM has an IDT, but its default handler reports
 * neither the error code nor, for a page fault, the address; on arm64 a VM
 * has no vectors until asked for.  A handler on a vector takes precedence
 * over the fixups of the *_safe() accessors, which these guests do not use.
 */
static void report_guest_exceptions(struct kvm_vm *vm, struct kvm_vcpu **vcpus,
				    int nr_vcpus)
{
	int i;

#if defined(__x86_64__)
	for (i = 0; i < NR_EXCEPTION_VECTORS; i++)
		vm_install_exception_handler(vm, i, guest_report_exception);
#else
	vm_init_descriptor_tables(vm);
	for (i = 0; i < nr_vcpus; i++)
		vcpu_init_descriptor_tables(vcpus[i]);
#endif
}

/*
 * Fails the test on an exit that no stage expects.  A guest exception shows
 * up as its report; a triple fault (KVM_EXIT_SHUTDOWN) leaves nothing to read
 * back on AMD, where KVM resets the vCPU on the intercept, so say how far the
 * guest got by its exits and ioregion stores.
 */
static void fail_unexpected_exit(struct kvm_vcpu *vcpu, struct ucall *uc,
				 const char *wanted)
{
	assert_on_unhandled_exception(vcpu);
	TEST_FAIL("vCPU %u: wanted %s, got exit %s, ucall %lu, after %lu exits and %lu stores",
		  vcpu->id, wanted, exit_reason_str(vcpu->run->exit_reason),
		  uc->cmd, vcpu_get_stat(vcpu, "exits"),
		  vcpu_get_stat(vcpu, "ioregion_stores"));
}

static void run_to_sync(struct kvm_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc;
	char wanted[32];

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(uc.args[1] == stage,
			    "Wanted guest stage %lu, got %lu", stage, uc.args[1]);
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		snprintf(wanted, sizeof(wanted), "guest stage %lu", stage);
		fail_unexpected_exit(vcpu, &uc, wanted);
	}
}

static void run_to_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		fail_unexpected_exit(vcpu, &uc, "guest done");
	}
}

/*
 * Run until the guest's next access exits to userspace, check it is the
 * access expected, and complete it: a store's data is checked, a load gets
 * @data.
 */
static void run_to_mmio(struct kvm_vcpu *vcpu, uint64_t gpa, uint32_t len,
			bool is_write, uint64_t data)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;
	uint64_t got = 0;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	assert_on_unhandled_exception(vcpu);
	TEST_ASSERT(uc.cmd == UCALL_NONE,
		    "Wanted an MMIO exit at %#lx, got ucall %lu", gpa, uc.cmd);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.len == len &&
		    run->mmio.is_write == is_write,
		    "Wanted MMIO %s of %u bytes at %#lx, got %s of %u at %#llx",
		    is_write ? "store" : "load", len, gpa,
		    run->mmio.is_write ? "store" : "load", run->mmio.len,
		    run->mmio.phys_addr);

	if (is_write) {
		memcpy(&got, run->mmio.data, len);
		TEST_ASSERT_EQ(got, data);
	} else {
		memcpy(run->mmio.data, &data, len);
	}
}

/* Take the eventfd's count, 0 if it was not signalled. */
static uint64_t eventfd_take(int efd)
{
	uint64_t count;
	ssize_t ret;

	ret = read(efd, &count, sizeof(count));
	if (ret < 0 && errno == EAGAIN)
		return 0;
	TEST_ASSERT(ret == sizeof(count), "eventfd read: %s", strerror(errno));
	return count;
}

static void eventfd_wait(int efd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	TEST_ASSERT(poll(&pfd, 1, 10000) == 1,
		    "No doorbell within 10 seconds");
}

static uint64_t page_u64(void *page, uint64_t off)
{
	uint64_t val;

	memcpy(&val, page + off, sizeof(val));
	return val;
}

static void page_set_u64(void *page, uint64_t off, uint64_t val)
{
	memcpy(page + off, &val, sizeof(val));
}

/* A window, with a doorbell if @db_size is not 0. */
static struct kvm_ioregion ioregion(uint64_t gpa, uint32_t size, void *hva,
				    uint32_t db_off, uint32_t db_size, int efd)
{
	struct kvm_ioregion r = {
		.guest_phys_addr = gpa,
		.userspace_addr = (uint64_t)hva,
		.size = size,
	};

	if (db_size) {
		r.flags = KVM_IOREGION_DOORBELL;
		r.doorbell_offset = db_off;
		r.doorbell_size = db_size;
		r.doorbell_fd = efd;
	}

	return r;
}

static void ioregion_set(struct kvm_vm *vm, struct kvm_ioregion r)
{
	vm_ioctl(vm, KVM_SET_IOREGION, &r);
}

static void ioregion_clear(struct kvm_vm *vm, struct kvm_ioregion r)
{
	r.flags = KVM_IOREGION_DEASSIGN;
	vm_ioctl(vm, KVM_SET_IOREGION, &r);
}

/* The VT-d invalidation queue registers but ICS, IQT being the doorbell. */
static struct kvm_ioregion vtd_qi_ioregion(uint64_t page_gpa, void *page,
					   int efd)
{
	return ioregion(page_gpa + VTD_IQH, VTD_QI_WIN_END - VTD_IQH,
			page + VTD_IQH, VTD_IQT - VTD_IQH, 8, efd);
}

static void ioregion_set_vtd_qi(struct kvm_vm *vm, uint64_t page_gpa,
				void *page, int efd)
{
	ioregion_set(vm, vtd_qi_ioregion(page_gpa, page, efd));
}

static void __expect_errno(struct kvm_vm *vm, struct kvm_ioregion r, int err,
			   const char *what, int line)
{
	int ret = __vm_ioctl(vm, KVM_SET_IOREGION, &r);

	TEST_ASSERT(ret == -1 && errno == err,
		    "line %d, %s: wanted errno %d (%s), got ret %d errno %d (%s)",
		    line, what, err, strerror(err), ret, errno, strerror(errno));
}

#define expect_errno(vm, r, err, what) \
	__expect_errno(vm, r, err, what, __LINE__)

static int ioeventfd(struct kvm_vm *vm, uint64_t addr, uint32_t len, int efd,
		     uint32_t flags)
{
	struct kvm_ioeventfd ioev = {
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = flags,
	};

	return __vm_ioctl(vm, KVM_IOEVENTFD, &ioev);
}

FIXTURE(ioregion) {
	void *page;
	size_t page_size;
	int efd;
};

FIXTURE_SETUP(ioregion)
{
	self->page_size = getpagesize();
	self->page = mmap(NULL, self->page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(self->page != MAP_FAILED, "mmap: %s", strerror(errno));
	self->efd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(self->efd >= 0, "eventfd: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ioregion)
{
	close(self->efd);
	munmap(self->page, self->page_size);
}

static void guest_widths(void)
{
	int i;

	/* Loads of every width see what the VMM wrote. */
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x100, 8), 0x1122334455667788ULL);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x108, 4), 0x99aabbccULL);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x10c, 2), 0xddeeULL);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x10e, 1), 0xffULL);
	GUEST_SYNC(1);

	/* The VMM changed the memory meanwhile: loads are not cached. */
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x100, 8), 0x0102030405060708ULL);
	GUEST_SYNC(2);

	/* Stores of every width, away from the doorbell. */
	mmio_write(WIN_GPA + 0x200, 8, 0xa1a2a3a4a5a6a7a8ULL);
	mmio_write(WIN_GPA + 0x208, 4, 0xb1b2b3b4);
	mmio_write(WIN_GPA + 0x20c, 2, 0xc1c2);
	mmio_write(WIN_GPA + 0x20e, 1, 0xd1);
	GUEST_SYNC(3);

	/* Four stores touching the doorbell [0x88, 0x90), three not. */
	mmio_write(WIN_GPA + 0x88, 8, 1);
	mmio_write(WIN_GPA + 0x8c, 4, 2);
	mmio_write(WIN_GPA + 0x8e, 2, 3);
	mmio_write(WIN_GPA + 0x8f, 1, 4);
	mmio_write(WIN_GPA + 0x80, 8, 5);
	mmio_write(WIN_GPA + 0x90, 8, 6);
	mmio_write(WIN_GPA + 0x87, 1, 7);
	GUEST_SYNC(4);

	for (i = 0; i < NR_COUNTED; i++) {
		mmio_write(WIN_GPA + 0x210, 8, i);
		GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x210, 8), i);
	}
	GUEST_SYNC(5);

	/* What the window cannot serve exits to userspace. */
	mmio_write(WIN_GPA + 0x301, 4, 0x12345678);
	mmio_write(WIN_GPA + 0x800, 4, 0x55aa55aa);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x900, 4), 0x600d600d);
	GUEST_DONE();
}

TEST_F_TIMEOUT(ioregion, widths, 120)
{
	struct kvm_vcpu *vcpu;
	struct io_stats st;
	struct kvm_vm *vm;
	void *p = self->page;

	vm = vm_create_with_one_vcpu(&vcpu, guest_widths);
	report_guest_exceptions(vm, &vcpu, 1);
	virt_map(vm, WIN_GPA, WIN_GPA, 1);
	ioregion_set(vm, ioregion(WIN_GPA, 0x800, p, VTD_IQT, 8, self->efd));

	page_set_u64(p, 0x100, 0x1122334455667788ULL);
	memcpy(p + 0x108, &(uint32_t){ 0x99aabbcc }, 4);
	memcpy(p + 0x10c, &(uint16_t){ 0xddee }, 2);
	memcpy(p + 0x10e, &(uint8_t){ 0xff }, 1);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 1);
	assert_io_stats(vcpu, &st, 0, 4, 0, 0);

	page_set_u64(p, 0x100, 0x0102030405060708ULL);
	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 2);
	assert_io_stats(vcpu, &st, 0, 1, 0, 0);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 3);
	assert_io_stats(vcpu, &st, 0, 0, 4, 0);
	TEST_ASSERT_EQ(page_u64(p, 0x200), 0xa1a2a3a4a5a6a7a8ULL);
	TEST_ASSERT_EQ(page_u64(p, 0x208), 0x00d1c1c2b1b2b3b4ULL);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 0);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 4);
	assert_io_stats(vcpu, &st, 0, 0, 7, 4);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 4);
	TEST_ASSERT_EQ(page_u64(p, 0x88), 0x0403000200000001ULL);
	TEST_ASSERT_EQ(page_u64(p, 0x80), 0x0700000000000005ULL);
	TEST_ASSERT_EQ(page_u64(p, 0x90), 6);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 5);
	log_io_stats("window, no memslot", vcpu, &st);
	assert_io_stats(vcpu, &st, 0, NR_COUNTED, NR_COUNTED, 0);
	TEST_ASSERT_EQ(page_u64(p, 0x210), NR_COUNTED - 1);

	read_io_stats(vcpu, &st);
	run_to_mmio(vcpu, WIN_GPA + 0x301, 4, true, 0x12345678);
	run_to_mmio(vcpu, WIN_GPA + 0x800, 4, true, 0x55aa55aa);
	run_to_mmio(vcpu, WIN_GPA + 0x900, 4, false, 0x600d600d);
	run_to_done(vcpu);
	assert_io_stats(vcpu, &st, 3, 0, 0, 0);
	TEST_ASSERT_EQ(page_u64(p, 0x300), 0);
	TEST_ASSERT_EQ(page_u64(p, 0x800), 0);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 0);

	kvm_vm_free(vm);
}

static void guest_vtd(void)
{
	/* The invalidation queue registers and a second window. */
	mmio_write(WIN_GPA + VTD_IQT, 4, 0x40);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + VTD_IQH, 8), 0x20);
	mmio_write(WIN_GPA + 0x104, 4, 0x1234);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + 0x108, 4), 0x5678);
	GUEST_SYNC(1);

	/* The rest of the register page, and accesses straddling a window. */
	mmio_write(WIN_GPA + VTD_GCMD, 4, 0x80000000);
	mmio_write(WIN_GPA + VTD_ICS, 4, 1);
	mmio_write(WIN_GPA + VTD_ICS - 4, 8, 0x9898);
	mmio_write(WIN_GPA + VTD_QI_END, 8, 0xa0a0);
	mmio_write(WIN_GPA + VTD_IQH - 8, 8, 0x7878);
	mmio_write(WIN_GPA + 0x100, 8, 0x100100);
	mmio_write(WIN_GPA + 0x108, 8, 0x108108);
	GUEST_ASSERT_EQ(mmio_read(WIN_GPA + VTD_VER, 4), 0x10);
	GUEST_DONE();
}

/*
 * A VT-d-like register page: only [0x80, 0x9c) is served in the kernel (ICS,
 * write-1-to-clear, must exit to the VMM), and
 * [0x104, 0x10c) is a second window on the same backing page whose edges are
 * not 8-byte aligned, so that aligned 8-byte accesses straddle them.
 */
TEST_F_TIMEOUT(ioregion, vtd_page, 120)
{
	struct kvm_vcpu *vcpu;
	struct io_stats st;
	struct kvm_vm *vm;
	void *p = self->page;

	vm = vm_create_with_one_vcpu(&vcpu, guest_vtd);
	report_guest_exceptions(vm, &vcpu, 1);
	virt_map(vm, WIN_GPA, WIN_GPA, 1);
	ioregion_set_vtd_qi(vm, WIN_GPA, p, self->efd);
	ioregion_set(vm, ioregion(WIN_GPA + 0x104, 8, p + 0x104, 0, 0, 0));
	page_set_u64(p, VTD_IQH, 0x20);
	memcpy(p + 0x108, &(uint32_t){ 0x5678 }, 4);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 1);
	assert_io_stats(vcpu, &st, 0, 2, 2, 1);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 1);
	TEST_ASSERT_EQ(page_u64(p, VTD_IQT), 0x40);
	TEST_ASSERT_EQ(page_u64(p, 0x104), 0x567800001234ULL);

	read_io_stats(vcpu, &st);
	run_to_mmio(vcpu, WIN_GPA + VTD_GCMD, 4, true, 0x80000000);
	run_to_mmio(vcpu, WIN_GPA + VTD_ICS, 4, true, 1);
	run_to_mmio(vcpu, WIN_GPA + VTD_ICS - 4, 8, true, 0x9898);
	run_to_mmio(vcpu, WIN_GPA + VTD_QI_END, 8, true, 0xa0a0);
	run_to_mmio(vcpu, WIN_GPA + VTD_IQH - 8, 8, true, 0x7878);
	run_to_mmio(vcpu, WIN_GPA + 0x100, 8, true, 0x100100);
	run_to_mmio(vcpu, WIN_GPA + 0x108, 8, true, 0x108108);
	run_to_mmio(vcpu, WIN_GPA + VTD_VER, 4, false, 0x10);
	run_to_done(vcpu);
	assert_io_stats(vcpu, &st, 8, 0, 0, 0);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 0);
	TEST_ASSERT_EQ(page_u64(p, VTD_GCMD), 0);
	TEST_ASSERT_EQ(page_u64(p, VTD_ICS - 4), 0);
	TEST_ASSERT_EQ(page_u64(p, VTD_QI_END), 0);
	TEST_ASSERT_EQ(page_u64(p, VTD_IQH - 8), 0);
	TEST_ASSERT_EQ(page_u64(p, 0x100), 0x123400000000ULL);
	TEST_ASSERT_EQ(page_u64(p, 0x108), 0x5678);

	kvm_vm_free(vm);
}

static void guest_hammer(uint64_t id)
{
	uint64_t i, v;

	for (i = 0; i < NR_HAMMER; i++) {
		/* Both halves equal, so that a torn value is visible. */
		v = (id << 24) | i;
		mmio_write(WIN_GPA + VTD_IQT, 8, v << 32 | v);
		mmio_write(WIN_GPA + VTD_IQA, 8, v);
	}
	GUEST_DONE();
}

static void *hammer_vcpu(void *arg)
{
	run_to_done(arg);
	return NULL;
}

/*
 * Two vCPUs ring the doorbell concurrently while the VMM reads the register:
 * the eventfd counts every doorbell store, no more and no less, and the VMM
 * never sees half of one store and half of another.
 */
TEST_F_TIMEOUT(ioregion, doorbell_two_vcpus, 300)
{
	struct kvm_vcpu *vcpus[2];
	struct io_stats st[2];
	pthread_t threads[2];
	struct kvm_vm *vm;
	uint64_t v, reads = 0;
	int i, done;

	vm = vm_create_with_vcpus(2, guest_hammer, vcpus);
	report_guest_exceptions(vm, vcpus, 2);
	virt_map(vm, WIN_GPA, WIN_GPA, 1);
	ioregion_set_vtd_qi(vm, WIN_GPA, self->page, self->efd);

	for (i = 0; i < 2; i++) {
		vcpu_args_set(vcpus[i], 1, i);
		read_io_stats(vcpus[i], &st[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_create(&threads[i], NULL, hammer_vcpu, vcpus[i]);

	do {
		done = pthread_tryjoin_np(threads[0], NULL) == 0;
		v = READ_ONCE(*(uint64_t *)(self->page + VTD_IQT));
		TEST_ASSERT(v >> 32 == (uint32_t)v, "Torn IQT value %#lx", v);
		reads++;
	} while (!done);
	pthread_join(threads[1], NULL);

	TEST_ASSERT_EQ(eventfd_take(self->efd), 2 * NR_HAMMER);
	for (i = 0; i < 2; i++)
		assert_io_stats(vcpus[i], &st[i], 0, 0, 2 * NR_HAMMER,
				NR_HAMMER);

	v = page_u64(self->page, VTD_IQT);
	TEST_ASSERT((uint32_t)v == NR_HAMMER - 1 ||
		    (uint32_t)v == ((1 << 24) | (NR_HAMMER - 1)),
		    "IQT holds %#lx, not one vCPU's last store", v);
	pr_info("VMM read IQT %lu times while the vCPUs stored to it\n", reads);

	kvm_vm_free(vm);
}

static void guest_ro(void)
{
	int i;

	/* The first access maps the page. */
	GUEST_ASSERT_EQ(mmio_read(RO_GPA + VTD_IQH, 8), 0x20);
	GUEST_SYNC(1);

	for (i = 0; i < NR_RO_LOADS; i++) {
		GUEST_ASSERT_EQ(mmio_read(RO_GPA + VTD_IQH, 8), 0x20);
		GUEST_ASSERT_EQ(mmio_read(RO_GPA + VTD_VER, 4), 0x10);
	}
	GUEST_SYNC(2);

	/* The store reaches the ioregion; the load sees it in the memslot. */
	mmio_write(RO_GPA + VTD_IQT, 8, 0x140);
	GUEST_ASSERT_EQ(mmio_read(RO_GPA + VTD_IQT, 8), 0x140);
	GUEST_SYNC(3);

	mmio_write(RO_GPA + VTD_GCMD, 4, 0x80000000);
	GUEST_DONE();
}

/*
 * The VMM maps the register page read-only into the guest and places the
 * ioregion over the same memory: loads never leave the guest, stores still
 * reach the ioregion, ring the doorbell and dirty the page for migration.
 */
TEST_F_TIMEOUT(ioregion, readonly_memslot, 120)
{
	uint64_t bitmap[4] = {};
	struct kvm_vcpu *vcpu;
	struct io_stats st, now;
	uint64_t emulated = 0;
	struct kvm_vm *vm;
	uint64_t npages;
	void *hva;

	if (!kvm_has_cap(KVM_CAP_READONLY_MEM))
		SKIP(return, "KVM_CAP_READONLY_MEM not available");

	vm = vm_create_with_one_vcpu(&vcpu, guest_ro);
	report_guest_exceptions(vm, &vcpu, 1);
	npages = self->page_size > vm->page_size ?
		 self->page_size / vm->page_size : 1;
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RO_GPA, RO_SLOT,
				    npages,
				    KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES);
	virt_map(vm, RO_GPA, RO_GPA, 1);
	hva = addr_gpa2hva(vm, RO_GPA);
	memset(hva, 0, vm->page_size);
	page_set_u64(hva, VTD_VER, 0x10);
	page_set_u64(hva, VTD_IQH, 0x20);
	ioregion_set_vtd_qi(vm, RO_GPA, hva, self->efd);

	run_to_sync(vcpu, 1);
	kvm_vm_get_dirty_log(vm, RO_SLOT, bitmap);

	read_io_stats(vcpu, &st);
#ifdef __x86_64__
	emulated = vcpu_get_stat(vcpu, "insn_emulation");
#else
	emulated = vcpu_get_stat(vcpu, "mmio_exit_kernel");
#endif
	run_to_sync(vcpu, 2);
	log_io_stats("read-only memslot, loads", vcpu, &st);
	assert_io_stats(vcpu, &st, 0, 0, 0, 0);
	read_io_stats(vcpu, &now);
	/*
	 * Host interrupts may still cost a few exits; loads that exited would
	 * cost at least one each.
	 */
	TEST_ASSERT(now.exits - st.exits < NR_RO_LOADS / 10,
		    "%lu exits for %d loads", now.exits - st.exits,
		    2 * NR_RO_LOADS);
	/*
	 * Nothing was emulated either, but for skipping the ucall's port I/O
	 * instruction on x86 hosts without next-RIP support.
	 */
#ifdef __x86_64__
	emulated = vcpu_get_stat(vcpu, "insn_emulation") - emulated;
#else
	emulated = vcpu_get_stat(vcpu, "mmio_exit_kernel") - emulated;
#endif
	TEST_ASSERT(emulated <= 1, "%lu instructions emulated", emulated);
	kvm_vm_get_dirty_log(vm, RO_SLOT, bitmap);
	TEST_ASSERT_EQ(bitmap[0], 0);

	read_io_stats(vcpu, &st);
	run_to_sync(vcpu, 3);
	log_io_stats("read-only memslot, doorbell store", vcpu, &st);
	assert_io_stats(vcpu, &st, 0, 0, 1, 1);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 1);
	TEST_ASSERT_EQ(page_u64(hva, VTD_IQT), 0x140);
	kvm_vm_get_dirty_log(vm, RO_SLOT, bitmap);
	TEST_ASSERT_EQ(bitmap[0] & 1, 1);

	read_io_stats(vcpu, &st);
	run_to_mmio(vcpu, RO_GPA + VTD_GCMD, 4, true, 0x80000000);
	run_to_done(vcpu);
	assert_io_stats(vcpu, &st, 1, 0, 0, 0);
	TEST_ASSERT_EQ(page_u64(hva, VTD_GCMD), 0);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 0);

	kvm_vm_free(vm);
}

static void guest_spin(void)
{
	uint64_t i;

	for (i = 0;; i++) {
		mmio_write(WIN_GPA + VTD_IQT, 8, i);
		mmio_read(WIN_GPA + VTD_IQH, 8);
	}
}

struct spinner {
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	bool stop;
	bool exited;
};

static void sigusr1_nop(int sig)
{
}

/* Runs the vCPU until it exits to userspace or is told to stop. */
static void *spin_vcpu(void *arg)
{
	struct spinner *s = arg;
	int ret;

	while (!READ_ONCE(s->stop)) {
		ret = __vcpu_run(s->vcpu);
		if (ret == -1 && errno == EINTR)
			continue;
		TEST_ASSERT(!ret, "KVM_RUN: %s", strerror(errno));
		break;
	}
	WRITE_ONCE(s->exited, true);
	return NULL;
}

static void spinner_start(struct spinner *s)
{
	s->stop = false;
	s->exited = false;
	pthread_create(&s->thread, NULL, spin_vcpu, s);
}

static void spinner_stop(struct spinner *s)
{
	WRITE_ONCE(s->stop, true);
	while (!READ_ONCE(s->exited)) {
		pthread_kill(s->thread, SIGUSR1);
		usleep(1000);
	}
	pthread_join(s->thread, NULL);
}

static void install_sigusr1(void)
{
	struct sigaction sa = { .sa_handler = sigusr1_nop };

	/* No SA_RESTART: the signal must make KVM_RUN return. */
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
}

/*
 * Windows are deassigned while a vCPU hammers them, and torn down with the VM
 * while they are live: the vCPU falls back to userspace exits at once, and the
 * VM goes away cleanly (KASAN and kmemleak in the test kernel watch the rest).
 */
TEST_F_TIMEOUT(ioregion, teardown_live, 120)
{
	struct kvm_ioregion qi, other, gone;
	struct spinner s = {};
	struct kvm_run *run;
	struct kvm_vm *vm;
	pid_t pid;
	int status;

	install_sigusr1();
	vm = vm_create_with_one_vcpu(&s.vcpu, guest_spin);
	report_guest_exceptions(vm, &s.vcpu, 1);
	run = s.vcpu->run;
	virt_map(vm, WIN_GPA, WIN_GPA, 1);
	qi = vtd_qi_ioregion(WIN_GPA, self->page, self->efd);
	other = ioregion(WIN_GPA + 0x100, 8, self->page + 0x100, 0, 0, 0);
	ioregion_set(vm, qi);
	ioregion_set(vm, other);

	/* Deassign while the vCPU runs: its next access exits. */
	spinner_start(&s);
	eventfd_wait(self->efd);
	ioregion_clear(vm, qi);
	pthread_join(s.thread, NULL);
	TEST_ASSERT_KVM_EXIT_REASON(s.vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == WIN_GPA + VTD_IQT ||
		    run->mmio.phys_addr == WIN_GPA + VTD_IQH,
		    "MMIO exit at %#llx", run->mmio.phys_addr);
	gone = qi;
	gone.flags = KVM_IOREGION_DEASSIGN;
	expect_errno(vm, gone, ENOENT, "deassign twice");

	/* Assigned again, the window serves the vCPU again. */
	eventfd_take(self->efd);
	ioregion_set(vm, qi);
	spinner_start(&s);
	eventfd_wait(self->efd);
	spinner_stop(&s);
	kvm_vm_free(vm);

	/*
	 * Tear a VM down with live windows while its vCPU is in KVM_RUN: the
	 * child exits with the vCPU thread still in the guest.
	 */
	eventfd_take(self->efd);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		vm = vm_create_with_one_vcpu(&s.vcpu, guest_spin);
		report_guest_exceptions(vm, &s.vcpu, 1);
		virt_map(vm, WIN_GPA, WIN_GPA, 1);
		ioregion_set(vm, qi);
		ioregion_set(vm, other);
		spinner_start(&s);
		eventfd_wait(self->efd);
		_exit(0);
	}
	TEST_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child status %#x", status);
	TEST_ASSERT(eventfd_take(self->efd) > 0, "child rang no doorbell");
}

static void guest_ring_once(void)
{
	mmio_write(WIN_GPA + VTD_IQT, 8, 0x40);
	GUEST_DONE();
}

/*
 * With KVM_IOREGION_DOORBELL, fd 0 is a file descriptor like any other, not
 * "no doorbell".  The test decides what fd 0 is: first not an eventfd, then
 * closed, then a duplicate of the doorbell eventfd, which it closes again
 * before the guest rings, since KVM holds its own reference.
 */
TEST_F_TIMEOUT(ioregion, doorbell_fd_zero, 120)
{
	struct kvm_ioregion r;
	struct kvm_vcpu *vcpu;
	struct io_stats st;
	struct kvm_vm *vm;
	int saved_stdin;

	/* Every fd the VM needs is open before fd 0 changes. */
	vm = vm_create_with_one_vcpu(&vcpu, guest_ring_once);
	report_guest_exceptions(vm, &vcpu, 1);
	virt_map(vm, WIN_GPA, WIN_GPA, 1);
	r = vtd_qi_ioregion(WIN_GPA, self->page, 0);

	saved_stdin = fcntl(0, F_DUPFD_CLOEXEC, 3);
	TEST_ASSERT(saved_stdin >= 0 || errno == EBADF, "dup of fd 0: %s",
		    strerror(errno));

	TEST_ASSERT_EQ(dup2(vm->fd, 0), 0);
	expect_errno(vm, r, EINVAL, "doorbell fd 0, not an eventfd");
	TEST_ASSERT_EQ(close(0), 0);
	expect_errno(vm, r, EBADF, "doorbell fd 0, closed");
	TEST_ASSERT_EQ(dup2(self->efd, 0), 0);
	ioregion_set(vm, r);

	if (saved_stdin >= 0) {
		TEST_ASSERT_EQ(dup2(saved_stdin, 0), 0);
		close(saved_stdin);
	} else {
		close(0);
	}

	read_io_stats(vcpu, &st);
	run_to_done(vcpu);
	assert_io_stats(vcpu, &st, 0, 0, 1, 1);
	TEST_ASSERT_EQ(eventfd_take(self->efd), 1);
	TEST_ASSERT_EQ(page_u64(self->page, VTD_IQT), 0x40);

	kvm_vm_free(vm);
}

/* Every invalid request fails with its errno and changes nothing. */
TEST_F_TIMEOUT(ioregion, errors, 300)
{
	struct kvm_ioregion good, r;
	void *p = self->page;
	void *unmapped, *ro;
	int i, n, nfd, efd2;
	struct kvm_vm *vm;

	vm = vm_create_barebones();
	good = vtd_qi_ioregion(WIN_GPA, p, self->efd);

	r = good;
	r.flags |= 1 << 2;
	expect_errno(vm, r, EINVAL, "unknown flag");
	r.flags = KVM_IOREGION_DOORBELL | 1U << 31;
	expect_errno(vm, r, EINVAL, "unknown flag 31");
	for (i = 0; i < ARRAY_SIZE(r.pad); i++) {
		r = good;
		r.pad[i] = 1;
		expect_errno(vm, r, EINVAL, "non-zero pad");
	}

	r = good;
	r.size = 0;
	expect_errno(vm, r, EINVAL, "zero size");
	r = ioregion(WIN_GPA, 4097, p, 0, 0, 0);
	expect_errno(vm, r, EINVAL, "size above 4 KiB");
	r = ioregion(-8ULL, 16, p, 0, 0, 0);
	expect_errno(vm, r, EINVAL, "window wraps");

	r = good;
	r.doorbell_offset = r.size;
	expect_errno(vm, r, EINVAL, "doorbell past the window");
	r = good;
	r.doorbell_size = r.size - r.doorbell_offset + 1;
	expect_errno(vm, r, EINVAL, "doorbell straddles the window end");
	r = good;
	r.doorbell_size = 0;
	expect_errno(vm, r, EINVAL, "doorbell flag with a doorbell size of 0");

	/* Without the flag, a doorbell field that is set is an error. */
	r = good;
	r.flags = 0;
	expect_errno(vm, r, EINVAL, "doorbell fields without the flag");
	r = ioregion(WIN_GPA, 8, p, 0, 0, 0);
	r.doorbell_offset = 4;
	expect_errno(vm, r, EINVAL, "doorbell offset without the flag");
	r = ioregion(WIN_GPA, 8, p, 0, 0, 0);
	r.doorbell_size = 4;
	expect_errno(vm, r, EINVAL, "doorbell size without the flag");
	r = ioregion(WIN_GPA, 8, p, 0, 0, 0);
	r.doorbell_fd = self->efd;
	expect_errno(vm, r, EINVAL, "doorbell fd without the flag");
	r = ioregion(WIN_GPA, 8, p, 0, 0, 0);
	r.doorbell_fd = -1;
	expect_errno(vm, r, EINVAL, "doorbell fd -1 without the flag");

	r = good;
	r.userspace_addr += 4;
	expect_errno(vm, r, EINVAL, "backing misaligned to the window");
	r = good;
	r.userspace_addr = 0xffff800000000000ULL;
	expect_errno(vm, r, EFAULT, "kernel address");

	unmapped = mmap(NULL, self->page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(unmapped != MAP_FAILED, "mmap");
	munmap(unmapped, self->page_size);
	r = ioregion(WIN_GPA, 8, unmapped, 0, 0, 0);
	expect_errno(vm, r, EFAULT, "unmapped backing memory");

	ro = mmap(NULL, self->page_size, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ro != MAP_FAILED, "mmap");
	r = ioregion(WIN_GPA, 8, ro, 0, 0, 0);
	expect_errno(vm, r, EFAULT, "read-only backing memory");
	munmap(ro, self->page_size);

	nfd = dup(self->efd);
	close(nfd);
	r = good;
	r.doorbell_fd = nfd;
	expect_errno(vm, r, EBADF, "closed doorbell fd");
	r.doorbell_fd = -1;
	expect_errno(vm, r, EBADF, "doorbell fd -1");
	r.doorbell_fd = vm->fd;
	expect_errno(vm, r, EINVAL, "doorbell fd not an eventfd");

	/* Overlapping ioregions; neighbours are fine. */
	ioregion_set(vm, good);
	expect_errno(vm, good, EEXIST, "same window twice");
	r = ioregion(WIN_GPA + 0x98, 0x10, p + 0x98, 0, 0, 0);
	expect_errno(vm, r, EEXIST, "overlapping the window end");
	r = ioregion(WIN_GPA + 0x7c, 8, p + 0x7c, 0, 0, 0);
	expect_errno(vm, r, EEXIST, "overlapping the window start");
	r = ioregion(WIN_GPA, 0x1000, p, 0, 0, 0);
	expect_errno(vm, r, EEXIST, "containing the window");
	r = ioregion(WIN_GPA + 0x98, 0x10, p + 0x98, 0, 0, 0);
	r.flags = KVM_IOREGION_DEASSIGN;
	expect_errno(vm, r, ENOENT, "a rejected window was registered");
	ioregion_set(vm, ioregion(WIN_GPA + 0x78, 8, p + 0x78, 0, 0, 0));
	ioregion_set(vm, ioregion(WIN_GPA + VTD_QI_WIN_END, 4,
				  p + VTD_QI_WIN_END, 0, 0, 0));

	/* ioeventfds and ioregions refuse each other. */
	efd2 = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(efd2 >= 0, "eventfd");
	TEST_ASSERT(ioeventfd(vm, WIN_GPA + VTD_IQT, 4, efd2, 0) == -1 &&
		    errno == EEXIST, "ioeventfd inside an ioregion");
	TEST_ASSERT(ioeventfd(vm, WIN_GPA + VTD_IQT, 0, efd2, 0) == -1 &&
		    errno == EEXIST, "zero-length ioeventfd inside an ioregion");
	TEST_ASSERT(!ioeventfd(vm, WIN_GPA + VTD_IQT, 4, efd2,
			       KVM_IOEVENTFD_FLAG_PIO),
		    "PIO ioeventfd at the same number: %s", strerror(errno));
	TEST_ASSERT(!ioeventfd(vm, WIN_GPA + 0x200, 4, efd2, 0),
		    "ioeventfd: %s", strerror(errno));
	TEST_ASSERT(!ioeventfd(vm, WIN_GPA + 0x300, 0, efd2, 0),
		    "ioeventfd: %s", strerror(errno));
	r = ioregion(WIN_GPA + 0x200, 8, p + 0x200, 0, 0, 0);
	expect_errno(vm, r, EEXIST, "over an ioeventfd");
	r = ioregion(WIN_GPA + 0x300, 8, p + 0x300, 0, 0, 0);
	expect_errno(vm, r, EEXIST, "over a zero-length ioeventfd");
	ioregion_set(vm, ioregion(WIN_GPA + 0x1f8, 8, p + 0x1f8, 0, 0, 0));
	ioregion_set(vm, ioregion(WIN_GPA + 0x204, 4, p + 0x204, 0, 0, 0));

	/* Coalesced MMIO zones likewise. */
	if (kvm_has_cap(KVM_CAP_COALESCED_MMIO)) {
		struct kvm_coalesced_mmio_zone zone = {
			.addr = WIN_GPA + 0x90, .size = 4,
		};

		TEST_ASSERT(__vm_ioctl(vm, KVM_REGISTER_COALESCED_MMIO,
				       &zone) == -1 && errno == EEXIST,
			    "coalesced zone inside an ioregion");
		zone.addr = WIN_GPA + 0x400;
		vm_ioctl(vm, KVM_REGISTER_COALESCED_MMIO, &zone);
		r = ioregion(WIN_GPA + 0x400, 8, p + 0x400, 0, 0, 0);
		expect_errno(vm, r, EEXIST, "over a coalesced zone");
	}

	/* Deassign must name an existing window exactly. */
	r = good;
	r.flags = KVM_IOREGION_DEASSIGN;
	r.size -= 8;
	expect_errno(vm, r, ENOENT, "deassign with another size");
	r = good;
	r.flags = KVM_IOREGION_DEASSIGN;
	r.userspace_addr += 8;
	expect_errno(vm, r, ENOENT, "deassign with other memory");
	r = good;
	r.flags = KVM_IOREGION_DEASSIGN | (1 << 2);
	expect_errno(vm, r, EINVAL, "deassign with an unknown flag");
	r = good;
	r.flags = KVM_IOREGION_DEASSIGN;
	r.pad[0] = 1;
	expect_errno(vm, r, EINVAL, "deassign with non-zero pad");
	ioregion_clear(vm, good);
	r = good;
	r.flags = KVM_IOREGION_DEASSIGN;
	expect_errno(vm, r, ENOENT, "deassign twice");
	ioregion_set(vm, good);

	/*
	 * The bus device limit: ioregions count against it (other in-kernel
	 * devices may already use part of it).  Half the windows share one
	 * backing page with the other half.
	 */
	for (n = 0; n < 2 * NR_IOBUS_DEVS_MAX; n++) {
		r = ioregion(LIMIT_GPA + 16 * n, 8, p + (16 * n) % 4096,
			     0, 0, 0);
		if (__vm_ioctl(vm, KVM_SET_IOREGION, &r))
			break;
	}
	TEST_ASSERT(errno == ENOSPC, "wanted ENOSPC at the limit, got %s",
		    strerror(errno));
	TEST_ASSERT(n > 0 && n <= NR_IOBUS_DEVS_MAX,
		    "%d windows before ENOSPC", n);
	ioregion_clear(vm, ioregion(LIMIT_GPA, 8, p, 0, 0, 0));
	ioregion_set(vm, r);
	r = ioregion(LIMIT_GPA + 16 * (n + 1), 8, p + (16 * (n + 1)) % 4096,
		     0, 0, 0);
	expect_errno(vm, r, ENOSPC, "above the limit");

	/* The VM goes away with all its windows and the doorbell reference. */
	kvm_vm_free(vm);
	close(efd2);
}

struct fail_ioregion {
	struct kvm_vm *vm;
	struct kvm_ioregion r;
};

static int fail_ioregion_call(void *arg)
{
	struct fail_ioregion *f = arg;

	return __vm_ioctl(f->vm, KVM_SET_IOREGION, &f->r);
}

static void fail_ioregion_undo(void *arg)
{
	struct fail_ioregion *f = arg;

	ioregion_clear(f->vm, f->r);
}

/* KVM_SET_IOREGION with each of its fault injection points failing */
TEST_F_TIMEOUT(ioregion, fail_nth, 120)
{
	struct fail_ioregion f;
	struct kvm_ioregion gone;
	unsigned int points;

	f.vm = vm_create_barebones();
	f.r = vtd_qi_ioregion(WIN_GPA, self->page, self->efd);
	points = fail_nth_sweep(fail_ioregion_call, fail_ioregion_undo, &f);
	TH_LOG("KVM_SET_IOREGION: %u injection points", points);
	EXPECT_LT(0, points);

	/* Nothing was left registered, and the window can be set again */
	ioregion_set(f.vm, f.r);
	ioregion_clear(f.vm, f.r);
	gone = f.r;
	gone.flags = KVM_IOREGION_DEASSIGN;
	expect_errno(f.vm, gone, ENOENT, "deassign after the sweep");
	kvm_vm_free(f.vm);
}

int main(int argc, char *argv[])
{
	/* The kernel under test is the one that adds ioregions. */
	TEST_ASSERT(kvm_has_cap(KVM_CAP_IOREGION),
		    "KVM_CAP_IOREGION is not reported");

	return test_harness_run(argc, argv);
}
