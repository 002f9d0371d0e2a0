"""The playground's configuration and the checks of every request body.

A configuration is a JSON object; keys left out take TensorFlow Playground's
defaults (`DEFAULTS`), unknown keys and values out of range raise a `FieldError`
naming the field, which the server turns into a 400 response. Every size a
request controls is capped here (layers, neurons, grid, epochs), so that no
request can exhaust the machine.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .datasets import DATASETS, FEATURES

MAX_LAYERS = 6
MAX_NEURONS = 8
MAX_GRID = 100
MAX_EPOCHS = 1000
MAX_BATCH = 500

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = (None, "L1", "L2")
PROBLEMS = ("classification", "regression")


class FieldError(ValueError):
    """A request field is missing, unknown or out of range: `field` names it (e.g. `hidden[2]`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Config:
    dataset: str = "circle"
    noise: float = 0.0
    train_ratio: float = 0.5
    batch_size: int = 10
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str | None = None
    regularization_rate: float = 0.0
    problem: str = "classification"
    seed: int = 0
    grid: int = 50

    def to_json(self) -> dict:
        record = asdict(self)
        record["features"], record["hidden"] = list(self.features), list(self.hidden)
        return record


DEFAULTS = Config()


def _integer(body, field, low, high):
    value = body[field]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(field, f"expected an integer, got {value!r}")
    if not low <= value <= high:
        raise FieldError(field, f"{value} is out of range: expected {low} to {high}")
    return value


def _number(body, field, low, high, low_open=False):
    value = body[field]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise FieldError(field, f"expected a number, got {value!r}")
    if value < low or value > high or (low_open and value == low):
        bound = f"above {low:g}" if low_open else f"from {low:g}"
        raise FieldError(field, f"{value:g} is out of range: expected a number {bound} to {high:g}")
    return float(value)


def _choice(body, field, choices):
    value = body[field]
    if value not in choices or isinstance(value, bool):
        shown = ", ".join("null" if c is None else str(c) for c in choices)
        raise FieldError(field, f"{value!r} is not one of {shown}")
    return value


def _hidden(body):
    hidden = body["hidden"]
    if not isinstance(hidden, list):
        raise FieldError("hidden", f"expected a list of layer sizes, e.g. [4, 2], got {hidden!r}")
    if len(hidden) > MAX_LAYERS:
        raise FieldError("hidden", f"{len(hidden)} hidden layers, more than the {MAX_LAYERS} allowed")
    return tuple(_integer({f"hidden[{i}]": n}, f"hidden[{i}]", 1, MAX_NEURONS) for i, n in enumerate(hidden))


def _features(body):
    features = body["features"]
    if not isinstance(features, list) or not features:
        raise FieldError("features", f"expected a non-empty list of features, got {features!r}")
    for i, name in enumerate(features):
        _choice({f"features[{i}]": name}, f"features[{i}]", tuple(FEATURES))
    if len(set(features)) != len(features):
        raise FieldError("features", f"{features!r} names a feature twice")
    return tuple(features)


def _check_object(body, what, known):
    if not isinstance(body, dict):
        raise FieldError("body", f"{what} must be a JSON object, got {type(body).__name__}")
    for key in body:
        if key not in known:
            raise FieldError(key, f"unknown field; {what} takes {', '.join(known)}")


def parse_config(body) -> Config:
    """A Config from a JSON object (a dict), checked field by field before anything changes."""
    _check_object(body, "the configuration", DEFAULTS.to_json())
    body = {**DEFAULTS.to_json(), **body}
    return Config(
        dataset=_choice(body, "dataset", DATASETS),
        noise=_number(body, "noise", 0.0, 0.5),
        train_ratio=_number(body, "train_ratio", 0.1, 0.9),
        batch_size=_integer(body, "batch_size", 1, MAX_BATCH),
        features=_features(body),
        hidden=_hidden(body),
        activation=_choice(body, "activation", ACTIVATIONS),
        learning_rate=_number(body, "learning_rate", 0.0, 10.0, low_open=True),
        regularization=_choice(body, "regularization", REGULARIZATIONS),
        regularization_rate=_number(body, "regularization_rate", 0.0, 10.0),
        problem=_choice(body, "problem", PROBLEMS),
        seed=_integer(body, "seed", 0, 2**32 - 1),
        grid=_integer(body, "grid", 2, MAX_GRID),
    )


def parse_step(body) -> int:
    """The number of epochs of a `POST /api/step` body, `{"epochs": n}` (n from 1 to 1000; default 1)."""
    _check_object(body, "a step", ("epochs",))
    return _integer({"epochs": 1, **body}, "epochs", 1, MAX_EPOCHS)


def parse_index(body, count: int) -> int:
    """The training point of a `POST /api/backprop` body, `{"index": i}` (default 0)."""
    _check_object(body, "a backprop request", ("index",))
    return _integer({"index": 0, **body}, "index", 0, count - 1)


def parse_upload(body, max_chars: int) -> str:
    """The CSV text of a `POST /api/upload` body, `{"csv": "x1,x2,label\\n..."}`."""
    _check_object(body, "an upload", ("csv",))
    if "csv" not in body:
        raise FieldError("csv", "missing: send {\"csv\": \"x1,x2,label\\n...\"}")
    text = body["csv"]
    if not isinstance(text, str):
        raise FieldError("csv", f"expected the CSV file's text, got {type(text).__name__}")
    if len(text) > max_chars:
        raise FieldError("csv", f"{len(text):,} characters, more than the {max_chars:,} allowed")
    return text
