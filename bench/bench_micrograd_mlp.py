"""micrograd's demo training step, glassgrad's `autograd.Value` vs `micrograd`.

An MLP 2-16-16-1 of scalar Values over 100 two-moons points: forward, SVM
max-margin loss `mean(relu(1 - y*score)) + 1e-4 * sum(p*p)`, zero_grad,
backward, SGD update (micrograd's demo.ipynb, full batch). The engines start
from the same weights and train in lock-step, so their losses must agree. A
third column runs the step on `lean_value.py`, a bare scalar Value (op codes, no
drawing, no error checks): the floor for glassgrad's `Value`.

Prints median ms per step for each engine and the speed-up micrograd/glassgrad
(targets: >= 10x, issues 9 and 15; >= 5x, issue 2). Every engine zeroes with
micrograd's `p.grad = 0`. `--quick` for a shorter run.
"""

from __future__ import annotations

import math
import random

import _common as common
import numpy as np

from autograd import Value as GValue
from lean_value import Value as LeanValue

N_POINTS = 100
SEED = 1337
ALPHA = 1e-4


# --- data: sklearn's make_moons(n_samples=100, noise=0.1), with NumPy only ---

def make_moons(n_samples=N_POINTS, noise=0.1, seed=SEED):
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.stack([np.cos(np.linspace(0, math.pi, n_out)), np.sin(np.linspace(0, math.pi, n_out))], 1)
    inner = np.stack([1 - np.cos(np.linspace(0, math.pi, n_in)),
                      1 - np.sin(np.linspace(0, math.pi, n_in)) - 0.5], 1)
    X = np.concatenate([outer, inner]) + rng.normal(scale=noise, size=(n_samples, 2))
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)]) * 2 - 1  # labels -1 / +1
    perm = rng.permutation(n_samples)
    # plain Python floats for both engines (NumPy scalars would slow micrograd down)
    return X[perm].tolist(), y[perm].tolist()


# --- a micrograd-style MLP of glassgrad Values (same structure as micrograd.nn) ---

class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0  # micrograd's own zeroing, an int

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, nin, nonlin=True, value=GValue):
        self.w = [value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    def __init__(self, nin, nouts, value=GValue):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1, value=value) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


# --- one training step, the same code for both engines ---

def make_trainer(model, value_cls, X, y):
    """A closure running one SGD step of micrograd's demo; returns the loss."""
    params = model.parameters()
    state = {"k": 0, "losses": []}

    def step():
        inputs = [list(map(value_cls, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * state["k"] / 100
        for p in params:
            p.data -= learning_rate * p.grad
        state["k"] += 1
        state["losses"].append(total_loss.data)
        return total_loss.data

    return step, state


def main():
    args = common.parse_args(__doc__.splitlines()[0], repeats=9)
    common.header("bench_micrograd_mlp: micrograd demo step, MLP 2-16-16-1 on 100 moons points")
    X, y = make_moons()

    random.seed(SEED)
    g_model = MLP(2, [16, 16, 1])
    print(f"glassgrad model: {len(g_model.parameters())} parameters")
    engines = {}
    g_step, g_state = make_trainer(g_model, GValue, X, y)
    engines["glassgrad"] = g_step
    random.seed(SEED)
    engines["engine-less"], lean_state = make_trainer(MLP(2, [16, 16, 1], LeanValue), LeanValue, X, y)

    micrograd = common.optional_import("micrograd.engine")
    m_state = None
    if micrograd is not None:
        from micrograd.engine import Value as MValue
        from micrograd.nn import MLP as MMLP

        random.seed(SEED)
        m_model = MMLP(2, [16, 16, 1])
        g_params, m_params = g_model.parameters(), m_model.parameters()
        same = len(g_params) == len(m_params) and all(
            float(a.data) == float(b.data) for a, b in zip(g_params, m_params))
        print(f"micrograd model: {len(m_params)} parameters; same initial weights: {same}")
        if not same:  # copy them over so the comparison still holds
            for a, b in zip(g_params, m_params):
                b.data = float(a.data)
        m_step, m_state = make_trainer(m_model, MValue, X, y)
        engines["micrograd"] = m_step

    # first step of each engine, untimed, from the same weights: the losses must agree
    first = {name: fn() for name, fn in engines.items()}
    for name, loss in first.items():
        print(f"first-step loss  {name:<10} {loss:.15f}")
    diff = max(abs(first["glassgrad"] - loss) for loss in first.values())
    print(f"first-step loss, largest |difference| from glassgrad's = {diff:.3g}  "
          f"({'agree to 1e-9' if diff <= 1e-9 else 'DISAGREE'})")

    # timed steps, interleaved; the first step above was the warm-up
    times = common.interleaved(engines, inner=1, repeats=args.repeats, warmup=0)
    print("-" * 78)
    print("ms per training step (forward + loss + zero_grad + backward + SGD update):")
    common.fmt_table(list(times.items()), "ms", 1e3)
    cells = {name: common.fmt_seconds(common.median(t)) for name, t in times.items()}
    row = f"micrograd's 2-16-16-1 MLP step, 100 points (engine-less scalar Value: {cells.pop('engine-less')})"
    if m_state is None:
        print(f"losses over {len(g_state['losses'])} steps: first {g_state['losses'][0]:.6f}, "
              f"last {g_state['losses'][-1]:.6f}")
        common.summary(row, cells, notes={"micrograd": "not importable (pip install micrograd)"})
        return
    losses_g, losses_m = g_state["losses"], m_state["losses"]
    worst = max(abs(a - b) for other in (losses_m, lean_state["losses"]) for a, b in zip(losses_g, other))
    print(f"losses over all {len(losses_g)} steps: max |difference| {worst:.3g}; "
          f"last loss glassgrad {losses_g[-1]:.6f}, micrograd {losses_m[-1]:.6f}")
    speedup = common.median(times["micrograd"]) / common.median(times["glassgrad"])
    floor = common.median(times["micrograd"]) / common.median(times["engine-less"])
    print(f"speed-up micrograd/glassgrad = {speedup:.2f}x   "
          f"({common.verdict(speedup, 10.0, smaller_is_better=False)}; "
          f"issue 2's {common.verdict(speedup, 5.0, smaller_is_better=False)}); "
          f"micrograd/engine-less = {floor:.2f}x, the floor")
    common.summary(row, cells, f"{speedup:.1f}x faster", ">= 10x faster than micrograd", speedup >= 10.0)

if __name__ == "__main__":
    main()
