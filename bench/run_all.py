"""Run every benchmark in order, each in its own Python process.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run_all.py [--quick]

Extra arguments (e.g. --quick, --repeats N) are passed to every script.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

SCRIPTS = [
    "bench_micrograd_mlp.py",
    "bench_small_ops.py",
    "bench_matmul.py",
    "bench_deep_chain.py",
    "bench_draw.py",
    "bench_conv.py",
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    extra = sys.argv[1:]
    if "-h" in extra or "--help" in extra:
        print(__doc__)
        return 0
    failed = []
    start = time.perf_counter()
    for script in SCRIPTS:
        t0 = time.perf_counter()
        result = subprocess.run([sys.executable, os.path.join(here, script), *extra], cwd=os.path.dirname(here))
        print(f"[{script}: exit {result.returncode}, {time.perf_counter() - t0:.1f} s]\n", flush=True)
        if result.returncode != 0:
            failed.append(script)
    print(f"all benchmarks: {time.perf_counter() - start:.1f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
