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
    paths = []
    for r in results['results']:
        if r['path'] not in paths:
            paths.append(r['path'])
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, 'latency.dat')
        with open(data, 'w') as f:
            for path in paths:
                f.write('# %s\n' % path)
                for r in results['results']:
                    if r['path'] == path:
                        f.write('%d %d %d\n' % (r['batch'], r['median_cycles'], r['p99_cycles']))
                f.write('\n\n')
        script = [
            'set terminal png size 900,560 noenhanced',
            'set output "%s"' % png,
            'set title "Doorbell to completion per batch (guest TSC cycles; QEMU TCG)"',
            'set xlabel "commands per batch (plus one CMD_SYNC)"',
            'set ylabel "cycles (median, bars to p99)"',
            'set logscale xy',
            'set xtics (1, 8, 64)',
            'set key top left',
            'set grid',
        ]
        plots = ['"%s" index %d using 1:2:2:3 with yerrorlines title "%s"' % (data, i, p)
                 for i, p in enumerate(paths)]
        script.append('plot ' + ', '.join(plots))
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
    print()
    print('Speed-up over the trap path (trap median / fast-path median, doorbell to completion):')
    for r in results['ratios']:
        print('  %-8s batch %2d: %.2fx' % (r['path'], r['batch'], 1 / r['median_over_trap']))
    print(TCG_NOTE)
    print('bench-report: %s, %s' % (os.path.join(out, 'results.json'), png))
    return 0


if __name__ == '__main__':
    sys.exit(main())
