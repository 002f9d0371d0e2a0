"""RMSprop (`torch.optim.RMSprop`)."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check, _step_counter, _zeros_like


class RMSprop(Optimizer):
    """RMSprop: steps divided by a running root mean square of the gradients.

    g = grad + weight_decay * p                  (grad negated if maximize)
    v = alpha * v + (1 - alpha) * g^2
    d = sqrt(v) + eps, or if centered: m = alpha * m + (1 - alpha) * g, d = sqrt(v - m^2) + eps
    p = p - lr * g / d, or with momentum: b = momentum * b + g / d, p = p - lr * b
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        *,
        maximize=False,
    ):
        _check("learning rate", lr, lr >= 0)
        _check("epsilon value", eps, eps >= 0)
        _check("momentum value", momentum, momentum >= 0)
        _check("weight_decay value", weight_decay, weight_decay >= 0)
        _check("alpha value", alpha, alpha >= 0)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        state = self.state[p]
        momentum, alpha = float(group["momentum"]), float(group["alpha"])
        if not state:
            state["step"] = _step_counter()
            state["square_avg"] = _zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(p)
        state["step"]._data += 1
        weight_decay = float(group["weight_decay"])
        g = -grad if group["maximize"] else grad
        if weight_decay:
            g = g + weight_decay * p._data
        v = state["square_avg"]._data
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            m = state["grad_avg"]._data
            m += (1 - alpha) * (g - m)
            d = np.sqrt(v - m * m) + float(group["eps"])
        else:
            d = np.sqrt(v) + float(group["eps"])
        lr = float(group["lr"])
        if momentum > 0:
            b = state["momentum_buffer"]._data
            b *= momentum
            b += g / d
            p.sub_(lr * b)
        else:
            p.sub_(lr * g / d)
