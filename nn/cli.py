"""The `glassgrad` command.

    glassgrad demo                    a small CNN learns the 8x8 digits; plots, graph and weights in out/demo
    glassgrad train --dataset moons   train a model on a dataset (see glassgrad train --help)
    glassgrad graph --model cnn       draw a model's graph
    glassgrad check                   gradient checks of every op
    glassgrad playground              TensorFlow Playground's demo, trained by glassgrad, in the browser

Bad arguments give one line on stderr and exit code 2; a failure while running
gives one line and exit code 1; Ctrl-C during training stops it, keeps the
best weights so far, saves them and exits with code 130. Set
GLASSGRAD_TRACEBACK=1 to see a traceback instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
import warnings

import numpy as np

import autograd
import nn

# --- datasets ------------------------------------------------------------------------------

TOY = ("xor", "moons", "circles", "spirals")
DEFAULT_EPOCHS = {"xor": 60, "moons": 40, "circles": 40, "spirals": 150, "digits": 15, "mnist": 3}


class UsageError(Exception):
    """A bad argument found after parsing: one line, exit code 2."""


class Data:
    """The train / validation / test splits of a dataset and what a model needs to know."""

    def __init__(self, name, train, val, test, input_shape, num_classes):
        self.name, self.train, self.val, self.test = name, train, val, test
        self.input_shape, self.num_classes = tuple(input_shape), num_classes

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) == 3


def dataset_kind(name: str) -> str:
    if name in TOY or name == "digits":
        return name
    if os.path.isdir(name):
        return "mnist"
    raise UsageError(
        f"argument --dataset: {name!r} is neither one of {', '.join(TOY + ('digits',))} nor a folder of "
        "MNIST files (train-images-idx3-ubyte, ...)"
    )


def input_shape_of(name: str) -> tuple:
    """The shape of one sample and the number of classes, without loading the data."""
    kind = dataset_kind(name)
    if kind in TOY:
        return (2,), 2
    if kind == "digits":
        return (1, 8, 8), 10
    return (1, 28, 28), 10


def _toy(kind: str, seed: int):
    from nn.data import datasets

    if kind == "xor":
        return datasets.xor(600, noise=0.15, shuffle=True, generator=seed)
    if kind == "moons":
        return datasets.make_moons(600, noise=0.15, generator=seed)
    if kind == "circles":
        return datasets.make_circles(600, noise=0.08, factor=0.5, generator=seed)
    return datasets.make_spirals(600, noise=0.2, generator=seed)


def _limit(dataset, limit):
    if limit is None or limit >= len(dataset):
        return dataset
    return nn.data.Subset(dataset, list(range(limit)))


def load_data(name: str, seed: int = 0, limit: int | None = None) -> Data:
    """Toy sets: 600 points split 60/20/20. Digits: scikit-learn's split into 1437
    training and 360 test images, a tenth of the training images kept for
    validation. An MNIST folder: its training and test files, 5,000 training
    images (or a tenth with --limit) kept for validation."""
    from nn.data import TensorDataset, random_split

    kind = dataset_kind(name)
    shape, classes = input_shape_of(name)
    if kind in TOY:
        X, y = _toy(kind, seed)
        full = TensorDataset(X, y)
        train, val, test = random_split(_limit(full, limit), [0.6, 0.2, 0.2], generator=seed)
        return _checked_split(Data(kind, train, val, test, shape, classes), limit)
    if kind == "digits":
        from nn.data.datasets import load_digits

        train, test = load_digits(generator=0)
    else:
        from nn.data.datasets import MNIST

        sets = []
        for split in (True, False):
            raw = MNIST(name, train=split)
            images = raw.data.numpy()[:limit].astype(np.float32)[:, None] / 255.0
            sets.append(TensorDataset(autograd.from_numpy(images), autograd.from_numpy(raw.targets.numpy()[:limit])))
        train, test = sets
    train, test = _limit(train, limit), _limit(test, limit)
    n_val = max(1, min(5000, len(train) // 10))
    if len(train) <= n_val:
        raise UsageError(f"argument --limit: {limit} samples are too few to split into training and validation "
                         "sets (use at least 2)")
    train, val = random_split(train, [len(train) - n_val, n_val], generator=seed)
    return _checked_split(Data(kind, train, val, test, shape, classes), limit)


def _checked_split(data: Data, limit) -> Data:
    """Every split must hold samples: training on none would report a perfect score."""
    sizes = {"training": len(data.train), "validation": len(data.val), "test": len(data.test)}
    empty = [name for name, size in sizes.items() if not size]
    if empty:
        what = f"{limit} samples are" if limit is not None else "the dataset is"
        raise UsageError(f"argument --limit: {what} too few to split into training, validation and test sets "
                         f"(the {' and '.join(empty)} set would be empty)")
    return data


# --- models ---------------------------------------------------------------------------------

PRESETS = {"mlp": "64-64", "cnn": "conv8-pool-conv16-pool-64"}
ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "leakyrelu": "LeakyReLU",
               "elu": "ELU", "silu": "SiLU"}
SPEC_HELP = (
    "mlp, cnn, or a layer spec: tokens joined by '-', e.g. 'conv8-pool-conv16-pool-64' or 'tanh-32-32'. "
    "N: a linear layer of N units; convN[kK]: N 3x3 (KxK) filters, same padding; pool[K]: KxK max pooling; "
    "a 'bn' suffix (64bn, conv8bn): batch norm before the activation; dropP: dropout (drop0.3); relu, tanh, "
    "sigmoid, gelu, ...: the activation of the layers that follow (relu by default). The output layer is added"
)


def _conv_layers():
    missing = [name for name in ("Conv2d", "MaxPool2d", "BatchNorm2d") if not hasattr(nn, name)]
    if missing:
        raise UsageError(f"this build of glassgrad has no {', '.join('nn.' + m for m in missing)} yet")


def build_model(spec: str, input_shape, num_classes: int, dropout: float = 0.0):
    """An nn.Sequential from a preset name or a layer spec (see SPEC_HELP), for
    samples of `input_shape` ((features,) or (channels, height, width)) and
    `num_classes` outputs (logits)."""
    text = PRESETS.get(spec, spec)
    tokens = [t for t in re.split(r"[-,\s]+", text.strip().lower()) if t]
    if not tokens:
        raise UsageError(
            f"argument --model: empty layer spec {spec!r}; give mlp, cnn or layers such as 64-64")
    shape, activation, layers = tuple(input_shape), "relu", []

    def act():
        return getattr(nn, ACTIVATIONS[activation])()

    for token in tokens:
        conv = re.fullmatch(r"conv(\d+)(?:k(\d+))?(bn)?", token)
        pool = re.fullmatch(r"(?:max)?pool(\d+)?", token)
        dense = re.fullmatch(r"(?:fc|linear)?(\d+)(bn)?", token)
        drop = re.fullmatch(r"drop(?:out)?(0?\.\d+|0)", token)
        if token in ACTIVATIONS:
            activation = token
        elif conv:
            if len(shape) != 3:
                raise UsageError(f"argument --model: {token!r} needs images (digits or MNIST) and must come "
                                 "before the dense layers")
            _conv_layers()
            channels, k = int(conv[1]), int(conv[2] or 3)
            if channels < 1 or k < 1 or k > min(shape[1:]) + 2 * (k // 2):
                raise UsageError(f"argument --model: {token!r} does not fit an input of shape {shape}")
            layers.append(nn.Conv2d(shape[0], channels, kernel_size=k, padding=k // 2))
            if conv[3]:
                layers.append(nn.BatchNorm2d(channels))
            layers.append(act())
            shape = (channels, *(side + 2 * (k // 2) - k + 1 for side in shape[1:]))
        elif pool:
            k = int(pool[1] or 2)
            if len(shape) != 3 or min(shape[1:]) < k:
                raise UsageError(f"argument --model: {token!r} needs a feature map of at least {k}x{k} here, "
                                 f"the input to it has shape {shape}")
            _conv_layers()
            layers.append(nn.MaxPool2d(k))
            shape = (shape[0], shape[1] // k, shape[2] // k)
        elif dense:
            units = int(dense[1])
            if units < 1:
                raise UsageError(f"argument --model: a layer needs at least one unit, got {token!r}")
            if len(shape) == 3:
                layers.append(nn.Flatten())
                shape = (math.prod(shape),)
            layers.append(nn.Linear(shape[0], units))
            if dense[2]:
                layers.append(nn.BatchNorm1d(units))
            layers.append(act())
            if dropout:
                layers.append(nn.Dropout(dropout))
            shape = (units,)
        elif drop:
            layers.append(nn.Dropout(float(drop[1])))
        else:
            raise UsageError(f"argument --model: unknown layer {token!r} in {spec!r} (expected {SPEC_HELP})")
    if len(shape) == 3:
        layers.append(nn.Flatten())
        shape = (math.prod(shape),)
    layers.append(nn.Linear(shape[0], num_classes))
    return nn.Sequential(*layers)


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


# --- optimizers ------------------------------------------------------------------------------

OPTIMIZERS = {  # name: (class name, default learning rate, extra arguments)
    "sgd": ("SGD", 0.1, {}),
    "momentum": ("SGD", 0.05, {"momentum": 0.9}),
    "nesterov": ("SGD", 0.05, {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", 0.05, {}),
    "rmsprop": ("RMSprop", 0.003, {}),
    "adam": ("Adam", 0.005, {}),
    "adamw": ("AdamW", 0.005, {}),
}


def make_optimizer(name: str, parameters, lr=None, weight_decay: float = 0.0):
    cls, default_lr, extra = OPTIMIZERS[name]
    return getattr(nn.optim, cls)(parameters, lr=default_lr if lr is None else lr, weight_decay=weight_decay,
                                  **extra)


def make_scheduler(name: str, optimizer, epochs: int):
    from nn.optim import lr_scheduler

    if name == "none":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.3)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=2)


# --- argument parsing --------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit code 2."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _number(kind, low=None, low_open=False, high=None, high_open=False, what="a number"):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        if low is not None and (value < low or (low_open and value == low)):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        if high is not None and (value > high or (high_open and value == high)):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


positive_int = _number(int, 1, what="a positive integer")
positive_float = _number(float, 0.0, low_open=True, what="a positive number")
non_negative_float = _number(float, 0.0, what="a number >= 0")
probability = _number(float, 0.0, high=1.0, high_open=True, what="a probability in [0, 1)")
seed_int = _number(int, 0, what="a seed, an integer >= 0")
port_int = _number(int, 0, high=65535, what="a port from 0 to 65535 (0: any free port)")


def _add_training_arguments(parser, hidden=False):
    def h(text):
        return argparse.SUPPRESS if hidden else text

    parser.add_argument("--epochs", type=positive_int, help=h("number of epochs (default: depends on the dataset)"))
    parser.add_argument("--batch-size", type=positive_int, default=32, help=h("samples per batch (default: 32)"))
    parser.add_argument("--seed", type=seed_int, default=0, help=h("random seed (default: 0)"))
    parser.add_argument("--patience", type=positive_int,
                        help=h("stop after this many epochs without a better validation loss, keeping the "
                               "best weights (default: train all epochs)"))
    parser.add_argument("--limit", type=positive_int, help=h("use at most this many training and test samples"))
    parser.add_argument("--no-progress", action="store_true", help=h("no progress bars"))


def make_parser() -> Parser:
    parser = Parser(prog="glassgrad", description="glassgrad: an autograd engine you can see through.",
                    epilog="Run 'glassgrad COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"glassgrad {autograd.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    demo = sub.add_parser("demo", help="train a small CNN on the 8x8 digits; write plots, graph and weights",
                          description="Train a small CNN on scikit-learn's 8x8 handwritten digits, print the "
                          "test accuracy and a confusion matrix, and write a loss-and-accuracy plot, the "
                          "model's graph and the trained weights into the output folder.")
    demo.add_argument("--out", default=os.path.join("out", "demo"), help="output folder (default: out/demo)")
    _add_training_arguments(demo, hidden=True)

    train = sub.add_parser("train", help="train a model on a dataset", description="Train a model on a dataset; "
                           "print the test accuracy and a confusion matrix; write a loss-and-accuracy plot, the "
                           "model's graph, the weights (and a decision-boundary plot for 2-D data) into --out.")
    train.add_argument("--dataset", default="digits", metavar="NAME",
                       help=f"{', '.join(TOY)}, digits, or a folder of MNIST files (default: digits)")
    train.add_argument("--model", default="mlp", metavar="SPEC", help=f"{SPEC_HELP} (default: mlp)")
    train.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS), metavar="NAME",
                       help=f"{', '.join(OPTIMIZERS)} (default: adam)")
    train.add_argument("--lr", type=positive_float,
                       help="learning rate (default: " + ", ".join(f"{k} {v[1]:g}" for k, v in OPTIMIZERS.items())
                       + ")")
    train.add_argument("--weight-decay", type=non_negative_float, default=0.0,
                       help="L2 penalty: the update adds lambda * w to the gradient (default: 0)")
    train.add_argument("--dropout", type=probability, default=0.0,
                       help="dropout probability after each hidden dense layer (default: 0)")
    train.add_argument("--schedule", default="none", choices=["none", "step", "cosine", "plateau"],
                       help="learning-rate schedule (default: none)")
    train.add_argument("--out", default=os.path.join("out", "train"), help="output folder (default: out/train)")
    _add_training_arguments(train)

    graph = sub.add_parser("graph", help="draw a model's graph", description="Draw the graph of one forward "
                           "pass of a model (one sample), with its modules as clusters.")
    graph.add_argument("--model", default="cnn", metavar="SPEC", help=f"{SPEC_HELP} (default: cnn)")
    graph.add_argument("--dataset", default="digits", metavar="NAME",
                       help="the data the model is for, which sets the input shape (default: digits)")
    graph.add_argument("--loss", action="store_true", help="draw the loss too, not only the model's output")
    graph.add_argument("--collapse", action="store_true", help="draw each layer as one box")
    graph.add_argument("--out", default=os.path.join("out", "graph.svg"),
                       help="the file to write: .svg, .png, .pdf, or .gv for Graphviz source (default: out/graph.svg)")

    check = sub.add_parser("check", help="run the gradient checks over every op", add_help=False,
                           description="Run autograd.check: the gradient checks of every op.")
    check.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    playground = sub.add_parser("playground", help="TensorFlow Playground's demo, trained by glassgrad, in the "
                                "browser", description="Serve the playground on 127.0.0.1 (a local web app: "
                                "train a small network on 2-D data and watch it learn) and open it in the browser.")
    playground.add_argument("--port", type=port_int, default=8765, help="the port (default: 8765; 0: any free one)")
    playground.add_argument("--no-browser", action="store_true", help="print the URL, don't open a browser")
    return parser


# --- the commands ------------------------------------------------------------------------------


def _say(*args):
    print(*args, flush=True)


def write_graph(dot, path: str) -> str:
    """Render a graphviz Digraph to `path` by its suffix; without Graphviz's `dot`
    program, write the .gv source next to it and say so. Returns the path written."""
    from autograd.draw import GraphvizNotInstalled

    root, suffix = os.path.splitext(path)
    if suffix in (".gv", ".dot"):
        with open(path, "w") as file:
            file.write(dot.source)
        return path
    try:
        data = dot.pipe(format=suffix.lstrip(".") or "svg")
    except GraphvizNotInstalled:
        with open(root + ".gv", "w") as file:
            file.write(dot.source)
        print(f"note: Graphviz's `dot` is not installed, so the graph is written as source to {root}.gv "
              "(apt-get install graphviz, brew install graphviz or conda install graphviz to render it)",
              file=sys.stderr)
        return root + ".gv"
    with open(path, "wb") as file:
        file.write(data)
    return path


def model_graph(model, input_shape, with_loss=False, collapse=False):
    """The graph of one forward pass (in eval mode) of one random sample."""
    x = autograd.randn(1, *input_shape)
    x.name = "x"
    params = dict(model.named_parameters())
    was_training = model.training
    model.eval()
    try:
        output = model(x)
    finally:
        model.train(was_training)
    if with_loss:
        output = nn.functional.cross_entropy(output, autograd.tensor([0]))
    return autograd.draw_graph(output, params=params, show_data=False, show_grad=False,
                               collapse_modules=collapse, rankdir="TB")


def check_out_folder(out: str) -> None:
    """Fail before training, not after it, when the output folder can't be written."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".glassgrad-write-test")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"argument --out: cannot write into {out!r} ({error.strerror or error})") from None


def run_training(args, data: Data, spec: str, *, intro: str) -> int:
    check_out_folder(args.out)
    autograd.manual_seed(args.seed)
    model = build_model(spec, data.input_shape, data.num_classes, getattr(args, "dropout", 0.0))
    optimizer = make_optimizer(getattr(args, "optimizer", "adam"), model.parameters(), getattr(args, "lr", None),
                               getattr(args, "weight_decay", 0.0))
    epochs = args.epochs or DEFAULT_EPOCHS[data.name]
    scheduler = make_scheduler(getattr(args, "schedule", "none"), optimizer, epochs)
    loader = nn.data.DataLoader(data.train, batch_size=args.batch_size, shuffle=True, generator=args.seed)
    val_loader = nn.data.DataLoader(data.val, batch_size=256)
    test_loader = nn.data.DataLoader(data.test, batch_size=256)

    _say(intro)
    _say(f"data: {len(data.train)} training, {len(data.val)} validation, {len(data.test)} test samples of shape "
         f"{'x'.join(map(str, data.input_shape))}, {data.num_classes} classes")
    _say(f"model: {PRESETS.get(spec, spec)} -> {data.num_classes} ({count_parameters(model):,} parameters); "
         f"{type(optimizer).__name__}, lr {optimizer.param_groups[0]['lr']:g}, {epochs} epochs")
    with warnings.catch_warnings():  # a diverging run's overflow warnings: the NaN check below says it in one line
        warnings.simplefilter("ignore", RuntimeWarning)
        history = nn.train.fit(model, nn.CrossEntropyLoss(), optimizer, loader, val_loader, epochs=epochs,
                               scheduler=scheduler, patience=args.patience, progress=not args.no_progress,
                               restore_best=True)  # the saved weights are those of the epoch the plot marks
    if history.stop_reason == "nan":
        raise RuntimeError(history.message.split("; ")[0] + f" (e.g. --lr {smaller_lr(args, optimizer):g})")
    if history.message and (history.stop_reason == "completed" or args.no_progress):
        _say(history.message)  # (with progress bars, fit said why it stopped early)

    outputs, targets = nn.train.predict(model, test_loader)
    predicted = outputs.argmax(1)
    correct = int((predicted == targets).sum())
    counts = nn.train.confusion_matrix(predicted, targets, data.num_classes)
    _say(f"\ntest accuracy: {correct / len(targets):.1%} ({correct}/{len(targets)}), "
         f"{_weights_said(history)}")
    _say("confusion matrix (rows: true class, columns: predicted class):")
    _say(nn.train.format_confusion_matrix(counts))
    _say("")
    status = _write_outputs(args.out, model, history, data, spec, counts, correct / len(targets), args)
    return 130 if history.stop_reason == "interrupted" else status  # Ctrl-C: saved, then the convention


def smaller_lr(args, optimizer) -> float:
    """A learning rate to suggest after a diverged run: the optimizer's default,
    or a tenth of the one used if that was already no larger."""
    used = optimizer.param_groups[0]["lr"]
    default = OPTIMIZERS[getattr(args, "optimizer", "adam")][1]
    return default if used > default else used / 10


def _weights_said(history) -> str:
    """Which weights the model holds (and weights.npz saves), in words."""
    if history.weights_epoch is None:
        return "weights of the moment training stopped"
    best = " (the best validation loss)" if history.weights_epoch == history.best_epoch else ""
    return f"weights of epoch {history.weights_epoch}{best}"


def _write_outputs(out, model, history, data, spec, counts, test_accuracy, args) -> int:
    os.makedirs(out, exist_ok=True)
    written = []
    if history.epochs:
        path = os.path.join(out, "loss_accuracy.png")
        history.plot(path, title=f"{data.name}: {PRESETS.get(spec, spec)}")
        written.append(path)
    written.append(write_graph(model_graph(model, data.input_shape), os.path.join(out, "model.svg")))
    path = os.path.join(out, "weights.npz")
    autograd.save(model.state_dict(), path)
    written.append(path)
    if not data.is_image:
        from nn.data import DataLoader
        from nn.plots import plot_decision_boundary

        X, y = next(iter(DataLoader(data.test, batch_size=len(data.test))))
        path = os.path.join(out, "decision_boundary.png")
        plot_decision_boundary(model, X, y, path=path, title=f"{data.name}: test points")
        written.append(path)
    record = {"dataset": data.name, "model": PRESETS.get(spec, spec), "input_shape": list(data.input_shape),
                  "num_classes": data.num_classes, "test_accuracy": test_accuracy, "confusion_matrix": counts.tolist(),
                  "arguments": {k: v for k, v in vars(args).items() if k != "command"}, "history": history.to_dict()}
    path = os.path.join(out, "run.json")
    with open(path, "w") as file:
        json.dump(record, file, indent=1, default=str)
    written.append(path)
    _say("wrote " + ", ".join(written))
    return 0


def cmd_demo(args) -> int:
    data = load_data("digits", args.seed, args.limit)
    intro = ("glassgrad demo: a small convolutional network learns scikit-learn's 8x8 handwritten digits.\n"
             "Every forward op is recorded in a graph; backward walks it in reverse to get the gradients.")
    return run_training(args, data, "cnn", intro=intro)


def cmd_train(args) -> int:
    data = load_data(args.dataset, args.seed, args.limit)
    if args.model == "cnn" and not data.is_image:
        raise UsageError(f"argument --model: cnn needs images (digits or MNIST), not {args.dataset}; use mlp")
    return run_training(args, data, args.model, intro=f"glassgrad train: {args.model} on {data.name}")


def cmd_graph(args) -> int:
    shape, classes = input_shape_of(args.dataset)
    autograd.manual_seed(0)
    model = build_model(args.model, shape, classes)
    dot = model_graph(model, shape, with_loss=args.loss, collapse=args.collapse)
    folder = os.path.dirname(args.out)
    if folder:
        os.makedirs(folder, exist_ok=True)
    _say("wrote " + write_graph(dot, args.out))
    return 0


def cmd_check(args) -> int:
    try:
        from autograd.check import main as check_main
    except ImportError:
        raise RuntimeError("the gradient checks (autograd.check) are not part of this build") from None
    return check_main(args.args, prog="glassgrad check") or 0


def cmd_playground(args) -> int:
    from nn.playground import serve

    serve(port=args.port, open_browser=not args.no_browser)
    return 0


COMMANDS = {"demo": cmd_demo, "train": cmd_train, "graph": cmd_graph, "check": cmd_check,
            "playground": cmd_playground}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    start = time.perf_counter()
    try:
        if argv and argv[0] == "check":  # everything after it is autograd.check's
            args = argparse.Namespace(command="check", args=argv[1:])
        else:
            args = make_parser().parse_args(argv)
        status = COMMANDS[args.command](args)
    except SystemExit as exit:  # --help, --version
        return exit.code if isinstance(exit.code, int) else 0
    except UsageError as error:
        prog = "glassgrad" + (f" {argv[0]}" if argv and argv[0] in COMMANDS else "")
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nglassgrad: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # one line, never a traceback (unless asked for)
        if os.environ.get("GLASSGRAD_TRACEBACK"):
            raise
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"glassgrad: error: {message}", file=sys.stderr)
        return 1
    if os.environ.get("GLASSGRAD_TIMING"):
        print(f"[{time.perf_counter() - start:.1f} s]", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
