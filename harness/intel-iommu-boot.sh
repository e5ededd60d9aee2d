#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test kernel booted once more, on a q35 with QEMU's emulated VT-d
# (run-qemu.sh --viommu intel): the Intel IOMMU driver must probe it, and the
# KUnit suites, the Intel nested invalidation one included, must pass with it
# live, with the same kernel log checks as the main run.  Checks only, as TAP
# on stdout: the main run counts the cases.  Only one short kselftest runs,
# since the iommufd mock devices get no IOMMU under the Intel driver on 6.12
# (see README).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/test-results-intel
n=0
tap=()

check() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		tap+=("ok $n - $2")
	else
		tap+=("not ok $n - $2")
	fi
}

"$top/harness/run-qemu.sh" --mode check --viommu intel \
	--kernel "$top/build/obj/x86_64/arch/x86/boot/bzImage" \
	--initramfs "$top/build/initramfs.cpio" \
	--only kvm/kvm_binary_stats_test --out "$out" >&2
status=$?
log=$out/kernel.log

[ "$status" = 0 ] && r=ok || r=fail
check $r "intel-iommu boot: the run completed (status $status)"
grep -q "Intel(R) Virtualization Technology for Directed I/O" "$log" && r=ok || r=fail
check $r "intel-iommu boot: the Intel IOMMU driver initialised the emulated DMAR unit"
grep -q "Adding to iommu group" "$log" && r=ok || r=fail
check $r "intel-iommu boot: PCI devices are in IOMMU groups"

# The main run's log checks (panic, KASAN, lockdep, ...), on this boot
while read -r verdict rest; do
	case "$verdict" in
	ok) check ok "intel-iommu boot: ${rest#* - }" ;;
	not) check fail "intel-iommu boot: ${rest#ok * - }" ;;
	esac
done < <(grep -E '^(not )?ok ' "$out/verdicts/checks/qemu.tap" 2>/dev/null)

kunit_ok=$(grep -c '^ok .* - kunit ' "$out/verdicts/cases/qemu.tap" 2>/dev/null)
kunit_bad=$(grep -c '^not ok .* - kunit ' "$out/verdicts/cases/qemu.tap" 2>/dev/null)
nested=$(grep -c '^ok .* - kunit intel_iommu_nested: ' "$out/verdicts/cases/qemu.tap" 2>/dev/null)
[ "${kunit_bad:-1}" = 0 ] && [ "${nested:-0}" -gt 0 ] && r=ok || r=fail
check $r "intel-iommu boot: KUnit ${kunit_ok:-0} passed, ${kunit_bad:-?} failed, ${nested:-0} of them intel_iommu_nested"

echo "TAP version 13"
echo "1..$n"
printf '%s\n' "${tap[@]}"
