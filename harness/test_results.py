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
    verdicts, _ = results.collect(sample(kernel_log), sample(tests_log), list(expected),
                                  {}, qemu_status)
    return verdicts


class CapturedRun(unittest.TestCase):
    """A real `make check` QEMU run: kernel log and suite output as captured."""

    def test_every_suite_and_case_is_counted(self):
        verdicts = collect('captured-kernel.log', 'captured-tests.log',
                           ['kvm/sync_regs_test', 'kvm/coalesced_io_test',
                            'kvm/kvm_binary_stats_test', 'kvm/kvm_create_max_vcpus',
                            'kvm/ioregion_test'])
        self.assertEqual(statuses(verdicts), {PASS: 165, FAIL: 0, SKIP: 0})
        names = [n for n, _, _ in verdicts]
        self.assertEqual(len([n for n in names if n.startswith('kunit ')]), 132)
        self.assertIn('kunit iommufd_vqueue_smmuv3.vqt_case.index_q1', names)
        self.assertIn('kselftest kvm/ioregion_test: ioregion.doorbell_two_vcpus', names)
        self.assertIn('kselftest kvm/kvm_create_max_vcpus', names)

    def test_a_warning_injected_into_the_captured_log_fails_the_run(self):
        klog = results.read_lines(sample('captured-kernel.log'))
        at = next(i for i, l in enumerate(klog) if 'suite kvm/ioregion_test begins' in l)
        klog.insert(at + 1, '[   80.000000] WARNING: CPU: 0 PID: 300 at virt/kvm/ioregion.c:99 x+0x1/0x2')
        with tempfile.NamedTemporaryFile('w', suffix='.log') as f:
            f.write('\n'.join(klog) + '\n')
            f.flush()
            verdicts, _ = results.collect(f.name, sample('captured-tests.log'), [], {}, 0)
        v = by_name(verdicts)
        self.assertEqual(v['kernel log shows no WARNING'][0], FAIL)
        self.assertEqual(statuses(verdicts)[FAIL], 1)


class KtapParsing(unittest.TestCase):
    def test_kunit_suites_and_nested_cases(self):
        suites, problems = results.extract_kunit(results.read_lines(sample('kunit-pass.log')))
        self.assertEqual(problems, [])
        self.assertEqual([s[0] for s in suites], ['list-kernel-test', 'iommufd_vqueue_smmuv3'])
        flat = results.leaves([s[2] for s in suites])
        self.assertEqual(flat, [
            ('list-kernel-test.list_test_list_init', PASS, ''),
            ('list-kernel-test.list_test_list_add', PASS, ''),
            ('list-kernel-test.list_test_list_del', SKIP, 'SKIP not applicable here'),
            ('iommufd_vqueue_smmuv3.decode_vectors.S1', PASS, ''),
            ('iommufd_vqueue_smmuv3.decode_vectors.S7', PASS, ''),
            ('iommufd_vqueue_smmuv3.index_wrap', PASS, ''),
        ])

    def test_kunit_ktap_file_per_suite_holds_only_that_suite(self):
        _, files = results.collect(sample('kunit-pass.log'), sample('kselftest-pass.txt'),
                                   [], {}, 0)
        text = files['kunit/list-kernel-test.ktap']
        self.assertIn('ok 1 list_test_list_init', text)
        self.assertNotIn('kvm_amd', text)
        self.assertNotIn('decode_vectors', text)
        self.assertIn('ok 2 iommufd_vqueue_smmuv3', files['kunit/iommufd_vqueue_smmuv3.ktap'])

    def test_kunit_failing_case_fails(self):
        v = by_name(collect('kunit-fail.log', 'kselftest-pass.txt'))
        self.assertEqual(v['kunit list-kernel-test.list_test_list_add'][0], FAIL)
        self.assertEqual(v['kunit list-kernel-test.list_test_list_init'][0], PASS)

    def test_kunit_crash_mid_suite_is_a_failure(self):
        verdicts = collect('kunit-crash.log', 'kselftest-pass.txt')
        v = by_name(verdicts)
        self.assertEqual(v['kernel log shows no kernel panic'][0], FAIL)
        self.assertEqual(v['kernel log shows no oops'][0], FAIL)
        kunit_problems = [d for n, s, d in verdicts if n == 'kunit' and s == FAIL]
        self.assertTrue(any('planned 2 suites, 0 reported' in d for d in kunit_problems),
                        kunit_problems)

    def test_suite_failing_without_failing_case_counts_once_more(self):
        parsed, _ = results.parse_tap(['    ok 1 a', 'not ok 1 suite'])
        self.assertEqual(results.leaves(parsed),
                         [('suite.a', PASS, ''),
                          ('suite', FAIL, 'failed with no failing subtest')])

    def test_plan_mismatch_is_reported(self):
        _, problems = results.parse_tap(['1..3', 'ok 1 a', 'ok 2 b'])
        self.assertEqual(problems, ['planned 3 tests, 2 reported'])

    def test_directives(self):
        parsed, _ = results.parse_tap(['ok 1 - a # SKIP no kvm', 'not ok 2 b # SKIP x',
                                       'not ok 3 c # TODO later', 'ok 4 d # XFAIL known'])
        self.assertEqual([r.status for r in parsed], [SKIP, SKIP, PASS, PASS])


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
        self.assertEqual(v['kselftest kvm/skipped_test'][0], SKIP)

    def test_failures_timeouts_and_crashes(self):
        verdicts = collect('kunit-pass.log', 'kselftest-fail.txt',
                           ['kvm/ioregion_test', 'kvm/never_started'], qemu_status=124)
        v = by_name(verdicts)
        self.assertEqual(v['kselftest kvm/ioregion_test: ioregion.loads'][0], PASS)
        self.assertEqual(v['kselftest kvm/ioregion_test: ioregion.doorbell'][0], FAIL)
        self.assertEqual(v['kselftest kvm/exits_nonzero'],
                         (FAIL, 'exit status 1 although no TAP result failed'))
        self.assertEqual(v['kselftest kvm/short_plan'], (FAIL, 'planned 3 tests, 1 reported'))
        self.assertEqual(v['kselftest kvm/hangs'][0], FAIL)
        self.assertIn('timed out', v['kselftest kvm/hangs'][1])
        self.assertIn('did not finish', v['kselftest kvm/crashes'][1])
        self.assertIn('never started', v['kselftest kvm/never_started'][1])
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
            verdicts, files = results.collect(sample('kunit-pass.log'), f.name, [], {}, 0)
        self.assertEqual(files['artifacts/results.json'], '{\n  "reps": 500\n}\n')
        self.assertEqual(files['kselftest/bench-viommu_bench.tap'], 'path batch median\n')
        self.assertEqual(by_name(verdicts)['kselftest bench/viommu_bench'], (PASS, ''))


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


class Summary(unittest.TestCase):
    def summarize(self, files):
        with tempfile.TemporaryDirectory() as d:
            for name, text in files.items():
                with open(os.path.join(d, name), 'w') as f:
                    f.write(text)
            out = io.StringIO()
            rc = results.summarize(d, out)
            return rc, out.getvalue().splitlines()

    def test_all_pass(self):
        rc, lines = self.summarize({'a.tap': 'TAP version 13\n1..2\nok 1 - x\nok 2 - y # SKIP z\n'})
        self.assertEqual((rc, lines[-1]), (0, '1 passed, 0 failed, 1 skipped'))

    def test_a_failure_anywhere_fails_the_run(self):
        rc, lines = self.summarize({'a.tap': '1..1\nok 1 - x\n',
                                    'b.tap': '1..2\nok 1 - y\nnot ok 2 - z\n'})
        self.assertEqual((rc, lines[-1]), (1, '2 passed, 1 failed, 0 skipped'))
        self.assertIn('FAIL: b: z', lines)

    def test_truncated_verdicts_fail(self):
        rc, lines = self.summarize({'a.tap': '1..3\nok 1 - x\n'})
        self.assertEqual((rc, lines[-1]), (1, '1 passed, 1 failed, 0 skipped'))

    def test_nothing_ran_fails(self):
        rc, lines = self.summarize({})
        self.assertEqual((rc, lines[-1]), (1, '0 passed, 0 failed, 0 skipped'))

    def test_collected_verdicts_round_trip(self):
        verdicts = collect('kunit-fail.log', 'kselftest-fail.txt', qemu_status=0)
        rc, lines = self.summarize({'qemu.tap': results.format_tap(verdicts)})
        c = statuses(verdicts)
        self.assertEqual(rc, 1)
        self.assertEqual(lines[-1], '%d passed, %d failed, %d skipped' % (c[PASS], c[FAIL], c[SKIP]))


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
