"""Convolutional networks on the CPU, float32, against PyTorch CPU.

Two workloads, each timed with the engines interleaved, each engine in its own
worker process (bench/worker.py):

- LeNet-5 training step at batch 64 on 1x28x28: conv 1-6 k5 p2, ReLU, max pool 2,
  conv 6-16 k5, ReLU, max pool 2, 400-120-84-10 with ReLU; CrossEntropyLoss,
  backward, SGD step (zero_grad included). glassgrad, PyTorch, mygrad, HIPS
  autograd. Target glassgrad/torch <= 2; with `--reference DIR`, glassgrad/reference
  <= 1.05 (issue 14).
- One 64-to-64-channel 3x3 convolution with padding 1 on 32x32, batch 32: forward
  and backward (the input requires grad; a fixed upstream gradient). glassgrad
  and PyTorch (the peers take seconds per step). Target <= 2.

All start from the same weights and inputs; the script first checks that losses
and gradients agree. Prints median ms per step and the ratios. `--quick` for a
shorter run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_conv.py
"""

from __future__ import annotations

import _common as common


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=15, quick_repeats=7)
    common.header("bench_conv: LeNet-5 training step and a 64-channel 3x3 conv block, float32")
    print("LeNet-5 step, batch 64, 1x28x28 (forward, CrossEntropyLoss, backward, SGD)")
    common.compare("lenet", "LeNet-5 step, batch 64", ["glassgrad", "torch", "mygrad", "hips"],
                   baseline="torch", target=2.0, inner=3 if args.quick else 5, repeats=args.repeats,
                   ref_target=1.05)
    print("-" * 78)
    print("Conv2d(64, 64, 3, padding=1) on 32x64x32x32, forward + backward")
    common.compare("conv", "Conv2d(64, 64, 3, padding=1) fwd+bwd, 32x64x32x32", ["glassgrad", "torch", "mygrad", "hips"],
                   baseline="torch", target=2.0, inner=1, repeats=args.repeats)


if __name__ == "__main__":
    main()
