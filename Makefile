# SPDX-License-Identifier: GPL-2.0
# vIOMMU invalidation fast path: assemble, build and test the patched kernel.
#
#   make demo      boot the bench kernel (no KASAN, lockdep, kmemleak) in QEMU
#                  and run the fast-path demo and the benchmark
#   make check     every test: userspace, KUnit, kselftests, arm64 compile
#   make patches   export the series (git format-patch, with cover letter)
#   make check-series  every commit of the series builds and passes checkpatch
#   make tools     userspace tools (build/tools/vqdecode)
#   make fuzz      fuzz the queue formats for FUZZ_SECONDS (1800), then report
#                  executions and coverage (make check runs a bounded run)
#
# ONLY=suite[,suite...] limits run-tests and demo to those harness/suites
# entries, for development loops.  VIOMMU=intel boots them on a q35 with
# QEMU's emulated VT-d (see harness/run-qemu.sh).
#
# See README.md.

SHELL    := /bin/bash
TOP      := $(CURDIR)
BUILD    := $(TOP)/build
SRC      := $(BUILD)/linux
OBJ      := $(BUILD)/obj/x86_64
OBJ_BENCH := $(BUILD)/obj/x86_64-bench
OBJ_ARM  := $(BUILD)/obj/arm64
RESULTS  := $(BUILD)/test-results
JOBS     ?= $(shell nproc)
ONLY_ARG := $(if $(ONLY),--only $(ONLY))
VIOMMU_ARG := $(if $(VIOMMU),--viommu $(VIOMMU))

# Timestamps and identity are fixed, and ccache's base directory is the
# checkout, so that a fresh clone on the same machine hits the cache.
export CCACHE_BASEDIR      := $(TOP)
export KBUILD_BUILD_TIMESTAMP := 2024-11-17
export KBUILD_BUILD_USER   := vqueue
export KBUILD_BUILD_HOST   := build

KMAKE     = $(MAKE) -C $(SRC) O=$(OBJ) ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc"
KMAKE_BENCH = $(MAKE) -C $(SRC) O=$(OBJ_BENCH) ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc"
KMAKE_ARM = $(MAKE) -C $(SRC) O=$(OBJ_ARM) ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	    CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc"

.PHONY: all deps tree config kernel headers selftests initramfs tools unit \
	run-tests arm64-check bench-kernel check check-series demo patches fuzz clean distclean

all: kernel

deps:
	@$(TOP)/harness/install-deps.sh

tree: deps
	@$(TOP)/harness/assemble-tree.sh $(SRC)

# tinyconfig plus fragments, the later winning:
#   $(call kconfig,kernel make command,object directory,fragments)
# A .config that fails the check is removed, or the next make would take it
# as up to date and build a kernel without what the fragments ask for.
define kconfig
	@mkdir -p $(2)
	$(1) -s tinyconfig
	$(SRC)/scripts/kconfig/merge_config.sh -m -O $(2) $(2)/.config $(3) >/dev/null
	$(1) -s olddefconfig
	@$(TOP)/harness/check-config.sh $(2)/.config $(3) || \
	  { rm -f $(2)/.config; exit 1; }
endef

# Regenerated whenever a fragment or the source changes.
TEST_FRAGMENTS  := harness/configs/x86_64-test.config
BENCH_FRAGMENTS := $(TEST_FRAGMENTS) harness/configs/x86_64-bench.config
$(OBJ)/.config: $(TEST_FRAGMENTS) $(SRC)/.vq-source-version
	$(call kconfig,$(KMAKE),$(OBJ),$(TEST_FRAGMENTS))
$(OBJ_BENCH)/.config: $(BENCH_FRAGMENTS) $(SRC)/.vq-source-version
	$(call kconfig,$(KMAKE_BENCH),$(OBJ_BENCH),$(BENCH_FRAGMENTS))

config: tree $(OBJ)/.config

kernel: config
	@ccache -M 8G >/dev/null
	$(KMAKE) -j$(JOBS) bzImage 2>&1 | tee $(BUILD)/kernel-build.log; exit $${PIPESTATUS[0]}

# The demo's kernel: the test kernel without KASAN, lockdep and kmemleak.
bench-kernel: tree $(OBJ_BENCH)/.config
	@ccache -M 8G >/dev/null
	$(KMAKE_BENCH) -j$(JOBS) bzImage 2>&1 | tee $(BUILD)/bench-kernel-build.log; exit $${PIPESTATUS[0]}

headers: config
	$(KMAKE) -s headers

selftests: headers
	@$(TOP)/harness/build-selftests.sh $(SRC) $(OBJ) $(BUILD)/selftests

initramfs: selftests
	@$(TOP)/harness/build-initramfs.sh $(BUILD)/selftests $(BUILD)/initramfs.cpio

tools: tree
	@$(TOP)/harness/build-tools.sh $(SRC) $(BUILD)/tools

# Userspace unit tests: the result parser, then every userspace test program.
unit: tree
	@$(TOP)/harness/run-unit-tests.sh $(SRC) $(RESULTS)

# The format fuzzer's long run; the unit tests run a bounded one.
FUZZ_SECONDS ?= 1800
fuzz: tree
	@FUZZ_SECONDS=$(FUZZ_SECONDS) $(TOP)/harness/run-fuzz.sh long $(SRC)

# The one way the test and bench kernels are booted: run-qemu.sh holds the
# QEMU command line, `make check` runs the suites through run-tests.
RUN_QEMU = $(TOP)/harness/run-qemu.sh --initramfs $(BUILD)/initramfs.cpio \
	   $(ONLY_ARG) $(VIOMMU_ARG)

# `make check` builds the kernel and the initramfs as stages of their own and
# runs this with RUN_TESTS_DEPS= so that they are not made twice.
RUN_TESTS_DEPS ?= kernel initramfs
run-tests: $(RUN_TESTS_DEPS)
	@$(RUN_QEMU) --kernel $(OBJ)/arch/x86/boot/bzImage --mode check --out $(RESULTS)

arm64-check: tree
	@$(TOP)/harness/arm64-check.sh

check:
	@$(TOP)/harness/check.sh

# The fast-path tests with their output live, then the benchmark: its table on
# stdout, build/bench/results.json and build/bench/latency.png.  On the bench
# kernel: make check has run the same tests under the debug options.
# A run whose nested guest QEMU lost (see the README) is run once more.
DEMO_RUN = $(RUN_QEMU) --kernel $(OBJ_BENCH)/arch/x86/boot/bzImage --mode demo \
	   --out $(BUILD)/demo
DEMO_LOST = unexpected exit SHUTDOWN|no phase started or ended
demo: bench-kernel initramfs
	@$(DEMO_RUN); status=$$?; \
	if [ $$status -ne 0 ] && \
	   grep -qE '$(DEMO_LOST)' $(BUILD)/demo/raw/tests.log 2>/dev/null; then \
		echo "demo: QEMU lost the benchmark's nested guest (see the README); running the demo once more"; \
		$(DEMO_RUN); status=$$?; \
	fi; \
	$(TOP)/harness/bench-report.py $(BUILD)/demo $(BUILD)/bench && exit $$status

patches: tree
	@$(TOP)/harness/export-patches.sh $(SRC) $(BUILD)/patches

# Every commit of the series builds (the project's directories, incrementally,
# in build/obj/series) and passes checkpatch --strict; not part of `check`.
check-series: config
	@$(TOP)/harness/check-series.sh $(SRC) $(BUILD)/obj/series $(OBJ)/.config

clean:
	rm -rf $(BUILD)/obj $(BUILD)/selftests $(BUILD)/initramfs.cpio $(RESULTS) $(BUILD)/tools

distclean:
	rm -rf $(BUILD)
