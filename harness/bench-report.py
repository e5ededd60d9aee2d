#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Publish the benchmark of a `make demo` run: results.json and latency.png.

  bench-report.py DEMO_DIR BENCH_DIR
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

TCG_NOTE = ('The guest runs under QEMU TCG: absolute cycle counts mean little; '
            'the exit counts and the fast/trap ratios measured side by side are the figures.')


def plot(results, png):
    scenarios = results['scenarios']
    with tempfile.TemporaryDirectory() as d:
        script = [
            'set terminal png size %d,560 noenhanced' % (480 * len(scenarios)),
            'set output "%s"' % png,
            'set multiplot layout 1,%d title "Doorbell to completion per batch '
            '(guest TSC cycles, QEMU TCG): median of the runs\' medians, bars from the '
            'fastest to the slowest run"' % len(scenarios),
            'set xlabel "commands per batch (plus one CMD_SYNC)"',
            'set ylabel "cycles"',
            'set logscale x',
            'set xtics (1, 8, 64)',
            'set xrange [0.7:90]',
            'set yrange [0:*]',
            'set key top left',
            'set grid',
        ]
        for n, scn in enumerate(scenarios):
            data = os.path.join(d, 'latency%d.dat' % n)
            paths = []
            with open(data, 'w') as f:
                for r in scn['results']:
                    if r['path'] not in paths:
                        paths.append(r['path'])
                for path in paths:
                    f.write('# %s\n' % path)
                    for r in scn['results']:
                        if r['path'] == path:
                            f.write('%d %d %d %d\n' % (r['batch'], r['median_cycles'],
                                                       r['median_cycles_min'],
                                                       r['median_cycles_max']))
                    f.write('\n\n')
            script.append('set title "%s"' % scn['description'])
            script.append('plot ' + ', '.join(
                '"%s" index %d using 1:2:3:4 with yerrorlines title "%s"' % (data, i, p)
                for i, p in enumerate(paths)))
        script.append('unset multiplot')
        subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True, check=True)


def main():
    demo, out = sys.argv[1], sys.argv[2]
    src = os.path.join(demo, 'artifacts', 'results.json')
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
    print()
    print('Speed-up over the trap path (trap median / fast-path median, doorbell to completion,')
    print('run by run; median and range over %d runs):' % results['runs'])
    for scn in results['scenarios']:
        print('  %s:' % scn['description'])
        for r in scn['speedups']:
            print('    %-8s batch %2d: %5.2fx (%.2f-%.2f)' % (r['path'], r['batch'], r['speedup'],
                                                         r['speedup_min'], r['speedup_max']))
        print('    a userspace exit costs %.2fx an exit handled in the kernel'
              % scn['user_over_kernel_exit'])
    print(TCG_NOTE)
    print('bench-report: %s, %s' % (os.path.join(out, 'results.json'), png))
    return 0


if __name__ == '__main__':
    sys.exit(main())
