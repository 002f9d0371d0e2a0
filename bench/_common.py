"""Helpers shared by the benchmark scripts: argument parsing, interleaved timing,
medians and printing. Not a test module: nothing here asserts a speed."""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# Let `python bench/xxx.py` import the package from the repository root.
BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)  # this checkout first, before any installed glassgrad


def parse_args(description: str, repeats: int = 7, extra=(), quick_repeats: int = 5) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    for flag, help_text in extra:
        parser.add_argument(flag, action="store_true", help=help_text)
    parser.add_argument("--quick", action="store_true", help="a shorter run (fewer iterations)")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed blocks per engine (default {repeats}; at least 5 is sensible)")
    parser.add_argument("--summary", metavar="FILE", help="append the summary rows (JSON lines) to FILE")
    parser.add_argument("--reference", metavar="DIR",
                        help="another glassgrad checkout (e.g. a `git worktree` of main): adds an engine "
                             f"column {LABELS['reference']!r} running the same workloads from DIR")
    args = parser.parse_args()
    global SUMMARY_FILE, REFERENCE
    SUMMARY_FILE = args.summary
    if args.reference:
        REFERENCE = os.path.abspath(args.reference)
        if not os.path.isfile(os.path.join(REFERENCE, "autograd", "__init__.py")):
            parser.error(f"--reference {args.reference}: no autograd/__init__.py there")
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
    if REFERENCE:
        print(f"reference: {LABELS['reference']} = {reference_name()}")
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
    """Time every engine in `engines` (name -> a function, or a `Worker` that times
    its own steps), `inner` calls per block, `repeats` blocks, engines interleaved
    (A B C, B C A, C A B, ...). The order rotates every round, so that each engine
    runs first as often as the others and follows each of them equally often (a
    block right after another process's BLAS threads runs slower). Returns
    name -> list of seconds per call (one per block)."""
    names = list(engines)
    for name in names:
        if warmup:
            time_block(engines[name], warmup, collect=False)
    times = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(time_block(engines[name], inner, collect))
    return times


def time_block(fn, inner: int, collect: bool) -> float:
    """Seconds per call of `inner` calls (gc.collect() first: the same heap state)."""
    if isinstance(fn, Worker):
        return fn.ask(f"time {inner}")
    if collect:
        gc.collect()
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


# --- engines in worker processes (bench/worker.py running bench/engines.py) ---

LABELS = {"glassgrad": "glassgrad", "reference": "main (ref)", "torch": "torch", "micrograd": "micrograd",
          "mygrad": "mygrad", "hips": "HIPS autograd", "numpy": "numpy"}
PEER_VENVS = {"mygrad": "mygrad", "hips": "autograd"}  # engine -> its virtual environment under bench/.venvs
REFERENCE = None  # --reference DIR, absolute: the checkout the "reference" engine imports glassgrad from


def reference_name(directory=None) -> str:
    """`DIR at <short commit>` of the reference checkout (git -C DIR log -1)."""
    directory = directory or REFERENCE
    try:
        commit = subprocess.run(["git", "-C", directory, "log", "-1", "--format=%h"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "? (not a git checkout)"
    return f"{directory} at {commit}"


def with_reference(engines) -> list:
    """`engines` with "reference" right after "glassgrad" when --reference is given."""
    engines = [n for n in engines if n != "reference"]
    if REFERENCE and "glassgrad" in engines:
        engines.insert(engines.index("glassgrad") + 1, "reference")
    return engines


class Worker:
    """One engine running one workload of engines.py in its own process, started
    with the engine's interpreter; `ready()` tells whether it runs, else `note` why."""

    def __init__(self, engine: str, workload: str):
        self.engine, self.note, self.process = engine, None, None
        venv = PEER_VENVS.get(engine)
        python = os.path.join(BENCH, ".venvs", venv, "bin", "python") if venv else sys.executable
        if not os.path.exists(python):
            self.note = f"not set up (no bench/.venvs/{venv}; run `bash bench/setup_peers.sh`)"
            return
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # keep glassgrad off peers' sys.path
        where = [REFERENCE] if engine == "reference" else []  # the checkout it imports glassgrad from
        self.process = subprocess.Popen([python, os.path.join(BENCH, "worker.py"), engine, workload, *where],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def ready(self) -> bool:
        if self.process is None:
            return False
        line = self.process.stdout.readline().strip()
        if line.startswith("ready "):
            print(f"  {LABELS[self.engine]:<13} {json.loads(line[6:])['version']}")
            return True
        self.note = line[4:] if line.startswith("n/a ") else f"worker failed: {line or 'no output'}"
        self.close()
        return False

    def ask(self, command: str):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None


def start_workers(workload: str, engines) -> tuple[dict, dict]:
    """(name -> ready Worker, name -> note for those that cannot run), all
    started at once; prints each engine's version or why it is skipped."""
    workers = {name: Worker(name, workload) for name in engines}
    ready = {name: w for name, w in workers.items() if w.ready()}
    notes = {name: w.note for name, w in workers.items() if name not in ready}
    for name, note in notes.items():
        print(f"  {LABELS[name]:<13} skipped: {note}")
    return ready, notes


def check_agreement(workers: dict, steps: int = 2, rtol: float = 1e-3) -> dict:
    """Run `steps` steps in each worker and compare the loss and sum|grad| of
    every gradient with those of the first engine (same data and weights).
    Returns name -> note for the engines that disagree."""
    results = {name: w.ask(f"check {steps}") for name, w in workers.items()}
    (ref_name, ref), *others = results.items()
    disagree = {}
    first_loss = ", ".join(f"{LABELS[n]} {r[0][0]:.6g}" for n, r in results.items() if r[0][0] is not None)
    print(f"  check over {steps} steps from the same data and weights; first loss: {first_loss or 'n/a'}")
    for name, result in others:
        pairs = [(a, b) for row, ref_row in zip(result, ref) for a, b in zip(row, ref_row) if None not in (a, b)]
        worst = max(abs(a - b) / max(abs(b), 1e-30) for a, b in pairs)
        print(f"    {LABELS[name]:<13} loss and sum|grad| vs {ref_name}: max relative difference {worst:.1e} "
              f"({'agree' if worst <= rtol else 'DISAGREE'} at {rtol:g})")
        if worst > rtol:
            disagree[name] = f"DISAGREES with {ref_name} (loss or gradients, relative difference {worst:.1e})"
    return disagree


def compare(workload: str, row: str, engines, baseline: str, target: float, inner: int, repeats: int,
            unit: str = "ms", warmup: int = 2, ref_target=None) -> None:
    """The suite's timed comparison: `workload` of engines.py in one worker per
    engine (glassgrad first, then the reference checkout if --reference), checked,
    timed interleaved; prints the medians, glassgrad/baseline against `target`
    (<=) and glassgrad/reference (against `ref_target` if given), and records the
    summary `row`."""
    scale = {"ms": 1e3, "µs": 1e6}[unit]
    workers, notes = start_workers(workload, with_reference(engines))
    try:
        if "glassgrad" not in workers:
            return summary(row, {n: "n/a" for n in engines}, notes=notes)
        notes.update(check_agreement(workers))
        times = interleaved(workers, inner=inner, repeats=repeats, warmup=warmup)
    finally:
        for worker in workers.values():
            worker.close()
    print(f"  {unit} per step, {inner} steps per block:")
    fmt_table([(LABELS[n], t) for n, t in times.items()], unit, scale)
    cells = {n: fmt_seconds(median(t)) for n, t in times.items()}
    versus = None
    if "reference" in times:
        versus = versus_reference(median(times["glassgrad"]), median(times["reference"]), ref_target)
    if "numpy" in cells:  # not a column of the table
        row += f" (bare NumPy {cells.pop('numpy')})"
    if baseline not in times:
        return summary(row, cells, notes=notes, versus=versus)
    ratio = median(times["glassgrad"]) / median(times[baseline])
    print(f"  ratio glassgrad/{baseline} = {ratio:.3f}   ({verdict(ratio, target)})")
    summary(row, cells, f"{ratio:.2f}x {baseline}", f"<= {target:g}x", ratio <= target, notes, versus)


def versus_reference(mine: float, theirs: float, target=None, met=None, target_text=None) -> dict:
    """Print glassgrad/reference (and a verdict against `target`, <=; `met` and
    `target_text` override the plain comparison); returns the summary's record."""
    ratio = mine / theirs
    label = LABELS["reference"]
    if target is None:
        print(f"  ratio glassgrad/{label} = {ratio:.3f}   (no target)")
        return {"ratio": f"{ratio:.2f}x", "target": "", "verdict": ""}
    met = ratio <= target if met is None else met
    target_text = target_text or f"<= {target:g}x"
    print(f"  ratio glassgrad/{label} = {ratio:.3f}   (target {target_text}: {'MET' if met else 'MISSED'})")
    return {"ratio": f"{ratio:.2f}x", "target": target_text, "verdict": "MET" if met else "MISSED"}


# --- the summary table of bench/run_all.py ---

SUMMARY_FILE = None  # set by parse_args(--summary FILE)


def summary(row: str, cells: dict, ratio: str = "", target: str = "", met=None, notes=None,
            versus=None) -> None:
    """Record one row of the suite's table (engine -> text); run_all.py prints them.
    `versus`: glassgrad against the reference checkout, from `versus_reference`."""
    cells = {**{n: "n/a" for n in notes or {}}, **cells}
    record = {"workload": row, "cells": cells, "ratio": ratio, "target": target,
              "verdict": "" if met is None else "MET" if met else "MISSED", "versus": versus,
              "notes": {n: f"{LABELS.get(n, n)}: {note}" for n, note in (notes or {}).items()}}
    if SUMMARY_FILE:
        with open(SUMMARY_FILE, "a") as f:
            f.write(json.dumps(record) + "\n")


def median(values) -> float:
    return statistics.median(values)


def fmt_seconds(seconds: float) -> str:
    """3 significant digits in µs, ms or s: the summary table's cells."""
    for unit, scale in (("µs", 1e6), ("ms", 1e3)):
        if seconds * scale < 999.5:
            return f"{seconds * scale:.3g} {unit}"
    return f"{seconds:.3g} s"


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
