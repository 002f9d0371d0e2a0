"""An MLP training step: 784-512-256-10 (Linear, ReLU), batch 128, float32.

zero_grad, forward, CrossEntropyLoss, backward, SGD step (lr 0.01), all engines
from the same weights and batch: glassgrad vs PyTorch CPU, mygrad and HIPS
autograd (the last two as hand-written matmuls, see bench/engines.py), and the
step written out by hand in bare NumPy (the floor for a NumPy engine), each in
its own worker process. Prints median ms per step and the ratio glassgrad/torch
(target <= 1: no slower than PyTorch) and, with `--reference DIR`, glassgrad/reference
(target <= 1.05, issue 14). `--quick` for a shorter run.
"""

from __future__ import annotations

import _common as common


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=9)
    inner = 10 if args.quick else 20
    common.header(f"bench_mlp: MLP 784-512-256-10 training step, batch 128, {inner} steps per block")
    common.compare("mlp", "MLP 784-512-256-10 step, batch 128", ["glassgrad", "numpy", "torch", "mygrad", "hips"],
                   baseline="torch", target=1.0, inner=inner, repeats=args.repeats, ref_target=1.05)


if __name__ == "__main__":
    main()
