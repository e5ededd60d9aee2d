#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Publish the benchmark of a `make demo` run: results.json and latency.png.

  bench-report.py DEMO_DIR BENCH_DIR

results.json is what the benchmark wrote (everything it printed), with the
TCG note added; latency.png has a row per scenario: every path's latency and
its host CPU time per command, by batch size.  On stdout, a summary of the
speed-ups and the limit line.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

TCG_NOTE = ('The guest runs under QEMU TCG: absolute cycle counts mean little; '
            'the exit counts and the ratios measured side by side are the figures.')

# Each panel's plot: (title, y label, value, lowest, highest)
PANELS = [
    ('doorbell to completion, guest TSC cycles', 'cycles',
     'median_cycles', 'median_cycles_min', 'median_cycles_max'),
    ('host CPU time per {entry}, ns', 'ns per {entry}',
     'cpu_ns_per_command', 'cpu_ns_per_command_min', 'cpu_ns_per_command_max'),
]


def paths_of(scn):
    paths = []
    for r in scn['results']:
        if r['path'] not in paths:
            paths.append(r['path'])
    return paths


def gnuplot_quote(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')


def plot(results, png):
    """A row per scenario, a panel per metric, each placed by hand so that no
    title runs into another panel or into the page's title."""
    scenarios = results['scenarios']
    rows, cols = len(scenarios), len(PANELS)
    head, row_px = 50, 440
    height = head + row_px * rows
    with tempfile.TemporaryDirectory() as d:
        script = [
            'set terminal png size 1500,%d noenhanced' % height,
            'set output "%s"' % png,
            'set multiplot title "vIOMMU invalidation paths under QEMU TCG: median of the runs\' '
            'medians, bars from the fastest to the slowest run"',
            'set logscale x',
            'set xtics (1, 8, 64)',
            'set xrange [0.7:90]',
            'set yrange [0:*]',
            # Headroom above the highest bar for the key
            'set offsets 0, 0, graph 0.4, 0',
            'set grid',
        ]
        for n, scn in enumerate(scenarios):
            paths = paths_of(scn)
            desc = textwrap.wrap(scn['description'], 80)
            entry, sync = (('descriptor', 'wait descriptor') if scn.get('format') == 'vtd'
                           else ('command', 'CMD_SYNC'))
            for p, (what, ylabel, key, lo, hi) in enumerate(PANELS):
                data = os.path.join(d, 'scn%d-%d.dat' % (n, p))
                with open(data, 'w') as f:
                    for path in paths:
                        f.write('# %s\n' % path)
                        for r in scn['results']:
                            if r['path'] == path:
                                f.write('%d %f %f %f\n' % (r['batch'], r[key], r[lo], r[hi]))
                        f.write('\n\n')
                title = [scn['name'] + ': ' + what.format(entry=entry)] + desc
                script.append('set origin %.4f,%.4f' % (p / cols,
                                                        1 - (head + row_px * (n + 1)) / height))
                script.append('set size %.4f,%.4f' % (1 / cols, row_px / height))
                script.append('set title "%s"' % '\\n'.join(gnuplot_quote(t) for t in title))
                script.append('set ylabel "%s"' % ylabel.format(entry=entry))
                script.append('set xlabel "%ss per batch (plus one %s)"' % (entry, sync))
                # Latency grows with the batch, CPU per command falls with it
                script.append('set key %s top inside' % ('left' if p == 0 else 'right'))
                script.append('plot ' + ', '.join(
                    '"%s" index %d using 1:2:3:4 with yerrorlines title "%s"' % (data, i, path)
                    for i, path in enumerate(paths)))
        script.append('unset multiplot')
        subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True, check=True)


def speedup(scn, path, over, batch):
    for r in scn['speedups']:
        if r['path'] == path and r['over'] == over and r['batch'] == batch:
            return r
    return None


def result(scn, path, batch):
    for r in scn['results']:
        if r['path'] == path and r['batch'] == batch:
            return r
    return None


def fmt_ratio(r):
    return '%5.2fx (%.2f-%.2f)' % (r['speedup'], r['speedup_min'], r['speedup_max'])


def summary(results):
    print()
    print('Speed-ups (baseline median / path median, doorbell to completion, run by run;')
    print('median and range over %d runs, paths in random order per run, seed %s):'
          % (results['runs'], results.get('seed')))
    for scn in results['scenarios']:
        print('  %s: %s' % (scn['name'], scn['description']))
        overs = []
        for r in scn['speedups']:
            if r['over'] not in overs:
                overs.append(r['over'])
        print('    %-13s %5s' % ('path', 'batch') + ''.join('   over %-18s' % o for o in overs))
        for path in paths_of(scn)[1:]:
            for batch in sorted({r['batch'] for r in scn['results']}):
                cols = []
                for o in overs:
                    r = speedup(scn, path, o, batch)
                    cols.append('   %-23s' % (fmt_ratio(r) if r else ''))
                print('    %-13s %5d' % (path, batch) + ''.join(cols))
        print('    a userspace exit costs %.2fx an exit handled in the kernel'
              % scn['user_over_kernel_exit'])
        for lim in scn.get('limit', []):
            print('    limit line, batch %2d: %d cycles (exit %d + inline pass %d); %s'
                  % (lim['batch'], lim['limit_cycles'], lim['kernel_exit_cycles'],
                     lim['inline_pass_cycles'],
                     ', '.join('%s %.2fx' % (k, v) for k, v in lim['multiple'].items()
                               if k.startswith('fast'))))


def target(label, value, goal, ok):
    print('  %-62s %-22s %s' % (label, value, ('met' if ok else 'missed') + ' (target %s)' % goal))


def targets(results):
    """The issue's targets, figure by figure, from this run (never a test)."""
    print()
    print('Targets (batches of 1 and 8):')
    by_name = {s['name']: s for s in results['scenarios']}
    for scn in results['scenarios']:
        if scn.get('shared_queue') or scn.get('format') == 'vtd':
            continue
        for batch in (1, 8):
            for over, goal in (('trap', 2.5), ('trap_ro', 1.5)):
                r = speedup(scn, 'fast_inline', over, batch)
                if r:
                    target('%s batch %d: fast_inline over %s' % (scn['name'], batch, over),
                           fmt_ratio(r), '>= %.1fx' % goal, r['speedup'] >= goal)
    shared = by_name.get('2vcpus_shared')
    if shared:
        r = speedup(shared, 'fast_inline', 'trap', 8)
        target('2vcpus_shared batch 8: fast_inline over trap', fmt_ratio(r), '>= 3x',
               r['speedup'] >= 3)
    # There the trap path pays one exit to userspace per batch, not two
    for scn in results['scenarios']:
        if scn.get('format') != 'vtd':
            continue
        for batch in (1, 8):
            r = speedup(scn, 'fast_inline', 'trap', batch)
            if r:
                target('%s batch %d: fast_inline over trap' % (scn['name'], batch),
                       fmt_ratio(r), '>= 1.5x', r['speedup'] >= 1.5)
    for scn in results['scenarios']:
        for lim in scn.get('limit', []):
            if lim['batch'] in (1, 8):
                m = lim['multiple']['fast_inline']
                target('%s batch %d: fast_inline latency / limit line'
                       % (scn['name'], lim['batch']), '%.2fx' % m, '<= 1.3x', m <= 1.3)
    for scn in results['scenarios']:
        for batch in (1, 8):
            fi, tro = result(scn, 'fast_inline', batch), result(scn, 'trap_ro', batch)
            if fi and tro:
                target('%s batch %d: CPU ns/command fast_inline vs trap_ro'
                       % (scn['name'], batch),
                       '%.0f vs %.0f' % (fi['cpu_ns_per_command'], tro['cpu_ns_per_command']),
                       '<=', fi['cpu_ns_per_command'] <= tro['cpu_ns_per_command'])
    worst = max((r['user_exits_per_batch'], s['name'], r['path'], r['batch'])
                for s in results['scenarios'] for r in s['results']
                if r['path'].startswith('fast'))
    target('userspace exits per batch, every fast path (worst: %s %s %d)'
           % (worst[1], worst[2], worst[3]), '%.3f' % worst[0], '0', worst[0] == 0)


def main():
    demo, out = sys.argv[1], sys.argv[2]
    src = os.path.join(demo, 'artifacts', 'results.json')
    # A failed run leaves no figures, rather than the last run's
    for name in ('results.json', 'latency.png'):
        if os.path.exists(os.path.join(out, name)):
            os.remove(os.path.join(out, name))
    if not os.path.exists(src):
        print('bench-report: the benchmark left no results (see %s)' % demo, file=sys.stderr)
        return 1
    with open(src) as f:
        results = json.load(f)
    results['note'] = TCG_NOTE
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=2)
        f.write('\n')
    png = os.path.join(out, 'latency.png')
    if shutil.which('gnuplot'):
        plot(results, png)
    else:
        print('bench-report: no gnuplot, no plot (make deps installs it)', file=sys.stderr)
    summary(results)
    targets(results)
    print(TCG_NOTE)
    print('bench-report: %s, %s' % (os.path.join(out, 'results.json'), png))
    return 0


if __name__ == '__main__':
    sys.exit(main())
