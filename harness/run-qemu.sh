#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel (the test kernel for check, the bench kernel for demo) under
# QEMU TCG, run the suites of one mode, collect.
#   run-qemu.sh --mode check|demo --kernel BZIMAGE --initramfs CPIO --out DIR
#               [--only SUITE[,SUITE...]] [--smp N] [--viommu intel]
# The guest's kernel log (ttyS0) and the suites' output (ttyS1) are kept apart;
# the collector turns them into per-suite files and verdicts under DIR.
# --viommu intel boots a q35 with QEMU's emulated VT-d and intel_iommu=on, so
# that the Intel IOMMU driver probes (emulated) hardware.  It is not the
# default: on 6.12 a device without firmware node is probed by the first such
# IOMMU registered, which is then the Intel one, so the iommufd selftest's
# mock devices get no IOMMU and every iommufd selftest skips.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=check kernel= initramfs= out= only= smp=2 viommu=none
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initramfs) initramfs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--viommu) viommu=$2; shift 2 ;;
	*) echo "run-qemu: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$kernel" ] && [ -f "$initramfs" ] && [ -n "$out" ] ||
	{ echo "run-qemu: need --kernel, --initramfs and --out" >&2; exit 2; }

# Boot, kmemleak scans and reboot take about a minute under TCG with KASAN;
# leave room for a slow machine on top of the suites' own limits.
limit=240
expect=()
while read -r name timeout modes program args; do
	case "$name" in ''|'#'*) continue ;; esac
	case ",$modes," in *",$mode,"*) ;; *) continue ;; esac
	case ",${only:-$name}," in *",$name,"*) ;; *) continue ;; esac
	limit=$((limit + timeout))
	expect+=("$name=$timeout")
done < "$top/harness/suites"

raw=$out/raw
# Nothing of an earlier run may pass for this one's, the benchmark's results
# least of all
rm -rf "$out/kunit" "$out/kselftest" "$out/artifacts" "$raw" \
	"$out/verdicts/cases/qemu.tap" "$out/verdicts/checks/qemu.tap"
mkdir -p "$raw"
append="console=ttyS0 panic=-1 vqtest.mode=$mode${only:+ vqtest.only=$only}"
machine=()
case "$viommu" in
none) ;;
intel)	machine=(-machine q35 -device intel-iommu,intremap=on,x-scalable-mode=on)
	append+=" intel_iommu=on" ;;
*) echo "run-qemu: unknown --viommu $viommu" >&2; exit 2 ;;
esac
qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$smp" -m 2G
      "${machine[@]}" -nodefaults -no-user-config -display none -no-reboot
      -kernel "$kernel" -initrd "$initramfs" -append "$append"
      -serial "file:$raw/kernel.log")
if [ "$mode" = demo ]; then
	qemu+=(-chardev "stdio,id=tests,logfile=$raw/tests.log,signal=off"
	       -serial chardev:tests)
else
	qemu+=(-serial "file:$raw/tests.log")
fi

echo "run-qemu: booting ($mode mode, at most ${limit}s); kernel log in $out/kernel.log"
start=$SECONDS
timeout --kill-after=10 "$limit" "${qemu[@]}" </dev/null
status=$?
echo "run-qemu: QEMU exited with status $status after $((SECONDS - start))s"
python3 "$top/harness/results.py" collect --kernel-log "$raw/kernel.log" \
	--tests-log "$raw/tests.log" --out "$out" --qemu-status "$status" \
	--expect "${expect[@]}"
