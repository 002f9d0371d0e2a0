"""Deep graphs: backward through a chain of 1,000,000 ops, without recursion.

`x = x * 1.0000001 + 0.0` repeated (two ops per step) on a scalar
`autograd.Value` (1,000,000 ops) and on a 0-d `autograd.Tensor` (fewer ops by
default, as it is slower per op; the count is printed). Prints the time of the
forward, of the backward and of freeing the graph, per chain and per op, and
checks d(x)/d(x0) = 1.0000001 ** steps. Python's recursion limit is left at its
default, printed: a recursive topological sort could not get through.

micrograd (optional peer), whose topological sort is recursive, is tried on a
chain just past the recursion limit to show the difference. `--quick` runs
shorter chains.
"""

from __future__ import annotations

import gc
import sys
import time

import _common as common
import numpy as np

import autograd

FACTOR = 1.0000001


def run_chain(x0, steps, gc_off=False):
    """Forward, backward and teardown of the chain; returns (fwd, bwd, free, grad)."""
    if gc_off:
        gc.disable()
    try:
        return _run_chain(x0, steps)
    finally:
        gc.enable()


def _run_chain(x0, steps):
    x = x0
    start = time.perf_counter()
    for _ in range(steps):
        x = x * FACTOR + 0.0
    forward = time.perf_counter() - start
    start = time.perf_counter()
    x.backward()
    backward = time.perf_counter() - start
    grad = x0.grad
    start = time.perf_counter()
    del x
    free = time.perf_counter() - start
    return forward, backward, free, grad


def report(label, ops, rows, expected, rtol):
    fwd, bwd, free = ([r[i] for r in rows] for i in range(3))
    grad = rows[-1][3]
    grad = float(grad.item() if hasattr(grad, "item") else grad)
    print(f"{label}: {ops:,} ops ({ops // 2:,} steps), {len(rows)} runs, medians:")
    for name, values in (("forward", fwd), ("backward", bwd), ("free graph", free)):
        med = common.median(values)
        print(f"  {name:<10} {med:8.3f} s   {med / ops * 1e6:7.3f} µs/op   runs {common.spread(values)} s")
    ok = abs(grad - expected) <= rtol * expected
    print(f"  d(x)/d(x0) = {grad:.9g}, expected {expected:.9g} ({'ok' if ok else 'WRONG'}, rtol {rtol:g})")
    return common.median(bwd), ok


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
    tensor_ops = 40_000 if args.quick else 100_000
    runs = args.repeats  # each 1M-op run takes seconds: 3 by default to stay near a minute
    common.header("bench_deep_chain: x = x * 1.0000001 + 0.0, forward / backward / free")
    print(f"sys.getrecursionlimit() = {sys.getrecursionlimit()} (left at its default)")
    if args.gc_off:
        print("gc DISABLED during each chain (--gc-off); each run starts after gc.collect()")
    else:
        print("gc stays enabled, as in user code (--gc-off to disable it); each run starts after gc.collect()")

    results = {}
    for label, ops, make in (
        ("autograd.Value chain", value_ops, lambda: autograd.Value(1.0)),
        ("0-d autograd.Tensor chain", tensor_ops,
         lambda: autograd.tensor(np.float32(1.0), requires_grad=True)),
    ):
        rows = []
        for _ in range(runs):
            gc.collect()
            rows.append(run_chain(make(), ops // 2, args.gc_off))
        expected, rtol = FACTOR ** (ops // 2), 1e-9
        if "Tensor" in label:  # float32: the factor rounds to 1.00000012 and products round each step
            expected, rtol = float(np.float32(FACTOR)) ** (ops // 2), 1e-3
        results[label] = report(label, ops, rows, expected, rtol)
        print("-" * 78)

    micrograd = micrograd_demo(sys.getrecursionlimit())
    backward, ok = results["autograd.Value chain"]
    cells = {"glassgrad": common.fmt_seconds(backward), "micrograd": micrograd}
    common.summary(f"{value_ops:,}-op scalar chain, backward", cells, "", "no recursion limit, exact gradient", ok)


if __name__ == "__main__":
    main()
