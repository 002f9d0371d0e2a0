"""BLAS-bound work: `(A @ B).sum().backward()` with 1024x1024 float32 leaves.

Columns: glassgrad; bare NumPy doing only the three matmuls the step needs
(`A @ B`, `G @ B.T`, `A.T @ G` with G = ones, made once outside the timing);
PyTorch CPU where installed. Prints median ms per step and the ratio
glassgrad/numpy (target <= 1.15). `--quick` for a shorter run.
"""

from __future__ import annotations

import numpy as np

import _common as common

import autograd

N = 1024


def main():
    # one step per block and many blocks: the finest interleaving, so that drifts
    # of the machine's speed (shared cores) hit every column alike
    args = common.parse_args(__doc__.splitlines()[0], repeats=21, quick_repeats=9)
    inner = 1
    common.header(f"bench_matmul: (A @ B).sum().backward(), {N}x{N} float32, {inner} step per block")
    rng = np.random.default_rng(0)
    A_np = rng.standard_normal((N, N)).astype(np.float32)
    B_np = rng.standard_normal((N, N)).astype(np.float32)
    G_np = np.ones((N, N), dtype=np.float32)

    A, B = autograd.tensor(A_np, requires_grad=True), autograd.tensor(B_np, requires_grad=True)

    def glassgrad_step():
        A.grad = None
        B.grad = None
        (A @ B).sum().backward()

    def numpy_step():
        A_np @ B_np
        G_np @ B_np.T
        A_np.T @ G_np

    engines = {"glassgrad": glassgrad_step, "numpy (3 matmuls)": numpy_step}

    torch = common.optional_import("torch")
    if torch is not None:
        print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
        tA, tB = torch.tensor(A_np, requires_grad=True), torch.tensor(B_np, requires_grad=True)

        def torch_step():
            tA.grad = None
            tB.grad = None
            (tA @ tB).sum().backward()

        engines["torch"] = torch_step

    glassgrad_step()
    dA, dB = G_np @ B_np.T, A_np.T @ G_np
    scale = float(np.abs(dA).max())
    print(f"gradients: glassgrad dtypes {A.grad.dtype}/{B.grad.dtype}, max |glassgrad - numpy| / max|dA| = "
          f"{max(np.abs(A.grad.data - dA).max(), np.abs(B.grad.data - dB).max()) / scale:.3g}")

    times = common.interleaved(engines, inner=inner, repeats=args.repeats, warmup=2)
    print("-" * 78)
    print("ms per step:")
    common.fmt_table(list(times.items()), "ms", 1e3)
    ratio = common.median(times["glassgrad"]) / common.median(times["numpy (3 matmuls)"])
    print(f"ratio glassgrad/numpy = {ratio:.3f}   ({common.verdict(ratio, 1.15)})")
    if torch is not None:
        print(f"ratio glassgrad/torch = {common.median(times['glassgrad']) / common.median(times['torch']):.3f}"
              "   (for information)")


if __name__ == "__main__":
    main()
