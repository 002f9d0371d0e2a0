"""BLAS-bound work: `(A @ B).sum().backward()` with 1024x1024 float32 leaves.

Columns: glassgrad; bare NumPy doing only the three matmuls the step needs
(`A @ B`, `G @ B.T`, `A.T @ G` with G = ones, made once outside the timing);
PyTorch CPU, mygrad and HIPS autograd where installed; each engine in its own
worker process. Prints median ms per step and the ratio glassgrad/numpy
(target <= 1.15). `--quick` for a shorter run.
"""

from __future__ import annotations

import _common as common


def main():
    # one step per block and many blocks: the finest interleaving, so that drifts
    # of the machine's speed (shared cores) hit every column alike
    args = common.parse_args(__doc__.splitlines()[0], repeats=21, quick_repeats=9)
    common.header("bench_matmul: (A @ B).sum().backward(), 1024x1024 float32, 1 step per block")
    common.compare("matmul", "1024x1024 `(A@B).sum().backward()`",
                   ["glassgrad", "numpy", "torch", "mygrad", "hips"], baseline="numpy", target=1.15,
                   inner=1, repeats=args.repeats)


if __name__ == "__main__":
    main()
