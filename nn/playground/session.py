"""One playground run: the data, the network, its training, and what the page draws.

The network is an `nn.Sequential` of `nn.Linear` layers with the chosen activation
between them; its one output goes through tanh for classification (targets -1 and
+1) and stays linear for regression, as in TensorFlow Playground. Weights start as
U(-0.5, 0.5) and biases as 0.1 (its initialisation too). The loss is the squared
error 0.5 * mean((output - target)^2); training minimises it plus the penalty
rate * sum |w| (L1) or rate * 0.5 * sum w^2 (L2) over the weights (not the biases),
with `nn.optim.SGD`. An epoch is one pass over the training points in batches, in a
fixed order (the points were shuffled when generated).
"""

from __future__ import annotations

import io
import math

import numpy as np

import autograd
import nn
import nn.functional as F

from . import datasets
from .config import Config, FieldError

NEURON_GRID = 20  # the side of each neuron's small heatmap
MAX_HISTORY = 1000  # loss-curve points kept; beyond, every other one is dropped
ACTIVATION_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": None}


def load_data(config: Config, upload, rng):
    """(points (n, 2), targets (n,), extent) of the configured dataset; targets are -1 / +1
    for classification. `upload` is `parse_csv`'s result, or None."""
    if config.dataset == "upload":
        if upload is None:
            raise FieldError("dataset", "no CSV uploaded yet: POST /api/upload first (the page's upload "
                             "button)")
        points, values, rows = upload
        if config.problem == "classification":
            try:
                values = datasets.class_labels(values, rows)
            except datasets.DataError as error:
                raise FieldError("problem", f"the uploaded CSV has no classes: {error}") from None
        order = rng.permutation(len(points))
        return points[order], values[order], datasets.extent_of(points)
    points, targets = datasets.generate(config.dataset, config.noise, rng)
    if config.problem == "classification":
        targets = np.where(targets >= 0, 1.0, -1.0)
    return points, targets, datasets.EXTENT


def layer_plan(config: Config):
    """(in_features, out_features, activation) per Linear layer: features -> hidden... -> 1 output,
    whose activation is tanh for classification and linear for regression."""
    sizes = [len(config.features), *config.hidden, 1]
    output = "tanh" if config.problem == "classification" else "linear"
    activations = [config.activation] * len(config.hidden) + [output]
    return list(zip(sizes[:-1], sizes[1:], activations))


def build_model(config: Config, rng):
    """(the nn.Sequential of `layer_plan`, its layers as (Linear, activation module or None) pairs)."""
    blocks = []
    for fan_in, fan_out, activation in layer_plan(config):
        linear = nn.Linear(fan_in, fan_out)
        nn.init.uniform_(linear.weight, -0.5, 0.5, generator=rng)
        nn.init.constant_(linear.bias, 0.1)
        module = ACTIVATION_MODULES[activation]
        blocks.append((linear, None if module is None else module()))
    modules = [module for block in blocks for module in block if module is not None]
    return nn.Sequential(*modules), blocks


def squared_error(output, target):
    """0.5 * mean((output - target)^2): output and target of shape (n, 1)."""
    return F.mse_loss(output, target) * 0.5


def _tensor(array):
    return autograd.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def _grid_points(extent: float, side: int):
    """(side * side, 2) points of a side x side grid over [-extent, extent]^2, row by row
    from the top (x2 = extent) down, each row from left (x1 = -extent) to right."""
    xs = np.linspace(-extent, extent, side)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], 1)


def _rounded(array, decimals=4):
    """A NumPy array as nested lists of floats for JSON; NaN and infinities become None."""
    array = np.round(np.asarray(array, dtype=np.float64), decimals)
    if np.isfinite(array).all():
        return array.tolist()
    return np.where(np.isfinite(array), array, None).tolist()


def _heatmaps(columns, scale=False):
    """Each column of `columns` (points, width) as a list of integers from -100 to 100: the value
    times 100, clipped to [-1, 1] as the colour scale is (`scale`: divided by the column's largest
    magnitude first, for the input features)."""
    if scale:
        columns = columns / np.maximum(np.abs(columns).max(0), 1e-12)
    with np.errstate(invalid="ignore"):
        return np.rint(np.clip(np.nan_to_num(columns, nan=0.0), -1, 1) * 100).astype(int).T.tolist()


def _finite(value):
    return value if math.isfinite(value) else None


class Session:
    """A configured network and its data; `train(epochs)` and `frame()` are what the page calls."""

    def __init__(self, config: Config, upload=None):
        rng = np.random.default_rng(config.seed)
        points, targets, self.extent = load_data(config, upload, rng)
        n_train = min(max(round(len(points) * config.train_ratio), 1), len(points) - 1)
        self.config = config
        self.points = {"train": points[:n_train], "test": points[n_train:]}
        self.targets = {"train": targets[:n_train], "test": targets[n_train:]}
        self.inputs = {split: datasets.feature_columns(_tensor(points), config.features)
                       for split, points in self.points.items()}
        self.outputs = {k: _tensor(t[:, None]) for k, t in self.targets.items()}
        self.model, self.blocks = build_model(config, rng)
        self.linears = [linear for linear, _ in self.blocks]
        self.optimizer = nn.optim.SGD(self.model.parameters(), lr=config.learning_rate)
        self.epoch = 0
        self.history, self.history_stride = [], 1
        self.boundary_grid = _grid_points(self.extent, config.grid)
        self.neuron_grid = _grid_points(self.extent, NEURON_GRID)
        self._record()

    # --- training -------------------------------------------------------------------------------

    def penalty(self):
        """The regularisation term over the weights (None without regularisation)."""
        rate, kind = self.config.regularization_rate, self.config.regularization
        if kind is None or rate == 0:
            return None
        if kind == "L1":
            terms = [linear.weight.abs().sum() for linear in self.linears]
        else:
            terms = [(linear.weight * linear.weight).sum() * 0.5 for linear in self.linears]
        return sum(terms[1:], terms[0]) * rate

    def objective(self, inputs, targets):
        """What SGD minimises: the squared error of the batch plus the penalty."""
        loss = squared_error(self.model(inputs), targets)
        penalty = self.penalty()
        return loss if penalty is None else loss + penalty

    def train(self, epochs: int) -> None:
        """`epochs` passes over the training points in batches of `batch_size`."""
        inputs, targets = self.inputs["train"], self.outputs["train"]
        size = self.config.batch_size
        with np.errstate(all="ignore"):  # a diverging run: NaN losses (reported as None), no warnings
            for _ in range(epochs):
                for start in range(0, len(inputs), size):
                    self.optimizer.zero_grad()
                    self.objective(inputs[start:start + size], targets[start:start + size]).backward()
                    self.optimizer.step()
                self.epoch += 1
                self._record()

    def losses(self) -> dict:
        """The squared error over the training and the test points (None once it is not finite)."""
        with autograd.no_grad(), np.errstate(all="ignore"):
            return {k: _finite(squared_error(self.model(self.inputs[k]), self.outputs[k]).item())
                    for k in ("train", "test")}

    def _record(self) -> None:
        """Keep this epoch's losses for the loss curve, thinning the curve to at most MAX_HISTORY points."""
        if self.epoch % self.history_stride:
            return
        losses = self.losses()
        self.history.append([self.epoch, losses["train"], losses["test"]])
        if len(self.history) > MAX_HISTORY:
            self.history_stride *= 2
            self.history = [entry for entry in self.history if entry[0] % self.history_stride == 0]

    # --- what the page draws ----------------------------------------------------------------------

    def _activations(self, points):
        """The features and every layer's outputs (after its activation) at `points` (n, 2):
        a list of arrays (n, width), the inputs first and the network's output last."""
        with autograd.no_grad(), np.errstate(all="ignore"):
            h = datasets.feature_columns(_tensor(points), self.config.features)
            layers = [h.numpy()]
            for linear, activation in self.blocks:  # the modules of self.model, in its order
                h = linear(h) if activation is None else activation(linear(h))
                layers.append(h.numpy())
        return layers

    def neuron_maps(self):
        """Per layer, per neuron: a NEURON_GRID^2 heatmap (see `_heatmaps`) of its output; the
        inputs first (each scaled by its largest value), then the hidden layers, then the output."""
        layers = self._activations(self.neuron_grid)
        return [_heatmaps(a, scale=k == 0) for k, a in enumerate(layers)]

    def feature_maps(self) -> dict:
        """Every input feature's heatmap, used or not, by name (the page shows them all)."""
        with autograd.no_grad():
            columns = datasets.feature_columns(_tensor(self.neuron_grid), list(datasets.FEATURES)).numpy()
        return dict(zip(datasets.FEATURES, _heatmaps(columns, scale=True)))

    def gradients(self):
        """d(objective over all training points)/d(parameter) per Linear layer: (weight grads, bias grads)."""
        self.optimizer.zero_grad()
        with np.errstate(all="ignore"):
            self.objective(self.inputs["train"], self.outputs["train"]).backward()
        grads = [(layer.weight.grad.numpy().copy(), layer.bias.grad.numpy().copy()) for layer in self.linears]
        self.optimizer.zero_grad()
        return grads

    def network(self):
        """The weights, biases and their gradients, layer by layer (weights as out x in lists)."""
        return [{"weights": _rounded(linear.weight.numpy()), "biases": _rounded(linear.bias.numpy()),
                 "weight_grads": _rounded(weight_grad, 6), "bias_grads": _rounded(bias_grad, 6)}
                for linear, (weight_grad, bias_grad) in zip(self.linears, self.gradients())]

    def frame(self) -> dict:
        """What changes as the network trains: the epoch, the losses, the loss curve, the
        boundary (grid x grid outputs, the top row first), the neurons' heatmaps, the weights."""
        losses = self.losses()
        side = self.config.grid
        boundary = self._activations(self.boundary_grid)[-1].reshape(side, side)
        return {"epoch": self.epoch, "train_loss": losses["train"], "test_loss": losses["test"],
                "diverged": losses["train"] is None, "history": list(self.history),
                "boundary": _rounded(boundary), "neurons": self.neuron_maps(), "network": self.network()}

    def state(self) -> dict:
        """The frame plus what stays fixed until the next reset: the configuration, the points."""
        def points(split):
            return _rounded(np.column_stack([self.points[split], self.targets[split]]))

        return {**self.frame(), "config": self.config.to_json(), "domain": [-self.extent, self.extent],
                "grid": self.config.grid, "neuron_grid": NEURON_GRID, "train": points("train"),
                "test": points("test"), "sizes": [len(self.config.features), *self.config.hidden, 1],
                "feature_labels": [datasets.FEATURES[name][0] for name in self.config.features],
                "feature_maps": self.feature_maps()}

    # --- graphs and export -------------------------------------------------------------------------

    def example_loss(self, index: int = 0):
        """The objective on training point `index` alone, with named leaves: (loss, params)."""
        x = self.inputs["train"][index:index + 1].detach()
        x.name = "x"
        target = self.outputs["train"][index:index + 1].detach()
        target.name = "target"
        loss = self.objective(x, target)
        loss.name = "loss"
        return loss, dict(self.model.named_parameters())

    def graph_svg(self) -> bytes:
        """The graph of the network and its loss on the first training point, after backward."""
        loss, params = self.example_loss(0)
        self.optimizer.zero_grad()
        loss.backward()
        try:
            return autograd.draw_graph(loss, params=params, rankdir="TB").pipe(format="svg")
        finally:
            self.optimizer.zero_grad()

    def backprop_frames(self, index: int) -> list:
        """`backprop_steps` of the loss on training point `index`: one SVG per step of backward."""
        loss, params = self.example_loss(index)
        frames = autograd.backprop_steps(loss, params=params, rankdir="TB", legend=False)
        return [{"step": f.step, "description": f.description, "svg": f.graph.pipe(format="svg").decode()}
                for f in frames]

    def weights_npz(self) -> bytes:
        """The model's state_dict as a .npz file (what `autograd.load` and `numpy.load` read)."""
        buffer = io.BytesIO()
        autograd.save(self.model.state_dict(), buffer)
        return buffer.getvalue()
