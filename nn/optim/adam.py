"""Adam and AdamW (`torch.optim.Adam`, `torch.optim.AdamW`)."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check, _step_counter, _zeros_like


class Adam(Optimizer):
    """Adam: steps from bias-corrected running moments of the gradient.

    g = grad + weight_decay * p                  (grad negated if maximize; with
        decoupled_weight_decay, p = p * (1 - lr * weight_decay) instead)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g^2            (amsgrad: v_max = max(v_max, v), used for v)
    p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        _check("learning rate", lr, lr >= 0)
        _check("epsilon value", eps, eps >= 0)
        _check("beta parameter at index 0", betas[0], 0 <= betas[0] < 1)
        _check("beta parameter at index 1", betas[1], 0 <= betas[1] < 1)
        _check("weight_decay value", weight_decay, weight_decay >= 0)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        state = self.state[p]
        if not state:
            state["step"] = _step_counter()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _zeros_like(p)
        state["step"]._data += 1
        step = float(state["step"]._data)
        lr, weight_decay = float(group["lr"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        g = -grad if group["maximize"] else grad
        if weight_decay and group["decoupled_weight_decay"]:
            p.mul_(1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p._data
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * g * g
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"]._data, v, out=state["max_exp_avg_sq"]._data)
            v = state["max_exp_avg_sq"]._data
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(v) / (1 - beta2**step) ** 0.5 + float(group["eps"])
        p.sub_(step_size * m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p * (1 - lr * weight_decay) before the Adam step.
    The update rule is `Adam`'s with `decoupled_weight_decay=True`; weight_decay defaults to 1e-2."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )
