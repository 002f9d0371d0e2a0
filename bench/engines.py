"""The workloads of the suite, written once for each engine. Imported by
bench/worker.py inside the engine's own interpreter (a peer's virtual
environment for mygrad and HIPS autograd), so nothing engine-specific is
imported at the top: only NumPy.

`setup(engine, workload)` returns `step`; each call of `step()` runs one
iteration and returns `(loss, grads)` as the engine's own objects (loss may be
None), so that a worker can check that engines agree. Every engine builds the
same float32 data and weights from one NumPy seed (`make_data`).
"""

from __future__ import annotations

import math

import numpy as np

LR = 0.01  # SGD learning rate of the training workloads

# workload -> engine -> why it is not run (printed as "n/a")
NOT_AVAILABLE = {
    "conv": {"mygrad": "conv_nd takes about 2.5 s per step here (as_strided + tensordot); not timed",
             "hips": "scipy.signal.convolve takes about 40 s per step here; not timed"},
}


def make_data(workload: str) -> dict:
    """Parameters (in order, named as in a torch/glassgrad state_dict) then inputs."""
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def layers(*weight_shapes):  # Linear/Conv2d default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        params = {}
        for index, shape in weight_shapes:
            bound = 1 / math.sqrt(math.prod(shape[1:]))
            params[f"{index}.weight"] = rng.uniform(-bound, bound, shape).astype(np.float32)
            params[f"{index}.bias"] = rng.uniform(-bound, bound, shape[:1]).astype(np.float32)
        return params

    if workload == "small_ops":
        return {"a": normal(8, 8), "b": normal(8, 8), "c": normal(8, 8)}
    if workload == "matmul":
        return {"A": normal(1024, 1024), "B": normal(1024, 1024)}
    if workload == "mlp":
        return {**layers((0, (512, 784)), (2, (256, 512)), (4, (10, 256))),
                "x": normal(128, 784), "y": rng.integers(0, 10, 128)}
    if workload == "lenet":
        return {**layers((0, (6, 1, 5, 5)), (3, (16, 6, 5, 5)), (7, (120, 400)), (9, (84, 120)), (11, (10, 84))),
                "x": normal(64, 1, 28, 28), "y": rng.integers(0, 10, 64)}
    if workload == "conv":
        return {**{k[2:]: v for k, v in layers((0, (64, 64, 3, 3))).items()},
                "x": normal(32, 64, 32, 32), "g": normal(32, 64, 32, 32)}
    raise ValueError(f"unknown workload {workload!r}")


def setup(engine: str, workload: str):
    reason = NOT_AVAILABLE.get(workload, {}).get(engine)
    if reason:
        raise NotImplementedError(reason)
    if workload in ("value_chain", "tensor_chain"):
        if engine != "glassgrad":
            raise NotImplementedError(f"no {workload} workload for {engine}")
        return chain(workload)
    data = make_data(workload)
    if engine in ("glassgrad", "torch"):
        return torchlike(engine, workload, data)
    if engine == "numpy" and workload == "matmul":
        return numpy_matmul(data)
    if engine == "numpy" and workload == "mlp":
        return numpy_mlp(data)
    if engine in ("mygrad", "hips"):
        return peer(engine, workload, data)
    raise NotImplementedError(f"no {workload} workload for {engine}")


# --- glassgrad and PyTorch: the same code, as glassgrad mirrors torch's API ---

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


def torchlike(engine, workload, data):
    if engine == "glassgrad":
        import autograd as lib
        import nn
        sgd = nn.optim.SGD
    else:
        import torch as lib
        nn = lib.nn
        sgd = lib.optim.SGD
    tensor = lib.tensor

    if workload == "small_ops":
        a, b, c = (tensor(data[k], requires_grad=True) for k in "abc")

        def step():
            a.grad = b.grad = c.grad = None
            loss = ((a * b + c).tanh() * a).sum()
            loss.backward()
            return loss, (a.grad, b.grad, c.grad)
        return step

    if workload == "matmul":
        A, B = tensor(data["A"], requires_grad=True), tensor(data["B"], requires_grad=True)

        def step():
            A.grad = B.grad = None
            loss = (A @ B).sum()
            loss.backward()
            return loss, (A.grad, B.grad)
        return step

    if workload == "conv":  # forward, then backward of a fixed upstream gradient g
        model = nn.Conv2d(64, 64, 3, padding=1)
        x, g = tensor(data.pop("x"), requires_grad=True), tensor(data.pop("g"))
        model.load_state_dict({k: tensor(v) for k, v in data.items()})

        def step():
            x.grad = model.weight.grad = model.bias.grad = None
            model(x).backward(g)
            return None, (x.grad, model.weight.grad, model.bias.grad)
        return step

    # training step: zero_grad, forward, CrossEntropyLoss, backward, SGD step
    x, y = tensor(data.pop("x")), tensor(data.pop("y"))
    model = lenet(nn) if workload == "lenet" else nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    model.load_state_dict({k: tensor(v) for k, v in data.items()})
    params = list(model.parameters())
    loss_fn, optimizer = nn.CrossEntropyLoss(), sgd(params, lr=LR)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss, [p.grad for p in params]
    return step


# --- deep chains (bench_deep_chain.py): glassgrad only ---

CHAIN_FACTOR = 1.0000001


def chain(workload):
    """`x = x * 1.0000001 + 0.0` (two ops per step) from a scalar `Value`
    (value_chain) or a 0-d float64 `Tensor` (tensor_chain). `step()` runs a
    2,000-op chain (for `check`); `step.chain(ops, gc_off)` runs one chain of
    `ops` ops and returns the seconds of its forward, backward and teardown and
    d(x)/d(x0)."""
    import gc
    import time

    import autograd

    def run(ops, gc_off=False):
        x0 = autograd.Value(1.0) if workload == "value_chain" else autograd.tensor(
            np.float64(1.0), requires_grad=True)
        if gc_off:
            gc.disable()
        try:
            x, start = x0, time.perf_counter()
            for _ in range(ops // 2):
                x = x * CHAIN_FACTOR + 0.0
            forward, start = time.perf_counter() - start, time.perf_counter()
            x.backward()
            backward, start = time.perf_counter() - start, time.perf_counter()
            del x
            free = time.perf_counter() - start
        finally:
            gc.enable()
        grad = x0.grad.item() if hasattr(x0.grad, "item") else x0.grad
        return {"forward": forward, "backward": backward, "free": free, "grad": float(grad)}

    def step():
        return None, [run(2_000)["grad"]]

    step.chain = run
    return step


def numpy_matmul(data):
    """The three bare matmuls a 1024x1024 `(A @ B).sum()` forward and backward need."""
    A, B = data["A"], data["B"]
    G = np.ones_like(A)

    def step():
        A @ B
        return None, (G @ B.T, A.T @ G)
    return step


def numpy_mlp(data):
    """The MLP step written out by hand in NumPy (forward, softmax cross-entropy,
    backward, SGD): the floor for an engine on NumPy."""
    params = [data[f"{i}.{kind}"] for i in (0, 2, 4) for kind in ("weight", "bias")]
    x, y = data["x"], data["y"]
    rows = np.arange(len(y))

    def step():
        inputs, pre = [x], []  # each layer's input and pre-activation
        for i in range(0, 6, 2):
            pre.append(inputs[-1] @ params[i].T + params[i + 1])
            inputs.append(np.maximum(pre[-1], 0) if i < 4 else pre[-1])
        shifted = pre[-1] - pre[-1].max(1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(1, keepdims=True)
        loss = float((np.log(total[:, 0]) - shifted[rows, y]).mean())
        g = e / total
        g[rows, y] -= 1
        g /= len(y)
        grads = [None] * 6
        for i in (4, 2, 0):
            grads[i], grads[i + 1] = g.T @ inputs[i // 2], g.sum(0)
            if i:
                g = (g @ params[i]) * (pre[i // 2 - 1] > 0)
        for p, grad in zip(params, grads):
            p -= 0.01 * grad
        return loss, grads
    return step


# --- mygrad and HIPS autograd: a loss function of a list of parameters ---

def mlp_logits(params, x, relu):
    """Linear layers from (weight, bias) pairs, ReLU between them."""
    for i in range(0, len(params), 2):
        x = x @ params[i].T + params[i + 1]
        if i + 2 < len(params):
            x = relu(x)
    return x


def lenet_logits(params, x, conv, pool, relu):
    x = pool(relu(conv(x, params[0], params[1], 2)))
    x = pool(relu(conv(x, params[2], params[3], 0)))
    return mlp_logits(params[4:], x.reshape(x.shape[0], -1), relu)


def peer(engine, workload, data):
    if engine == "mygrad":
        import mygrad as xp
        from mygrad.nnet.activations import relu
        from mygrad.nnet.layers import conv_nd, max_pool
        from mygrad.nnet.losses import softmax_crossentropy as cross_entropy

        def conv(x, w, b, padding):
            return conv_nd(x, w, stride=1, padding=padding) + b[:, None, None]

        def pool(x):
            return max_pool(x, (2, 2), 2)
    else:
        import autograd.numpy as xp

        def relu(x):
            return xp.maximum(x, 0.0)

        def conv(x, w, b, padding):  # convolve flips the kernel: flip it back to cross-correlate like torch
            from autograd.scipy.signal import convolve  # imports SciPy: only for LeNet

            if padding:
                x = xp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant")
            out = convolve(x, w[:, :, ::-1, ::-1], axes=([2, 3], [2, 3]), dot_axes=([1], [1]), mode="valid")
            return out + b[:, None, None]

        def pool(x):
            n, c, h, w = x.shape
            return xp.max(xp.max(x.reshape(n, c, h // 2, 2, w // 2, 2), axis=3), axis=4)

        def cross_entropy(logits, y):
            shifted = logits - xp.max(logits, axis=1, keepdims=True)
            logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
            return -xp.mean(logp[np.arange(len(y)), y])

    x, y = data.pop("x", None), data.pop("y", None)
    losses = {
        "small_ops": lambda p: xp.sum(xp.tanh(p[0] * p[1] + p[2]) * p[0]),
        "matmul": lambda p: xp.sum(p[0] @ p[1]),
        "mlp": lambda p: cross_entropy(mlp_logits(p, x, relu), y),
        "lenet": lambda p: cross_entropy(lenet_logits(p, x, conv, pool, relu), y),
    }
    lr = LR if workload in ("mlp", "lenet") else 0.0
    runner = mygrad_runner if engine == "mygrad" else hips_runner
    return runner(losses[workload], list(data.values()), lr)


def mygrad_runner(loss_fn, arrays, lr):
    import mygrad as mg

    params = [mg.tensor(a) for a in arrays]

    def step():
        loss = loss_fn(params)
        loss.backward()
        for p in params if lr else ():
            p.data -= lr * p.grad
        return loss, [p.grad for p in params]
    return step


def hips_runner(loss_fn, params, lr):
    from autograd import value_and_grad

    loss_and_grads = value_and_grad(loss_fn)

    def step():
        loss, grads = loss_and_grads(params)
        for p, g in zip(params, grads) if lr else ():
            p -= lr * g
        return loss, grads
    return step
