"""The playground's data: TensorFlow Playground's 2-D datasets, its input features, and CSV uploads.

Every dataset is `(points, targets)`: points a float64 array (n, 2) of (x1, x2) and
targets a float64 array (n,). Classification targets are -1 or +1 (the network's
tanh output aims at them, as in TensorFlow Playground); regression targets are
numbers, in [-1, 1] for the built-in sets. The built-in sets live in the square
[-6, 6]^2; `noise` (0 to 0.5, the page's 0-50%) moves the points or spreads the
clouds, while each point keeps the label of where it was drawn.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

SAMPLES = 500  # points per built-in dataset (TensorFlow Playground's number)
EXTENT = 6.0  # the built-in sets and their pictures cover [-EXTENT, EXTENT]^2
MAX_CSV_ROWS = 2000
MAX_CSV_CHARS = 200_000


class DataError(ValueError):
    """Bad uploaded data: the message names the row and the column."""


def circle(n, noise, rng):
    """Class +1 inside radius 2.5, class -1 on the ring from radius 3.5 to 5."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0, 2.5, inner), rng.uniform(3.5, 5, n - inner)])
    angle = rng.uniform(0, 2 * math.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    points += rng.uniform(-5, 5, (n, 2)) * noise
    return points, np.where(np.arange(n) < inner, 1.0, -1.0)


def xor(n, noise, rng):
    """Points in [-5, 5]^2 pushed 0.3 away from the axes; the label is the sign of x1 * x2."""
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    labels = np.sign(points[:, 0] * points[:, 1])
    return points + rng.uniform(-5, 5, (n, 2)) * noise, labels


def gauss(n, noise, rng):
    """Two Gaussian clouds, class +1 around (2, 2) and class -1 around (-2, -2); noise
    widens them (variance from 0.5 at no noise to 4 at the most)."""
    half = n // 2
    labels = np.where(np.arange(n) < half, 1.0, -1.0)
    std = math.sqrt(0.5 + 3.5 * noise / 0.5)
    return rng.normal(2 * labels[:, None], std, (n, 2)), labels


def spiral(n, noise, rng):
    """Two interleaved spirals of radius 0 to 5, 1.75 turns each, class -1 turned by half a turn."""
    half = n // 2
    along = np.concatenate([np.arange(half) / half, np.arange(n - half) / (n - half)])
    labels = np.where(np.arange(n) < half, 1.0, -1.0)
    angle = 1.75 * 2 * math.pi * along + np.where(labels > 0, 0.0, math.pi)
    points = np.stack([5 * along * np.sin(angle), 5 * along * np.cos(angle)], 1)
    return points + rng.uniform(-1, 1, (n, 2)) * noise, labels


def plane(n, noise, rng):
    """Regression: points in [-6, 6]^2, target (x1 + x2) / 12."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    targets = points.sum(1) / (2 * EXTENT)
    return points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * noise, targets


GAUSS_BUMPS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def multigauss(n, noise, rng):
    """Regression: six Gaussian bumps (std 1.6) of height +1 or -1 on a 3x2 grid; the
    target is their sum, clipped to [-1, 1]."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    bumps = np.array(GAUSS_BUMPS, dtype=np.float64)
    squared = ((points[:, None, :] - bumps[None, :, :2]) ** 2).sum(2)
    targets = np.clip((bumps[:, 2] * np.exp(-squared / (2 * 1.6**2))).sum(1), -1, 1)
    return points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * noise, targets


BUILT_IN = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "plane": plane,
            "multigauss": multigauss}
DATASETS = tuple(BUILT_IN) + ("upload",)


def generate(name: str, noise: float, rng: np.random.Generator):
    """(points, targets) of a built-in dataset, shuffled."""
    points, targets = BUILT_IN[name](SAMPLES, noise, rng)
    order = rng.permutation(len(points))
    return points[order], targets[order]


# --- input features ----------------------------------------------------------------------------

FEATURES = {  # name: (how the page writes it, the expression over the columns x1 and x2)
    "x1": ("x₁", "x1"),
    "x2": ("x₂", "x2"),
    "x1_squared": ("x₁²", "x1 * x1"),
    "x2_squared": ("x₂²", "x2 * x2"),
    "x1_x2": ("x₁x₂", "x1 * x2"),
    "sin_x1": ("sin(x₁)", "x1.sin()"),
    "sin_x2": ("sin(x₂)", "x2.sin()"),
}
_COMPUTE = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: x1.sin(),
    "sin_x2": lambda x1, x2: x2.sin(),
}


def feature_columns(points, features):
    """The network's input: one column per feature of `points` (a Tensor (n, 2)) -> a Tensor
    (n, len(features)), computed as FEATURES writes it (the exported code uses those expressions)."""
    from autograd import cat

    x1, x2 = points[:, 0:1], points[:, 1:2]
    return cat([_COMPUTE[name](x1, x2) for name in features], dim=1)


# --- uploads ----------------------------------------------------------------------------------


def _number(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"row {row}, column {column}: {text.strip()[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"row {row}, column {column}: {text.strip()!r} is not a finite number")
    return value


def parse_csv(text: str):
    """(points (n, 2), values (n,), rows (n,): the row number of each point) from CSV text
    with three columns x1, x2 and a label or target. A first row with no number in it is a
    header. Rows are counted from 1 as in a spreadsheet; blank rows are skipped."""
    if len(text) > MAX_CSV_CHARS:
        raise DataError(f"the CSV has {len(text):,} characters, more than the {MAX_CSV_CHARS:,} allowed")
    names = ("x1", "x2", "label")
    points, values, rows, first = [], [], [], True
    for row, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != 3:
            raise DataError(f"row {row}: expected 3 columns (x1, x2, label), found {len(fields)}")
        if first and not any(_numeric(field) for field in fields):
            first = False
            continue  # a header
        first = False
        numbers = [_number(field, row, name) for field, name in zip(fields, names)]
        points.append(numbers[:2])
        values.append(numbers[2])
        rows.append(row)
        if len(points) > MAX_CSV_ROWS:
            raise DataError(f"row {row}: the CSV has more than the {MAX_CSV_ROWS:,} rows allowed")
    if len(points) < 2:
        raise DataError("the CSV needs at least 2 rows of data (x1, x2, label), one to train and one to test")
    return np.array(points, dtype=np.float64), np.array(values, dtype=np.float64), np.array(rows)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def class_labels(values, rows):
    """Uploaded labels as -1 / +1: the label column must hold 0 and 1, or -1 and 1."""
    unknown = ~np.isin(values, (-1.0, 0.0, 1.0))
    if unknown.any():
        first = int(np.argmax(unknown))
        raise DataError(f"row {rows[first]}, column label: {values[first]:g} is not a class (0 or 1, or -1 "
                        "and 1); choose the problem 'regression' for a numeric target")
    if (values == 0).any() and (values == -1).any():
        first = int(np.argmax(values == -1))
        raise DataError(f"row {rows[first]}, column label: -1 in a column that also has 0; use 0 and 1, "
                        "or -1 and 1")
    return np.where(values > 0, 1.0, -1.0)


def extent_of(points) -> float:
    """Half the side of the square the pictures cover: [-6, 6] for the built-in sets, the
    data's largest coordinate plus 10% for uploads."""
    largest = float(np.abs(points).max()) if len(points) else 0.0
    return max(largest * 1.1, 1e-3)
