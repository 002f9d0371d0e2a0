"""Helpers shared by the benchmark scripts: argument parsing, interleaved timing,
medians and printing. Not a test module: nothing here asserts a speed."""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time

# Let `python bench/xxx.py` import the package from the repository root.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)  # this checkout first, before any installed glassgrad


def parse_args(description: str, repeats: int = 7, extra=(), quick_repeats: int = 5) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    for flag, help_text in extra:
        parser.add_argument(flag, action="store_true", help=help_text)
    parser.add_argument("--quick", action="store_true", help="a shorter run (fewer iterations)")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed blocks per engine (default {repeats}; at least 5 is sensible)")
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = quick_repeats if args.quick else repeats
    return args


def optional_import(name: str):
    """The module, or None with a printed note (every peer is optional)."""
    try:
        return __import__(name, fromlist=["_"])
    except Exception as error:  # ImportError, or a broken install
        print(f"note: {name} is not importable ({type(error).__name__}: {error}); skipping that column")
        return None


def header(title: str) -> None:
    import numpy as np

    print("=" * 78)
    print(title)
    blas = os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("OPENBLAS_L2_SIZE")
    print(f"python {platform.python_version()}, numpy {np.__version__}, cpus {os.cpu_count()}, "
          f"OPENBLAS_CORETYPE={blas[0]!s} OPENBLAS_L2_SIZE={blas[1]!s}")
    if any(blas):
        print("warning: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set; unset them for benchmarks "
              "(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...)")
    busy = busy_cpus()
    if busy is not None:
        note = ("" if busy < 0.25 else
                "  <- other processes are running: figures will be noisy, ratios less so")
        print(f"other CPU activity before the start: {busy:.2f} of {os.cpu_count()} cpus busy{note}")
    print("-" * 78)


def busy_cpus(interval: float = 0.5):
    """How many CPUs other processes keep busy, sampled from /proc/stat over
    `interval` seconds while this process sleeps (None where unavailable)."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return 0.0 if total <= 0 else (1 - (idle1 - idle0) / total) * (os.cpu_count() or 1)


def interleaved(engines: dict, inner: int, repeats: int, warmup: int = 1, collect: bool = True) -> dict:
    """Time `fn()` for every engine in `engines` (name -> fn), `inner` calls per
    block, `repeats` blocks, engines interleaved (A B A B ...). The engine order is
    reversed every other round so neither always runs first. Returns name -> list
    of seconds per call (one per block)."""
    names = list(engines)
    for name in names:
        for _ in range(warmup):
            engines[name]()
    times = {name: [] for name in names}
    for r in range(repeats):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            fn = engines[name]
            if collect:
                gc.collect()  # start each block from the same heap state
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - start) / inner)
    return times


def median(values) -> float:
    return statistics.median(values)


def spread(values) -> str:
    """min..max of the blocks, as a rough noise indicator."""
    return f"[{min(values):.4g} .. {max(values):.4g}]"


def fmt_table(rows, unit: str, scale: float) -> None:
    """rows: (name, list of seconds). Prints median and min..max in `unit`."""
    width = max(len(name) for name, _ in rows)
    for name, values in rows:
        scaled = [v * scale for v in values]
        print(f"  {name:<{width}}  median {median(scaled):10.3f} {unit}   "
              f"blocks {spread(scaled)} (n={len(values)})")


def verdict(ratio: float, target: float, smaller_is_better: bool = True) -> str:
    met = ratio <= target if smaller_is_better else ratio >= target
    sign = "<=" if smaller_is_better else ">="
    return f"target {sign} {target:g}: {'MET' if met else 'MISSED'}"
