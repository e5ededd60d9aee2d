#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the test runs printed into verdicts, and verdicts into the summary.

Every stage of `make check` leaves its verdicts under build/test-results/
verdicts/, as plain TAP, in one of two kinds:

  verdicts/cases/<stage>.tap   test cases, named "<suite>: <case>" (a suite
                               without TAP of its own is one case, named by
                               the suite); these are what the summary counts
  verdicts/checks/<stage>.tap  everything else that must pass: build stages,
                               kernel log checks, export and checkpatch
                               verdicts, a suite running to completion

  results.py collect --kernel-log K --tests-log T --out DIR [--expect NAME...]
      Split a QEMU run: KUnit's KTAP from the kernel log, parsed with the
      kernel's own tools/testing/kunit/kunit_parser.py (kunit/), every suite's
      own output (kselftest/<suite>.tap), the kernel log checks, and the
      run's verdicts.
  results.py tap-verdict NAME STATUS FILE --out DIR
      Verdicts of one userspace TAP program that exited with STATUS.
  results.py stage NAME WHAT STATUS DIR [--tap FILE]
      Verdicts of one build stage of `make check` from its exit status (and
      its TAP output, with --tap); prints "ok" or "FAILED" and the failures.
  results.py summary DIR [--manifest FILE]
      Check the cases against the manifest, print the checks, the cases by
      suite, the failures and the line "N passed, N failed, N skipped";
      exit 1 on any failure.
  results.py manifest DIR [--previous FILE]
      Print a manifest of the cases a finished run ran (see harness/manifest).
"""

import argparse
import io
import os
import re
import sys

PASS, FAIL, SKIP = 'pass', 'fail', 'skip'

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MANIFEST = os.path.join(TOP, 'harness', 'manifest')
# The assembled kernel tree, whose tools/testing/kunit/kunit_parser.py reads KTAP.
DEFAULT_TREE = os.path.abspath(os.environ.get('KERNEL_TREE') or os.path.join(TOP, 'build', 'linux'))
MANIFEST_COMMAND = 'harness/results.py manifest build/test-results > harness/manifest'

PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')
RESULT_LINE = re.compile(
    r'^(?P<indent>\s*)(?P<ok>ok|not ok)\b\s*(?P<num>\d+)?\s*(?:-\s*)?'
    r'(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$')
PLAN_LINE = re.compile(r'^(?P<indent>\s*)1\.\.(?P<count>\d+)\s*(?:#\s*(?P<directive>.*))?$')


class TestResult:
    """One TAP result line, and the results nested under it."""

    def __init__(self, name, status, detail='', children=None):
        self.name = name
        self.status = status
        self.detail = detail
        self.children = children or []
        self.notes = []       # the "# " lines that follow it


def strip_printk(line):
    """A kernel log line without the timestamp and the serial line's CR."""
    return PRINTK_PREFIX.sub('', line.rstrip('\r\n'), count=1)


def result_status(ok, directive):
    """A result line's status.  Only SKIP changes it: `not ok # TODO` and
    `not ok # XFAIL` are failures, the test did not pass."""
    directive = (directive or '').strip().upper()
    if directive.startswith('SKIP'):
        return SKIP
    return PASS if ok == 'ok' else FAIL


class Tap:
    """What parse_tap() found: the top-level results, the plans that were not
    met, and the reason of a top-level `1..0 # SKIP` plan."""

    def __init__(self, results, problems, plan_skip, planned):
        self.results = results
        self.problems = problems
        self.plan_skip = plan_skip
        self.planned = planned


def parse_tap(lines):
    """Parse flat or nested TAP (kselftests, unit tests, verdict files).

    KUnit's KTAP is parsed by the kernel's kunit_parser instead (see
    kunit_results()).  This reader stays for TAP that does not come from a
    kernel: verdict files must be readable when no kernel tree was assembled,
    and a kselftest's verdict depends on what kunit_parser does not keep
    (a `1..0 # SKIP reason` plan, output without any TAP, the exit status).

    Lines that are not TAP (a test's own messages) are ignored.
    """
    pending = {}          # indent -> results seen at that level
    plans = {}            # indent -> announced plan
    problems = []
    plan_skip = None
    top_plan = None
    last = None
    for raw in lines:
        line = raw.rstrip('\r\n').expandtabs(4)
        plan = PLAN_LINE.match(line)
        if plan:
            depth = len(plan['indent'])
            plans[depth] = int(plan['count'])
            if depth == 0:
                top_plan = int(plan['count'])
                directive = (plan['directive'] or '').strip()
                if top_plan == 0 and directive.upper().startswith('SKIP'):
                    plan_skip = directive[4:].strip() or 'no reason given'
            continue
        m = RESULT_LINE.match(line)
        if not m:
            note = re.match(r'^\s*# (?!Subtest:)(.*)', line)
            if note and last is not None:
                last.notes.append(note[1])
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
        last = result
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
    return Tap(results, problems, plan_skip, top_plan)


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
            detail = r.detail
            if r.status == SKIP:
                detail = re.sub(r'^SKIP\b\s*', '', detail, flags=re.I)
            elif r.status == FAIL and r.notes:
                detail = '\n'.join(([r.detail] if r.detail else []) + r.notes)
            flat.append((name, r.status, detail))
            continue
        sub = leaves(r.children, name + '.')
        flat.extend(sub)
        if r.status == FAIL and not any(s == FAIL for _, s, _ in sub):
            flat.append((name, FAIL, 'failed with no failing subtest'))
    return flat


KTAP_LINE = re.compile(r'^\s*(K?TAP version \d+|1\.\.\d+|ok |not ok |# )')


def load_kunit_parser(tree):
    """The kernel's own KTAP parser, from the assembled tree, made quiet.

    It prints its progress as it parses; that text is kept for kunit/kunit.txt.
    """
    path = os.path.join(tree, 'tools', 'testing', 'kunit')
    if not os.path.exists(os.path.join(path, 'kunit_parser.py')):
        raise RuntimeError('no %s/kunit_parser.py: assemble the tree first (make tree)' % path)
    if path not in sys.path:
        sys.path.insert(0, path)
    import kunit_parser  # pylint: disable=import-outside-toplevel
    import kunit_printer  # pylint: disable=import-outside-toplevel
    return kunit_parser, kunit_printer


def kunit_results(kernel_log_lines, tree):
    """KUnit's results in the kernel log, parsed by kunit_parser.

    Returns (cases, problems, files): cases as ("kunit <suite>: <case>",
    status, detail); what went wrong with the KTAP as a whole (a suite that
    never reported, a parse error); and the KTAP lines of each suite and the
    parser's own report, to be written under kunit/.  A log without KTAP has
    no cases and no problem here: the manifest says which cases must run.
    """
    kp, printer = load_kunit_parser(tree)
    report = io.StringIO()
    kp.stdout = printer.Printer(report)
    # Timestamps go line by line: kunit_parser cuts the first KTAP line's
    # prefix length off every line, and a continuation line has none.
    lines = [strip_printk(l) for l in kernel_log_lines]
    ktap = list(kp.extract_tap_lines(lines))
    files = {}
    if not ktap:
        return [], [], files
    main = kp.parse_test(kp.extract_tap_lines(lines), 0, [], False)
    status = kp.TestStatus
    mapping = {status.SUCCESS: PASS, status.SKIPPED: SKIP}

    def walk(test, path):
        if not test.subtests:
            name = test.name or '(a case that never reported)'
            st = mapping.get(test.status, FAIL)
            detail = '' if st == PASS else test.status.name.lower().replace('_', ' ')
            return [(path + name, st, detail)]
        flat = []
        for sub in test.subtests:
            flat.extend(walk(sub, path + test.name + '.'))
        if test.status not in (status.SUCCESS, status.SKIPPED) and \
                not any(s == FAIL for _, s, _ in flat):
            flat.append((path + test.name, FAIL, 'the suite failed with no failing case (%s)'
                         % test.status.name.lower().replace('_', ' ')))
        return flat

    cases, problems = [], []
    for suite in main.subtests:
        sname = suite.name or '(a suite that never reported)'
        if not suite.subtests:
            cases.append(('kunit ' + sname, mapping.get(suite.status, FAIL),
                          suite.status.name.lower().replace('_', ' ')))
            continue
        for sub in suite.subtests:
            cases.extend(('kunit %s: %s' % (sname, n), s, d) for n, s, d in walk(sub, ''))
        if suite.status not in (status.SUCCESS, status.SKIPPED) and \
                not any(c[1] == FAIL for c in cases if c[0].startswith('kunit %s: ' % sname)):
            problems.append('kunit suite %s: %s with no failing case'
                            % (sname, suite.status.name.lower().replace('_', ' ')))
    if main.counts.errors:
        problems.append('kunit: %d KTAP parse errors (did the kernel crash?), see kunit/kunit.txt'
                        % main.counts.errors)
    if main.expected_count is not None and len(main.subtests) < main.expected_count:
        problems.append('kunit: planned %d suites, %d reported'
                        % (main.expected_count, len(main.subtests)))
    # One file of KTAP per suite: a top-level result line closes a suite.
    buf = []
    for line in ktap[1:]:
        if PLAN_LINE.match(line) and not buf:
            continue
        if not KTAP_LINE.match(line):
            continue
        buf.append(line)
        m = RESULT_LINE.match(line)
        if m and not m['indent']:
            files['kunit/%s.ktap' % safe_name(m['name'])] = '\n'.join(buf) + '\n'
            buf = []
    files['kunit/kunit.txt'] = report.getvalue()
    return cases, problems, files


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


def suite_verdicts(run, suite, timeout=None):
    """The cases and the checks of one program's run.

    @suite names it in the verdicts ("kselftest kvm/ioregion_test").  Its TAP
    results are its cases; a program without TAP results is one case, judged
    by its exit status (4, or a `1..0 # SKIP` plan, is a skip).  The check
    says whether it ran to completion with an exit status its results agree
    with.
    """
    tap = parse_tap(run.lines)
    cases = [('%s: %s' % (suite, n), s, d) for n, s, d in leaves(tap.results)]
    problems = list(tap.problems)
    if run.timed_out:
        problems.append('timed out%s' % (' after %ss' % timeout if timeout else ''))
    elif run.status is None:
        problems.append('did not finish: the guest crashed or QEMU was stopped')
    if not cases:
        if tap.plan_skip is not None and run.status in (0, KSFT_SKIP):
            cases.append((suite, SKIP, tap.plan_skip))
        elif run.status == 0 and tap.planned is None:
            cases.append((suite, PASS, ''))
        elif run.status == KSFT_SKIP:
            cases.append((suite, SKIP, 'exit status 4'))
        elif run.status == 0:
            cases.append((suite, FAIL, 'planned %d tests and reported none' % tap.planned))
        else:
            cases.append((suite, FAIL, 'exit status %s' % run.status))
    elif run.status not in (None, 0) and not any(s == FAIL for _, s, _ in cases):
        if run.status != KSFT_SKIP:
            problems.append('exit status %d although no TAP result failed' % run.status)
        elif not any(s == SKIP for _, s, _ in cases):
            problems.append('exit status 4 (skipped) although no TAP result skipped')
    check = ('%s ran to completion' % suite, FAIL if problems else PASS, '\n'.join(problems))
    return cases, [check]


def format_tap(verdicts):
    out = ['TAP version 13', '1..%d' % len(verdicts)]
    for i, (name, status, detail) in enumerate(verdicts, 1):
        name = name.replace('#', '_')
        line = '%s %d - %s' % ('not ok' if status == FAIL else 'ok', i, name)
        if status == SKIP:
            line += ' # SKIP' + (' ' + detail.replace('\n', ' ') if detail else '')
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


def collect(kernel_log, tests_log, expected, timeouts, qemu_status=None, tree=DEFAULT_TREE):
    """The cases and checks of one QEMU run, and the files to write (path -> text)."""
    files = {}
    cases, checks = [], []
    klog = read_lines(kernel_log) if os.path.exists(kernel_log) else []
    tlog = read_lines(tests_log) if os.path.exists(tests_log) else []
    files['kernel.log'] = '\n'.join(klog) + '\n'

    kcases, problems, kfiles = kunit_results(klog, tree)
    files.update(kfiles)
    cases.extend(kcases)
    checks.append(('kunit ran to completion', FAIL if problems else PASS, '\n'.join(problems)))

    artifacts = {}
    runs, kmemleak, done = split_tests_log(tlog, artifacts)
    for name, text in artifacts.items():
        files['artifacts/' + safe_name(name)] = '\n'.join(text).strip('\n') + '\n'
    seen = set()
    for run in runs:
        seen.add(run.name)
        files['kselftest/%s.tap' % safe_name(run.name)] = '\n'.join(run.lines) + '\n'
        c, k = suite_verdicts(run, 'kselftest ' + run.name, timeouts.get(run.name))
        cases.extend(c)
        checks.extend(k)
    for name in expected:
        if name not in seen:
            checks.append(('kselftest %s ran to completion' % name, FAIL,
                           'never started: the guest crashed or QEMU was stopped before it'))

    found = scan_kernel_log(klog)
    if kmemleak:
        found['kmemleak'].extend(kmemleak[:20])
    for name, what, _ in LOG_CHECKS:
        hits = found[name]
        detail = '\n'.join(hits[:8]) + ('\n... %d more' % (len(hits) - 8) if len(hits) > 8 else '')
        checks.append(('kernel log shows no %s' % what.split(' ', 1)[1],
                       FAIL if hits else PASS, detail))
    checks.append(('guest runner completed', PASS if done else FAIL,
                   '' if done else 'no @@ALL-DONE: the guest crashed, hung or was stopped'))
    if qemu_status is not None:
        checks.append(('QEMU exited by itself', PASS if qemu_status == 0 else FAIL,
                       'QEMU exit status %d (124: killed by the host timeout)' % qemu_status))
    files['verdicts/cases/qemu.tap'] = format_tap(cases)
    files['verdicts/checks/qemu.tap'] = format_tap(checks)
    return cases, checks, files


def read_verdicts(path):
    """The verdicts of one verdict file, and its problems: a file with no
    verdicts at all (empty, or `1..0`) is one, since a stage that ran must
    say so."""
    tap = parse_tap(read_lines(path)) if os.path.exists(path) else parse_tap([])
    entries = leaves(tap.results)
    problems = list(tap.problems)
    if not entries:
        problems.append('no verdicts%s' % (' (1..0 # SKIP %s)' % tap.plan_skip
                                          if tap.plan_skip is not None else ''))
    return entries, problems


def verdict_files(verdict_dir, kind, prefix=''):
    d = os.path.join(verdict_dir, kind)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, f) for f in sorted(os.listdir(d))
            if f.endswith('.tap') and f.startswith(prefix)]


def stage(name, what, status, results_dir, tap_file=None, results_prefix=None,
          seconds=None, log=None, out=sys.stdout):
    """Record the checks of one build stage and print its line.

    A stage that prints TAP (@tap_file) is judged by it and by its exit
    status: no verdicts, or a non-zero exit with no failing verdict, fail.  A
    stage that writes verdict files of its own (@results_prefix) fails when it
    exits non-zero and none of them say why, or when it wrote none.  Any other
    stage is one check, passed when it exits 0.
    """
    vdir = os.path.join(results_dir, 'verdicts')
    checks = []
    failed = []
    skipped = 0
    if tap_file is not None:
        tap = parse_tap(read_lines(tap_file) if os.path.exists(tap_file) else [])
        for n, s, d in leaves(tap.results):
            checks.append((n, s, d))
        checks.extend((what, FAIL, p) for p in tap.problems)
        if not checks:
            checks.append((what, FAIL, 'printed no verdicts%s' % (
                ' (1..0 # SKIP %s)' % tap.plan_skip if tap.plan_skip is not None else '')))
        if status != 0 and not any(s == FAIL for _, s, _ in checks):
            checks.append((what, FAIL, 'exit status %d although its TAP reported no failure'
                           % status))
    elif results_prefix is not None:
        files = [f for f in verdict_files(vdir, 'cases', results_prefix) +
                 verdict_files(vdir, 'checks', results_prefix)
                 if f != os.path.join(vdir, 'checks', name + '.tap')]
        for path in files:
            entries, problems = read_verdicts(path)
            failed.extend(n for n, s, _ in entries if s == FAIL)
            failed.extend(problems)
            skipped += sum(1 for _, s, _ in entries if s == SKIP)
        if not files:
            checks.append((what, FAIL, 'exit status %d, and it wrote no verdicts' % status))
        elif status != 0 and not failed:
            checks.append((what, FAIL, 'exit status %d although its verdicts report no failure'
                           % status))
        else:
            checks.append((what, PASS, ''))
    else:
        checks.append((what, PASS if status == 0 else FAIL, 'exit status %d' % status))
    write(os.path.join(vdir, 'checks', name + '.tap'), format_tap(checks))
    failed.extend(n + (': ' + d.splitlines()[0] if d else '') for n, s, d in checks if s == FAIL)
    took = ' (%ss)' % seconds if seconds is not None else ''
    if skipped:
        took += ', %d skipped' % skipped
    if not failed:
        print('ok    ' + took, file=out)
        return 0
    print('FAILED' + took + (', log: %s' % log if log else ''), file=out)
    for f in failed[:40]:
        print('   | ' + f, file=out)
    if tap_file is None and results_prefix is None and log and os.path.exists(log):
        for line in read_lines(log)[-25:]:
            print('   | ' + line, file=out)
    return 1


# A userspace test that runs the same vectors as a KUnit suite names them
# after the format and the kind of check ("vtd vector V13 ..."); KUnit names
# the same vector by its case and parameter ("vtdt_vector.V13 ...").
SHARED_LABEL_WORDS = {'vtd', 'smmuv3', 'smmu', 'vector', 'vectors', 'case', 'cases'}


def words(name):
    return re.findall(r'[a-z0-9]+', name.lower())


def kunit_shared_keys(kunit_cases):
    """Word sequences under which a userspace case is a KUnit case's copy:
    the case's name without its suite, and every shorter tail of it that
    still holds the last component (the parameter, or the case)."""
    keys = set()
    for name in kunit_cases:
        case = name.split(': ', 1)[1] if ': ' in name else name
        w = words(case)
        last = len(words(case.rsplit('.', 1)[-1])) or len(w)
        for i in range(0, len(w) - last + 1):
            keys.add(tuple(w[i:]))
    return keys


def is_shared(case, keys):
    w = words(case)
    for i in range(len(w)):
        if tuple(w[i:]) in keys and all(x in SHARED_LABEL_WORDS for x in w[:i]):
            return True
    return False


def read_manifest(path):
    """The manifest: case name -> the reason it may skip (None: it may not)."""
    cases = {}
    for raw in read_lines(path):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        name, sep, directive = line.partition(' # ')
        reason = None
        if sep and directive.upper().startswith('SKIP'):
            reason = directive[4:].strip() or None
            if reason is None:
                raise ValueError('%s: "%s": a skip must say why' % (path, name))
        cases[name.strip()] = reason
    return cases


def suite_of(name):
    return name.split(': ', 1)[0]


def stock_suites(top=TOP):
    """The kselftest suites whose program is not the project's."""
    stock = set()
    path = os.path.join(top, 'harness', 'suites')
    if not os.path.exists(path):
        return stock
    for line in read_lines(path):
        f = line.split()
        if len(f) < 4 or f[0].startswith('#'):
            continue
        if not os.path.exists(os.path.join(top, 'tools', 'testing', 'selftests', f[3] + '.c')):
            stock.add('kselftest ' + f[0])
    return stock


def summarize(results_dir, manifest=DEFAULT_MANIFEST, out=sys.stdout, top=TOP):
    """Print the checks, the cases by suite and the summary line; 0 if all passed."""
    vdir = os.path.join(results_dir, 'verdicts')
    failures = []         # (what, detail)
    notes = []

    print('Checks (each must pass; not counted as test cases):', file=out)
    for path in verdict_files(vdir, 'checks'):
        stage_name = os.path.basename(path)[:-4]
        entries, problems = read_verdicts(path)
        bad = [(n, d) for n, s, d in entries if s == FAIL] + [(p, '') for p in problems]
        good = sum(1 for _, st, _ in entries if st != FAIL)
        print('  %-20s %3d ok%s' % (stage_name, good, ', %d FAILED' % len(bad) if bad else ''),
              file=out)
        failures.extend(('check %s: %s' % (stage_name, n), d) for n, d in bad)

    run = []
    for path in verdict_files(vdir, 'cases'):
        entries, problems = read_verdicts(path)
        run.extend(entries)
        failures.extend(('cases %s: %s' % (os.path.basename(path)[:-4], p), '')
                        for p in problems)

    expected = None
    if os.path.exists(manifest):
        try:
            expected = read_manifest(manifest)
        except ValueError as e:
            failures.append(('manifest', str(e)))
    else:
        failures.append(('manifest', 'no manifest at %s; make one with: %s'
                         % (manifest, MANIFEST_COMMAND)))

    kunit_passed = [n for n, s, _ in run if n.startswith('kunit ') and s == PASS]
    keys = kunit_shared_keys(kunit_passed)
    per_suite = {}
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    seen = set()
    unlisted = {}

    def tally(suite, what):
        per_suite.setdefault(suite, {PASS: 0, FAIL: 0, SKIP: 0, 'shared': 0})[what] += 1
        if what in counts:
            counts[what] += 1

    for name, status, detail in run:
        suite = suite_of(name)
        seen.add(name)
        if expected is not None and name not in expected:
            unlisted[suite] = unlisted.get(suite, 0) + 1
        if status == SKIP:
            reason = expected.get(name) if expected else None
            if reason:
                tally(suite, SKIP)
            else:
                tally(suite, FAIL)
                failures.append((name, 'skipped (%s), and the manifest gives no reason it may'
                                 % (detail or 'no reason given')))
        elif status == FAIL:
            tally(suite, FAIL)
            failures.append((name, detail))
        elif suite.startswith('unit ') and is_shared(name.split(': ', 1)[-1], keys):
            tally(suite, 'shared')
        else:
            tally(suite, PASS)

    if expected is not None:
        missing = {}
        for name in expected:
            if name not in seen:
                missing.setdefault(suite_of(name), []).append(name)
        for suite, names in missing.items():
            for _ in names:
                tally(suite, FAIL)
            shown = ', '.join(n.split(': ', 1)[-1] for n in names[:5])
            failures.append(('%s: %d of the manifest\'s cases did not run' % (suite, len(names)),
                             '%s%s (a renamed case? regenerate the manifest: %s)'
                             % (shown, ', ...' if len(names) > 5 else '', MANIFEST_COMMAND)))
    for suite, n in unlisted.items():
        notes.append('%s: %d cases the manifest does not list (regenerate it: %s)'
                     % (suite, n, MANIFEST_COMMAND))

    stock = stock_suites(top)
    print('Test cases by suite:', file=out)
    for suite in sorted(per_suite, key=lambda s: (s.split()[0] != 'kunit', s in stock, s)):
        c = per_suite[suite]
        parts = ['%d passed' % c[PASS]]
        if c[FAIL]:
            parts.append('%d FAILED' % c[FAIL])
        if c[SKIP]:
            parts.append('%d skipped' % c[SKIP])
        if c['shared']:
            parts.append('%d more that KUnit also runs, counted there' % c['shared'])
        label = suite + (' (stock)' if suite in stock else '')
        print('  %-46s %s' % (label, ', '.join(parts)), file=out)
    for n in notes:
        print('note: ' + n, file=out)
    for what, detail in failures:
        print('FAIL: ' + what, file=out)
        for d in (detail or '').splitlines()[:10]:
            print('#   ' + d, file=out)
    total = sum(counts.values())
    if total == 0:
        print('no test ran', file=out)
    print('%d passed, %d failed, %d skipped' % (counts[PASS], counts[FAIL], counts[SKIP]),
          file=out)
    return 0 if not failures and counts[FAIL] == 0 and total > 0 else 1


def build_manifest(results_dir, previous=DEFAULT_MANIFEST, out=sys.stdout, err=sys.stderr):
    """Print the manifest of the cases a finished run ran, in run order.

    A skip's reason is kept from @previous where it gave one; a case that
    skipped without one is listed as a case that must pass, and named on
    @err, so that regenerating never turns a skip into an allowed one.
    """
    vdir = os.path.join(results_dir, 'verdicts')
    old = {}
    if previous and os.path.exists(previous):
        old = read_manifest(previous)
    lines, seen = [], set()
    for path in verdict_files(vdir, 'cases'):
        entries, _ = read_verdicts(path)
        for name, status, detail in entries:
            if name in seen:
                continue
            seen.add(name)
            reason = old.get(name)
            if reason:
                lines.append('%s # SKIP %s' % (name, reason))
                continue
            lines.append(name)
            if status == SKIP:
                print('manifest: %s skipped (%s); listed as a case that must pass'
                      % (name, detail), file=err)
            elif status == FAIL:
                print('manifest: %s failed in this run' % name, file=err)
    if not lines:
        print('manifest: no cases in %s' % vdir, file=err)
        return 1
    dropped = [n for n in old if n not in seen]
    if dropped:
        print('manifest: %d cases of %s are not in this run, left out: %s'
              % (len(dropped), previous, ', '.join(dropped[:10])), file=err)
    print(MANIFEST_HEADER, file=out)
    last_suite = None
    for line in lines:
        suite = suite_of(line.split(' # ')[0])
        if last_suite is not None and suite != last_suite:
            print(file=out)
        last_suite = suite
        print(line, file=out)
    return 0


MANIFEST_HEADER = '''\
# The test cases `make check` must run: one line per case, as the verdict
# files name it ("<suite>: <case>"; a program without TAP of its own is one
# case, named by its suite).  A case listed here that does not run, or that
# skips, fails the run.  A case may skip only where its line ends in
# " # SKIP <why>"; there is none on the test kernel.
#
# Regenerate it from a finished `make check` (reasons given for skips are kept):
#   ''' + MANIFEST_COMMAND + '\n'


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
    c.add_argument('--tree', default=DEFAULT_TREE, help='the kernel tree with kunit_parser.py')
    t = sub.add_parser('tap-verdict')
    t.add_argument('name')
    t.add_argument('status', type=int)
    t.add_argument('file')
    t.add_argument('--out', required=True, help='the results directory')
    g = sub.add_parser('stage')
    g.add_argument('name')
    g.add_argument('what')
    g.add_argument('status', type=int)
    g.add_argument('dir')
    g.add_argument('--tap', help='the TAP the stage printed')
    g.add_argument('--results', help='the stage wrote verdict files named so')
    g.add_argument('--seconds', type=int)
    g.add_argument('--log')
    s = sub.add_parser('summary')
    s.add_argument('dir')
    s.add_argument('--manifest', default=DEFAULT_MANIFEST)
    m = sub.add_parser('manifest')
    m.add_argument('dir')
    m.add_argument('--previous', default=DEFAULT_MANIFEST,
                   help='the manifest whose skip reasons to keep')
    args = ap.parse_args(argv)

    if args.cmd == 'collect':
        expected, timeouts = [], {}
        for e in args.expect:
            name, _, limit = e.partition('=')
            expected.append(name)
            if limit:
                timeouts[name] = limit
        cases, checks, files = collect(args.kernel_log, args.tests_log, expected, timeouts,
                                       args.qemu_status, args.tree)
        for path, text in files.items():
            write(os.path.join(args.out, path), text)
        failed = [v for v in cases + checks if v[1] == FAIL]
        for name, _, detail in failed:
            print('FAIL: %s%s' % (name, (': ' + detail.splitlines()[0]) if detail else ''))
        return 1 if failed else 0
    if args.cmd == 'tap-verdict':
        run = SuiteRun(args.name)
        run.lines = read_lines(args.file) if os.path.exists(args.file) else []
        run.status = args.status
        cases, checks = suite_verdicts(run, 'unit ' + args.name)
        vdir = os.path.join(args.out, 'verdicts')
        write(os.path.join(vdir, 'cases', 'unit-%s.tap' % safe_name(args.name)),
              format_tap(cases))
        write(os.path.join(vdir, 'checks', 'unit-%s.tap' % safe_name(args.name)),
              format_tap(checks))
        return 1 if any(s == FAIL for _, s, _ in cases + checks) else 0
    if args.cmd == 'stage':
        return stage(args.name, args.what, args.status, args.dir, args.tap, args.results,
                     args.seconds, args.log)
    if args.cmd == 'manifest':
        return build_manifest(args.dir, args.previous)
    return summarize(args.dir, args.manifest)


if __name__ == '__main__':
    sys.exit(main())
