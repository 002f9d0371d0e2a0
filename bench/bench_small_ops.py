"""Per-op overhead: `((a * b + c).tanh() * a).sum().backward()` on 8x8 float32.

a, b, c are leaves requiring grad; each iteration zeroes the grads, runs the
forward and the backward. glassgrad vs PyTorch CPU (default thread count,
printed), mygrad and HIPS autograd (in their virtual environments, see
bench/README.md), each engine in its own worker process. Prints median µs per
iteration and the ratio glassgrad/torch (target <= 0.8, issue 14). With
`--reference DIR`, the same loop on the reference checkout too (its ratio is
printed, no target). `--quick` for a shorter run.
"""

from __future__ import annotations

import _common as common


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=9)
    iterations = 500 if args.quick else 2000
    common.header(f"bench_small_ops: ((a*b+c).tanh()*a).sum().backward(), 8x8 float32, "
                  f"{iterations} iterations per block")
    common.compare("small_ops", "8x8 `((a*b+c).tanh()*a).sum().backward()`",
                   ["glassgrad", "torch", "mygrad", "hips"], baseline="torch", target=0.8,
                   inner=iterations, repeats=args.repeats, unit="µs", warmup=max(iterations // 10, 50))


if __name__ == "__main__":
    main()
