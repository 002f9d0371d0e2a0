"""How long draw_graph takes to build the DOT source of a 10,000-node graph
(a chain of Tensor ops; no rendering). Target: well under a second.

    python bench/bench_draw.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd  # noqa: E402


def build(n_ops: int):
    x = autograd.randn(4, requires_grad=True)
    y = x
    for _ in range(n_ops):
        y = y * 1.0001
    return y.sum()


def main() -> None:
    root = build(9_998)  # + the leaf and the sum: 10,000 nodes
    times = []
    for _ in range(5):
        start = time.perf_counter()
        graph = autograd.draw_graph(root, max_nodes=None)
        source = graph.source
        times.append(time.perf_counter() - start)
    nodes = source.count("[label=") - 4  # minus the legend's entries
    print(f"draw_graph of {nodes} nodes: DOT source of {len(source) / 1e6:.1f} MB")
    print(f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) "
          "over 5 runs; target: well under 1 s")


if __name__ == "__main__":
    main()
