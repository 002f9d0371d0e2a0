"""Run the whole benchmark suite, each script in its own Python process, then
print one summary table and write it as Markdown to bench/results.md.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run_all.py [--quick]

Extra arguments (e.g. --quick, --repeats N) are passed to every script. mygrad
and HIPS autograd run from bench/.venvs (bash bench/setup_peers.sh); a missing
peer is skipped with a note.
"""

from __future__ import annotations

import glob
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

SCRIPTS = [  # in the order of the table: issue 9's workloads 1 to 8
    "bench_micrograd_mlp.py",
    "bench_small_ops.py",
    "bench_mlp.py",
    "bench_conv.py",
    "bench_matmul.py",
    "bench_deep_chain.py",
    "bench_memory.py",
    "bench_draw.py",
]
HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = {"glassgrad": "glassgrad", "torch": "torch", "micrograd": "micrograd", "mygrad": "mygrad",
           "hips": "HIPS autograd"}
PACKAGES = {"numpy": None, "torch": None, "micrograd": None, "mygrad": "mygrad", "autograd": "autograd"}


def version(package: str, venv) -> str:
    """The installed version, from the main environment or bench/.venvs/<venv>."""
    path = glob.glob(os.path.join(HERE, ".venvs", venv, "lib", "python*", "site-packages")) if venv else sys.path
    try:
        return next(iter(importlib.metadata.distributions(name=package, path=path))).version
    except StopIteration:
        return "not installed"


def machine() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    names = {"autograd": "HIPS autograd"}
    versions = ", ".join(f"{names.get(p, p)} {version(p, venv)}" for p, venv in PACKAGES.items())
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, {versions}"


def table(rows) -> str:
    """The summary rows as a Markdown table, with the notes below it."""
    header = ["workload", *COLUMNS.values(), "ratio", "target", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    notes = {}
    for row in rows:
        cells = [row["cells"].get(name, "–") for name in COLUMNS]
        lines.append("| " + " | ".join([row["workload"], *cells, row["ratio"] or "–", row["target"],
                                        row["verdict"] or "–"]) + " |")
        notes.update(row["notes"])
    return "\n".join(lines + [""] + [f"- n/a: {note}" for note in notes.values()])


def main():
    extra = sys.argv[1:]
    if "-h" in extra or "--help" in extra:
        print(__doc__)
        return 0
    failed = []
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as summary:
        for script in SCRIPTS:
            t0 = time.perf_counter()
            command = [sys.executable, os.path.join(HERE, script), *extra, "--summary", summary.name]
            result = subprocess.run(command, cwd=os.path.dirname(HERE), check=False)
            print(f"[{script}: exit {result.returncode}, {time.perf_counter() - t0:.1f} s]\n", flush=True)
            if result.returncode != 0:
                failed.append(script)
        rows = [json.loads(line) for line in summary]
    elapsed = time.perf_counter() - start
    text = table(rows)
    print("=" * 78)
    print(text)
    print(f"\nall benchmarks: {elapsed:.1f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    command = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run_all.py " + " ".join(extra)
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write(f"Machine: {machine()}.\n\nCommand: `{command.strip()}` ({elapsed / 60:.1f} min, "
                f"{time.strftime('%Y-%m-%d')}). Times are medians per step; ratios are glassgrad's "
                "against the named engine, from the same run.\n\n" + text + "\n")
    print(f"written to {os.path.join(HERE, 'results.md')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
