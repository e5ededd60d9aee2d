#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of results.py on captured and hand-made TAP/KTAP samples.

Prints TAP, so that `make check` counts these tests like every other.
"""

import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

# KUnit's KTAP is parsed by the kernel tree's kunit_parser.py: KERNEL_TREE
# names the tree (run-unit-tests.sh sets it), else build/linux is used.

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'samples')
PASS, FAIL, SKIP = results.PASS, results.FAIL, results.SKIP


def sample(name):
    return os.path.join(SAMPLES, name)


def by_name(verdicts):
    """Verdicts by name; a name counted more than once fails if any did."""
    merged = {}
    for name, status, detail in verdicts:
        if name in merged:
            old_status, old_detail = merged[name]
            status = FAIL if FAIL in (status, old_status) else old_status
            detail = old_detail + '\n' + detail
        merged[name] = (status, detail)
    return merged


def statuses(verdicts):
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    for _, status, _ in verdicts:
        counts[status] += 1
    return counts


def collect(kernel_log, tests_log, expected=(), qemu_status=0):
    """Cases and checks of one collected run, in one list."""
    cases, checks, _ = results.collect(sample(kernel_log), sample(tests_log), list(expected),
                                       {}, qemu_status)
    return cases + checks


class CapturedRun(unittest.TestCase):
    """A real `make check` QEMU run: kernel log and suite output as captured."""

    def test_every_suite_and_case_is_counted(self):
        cases, checks, _ = results.collect(
            sample('captured-kernel.log'), sample('captured-tests.log'),
            ['kvm/sync_regs_test', 'kvm/coalesced_io_test', 'kvm/kvm_binary_stats_test',
             'kvm/kvm_create_max_vcpus', 'kvm/ioregion_test'], {}, 0)
        self.assertEqual(statuses(cases), {PASS: 154, FAIL: 0, SKIP: 0})
        self.assertEqual(statuses(checks), {PASS: 17, FAIL: 0, SKIP: 0})
        names = [n for n, _, _ in cases]
        self.assertEqual(len([n for n in names if n.startswith('kunit ')]), 132)
        self.assertIn('kunit iommufd_vqueue_smmuv3: vqt_case.index_q1', names)
        self.assertIn('kselftest kvm/ioregion_test: ioregion.doorbell_two_vcpus', names)
        self.assertIn('kselftest kvm/kvm_create_max_vcpus', names)

    def test_a_warning_injected_into_the_captured_log_fails_the_run(self):
        klog = results.read_lines(sample('captured-kernel.log'))
        at = next(i for i, l in enumerate(klog) if 'suite kvm/ioregion_test begins' in l)
        klog.insert(at + 1, '[   80.000000] WARNING: CPU: 0 PID: 300 at virt/kvm/ioregion.c:99 x+0x1/0x2')
        with tempfile.NamedTemporaryFile('w', suffix='.log') as f:
            f.write('\n'.join(klog) + '\n')
            f.flush()
            cases, checks, _ = results.collect(f.name, sample('captured-tests.log'), [], {}, 0)
        self.assertEqual(by_name(checks)['kernel log shows no WARNING'][0], FAIL)
        self.assertEqual(statuses(checks)[FAIL], 1)
        self.assertEqual(statuses(cases)[FAIL], 0)


class KtapParsing(unittest.TestCase):
    """KUnit's KTAP, read by the kernel's kunit_parser."""

    def kunit(self, log):
        return results.kunit_results(results.read_lines(sample(log)), results.DEFAULT_TREE)

    def test_kunit_suites_and_nested_cases(self):
        cases, problems, _ = self.kunit('kunit-pass.log')
        self.assertEqual(problems, [])
        self.assertEqual(cases, [
            ('kunit list-kernel-test: list_test_list_init', PASS, ''),
            ('kunit list-kernel-test: list_test_list_add', PASS, ''),
            ('kunit list-kernel-test: list_test_list_del', SKIP, 'skipped'),
            ('kunit iommufd_vqueue_smmuv3: decode_vectors.S1', PASS, ''),
            ('kunit iommufd_vqueue_smmuv3: decode_vectors.S7', PASS, ''),
            ('kunit iommufd_vqueue_smmuv3: index_wrap', PASS, ''),
        ])

    def test_kunit_ktap_file_per_suite_holds_only_that_suite(self):
        _, _, files = results.collect(sample('kunit-pass.log'), sample('kselftest-pass.txt'),
                                      [], {}, 0)
        text = files['kunit/list-kernel-test.ktap']
        self.assertIn('ok 1 list_test_list_init', text)
        self.assertNotIn('kvm_amd', text)
        self.assertNotIn('decode_vectors', text)
        self.assertIn('ok 2 iommufd_vqueue_smmuv3', files['kunit/iommufd_vqueue_smmuv3.ktap'])
        self.assertIn('list-kernel-test', files['kunit/kunit.txt'])

    def test_kunit_failing_case_fails(self):
        v = by_name(collect('kunit-fail.log', 'kselftest-pass.txt'))
        self.assertEqual(v['kunit list-kernel-test: list_test_list_add'][0], FAIL)
        self.assertEqual(v['kunit list-kernel-test: list_test_list_init'][0], PASS)

    def test_kunit_crash_mid_suite_is_a_failure(self):
        verdicts = collect('kunit-crash.log', 'kselftest-pass.txt')
        v = by_name(verdicts)
        self.assertEqual(v['kernel log shows no kernel panic'][0], FAIL)
        self.assertEqual(v['kernel log shows no oops'][0], FAIL)
        self.assertEqual(v['kunit ran to completion'][0], FAIL)
        self.assertIn('parse errors', v['kunit ran to completion'][1])
        self.assertEqual(v['kunit list-kernel-test: list_test_list_add'][0], PASS)
        self.assertTrue(any(n.startswith('kunit ') and s == FAIL and 'never reported' in n
                            for n, s, _ in verdicts), verdicts)

    def test_suite_failing_without_failing_case_counts_once_more(self):
        parsed = results.parse_tap(['    ok 1 a', 'not ok 1 suite']).results
        self.assertEqual(results.leaves(parsed),
                         [('suite.a', PASS, ''),
                          ('suite', FAIL, 'failed with no failing subtest')])

    def test_plan_mismatch_is_reported(self):
        self.assertEqual(results.parse_tap(['1..3', 'ok 1 a', 'ok 2 b']).problems,
                         ['planned 3 tests, 2 reported'])

    def test_directives(self):
        parsed = results.parse_tap(['ok 1 - a # SKIP no kvm', 'not ok 2 b # SKIP x',
                                    'not ok 3 c # TODO later', 'ok 4 d # XFAIL known',
                                    'not ok 5 e # XFAIL known']).results
        self.assertEqual([r.status for r in parsed], [SKIP, SKIP, FAIL, PASS, FAIL])

    def test_skip_plan(self):
        tap = results.parse_tap(['TAP version 13', '1..0 # SKIP KVM_CAP_IOREGION missing'])
        self.assertEqual((tap.results, tap.plan_skip), ([], 'KVM_CAP_IOREGION missing'))


def run_of(name, status, lines):
    run = results.SuiteRun(name)
    run.lines, run.status = lines, status
    return run


class KselftestParsing(unittest.TestCase):
    def test_passing_run(self):
        verdicts = collect('kunit-pass.log', 'kselftest-pass.txt',
                           ['kvm/sync_regs_test', 'kvm/kvm_create_max_vcpus',
                            'kvm/skipped_test'])
        v = by_name(verdicts)
        self.assertEqual(v['kselftest kvm/sync_regs_test: sync_regs_test.read_invalid'][0], PASS)
        # A program without TAP is judged by its exit status.
        self.assertEqual(v['kselftest kvm/kvm_create_max_vcpus'][0], PASS)
        self.assertEqual(statuses(verdicts)[FAIL], 0, [x for x in verdicts if x[1] == FAIL])
        self.assertEqual(v['guest runner completed'][0], PASS)

    def test_skip_plan_and_exit_status_4_is_a_skip(self):
        v = by_name(collect('kunit-pass.log', 'kselftest-pass.txt'))
        self.assertEqual(v['kselftest kvm/skipped_test'], (SKIP, 'Cannot open /dev/kvm'))

    def test_skip_plan_with_exit_0_is_a_skip_too(self):
        cases, checks = results.suite_verdicts(run_of('x', 0, ['1..0 # SKIP no iommufd']), 's')
        self.assertEqual(cases, [('s', SKIP, 'no iommufd')])
        self.assertEqual(checks[0][1], PASS)

    def test_exit_4_without_a_skipped_case_fails(self):
        _, checks = results.suite_verdicts(run_of('x', 4, ['1..1', 'ok 1 a']), 's')
        self.assertEqual(checks[0][1], FAIL)

    def test_plan_without_results_and_exit_0_fails(self):
        cases, _ = results.suite_verdicts(run_of('x', 0, ['TAP version 13', '1..3']), 's')
        self.assertEqual(cases[0][1], FAIL)

    def test_failures_timeouts_and_crashes(self):
        verdicts = collect('kunit-pass.log', 'kselftest-fail.txt',
                           ['kvm/ioregion_test', 'kvm/never_started'], qemu_status=124)
        v = by_name(verdicts)
        self.assertEqual(v['kselftest kvm/ioregion_test: ioregion.loads'][0], PASS)
        self.assertEqual(v['kselftest kvm/ioregion_test: ioregion.doorbell'][0], FAIL)
        self.assertEqual(v['kselftest kvm/exits_nonzero ran to completion'],
                         (FAIL, 'exit status 1 although no TAP result failed'))
        self.assertEqual(v['kselftest kvm/short_plan ran to completion'],
                         (FAIL, 'planned 3 tests, 1 reported'))
        self.assertEqual(v['kselftest kvm/hangs ran to completion'][0], FAIL)
        self.assertIn('timed out', v['kselftest kvm/hangs ran to completion'][1])
        self.assertIn('did not finish', v['kselftest kvm/crashes ran to completion'][1])
        self.assertIn('never started', v['kselftest kvm/never_started ran to completion'][1])
        self.assertEqual(v['guest runner completed'][0], FAIL)
        self.assertEqual(v['QEMU exited by itself'][0], FAIL)


class Artifacts(unittest.TestCase):
    def test_files_left_by_suites_are_extracted_and_not_counted(self):
        log = ['@@SUITE-BEGIN bench/viommu_bench', 'path batch median',
               '@@SUITE-END bench/viommu_bench 0', '@@ARTIFACT-BEGIN results.json',
               '{', '  "reps": 500', '}', '', '@@ARTIFACT-END', '@@ALL-DONE']
        with tempfile.NamedTemporaryFile('w', suffix='.log') as f:
            f.write('\n'.join(log) + '\n')
            f.flush()
            cases, _, files = results.collect(sample('kunit-pass.log'), f.name, [], {}, 0)
        self.assertEqual(files['artifacts/results.json'], '{\n  "reps": 500\n}\n')
        self.assertEqual(files['kselftest/bench-viommu_bench.tap'], 'path batch median\n')
        self.assertEqual(by_name(cases)['kselftest bench/viommu_bench'], (PASS, ''))


class KernelLogChecks(unittest.TestCase):
    def test_each_report_fails_its_own_check(self):
        v = by_name(collect('kernel-warning.log', 'kselftest-pass.txt'))
        self.assertIn('ioregion.c:42', v['kernel log shows no WARNING'][1])
        self.assertEqual(v['kernel log shows no WARNING'][0], FAIL)
        self.assertEqual(v['kernel log shows no lockdep or atomic-context report'][0], FAIL)
        self.assertEqual(v['kernel log shows no KASAN report'][0], FAIL)
        self.assertEqual(v['kernel log shows no kmemleak report'][0], FAIL)
        self.assertEqual(v['kernel log shows no kernel panic'][0], PASS)

    def test_clean_log_passes_every_check(self):
        verdicts = collect('kunit-pass.log', 'kselftest-pass.txt')
        for name, status, detail in verdicts:
            if name.startswith('kernel log'):
                self.assertEqual(status, PASS, (name, detail))

    def test_kmemleak_report_from_debugfs_fails(self):
        v = by_name(collect('kunit-pass.log', 'kmemleak-report.txt'))
        self.assertEqual(v['kernel log shows no kmemleak report'][0], FAIL)
        self.assertIn('unreferenced object', v['kernel log shows no kmemleak report'][1])


def tap(*lines):
    return 'TAP version 13\n1..%d\n%s\n' % (
        sum(1 for l in lines if l.startswith(('ok', 'not ok'))), '\n'.join(lines))


# A run in the shape of `make check`: two stages' checks, a KUnit suite, a
# project kselftest, a stock one without TAP, and a userspace test that runs
# one of the KUnit vectors again.
GREEN_CHECKS = {'kernel': tap('ok 1 - x86_64 test kernel builds'),
                'qemu': tap('ok 1 - kernel log shows no WARNING',
                            'ok 2 - kselftest kvm/ioregion_test ran to completion')}
GREEN_CASES = {'qemu': tap('ok 1 - kunit iommufd_vqueue_vtd: vtdt_vector.V13 wait SW data 1',
                           'ok 2 - kunit iommufd_vqueue_vtd: vtdt_case.index wrap',
                           'ok 3 - kselftest kvm/ioregion_test: ioregion.doorbell',
                           'ok 4 - kselftest kvm/ioregion_test: ioregion.loads',
                           'ok 5 - kselftest kvm/kvm_create_max_vcpus'),
               'unit-tools-iommu': tap('ok 1 - unit tools-iommu: vtd vector V13 wait SW data 1',
                                       'ok 2 - unit tools-iommu: vtd128 json V13 wait SW data 1')}
GREEN_MANIFEST = '''# comment
kunit iommufd_vqueue_vtd: vtdt_vector.V13 wait SW data 1
kunit iommufd_vqueue_vtd: vtdt_case.index wrap
kselftest kvm/ioregion_test: ioregion.doorbell
kselftest kvm/ioregion_test: ioregion.loads
kselftest kvm/kvm_create_max_vcpus
unit tools-iommu: vtd vector V13 wait SW data 1
unit tools-iommu: vtd128 json V13 wait SW data 1
'''


class Summary(unittest.TestCase):
    """The summary of a results directory, checked against a manifest."""

    def summarize(self, cases=None, checks=None, manifest=GREEN_MANIFEST):
        cases = dict(GREEN_CASES if cases is None else cases)
        checks = dict(GREEN_CHECKS if checks is None else checks)
        with tempfile.TemporaryDirectory() as d:
            for kind, files in (('cases', cases), ('checks', checks)):
                os.makedirs(os.path.join(d, 'verdicts', kind))
                for name, text in files.items():
                    if text is not None:
                        with open(os.path.join(d, 'verdicts', kind, name + '.tap'), 'w') as f:
                            f.write(text)
            path = os.path.join(d, 'manifest')
            if manifest is not None:
                with open(path, 'w') as f:
                    f.write(manifest)
            out = io.StringIO()
            rc = results.summarize(d, path, out)
            return rc, out.getvalue().splitlines()

    def with_case(self, stage, old, new):
        cases = dict(GREEN_CASES)
        self.assertIn(old, cases[stage])
        cases[stage] = cases[stage].replace(old, new)
        return cases

    def test_green_run_counts_each_case_once_and_no_check(self):
        rc, lines = self.summarize()
        self.assertEqual((rc, lines[-1]), (0, '6 passed, 0 failed, 0 skipped'), lines)
        self.assertTrue(any(l.startswith('  unit tools-iommu ') and
                            l.endswith('1 passed, 1 more that KUnit also runs, counted there')
                            for l in lines), lines)
        self.assertTrue(any('kvm_create_max_vcpus (stock)' in l for l in lines), lines)

    def test_skip_of_a_project_case_fails(self):
        rc, lines = self.summarize(self.with_case(
            'qemu', 'ok 3 - kselftest kvm/ioregion_test: ioregion.doorbell',
            'ok 3 - kselftest kvm/ioregion_test: ioregion.doorbell # SKIP no KVM_CAP_IOREGION'))
        self.assertEqual((rc, lines[-1]), (1, '5 passed, 1 failed, 0 skipped'))
        self.assertIn('FAIL: kselftest kvm/ioregion_test: ioregion.doorbell', lines)

    def test_skip_the_manifest_explains_is_a_skip(self):
        rc, lines = self.summarize(
            self.with_case('qemu', 'ok 5 - kselftest kvm/kvm_create_max_vcpus',
                           'ok 5 - kselftest kvm/kvm_create_max_vcpus # SKIP exit status 4'),
            manifest=GREEN_MANIFEST.replace(
                'kselftest kvm/kvm_create_max_vcpus\n',
                'kselftest kvm/kvm_create_max_vcpus # SKIP needs more memory than the guest has\n'))
        self.assertEqual((rc, lines[-1]), (0, '5 passed, 0 failed, 1 skipped'), lines)

    def test_a_skip_reason_must_be_given(self):
        rc, lines = self.summarize(manifest=GREEN_MANIFEST.replace(
            'kselftest kvm/kvm_create_max_vcpus\n', 'kselftest kvm/kvm_create_max_vcpus # SKIP\n'))
        self.assertEqual(rc, 1)

    def test_empty_verdict_file_fails(self):
        for text in ('', 'TAP version 13\n', 'TAP version 13\n1..0 # SKIP nothing to do\n'):
            checks = dict(GREEN_CHECKS, patches=text)
            rc, lines = self.summarize(checks=checks)
            self.assertEqual(rc, 1, (text, lines))
            self.assertTrue(any(l.startswith('FAIL: check patches: no verdicts') for l in lines),
                            lines)
            rc, lines = self.summarize(cases=dict(GREEN_CASES, extra=text))
            self.assertEqual(rc, 1, (text, lines))

    def test_todo_fails(self):
        rc, lines = self.summarize(self.with_case(
            'qemu', 'ok 4 - kselftest kvm/ioregion_test: ioregion.loads',
            'not ok 4 - kselftest kvm/ioregion_test: ioregion.loads # TODO'))
        self.assertEqual((rc, lines[-1]), (1, '5 passed, 1 failed, 0 skipped'))
        rc, lines = self.summarize(checks=dict(GREEN_CHECKS, arm64=tap('not ok 1 - x # TODO')))
        self.assertEqual(rc, 1)

    def test_case_missing_from_the_manifest_fails(self):
        rc, lines = self.summarize(self.with_case(
            'qemu', 'ok 4 - kselftest kvm/ioregion_test: ioregion.loads\n', ''))
        self.assertEqual((rc, lines[-1]), (1, '5 passed, 1 failed, 0 skipped'), lines)
        self.assertIn("FAIL: kselftest kvm/ioregion_test: 1 of the manifest's cases did not run",
                      lines)

    def test_suite_removed_from_the_run_fails(self):
        cases = self.with_case('qemu', 'ok 3 - kselftest kvm/ioregion_test: ioregion.doorbell\n'
                               'ok 4 - kselftest kvm/ioregion_test: ioregion.loads\n', '')
        rc, lines = self.summarize(cases)
        self.assertEqual((rc, lines[-1]), (1, '4 passed, 2 failed, 0 skipped'), lines)
        rc, lines = self.summarize(dict(GREEN_CASES, **{'unit-tools-iommu': None}))
        self.assertEqual((rc, lines[-1]), (1, '5 passed, 2 failed, 0 skipped'), lines)

    def test_new_case_not_in_the_manifest_is_counted_and_noted(self):
        rc, lines = self.summarize(dict(GREEN_CASES, more=tap('ok 1 - kunit x: y')))
        self.assertEqual((rc, lines[-1]), (0, '7 passed, 0 failed, 0 skipped'))
        self.assertTrue(any(l.startswith('note: kunit x: 1 cases') for l in lines), lines)

    def test_no_manifest_fails(self):
        rc, lines = self.summarize(manifest=None)
        self.assertEqual(rc, 1)

    def test_failed_check_fails_the_run_but_is_not_a_case(self):
        rc, lines = self.summarize(checks=dict(GREEN_CHECKS, kernel=tap(
            'not ok 1 - x86_64 test kernel builds', '# error: foo')))
        self.assertEqual((rc, lines[-1]), (1, '6 passed, 0 failed, 0 skipped'))
        self.assertIn('FAIL: check kernel: x86_64 test kernel builds', lines)
        self.assertIn('#   error: foo', lines)

    def test_shared_case_that_fails_in_userspace_is_a_failure(self):
        rc, lines = self.summarize(self.with_case(
            'unit-tools-iommu', 'ok 1 - unit tools-iommu: vtd vector',
            'not ok 1 - unit tools-iommu: vtd vector'))
        self.assertEqual((rc, lines[-1]), (1, '6 passed, 1 failed, 0 skipped'))

    def test_the_reported_scenario_is_red(self):
        """ioregion_test exits 4 on a missing capability and every
        vqueue_test case skips on a failed setup."""
        run = [run_of('kvm/ioregion_test', 4, ['TAP version 13', '1..0 # SKIP KVM_CAP_IOREGION']),
               run_of('iommu/vqueue_test', 4, ['TAP version 13', '1..2',
                                               'ok 1 vqueue.a # SKIP IOMMU_IOAS_MAP: Invalid argument',
                                               'ok 2 vqueue.b # SKIP IOMMU_IOAS_MAP: Invalid argument'])]
        cases, checks = [], []
        for r in run:
            c, k = results.suite_verdicts(r, 'kselftest ' + r.name)
            cases += c
            checks += k
        manifest = ('kselftest kvm/ioregion_test: ioregion.doorbell\n'
                    'kselftest iommu/vqueue_test: vqueue.a\nkselftest iommu/vqueue_test: vqueue.b\n')
        rc, lines = self.summarize({'qemu': results.format_tap(cases)},
                                   {'qemu': results.format_tap(checks)}, manifest)
        self.assertEqual((rc, lines[-1]), (1, '0 passed, 4 failed, 0 skipped'), lines)


class Stage(unittest.TestCase):
    """The verdicts `make check` takes from a build stage."""

    def stage(self, status, tap_text=None, written=None):
        with tempfile.TemporaryDirectory() as d:
            tap_file = None
            if tap_text is not None:
                tap_file = os.path.join(d, 'out.tap')
                with open(tap_file, 'w') as f:
                    f.write(tap_text)
            for path, text in (written or {}).items():
                results.write(os.path.join(d, 'verdicts', path), text)
            out = io.StringIO()
            rc = results.stage('s', 'stage works', status, d, tap_file,
                               's' if written is not None else None, out=out)
            entries, problems = results.read_verdicts(os.path.join(d, 'verdicts/checks/s.tap'))
            return rc, statuses(entries)[FAIL] + len(problems), out.getvalue()

    def test_exit_status_of_a_plain_stage(self):
        self.assertEqual(self.stage(0)[:2], (0, 0))
        self.assertEqual(self.stage(2)[:2], (1, 1))

    def test_non_zero_exit_with_ok_tap_fails(self):
        rc, failed, out = self.stage(1, tap('ok 1 - compiles drivers/iommu/'))
        self.assertEqual((rc, failed), (1, 1))
        self.assertIn('exit status 1 although its TAP reported no failure', out)
        self.assertEqual(self.stage(0, tap('ok 1 - compiles drivers/iommu/'))[:2], (0, 0))

    def test_tap_stage_without_verdicts_fails(self):
        for text in ('', 'TAP version 13\n1..0 # SKIP the series is empty\n'):
            self.assertEqual(self.stage(0, text)[:2], (1, 1), text)

    def test_stage_writing_its_own_verdicts(self):
        ok = {'cases/s.tap': tap('ok 1 - unit x: a')}
        self.assertEqual(self.stage(0, written=ok)[:2], (0, 0))
        self.assertEqual(self.stage(1, written=ok)[:2], (1, 1))
        self.assertEqual(self.stage(1, written={})[:2], (1, 1))
        rc, failed, _ = self.stage(1, written={'cases/s.tap': tap('not ok 1 - unit x: a')})
        self.assertEqual((rc, failed), (1, 0))


class Manifest(unittest.TestCase):
    def test_built_from_a_run_and_keeps_reasons_but_makes_no_new_ones(self):
        with tempfile.TemporaryDirectory() as d:
            results.write(os.path.join(d, 'verdicts/cases/qemu.tap'), tap(
                'ok 1 - kunit s: a', 'ok 2 - kunit s: b # SKIP why',
                'ok 3 - kselftest k # SKIP exit status 4'))
            results.write(os.path.join(d, 'verdicts/checks/qemu.tap'), tap('ok 1 - check'))
            previous = os.path.join(d, 'old')
            results.write(previous, 'kselftest k # SKIP needs 3 CPUs\nkunit s: gone\n')
            out, err = io.StringIO(), io.StringIO()
            self.assertEqual(results.build_manifest(d, previous, out, err), 0)
            body = [l for l in out.getvalue().splitlines() if l and not l.startswith('#')]
            self.assertEqual(body, ['kunit s: a', 'kunit s: b', 'kselftest k # SKIP needs 3 CPUs'])
            self.assertIn('kunit s: b skipped', err.getvalue())
            self.assertIn('kunit s: gone', err.getvalue())
            results.write(previous, out.getvalue())
            self.assertEqual(set(results.read_manifest(previous)),
                             {'kunit s: a', 'kunit s: b', 'kselftest k'})


class TapResult(unittest.TestResult):
    """Report each test as a TAP line as it ends."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0

    def _line(self, ok, test, note=''):
        self.n += 1
        self.stream.write('%s %d - %s%s\n' % ('ok' if ok else 'not ok', self.n, test.id(), note))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(False, test)
        self.stream.write(''.join('# ' + l + '\n' for l in
                                  self._exc_info_to_string(err, test).splitlines()))

    def addError(self, test, err):
        super().addError(test, err)
        self._line(False, test)
        self.stream.write(''.join('# ' + l + '\n' for l in
                                  self._exc_info_to_string(err, test).splitlines()))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, ' # SKIP ' + reason)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print('TAP version 13')
    print('1..%d' % suite.countTestCases())
    result = TapResult(sys.stdout)
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
