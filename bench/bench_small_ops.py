"""Per-op overhead: `((a * b + c).tanh() * a).sum().backward()` on 8x8 float32.

a, b, c are leaves requiring grad; each iteration zeroes the grads with
`a.grad = None` (etc.), runs the forward and the backward. glassgrad vs PyTorch
CPU (default thread count, printed). Prints median µs per iteration and the
ratio glassgrad/torch (target <= 1.0). `--quick` for a shorter run.
"""

from __future__ import annotations

import numpy as np

import _common as common

import autograd

SHAPE = (8, 8)


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=9)
    iterations = 500 if args.quick else 2000
    common.header(f"bench_small_ops: ((a*b+c).tanh()*a).sum().backward(), 8x8 float32, "
                  f"{iterations} iterations per block")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(3)]

    a, b, c = (autograd.tensor(x, requires_grad=True) for x in arrays)

    def glassgrad_step():
        a.grad = None
        b.grad = None
        c.grad = None
        ((a * b + c).tanh() * a).sum().backward()

    engines = {"glassgrad": glassgrad_step}

    torch = common.optional_import("torch")
    if torch is not None:
        print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
        ta, tb, tc = (torch.tensor(x, requires_grad=True) for x in arrays)

        def torch_step():
            ta.grad = None
            tb.grad = None
            tc.grad = None
            ((ta * tb + tc).tanh() * ta).sum().backward()

        engines["torch"] = torch_step

    # one step each, then check the gradients agree
    for fn in engines.values():
        fn()
    if torch is not None:
        worst = max(float(np.abs(g.grad.data - t.grad.numpy()).max()) for g, t in ((a, ta), (b, tb), (c, tc)))
        print(f"gradients: glassgrad dtype {a.grad.dtype}, max |glassgrad - torch| = {worst:.3g}")

    times = common.interleaved(engines, inner=iterations, repeats=args.repeats, warmup=max(iterations // 10, 50))
    print("-" * 78)
    print("µs per iteration (forward + backward):")
    common.fmt_table(list(times.items()), "µs", 1e6)
    if torch is not None:
        ratio = common.median(times["glassgrad"]) / common.median(times["torch"])
        print(f"ratio glassgrad/torch = {ratio:.3f}   ({common.verdict(ratio, 1.0)})")


if __name__ == "__main__":
    main()
