"""Convolutional networks on the CPU, float32, against PyTorch CPU.

Two workloads, each timed with the engines interleaved:

- LeNet-5 training step at batch 64 on 1x28x28: conv 1-6 k5 p2, ReLU, max pool 2,
  conv 6-16 k5, ReLU, max pool 2, 400-120-84-10 with ReLU; CrossEntropyLoss,
  backward, nn.optim.SGD step (zero_grad included). Target glassgrad/torch <= 2.
- One 64-to-64-channel 3x3 convolution with padding 1 on 32x32, batch 32: forward
  and backward (the input requires grad; a fixed upstream gradient). Target <= 2.

Both start from the same weights and inputs; the script first checks that losses
and gradients agree. Prints median ms per step and the ratios. `--quick` for a
shorter run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_conv.py
"""

from __future__ import annotations

import _common as common
import numpy as np

import autograd
import nn


def lenet(module):
    """LeNet-5 from `module` (glassgrad's nn or torch.nn)."""
    return module.Sequential(
        module.Conv2d(1, 6, 5, padding=2), module.ReLU(), module.MaxPool2d(2),
        module.Conv2d(6, 16, 5), module.ReLU(), module.MaxPool2d(2),
        module.Flatten(),
        module.Linear(400, 120), module.ReLU(),
        module.Linear(120, 84), module.ReLU(),
        module.Linear(84, 10),
    )


def copy_into_torch(ours, theirs, torch):
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})


def lenet_engines(torch, rng):
    autograd.manual_seed(0)
    model = lenet(nn)
    x_np = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y_np = rng.integers(0, 10, 64)
    x, y = autograd.tensor(x_np), autograd.tensor(y_np)
    loss_fn, optimizer = nn.CrossEntropyLoss(), nn.optim.SGD(model.parameters(), lr=0.01)

    def glassgrad_step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    engines = {"glassgrad": glassgrad_step}
    if torch is None:
        return engines, None
    theirs = lenet(torch.nn)
    copy_into_torch(model, theirs, torch)
    tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
    t_loss_fn, t_optimizer = torch.nn.CrossEntropyLoss(), torch.optim.SGD(theirs.parameters(), lr=0.01)

    def torch_step():
        t_optimizer.zero_grad()
        loss = t_loss_fn(theirs(tx), ty)
        loss.backward()
        t_optimizer.step()
        return loss

    engines["torch"] = torch_step

    def check():
        losses = [(glassgrad_step().item(), torch_step().item()) for _ in range(3)]
        worst = max(abs(a - b) for a, b in losses)
        grads = max(
            float(np.abs(p.grad.data - q.grad.numpy()).max())
            for p, q in zip(model.parameters(), theirs.parameters())
        )
        return f"3 steps from the same weights: max |loss difference| {worst:.2e}, max |gradient difference| {grads:.2e}"

    return engines, check


def conv_block_engines(torch, rng):
    autograd.manual_seed(0)
    conv = nn.Conv2d(64, 64, 3, padding=1)
    x_np = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    g_np = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    x, g = autograd.tensor(x_np, requires_grad=True), autograd.tensor(g_np)

    def glassgrad_step():
        x.grad = conv.weight.grad = conv.bias.grad = None
        conv(x).backward(g)

    engines = {"glassgrad": glassgrad_step}
    if torch is None:
        return engines, None
    theirs = torch.nn.Conv2d(64, 64, 3, padding=1)
    copy_into_torch(conv, theirs, torch)
    tx, tg = torch.from_numpy(x_np).requires_grad_(), torch.from_numpy(g_np)

    def torch_step():
        tx.grad = theirs.weight.grad = theirs.bias.grad = None
        theirs(tx).backward(tg)

    engines["torch"] = torch_step

    def check():
        glassgrad_step()
        torch_step()
        pairs = [(x.grad, tx.grad), (conv.weight.grad, theirs.weight.grad), (conv.bias.grad, theirs.bias.grad)]
        worst = max(float(np.abs(a.data - b.numpy()).max() / np.abs(b.numpy()).max()) for a, b in pairs)
        return f"max relative gradient difference (input, weight, bias): {worst:.2e}"

    return engines, check


def run(title, engines, check, inner, repeats, target):
    print(title)
    if check is not None:
        print("  " + check())
    times = common.interleaved(engines, inner=inner, repeats=repeats, warmup=2)
    common.fmt_table(list(times.items()), "ms", 1e3)
    if "torch" in times:
        ratio = common.median(times["glassgrad"]) / common.median(times["torch"])
        print(f"  ratio glassgrad/torch = {ratio:.3f}   ({common.verdict(ratio, target)})")
        return ratio
    return None


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=15, quick_repeats=7)
    common.header("bench_conv: LeNet-5 training step and a 64-channel 3x3 conv block, float32")
    torch = common.optional_import("torch")
    if torch is not None:
        print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
    rng = np.random.default_rng(0)
    lenet_inner = 3 if args.quick else 5
    run("LeNet-5 step, batch 64, 1x28x28 (forward, CrossEntropyLoss, backward, SGD): ms per step",
        *lenet_engines(torch, rng), inner=lenet_inner, repeats=args.repeats, target=2.0)
    print("-" * 78)
    run("Conv2d(64, 64, 3, padding=1) on 32x64x32x32, forward + backward: ms per step",
        *conv_block_engines(torch, rng), inner=1, repeats=args.repeats, target=2.0)


if __name__ == "__main__":
    main()
