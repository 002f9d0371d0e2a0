"""Adagrad (`torch.optim.Adagrad`)."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check, _step_counter, _zeros_like


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps shrinking with the sum of squared gradients.

    g = grad + weight_decay * p                  (grad negated if maximize)
    clr = lr / (1 + (t - 1) * lr_decay)          (t: the step number, from 1)
    s = s + g^2                                  (s starts at initial_accumulator_value)
    p = p - clr * g / (sqrt(s) + eps)
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        _check("learning rate", lr, lr >= 0)
        _check("lr_decay value", lr_decay, lr_decay >= 0)
        _check("weight_decay value", weight_decay, weight_decay >= 0)
        _check("initial_accumulator_value value", initial_accumulator_value, initial_accumulator_value >= 0)
        _check("epsilon value", eps, eps >= 0)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch fills Adagrad's state at construction
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        self.state[p] = {
            "step": _step_counter(),
            "sum": _zeros_like(p, float(group["initial_accumulator_value"])),
        }

    def _update(self, p, grad, group):
        if not self.state.get(p):
            self._init_state(p, group)
        state = self.state[p]
        state["step"]._data += 1
        step = float(state["step"]._data)
        weight_decay = float(group["weight_decay"])
        g = -grad if group["maximize"] else grad
        if weight_decay:
            g = g + weight_decay * p._data
        clr = float(group["lr"]) / (1 + (step - 1) * float(group["lr_decay"]))
        state["sum"]._data += g * g
        std = np.sqrt(state["sum"]._data) + float(group["eps"])
        p.sub_(clr * g / std)
