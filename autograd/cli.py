"""The `glassgrad` command. `glassgrad demo` builds a small graph, backprops
through it and prints the gradients next to the formulas they should equal."""

from __future__ import annotations

import argparse
import sys

import autograd


def demo() -> int:
    autograd.manual_seed(0)
    print("glassgrad demo: y = sum(tanh(W @ x + b) * 2)\n")
    W = autograd.randn(3, 4, requires_grad=True)
    x = autograd.randn(4)
    b = autograd.zeros(3, requires_grad=True)
    h = (W @ x + b).tanh()
    y = (h * 2).sum()
    y.backward()
    print("y =", y)
    print("graph, output to inputs:")
    node, depth, stack = y.grad_fn, 0, [(y.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        print("  " * (depth + 1) + node.name())
        for parent, _ in reversed(node.next_functions):
            if parent is not None and hasattr(parent, "_edges"):
                stack.append((parent, depth + 1))
    expected_b = 2 * (1 - h.data**2)
    print("\ndy/db =", b.grad)
    print("  2 (1 - h^2) =", autograd.tensor(expected_b))
    print("dy/dW =", W.grad)
    print("  outer(2 (1 - h^2), x) =", autograd.tensor(expected_b[:, None] * x.data[None, :]))

    print("\nthe scalar engine, micrograd style:")
    a, c = autograd.Value(-4.0, label="a"), autograd.Value(2.0, label="c")
    d = (a * c + c**3).relu() + (a * c).tanh()
    d.backward()
    print(" ", d, "\n  a:", a, "\n  c:", c)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="glassgrad", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="build a small graph, backprop, print the gradients")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
