"""End to end: a 2-layer MLP learns XOR with a hand-written SGD loop."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn

XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_LABELS = [0, 1, 1, 0]


def sgd_step(model, lr):
    with autograd.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    model.zero_grad()


@pytest.mark.parametrize("loss_name", ["BCEWithLogitsLoss", "CrossEntropyLoss"])
def test_mlp_learns_xor(loss_name):
    autograd.manual_seed(0)
    outputs = 1 if loss_name == "BCEWithLogitsLoss" else 2
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, outputs))
    loss_fn = getattr(nn, loss_name)()
    x = autograd.tensor(XOR_INPUTS)
    if outputs == 1:
        y = autograd.tensor(XOR_LABELS, dtype=autograd.float32).reshape(4, 1)
    else:
        y = autograd.tensor(XOR_LABELS)
    params = list(model.parameters())
    first = None
    for _ in range(500):
        loss = loss_fn(model(x), y)
        first = loss.item() if first is None else first
        loss.backward()
        sgd_step(model, lr=0.5)
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # updated in place
    assert loss.item() < 0.05 < first
    with autograd.no_grad():
        logits = model(x)
    predicted = (logits.numpy()[:, 0] > 0) if outputs == 1 else logits.numpy().argmax(1)
    assert predicted.astype(int).tolist() == XOR_LABELS
    assert np.isfinite(loss.item())
