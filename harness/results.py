#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the test runs printed into verdicts, and verdicts into the summary.

Every stage of `make check` leaves a verdict file, build/test-results/verdicts/
<stage>.tap: plain TAP, one line per counted test.  `summary` adds them up.

  results.py collect --kernel-log K --tests-log T --out DIR [--expect NAME...]
      Split a QEMU run: KUnit KTAP from the kernel log (one kunit/<suite>.ktap
      each), every suite's own output (kselftest/<suite>.tap), the kernel log
      checks, and the run's verdicts (verdicts/qemu.tap).
  results.py tap-verdict NAME STATUS FILE
      Verdicts of one userspace TAP program that exited with STATUS.
  results.py summary DIR
      Print the failures and the line "N passed, N failed, N skipped"; exit 1
      on any failure or when nothing ran.
"""

import argparse
import os
import re
import sys

PASS, FAIL, SKIP = 'pass', 'fail', 'skip'

PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')
RESULT_LINE = re.compile(
    r'^(?P<indent>\s*)(?P<ok>ok|not ok)\b\s*(?P<num>\d+)?\s*(?:-\s*)?'
    r'(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$')
PLAN_LINE = re.compile(r'^(?P<indent>\s*)1\.\.(?P<count>\d+)')
VERSION_LINE = re.compile(r'^(?P<indent>\s*)K?TAP version \d+')
SUBTEST_LINE = re.compile(r'^(?P<indent>\s*)# Subtest: (?P<name>.*)')


class TestResult:
    """One TAP result line, and the results nested under it."""

    def __init__(self, name, status, detail='', children=None):
        self.name = name
        self.status = status
        self.detail = detail
        self.children = children or []


def strip_printk(line):
    """A kernel log line without the timestamp and the serial line's CR."""
    return PRINTK_PREFIX.sub('', line.rstrip('\r\n'), count=1)


def result_status(ok, directive):
    directive = (directive or '').strip().upper()
    if directive.startswith('SKIP'):
        return SKIP
    if directive.startswith(('XFAIL', 'TODO')):
        return PASS
    return PASS if ok == 'ok' else FAIL


def parse_tap(lines):
    """Parse TAP or KTAP, with subtests nested by indentation.

    Lines that are not TAP (a test's own messages, kernel messages between
    KUnit lines) are ignored.  Returns (results, problems): the top-level
    results, and descriptions of plans that were not met.
    """
    pending = {}          # indent -> results seen at that level
    plans = {}            # indent -> announced plan
    problems = []
    for raw in lines:
        line = raw.rstrip('\r\n').expandtabs(4)
        plan = PLAN_LINE.match(line)
        if plan:
            plans[len(plan['indent'])] = int(plan['count'])
            continue
        m = RESULT_LINE.match(line)
        if not m:
            continue
        depth = len(m['indent'])
        children = pending.pop(depth + 4, [])
        planned = plans.pop(depth + 4, None)
        name = m['name'].strip() or 'test %s' % (m['num'] or '?')
        if planned is not None and planned != len(children):
            problems.append('%s: planned %d subtests, %d reported' %
                            (name, planned, len(children)))
        result = TestResult(name, result_status(m['ok'], m['directive']),
                            (m['directive'] or '').strip(), children)
        pending.setdefault(depth, []).append(result)
        # Deeper levels that were never closed by a parent are lost output.
        for deeper in [d for d in pending if d > depth]:
            pending.pop(deeper)
    top = min(pending) if pending else 0
    results = pending.get(top, [])
    planned = plans.get(top)
    if planned is not None and planned != len(results):
        problems.append('planned %d tests, %d reported' % (planned, len(results)))
    for depth in sorted(d for d in pending if d > top):
        problems.append('%d results at depth %d without a parent result' %
                        (len(pending[depth]), depth // 4))
    return results, problems


def leaves(results, prefix=''):
    """Flatten results to (name, status, detail) of the tests that count.

    A result with subtests counts as its subtests; when it failed although
    none of them did (a suite's init failed, say), it counts as one more
    failure.
    """
    flat = []
    for r in results:
        name = prefix + r.name
        if not r.children:
            flat.append((name, r.status, r.detail))
            continue
        sub = leaves(r.children, name + '.')
        flat.extend(sub)
        if r.status == FAIL and not any(s == FAIL for _, s, _ in sub):
            flat.append((name, FAIL, 'failed with no failing subtest'))
    return flat


# The kernel log must come out of every run clean.  First match wins.
LOG_CHECKS = [
    ('panic', 'a kernel panic', re.compile(r'Kernel panic - not syncing')),
    ('oops', 'an oops', re.compile(
        r'Oops:|general protection fault|BUG: unable to handle|invalid opcode:')),
    ('kasan', 'a KASAN report', re.compile(r'BUG: KASAN:|KASAN: .*(out-of-bounds|use-after-free|invalid-free|double-free)')),
    ('lockdep', 'a lockdep or atomic-context report', re.compile(
        r'WARNING: (possible (circular|recursive) locking|inconsistent lock state|'
        r'suspicious RCU usage|lock held when returning|bad unlock balance|'
        r'held lock freed|possible irq lock inversion)|'
        r'INFO: (possible irq lock inversion|trying to register non-static key)|'
        r'DEBUG_LOCKS_WARN_ON|BUG: (sleeping function|scheduling while atomic|'
        r'spinlock|rwlock|held lock freed|looking up invalid subclass)')),
    ('kmemleak', 'a kmemleak report', re.compile(
        r'kmemleak: \d+ new suspected memory leaks|unreferenced object 0x')),
    ('hang', 'a hung task or RCU stall', re.compile(
        r'INFO: task .* blocked for more than|rcu: INFO:|detected stalls? on CPU|'
        r'self-detected stall|soft lockup|hard LOCKUP')),
    ('ubsan', 'a UBSAN report', re.compile(r'UBSAN:')),
    ('bug', 'a BUG', re.compile(r'BUG:|kernel BUG at')),
    ('warning', 'a WARNING', re.compile(r'WARNING:')),
]


def scan_kernel_log(lines):
    """Map each check name to the log lines that failed it."""
    found = {name: [] for name, _, _ in LOG_CHECKS}
    for raw in lines:
        line = strip_printk(raw)
        for name, _, pattern in LOG_CHECKS:
            if pattern.search(line):
                found[name].append(line.strip())
                break
    return found


def extract_kunit(kernel_log_lines):
    """KUnit's KTAP from the kernel log.

    Returns (suites, problems): a list of (suite name, KTAP lines, result),
    and what went wrong (no KTAP at all is not a problem: the kernel may have
    no suites; a run that stops short of its plan is).
    """
    suites, problems = [], []
    started = False
    planned = None
    buf = []
    for raw in kernel_log_lines:
        line = strip_printk(raw)
        if not started:
            if re.match(r'^K?TAP version \d+', line):
                started = True
            continue
        if not re.match(r'^\s*(K?TAP version \d+|1\.\.\d+|ok |not ok |# )', line):
            continue
        if planned is None and re.match(r'^1\.\.\d+', line):
            planned = int(line[3:].split()[0])
            continue
        buf.append(line)
        if RESULT_LINE.match(line) and not line.startswith((' ', '\t')):
            results, issues = parse_tap(buf)
            result = results[-1]
            suites.append((result.name, buf, result))
            problems.extend('kunit %s: %s' % (result.name, p) for p in issues)
            buf = []
            if planned is not None and len(suites) == planned:
                break
    if started and (planned is None or len(suites) != planned):
        problems.append('kunit: planned %s suites, %d reported (did the kernel crash?)'
                        % (planned if planned is not None else 'some', len(suites)))
    return suites, problems


MARKER = re.compile(r'^@@(?P<what>SUITE-BEGIN|SUITE-END|SUITE-TIMEOUT|KMEMLEAK-BEGIN|'
                    r'KMEMLEAK-END|ARTIFACT-BEGIN|ARTIFACT-END|ALL-DONE)(?: (?P<name>\S+))?'
                    r'(?: (?P<status>-?\d+))?')


class SuiteRun:
    def __init__(self, name):
        self.name = name
        self.lines = []
        self.status = None        # exit status; None if it never ended
        self.timed_out = False


def split_tests_log(lines, artifacts=None):
    """Split the guest runner's output into suite runs, kmemleak text, done.

    Files the suites left for the host are added to @artifacts (name -> text).
    """
    runs, kmemleak, done = [], [], False
    current, in_kmemleak, artifact = None, False, None
    for raw in lines:
        line = raw.rstrip('\r\n')
        m = MARKER.match(line)
        if not m:
            if artifact is not None:
                artifact.append(line)
            elif in_kmemleak:
                kmemleak.append(line)
            elif current:
                current.lines.append(line)
            continue
        what = m['what']
        if what == 'SUITE-BEGIN':
            current = SuiteRun(m['name'])
            runs.append(current)
        elif what == 'SUITE-TIMEOUT':
            for run in runs:
                if run.name == m['name']:
                    run.timed_out = True
        elif what == 'SUITE-END':
            if current and current.name == m['name']:
                current.status = int(m['status'])
            current = None
        elif what == 'KMEMLEAK-BEGIN':
            in_kmemleak = True
        elif what == 'KMEMLEAK-END':
            in_kmemleak = False
        elif what == 'ARTIFACT-BEGIN':
            artifact = []
            if artifacts is not None:
                artifacts[os.path.basename(m['name'] or 'unnamed')] = artifact
        elif what == 'ARTIFACT-END':
            artifact = None
        elif what == 'ALL-DONE':
            done = True
    return runs, [l for l in kmemleak if l.strip()], done


KSFT_SKIP = 4


def suite_verdicts(run, timeout=None):
    """The counted tests of one kselftest run."""
    results, problems = parse_tap(run.lines)
    flat = [('%s: %s' % (run.name, n), s, d) for n, s, d in leaves(results)]
    if run.timed_out:
        flat.append((run.name, FAIL, 'timed out%s' % (' after %ss' % timeout if timeout else '')))
    elif run.status is None:
        flat.append((run.name, FAIL, 'did not finish: the guest crashed or QEMU was stopped'))
    elif not flat:
        if run.status == 0:
            flat.append((run.name, PASS, ''))
        elif run.status == KSFT_SKIP:
            flat.append((run.name, SKIP, 'exit status 4'))
        else:
            flat.append((run.name, FAIL, 'exit status %d' % run.status))
    elif run.status not in (0, KSFT_SKIP) and not any(s == FAIL for _, s, _ in flat):
        flat.append((run.name, FAIL, 'exit status %d although no TAP result failed'
                     % run.status))
    for p in problems:
        flat.append((run.name, FAIL, p))
    return flat


def format_tap(verdicts):
    out = ['TAP version 13', '1..%d' % len(verdicts)]
    for i, (name, status, detail) in enumerate(verdicts, 1):
        name = name.replace('#', '_')
        line = '%s %d - %s' % ('not ok' if status == FAIL else 'ok', i, name)
        if status == SKIP:
            line += ' # SKIP' + (' ' + detail if detail else '')
        out.append(line)
        if status == FAIL and detail:
            out.extend('# ' + d for d in detail.splitlines())
    return '\n'.join(out) + '\n'


def safe_name(name):
    return re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-') or 'unnamed'


def read_lines(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read().splitlines()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def collect(kernel_log, tests_log, expected, timeouts, qemu_status=None):
    """All verdicts of one QEMU run, and the files to write (path -> text)."""
    files = {}
    verdicts = []
    klog = read_lines(kernel_log) if os.path.exists(kernel_log) else []
    tlog = read_lines(tests_log) if os.path.exists(tests_log) else []
    files['kernel.log'] = '\n'.join(klog) + '\n'

    suites, problems = extract_kunit(klog)
    for name, lines, result in suites:
        files['kunit/%s.ktap' % safe_name(name)] = '\n'.join(lines) + '\n'
        verdicts.extend(('kunit ' + n, s, d) for n, s, d in leaves([result]))
    verdicts.extend(('kunit', FAIL, p) for p in problems)

    artifacts = {}
    runs, kmemleak, done = split_tests_log(tlog, artifacts)
    for name, text in artifacts.items():
        files['artifacts/' + safe_name(name)] = '\n'.join(text).strip('\n') + '\n'
    seen = set()
    for run in runs:
        seen.add(run.name)
        files['kselftest/%s.tap' % safe_name(run.name)] = '\n'.join(run.lines) + '\n'
        verdicts.extend(('kselftest ' + n, s, d)
                        for n, s, d in suite_verdicts(run, timeouts.get(run.name)))
    for name in expected:
        if name not in seen:
            verdicts.append(('kselftest ' + name, FAIL, 'never started: the guest '
                             'crashed or QEMU was stopped before it'))

    found = scan_kernel_log(klog)
    if kmemleak:
        found['kmemleak'].extend(kmemleak[:20])
    for name, what, _ in LOG_CHECKS:
        hits = found[name]
        detail = '\n'.join(hits[:8]) + ('\n... %d more' % (len(hits) - 8) if len(hits) > 8 else '')
        verdicts.append(('kernel log shows no %s' % what.split(' ', 1)[1],
                         FAIL if hits else PASS, detail))
    verdicts.append(('guest runner completed',
                     PASS if done else FAIL,
                     '' if done else 'no @@ALL-DONE: the guest crashed, hung or was stopped'))
    if qemu_status is not None:
        verdicts.append(('QEMU exited by itself', PASS if qemu_status == 0 else FAIL,
                         'QEMU exit status %d (124: killed by the host timeout)' % qemu_status))
    files['verdicts/qemu.tap'] = format_tap(verdicts)
    return verdicts, files


def summarize(verdict_dir, out=sys.stdout):
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    failures = []
    names = sorted(f for f in os.listdir(verdict_dir) if f.endswith('.tap')) \
        if os.path.isdir(verdict_dir) else []
    for fname in names:
        results, problems = parse_tap(read_lines(os.path.join(verdict_dir, fname)))
        stage = fname[:-4]
        for name, status, detail in leaves(results):
            counts[status] += 1
            if status == FAIL:
                failures.append('%s: %s' % (stage, name))
        for p in problems:
            counts[FAIL] += 1
            failures.append('%s: %s' % (stage, p))
    for f in failures:
        print('FAIL: ' + f, file=out)
    total = sum(counts.values())
    if total == 0:
        print('no test ran', file=out)
    print('%d passed, %d failed, %d skipped' % (counts[PASS], counts[FAIL], counts[SKIP]),
          file=out)
    return 0 if counts[FAIL] == 0 and total > 0 else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('collect')
    c.add_argument('--kernel-log', required=True)
    c.add_argument('--tests-log', required=True)
    c.add_argument('--out', required=True)
    c.add_argument('--expect', nargs='*', default=[], metavar='SUITE[=TIMEOUT]')
    c.add_argument('--qemu-status', type=int)
    t = sub.add_parser('tap-verdict')
    t.add_argument('name')
    t.add_argument('status', type=int)
    t.add_argument('file')
    s = sub.add_parser('summary')
    s.add_argument('dir')
    args = ap.parse_args(argv)

    if args.cmd == 'collect':
        expected, timeouts = [], {}
        for e in args.expect:
            name, _, limit = e.partition('=')
            expected.append(name)
            if limit:
                timeouts[name] = limit
        verdicts, files = collect(args.kernel_log, args.tests_log, expected, timeouts,
                                  args.qemu_status)
        for path, text in files.items():
            write(os.path.join(args.out, path), text)
        failed = [v for v in verdicts if v[1] == FAIL]
        for name, _, detail in failed:
            print('FAIL: %s%s' % (name, (': ' + detail.splitlines()[0]) if detail else ''))
        return 1 if failed else 0
    if args.cmd == 'tap-verdict':
        run = SuiteRun(args.name)
        run.lines = read_lines(args.file) if os.path.exists(args.file) else []
        run.status = args.status
        sys.stdout.write(format_tap(suite_verdicts(run)))
        return 0
    return summarize(args.dir)


if __name__ == '__main__':
    sys.exit(main())
