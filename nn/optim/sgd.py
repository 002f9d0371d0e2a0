"""Stochastic gradient descent (`torch.optim.SGD`)."""

from __future__ import annotations

import numpy as np

from autograd import from_numpy

from .optimizer import Optimizer, _check


class SGD(Optimizer):
    """Stochastic gradient descent, with (Nesterov) momentum and weight decay.

    g = grad + weight_decay * p                  (grad negated if maximize)
    b = g at the first step, then b = momentum * b + (1 - dampening) * g
    g = g + momentum * b if nesterov else b      (only when momentum != 0)
    p = p - lr * g
    """

    def __init__(
        self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False
    ):
        _check("learning rate", lr, lr >= 0)
        _check("momentum value", momentum, momentum >= 0)
        _check("weight_decay value", weight_decay, weight_decay >= 0)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        lr, momentum = float(group["lr"]), float(group["momentum"])
        weight_decay = float(group["weight_decay"])
        g = -grad if group["maximize"] else grad
        if weight_decay:
            g = g + weight_decay * p._data
        if momentum:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = from_numpy(np.array(g))
            else:
                buf._data *= momentum
                buf._data += (1 - float(group["dampening"])) * g
            g = g + momentum * buf._data if group["nesterov"] else buf._data
        p.sub_(lr * g)
