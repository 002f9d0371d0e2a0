"""`python -m autograd.check`: gradcheck and gradgradcheck over every row of the
op table (`autograd.optable`), one line per op with its worst error.

The error printed is the worst over the drawn examples of
`|analytical - numerical| / (atol + rtol * |numerical|)`: at most 1 passes.
Inputs are float64, drawn from each row's shapes and domains (derandomized, so a
run is repeatable); a row may ask for a larger finite-difference step (casts to
float32 do). Exit status 1 when any op fails.

    python -m autograd.check              # every op, 3 examples each
    python -m autograd.check matmul pow   # ops whose name contains these words
    python -m autograd.check --examples 10
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

from autograd.gradcheck import analytical_jacobian, first_derivative, numerical_jacobian
from autograd.tensor import Tensor

ATOL, RTOL, EPS = 1e-5, 1e-3, 1e-6


def jacobian_error(func, inputs, eps=EPS, atol=ATOL, rtol=RTOL) -> float:
    """The worst `|analytical - numerical| / (atol + rtol |numerical|)` of func's Jacobians."""
    worst = 0.0
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for num_i, ana_i in zip(numerical, analytical):
        for num, ana in zip(num_i or (), ana_i or ()):
            if num.size:
                worst = max(worst, float(np.max(np.abs(ana - num) / (atol + rtol * np.abs(num)))))
    return worst


def check_row(row, examples: int) -> tuple[float, float]:
    """The worst first- and second-order errors of one row over `examples` draws."""
    from hypothesis import HealthCheck, assume, given, settings

    worst = [0.0, 0.0]

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(row.draws)
    def run(draw):
        shapes, seed = draw
        rng = np.random.default_rng(seed)
        domains = row.domains if isinstance(row.domains, tuple) else (row.domains,) * len(shapes)
        arrays = [np.asarray(domain(rng, shape), dtype=np.float64) for domain, shape in zip(domains, shapes)]
        if row.valid is not None:
            assume(row.valid(*arrays))
        inputs = tuple(Tensor(a, requires_grad=True) for a in arrays)
        # a row may ask for a larger step (ops computed in float32, like casts)
        tolerances = dict(eps=max(row.eps, EPS), atol=max(row.atol, ATOL), rtol=max(row.rtol, RTOL))
        worst[0] = max(worst[0], jacobian_error(row.fn, inputs, **tolerances))
        derivative, inputs_and_vs = first_derivative(row.fn, inputs)
        worst[1] = max(worst[1], jacobian_error(derivative, inputs_and_vs, **tolerances))

    run()
    return worst[0], worst[1]


def _positive_int(text: str) -> int:
    """--examples: at least one, or no op would be checked (and each would be reported)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def main(argv=None, prog="python -m autograd.check") -> int:
    """Check the ops that `argv` names (all by default); `prog` is the command's name in
    the usage line (`glassgrad check` when run by the glassgrad command)."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.replace("python -m autograd.check", prog),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ops", nargs="*", help="check only ops whose name contains one of these")
    parser.add_argument("--examples", type=_positive_int, default=3, help="examples drawn per op (default 3)")
    args = parser.parse_args(argv)
    try:
        from autograd.optable import OPS
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != "hypothesis":
            raise
        print(f"{prog}: error: the gradient checks need hypothesis: pip install hypothesis", file=sys.stderr)
        return 1
    rows = [r for r in OPS if not args.ops or any(word in r.name for word in args.ops)]
    if not rows:
        print(f"no op matches {' '.join(args.ops)}", file=sys.stderr)
        return 2
    start, failed = time.perf_counter(), []
    print(f"{'op':<56} {'1st order':>10} {'2nd order':>10}   (worst error / tolerance: <= 1 passes)")
    for row in rows:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                first, second = check_row(row, args.examples)
                verdict = "ok" if max(first, second) <= 1 else "FAIL"
                line = f"{row.name:<56} {first:>10.3g} {second:>10.3g}   {verdict}"
            except Exception as error:  # an op that raises is a failure to report, not to crash on
                verdict = "FAIL"
                line = f"{row.name:<56} {'error':>10} {'':>10}   FAIL: {type(error).__name__}: {error}"
        if verdict != "ok":
            failed.append(row.name)
        print(line, flush=True)
    print(f"\n{len(rows)} ops, {len(failed)} failed, {time.perf_counter() - start:.1f} s"
          + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
