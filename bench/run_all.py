"""Run the whole benchmark suite, each script in its own Python process, then
print one summary table and write it as Markdown to bench/results.md.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run_all.py [--quick] [--reference DIR]

Extra arguments (e.g. --quick, --repeats N, --reference DIR) are passed to every
script. `--reference DIR` adds the column "main (ref)": glassgrad imported from
the checkout DIR (e.g. `git worktree add /work/ref-main <commit>`), running the
same workloads in the same run, and a column of glassgrad/reference ratios with
their verdicts. mygrad and HIPS autograd run from bench/.venvs (bash
bench/setup_peers.sh); a missing peer is skipped with a note.
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
COLUMNS = {"glassgrad": "glassgrad", "reference": "main (ref)", "torch": "torch", "micrograd": "micrograd",
           "mygrad": "mygrad", "hips": "HIPS autograd"}
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


def versus(record) -> str:
    """The "vs main (ref)" cell: glassgrad/reference, its target and verdict."""
    if not record:
        return "–"
    if not record["target"]:
        return record["ratio"]
    return f"{record['ratio']} ({record['target']}: {record['verdict']})"


def table(rows, reference=None) -> str:
    """The summary rows as a Markdown table, with the notes below it."""
    header = ["workload", *COLUMNS.values(), "ratio", "target", "verdict", f"vs {COLUMNS['reference']}"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    notes = {}
    for row in rows:
        cells = [row["cells"].get(name, "–") for name in COLUMNS]
        lines.append("| " + " | ".join([row["workload"], *cells, row["ratio"] or "–", row["target"],
                                        row["verdict"] or "–", versus(row.get("versus"))]) + " |")
        notes.update(row["notes"])
    ref = [f"- {COLUMNS['reference']}: glassgrad from {reference}; vs {COLUMNS['reference']} is "
           "glassgrad's median (memory: peak) over the reference's"] if reference else []
    return "\n".join(lines + [""] + ref + [f"- n/a: {note}" for note in notes.values()])


def reference_arg(extra: list):
    """The --reference DIR of the arguments, made absolute in place (the scripts
    run from the repository root), with its commit: `DIR at <hash>`; else None."""
    for i, arg in enumerate(extra):
        if arg.startswith("--reference="):
            extra[i:i + 1] = ["--reference", arg.split("=", 1)[1]]
        if extra[i] == "--reference" and i + 1 < len(extra):
            extra[i + 1] = os.path.abspath(extra[i + 1])
            if not os.path.isfile(os.path.join(extra[i + 1], "autograd", "__init__.py")):
                raise SystemExit(f"run_all.py: --reference {extra[i + 1]}: no autograd/__init__.py there")
            commit = subprocess.run(["git", "-C", extra[i + 1], "log", "-1", "--format=%h"],
                                    capture_output=True, text=True, check=False).stdout.strip()
            return f"{extra[i + 1]} at {commit or '?'}"
    return None


def main():
    extra = sys.argv[1:]
    if "-h" in extra or "--help" in extra:
        print(__doc__)
        return 0
    invocation = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run_all.py " + " ".join(extra)
    reference = reference_arg(extra)
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
    text = table(rows, reference)
    print("=" * 78)
    print(text)
    print(f"\nall benchmarks: {elapsed:.1f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write(f"Machine: {machine()}.\n\nCommand: `{invocation.strip()}` ({elapsed / 60:.1f} min, "
                f"{time.strftime('%Y-%m-%d')}). Times are medians per step; ratios are glassgrad's "
                "against the named engine, from the same run"
                + (f"; {COLUMNS['reference']} is {reference}" if reference else "") + ".\n\n" + text + "\n")
    print(f"written to {os.path.join(HERE, 'results.md')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
