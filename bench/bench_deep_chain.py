"""Deep graphs: backward through a chain of 1,000,000 ops, without recursion.

`x = x * 1.0000001 + 0.0` repeated (two ops per step) on a scalar
`autograd.Value` and on a 0-d float64 `autograd.Tensor`, 1,000,000 ops each.
Each chain runs in a worker process (bench/worker.py, workloads `value_chain`
and `tensor_chain` of bench/engines.py): glassgrad and, with `--reference DIR`,
the reference checkout, runs interleaved. Prints the time of the forward, of
the backward and of freeing the graph, per chain and per op, the ratio
glassgrad/reference of the backward (target <= 1.05), and checks d(x)/d(x0) =
1.0000001 ** steps. Python's recursion limit is left at its default, printed: a
recursive topological sort could not get through.

micrograd (optional peer), whose topological sort is recursive, is tried on a
chain just past the recursion limit to show the difference. `--quick` runs a
200,000-op Value chain and the 1,000,000-op Tensor chain once per engine.
"""

from __future__ import annotations

import sys

import _common as common

FACTOR = 1.0000001  # engines.CHAIN_FACTOR
PHASES = ("forward", "backward", "free")


def run_chains(workload: str, ops: int, runs: int, gc_off: bool) -> tuple[dict, dict]:
    """(engine -> one result dict per run, engine -> note for those skipped):
    `runs` chains of `ops` ops in each engine's worker, engines interleaved."""
    workers, notes = common.start_workers(workload, common.with_reference(["glassgrad"]))
    try:
        if "glassgrad" not in workers:
            return {}, notes
        notes.update(common.check_agreement(workers, steps=1, rtol=1e-12))
        names = list(workers)
        results = {name: [] for name in names}
        for r in range(runs):
            for name in names if r % 2 == 0 else names[::-1]:
                results[name].append(workers[name].ask(f"chain {ops} {int(gc_off)}"))
    finally:
        for worker in workers.values():
            worker.close()
    return results, notes


def report(name: str, ops: int, rows: list, expected: float, rtol: float = 1e-9) -> tuple[float, bool]:
    """Print one engine's medians per phase and the gradient check; (backward s, ok)."""
    print(f"  {common.LABELS[name]}: {ops:,} ops ({ops // 2:,} steps), {len(rows)} runs, medians:")
    for phase in PHASES:
        values = [r[phase] for r in rows]
        med = common.median(values)
        print(f"    {phase:<10} {med:8.3f} s   {med / ops * 1e6:7.3f} µs/op   runs {common.spread(values)} s")
    grad = rows[-1]["grad"]
    ok = abs(grad - expected) <= rtol * expected
    print(f"    d(x)/d(x0) = {grad:.12g}, expected {expected:.12g} ({'ok' if ok else 'WRONG'}, rtol {rtol:g})")
    return common.median([r["backward"] for r in rows]), ok


def chain_row(label: str, workload: str, ops: int, runs: int, gc_off: bool, cells=None) -> None:
    """Run, print and record the summary row of one chain."""
    print(f"{label}:")
    results, notes = run_chains(workload, ops, runs, gc_off)
    row = f"{ops:,}-op {label}, backward (µs/op)"
    if not results:
        return common.summary(row, {"glassgrad": "n/a", **(cells or {})}, notes=notes)
    checked = {n: report(n, ops, rows, FACTOR ** (ops // 2)) for n, rows in results.items()}
    for name, (_, ok) in checked.items():
        if not ok:
            notes[name] = "WRONG gradient d(x)/d(x0)"
    cells = {**(cells or {}),
             **{n: f"{common.fmt_seconds(b)} ({b / ops * 1e6:.2f})" for n, (b, _) in checked.items()}}
    versus = None
    if "reference" in checked:
        versus = common.versus_reference(checked["glassgrad"][0], checked["reference"][0], 1.05)
    met = checked["glassgrad"][1]
    common.summary(row, cells, "", "no recursion limit, exact gradient", met, notes, versus)
    print("-" * 78)


def micrograd_demo(steps):
    """What micrograd does on the chain: the summary table's cell."""
    engine = common.optional_import("micrograd.engine")
    if engine is None:
        return "n/a"
    x0 = engine.Value(1.0)
    x = x0
    for _ in range(steps):
        x = x * FACTOR + 0.0
    try:
        x.backward()
        print(f"micrograd: {2 * steps:,}-op chain: backward ran (recursion limit {sys.getrecursionlimit()})")
        return f"ran {2 * steps:,} ops"
    except RecursionError:
        print(f"micrograd: {2 * steps:,}-op chain: RecursionError in its recursive topological sort "
              f"(recursion limit {sys.getrecursionlimit()}); glassgrad has none")
        return f"RecursionError at {2 * steps:,} ops"


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=3, quick_repeats=3,
                             extra=[("--gc-off", "disable the cyclic garbage collector during each chain "
                                     "(diagnostic: how much of the forward is GC)")])
    value_ops = 200_000 if args.quick else 1_000_000
    tensor_runs = 1 if args.quick else args.repeats  # each 1M-op run takes seconds
    common.header("bench_deep_chain: x = x * 1.0000001 + 0.0, forward / backward / free")
    print(f"sys.getrecursionlimit() = {sys.getrecursionlimit()} (left at its default)")
    if args.gc_off:
        print("gc DISABLED during each chain (--gc-off); each run starts after gc.collect()")
    else:
        print("gc stays enabled, as in user code (--gc-off to disable it); each run starts after gc.collect()")
    micrograd = micrograd_demo(sys.getrecursionlimit())
    print("-" * 78)
    chain_row("scalar Value chain", "value_chain", value_ops, args.repeats, args.gc_off,
              {"micrograd": micrograd})
    chain_row("0-d float64 Tensor chain", "tensor_chain", 1_000_000, tensor_runs, args.gc_off)


if __name__ == "__main__":
    main()
