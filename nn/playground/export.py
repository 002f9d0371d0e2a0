"""The trained network as Python: an `nn.Sequential` and its input features, which,
with the weights file, gives the same predictions as the playground."""

from __future__ import annotations

from . import datasets
from .session import ACTIVATION_MODULES, Session, layer_plan

WEIGHTS_FILE = "playground_weights.npz"
CODE_FILE = "playground_model.py"

TEMPLATE = '''"""A network trained in glassgrad's playground.

{summary}

Keep {weights} (the playground's weights download) beside this file; then
`predict(points)` gives the network's output for points (x1, x2) of shape (n, 2).
{meaning}
"""

import os

import autograd
import nn

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "{weights}")


def features(points):
    """The network's input: the columns {names} of points (n, 2) -> a tensor (n, {count})."""
    x1, x2 = points[:, 0:1], points[:, 1:2]
    return autograd.cat([{expressions}], dim=1)


model = nn.Sequential(
{layers}
)
model.load_state_dict(autograd.load(WEIGHTS))
model.eval()


def predict(points):
    """The output for each point: points of shape (n, 2) -> a tensor (n, 1)."""
    with autograd.no_grad():
        return model(features(autograd.as_tensor(points, dtype=autograd.float32)))


if __name__ == "__main__":
    print(predict([[0.0, 0.0], [{extent:g}, {extent:g}]]))
'''


def model_code(session: Session) -> str:
    """Python source that rebuilds `session.model` (see TEMPLATE) and loads WEIGHTS_FILE."""
    config = session.config
    lines = []
    for fan_in, fan_out, activation in layer_plan(config):
        lines.append(f"    nn.Linear({fan_in}, {fan_out}),")
        if ACTIVATION_MODULES[activation] is not None:
            lines.append(f"    nn.{ACTIVATION_MODULES[activation].__name__}(),")
    hidden = ", ".join(map(str, config.hidden)) or "none"
    regularization = (f"{config.regularization} at rate {config.regularization_rate:g}"
                      if config.regularization else "none")
    summary = (f"Dataset {config.dataset} (noise {config.noise:g}, seed {config.seed}), {config.problem}; "
               f"hidden layers: {hidden}; activation {config.activation}; learning rate "
               f"{config.learning_rate:g}; batch size {config.batch_size}; regularization {regularization}; "
               f"trained for {session.epoch} epochs.")
    if config.problem == "classification":
        meaning = "For classification the output is tanh's: above 0 means class +1, below 0 class -1."
    else:
        meaning = "For regression the output is the predicted target."
    return TEMPLATE.format(
        summary=_wrap(summary), meaning=meaning, weights=WEIGHTS_FILE, names=", ".join(config.features),
        count=len(config.features), expressions=", ".join(datasets.FEATURES[f][1] for f in config.features),
        layers="\n".join(lines), extent=session.extent,
    )


def _wrap(text: str, width: int = 88) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])
