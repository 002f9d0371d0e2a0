"""Adadelta (`torch.optim.Adadelta`)."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check, _step_counter, _zeros_like


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): steps scaled by the ratio of running RMS values of
    past updates and of gradients, so that lr = 1 needs no tuning.

    g = grad + weight_decay * p                  (grad negated if maximize)
    v = rho * v + (1 - rho) * g^2
    d = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho * u + (1 - rho) * d^2
    p = p - lr * d
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check("learning rate", lr, lr >= 0)
        _check("rho value", rho, 0 <= rho <= 1)
        _check("epsilon value", eps, eps >= 0)
        _check("weight_decay value", weight_decay, weight_decay >= 0)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        state = self.state[p]
        if not state:
            state["step"] = _step_counter()
            state["square_avg"] = _zeros_like(p)
            state["acc_delta"] = _zeros_like(p)
        state["step"]._data += 1
        rho, eps, weight_decay = float(group["rho"]), float(group["eps"]), float(group["weight_decay"])
        g = -grad if group["maximize"] else grad
        if weight_decay:
            g = g + weight_decay * p._data
        v, u = state["square_avg"]._data, state["acc_delta"]._data
        v *= rho
        v += (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u *= rho
        u += (1 - rho) * delta * delta
        p.sub_(float(group["lr"]) * delta)
