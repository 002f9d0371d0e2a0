"""The notebooks in notebooks/ are committed executed, with their figures, and
those outputs come from the current code.

Each notebook is executed by nbclient in a fresh kernel, in a temporary folder
(so the files a notebook writes land there), with a 120 s limit per cell; the
test then compares each cell's kinds of output (text on stdout, a PNG figure, an
SVG graph, ...; not their pixels or digits) with the committed ones. A
notebook whose code now draws a figure more or fewer, or fails, fails its test.
BLAS runs one thread per kernel: these matrices are small, and on a busy
two-core machine OpenBLAS threads only contend (several times slower).

To (re-)execute notebooks and write their outputs in place, for committing:

    PYTHONPATH=$PWD python tests/test_notebooks.py notebooks/04_training_mlp_digits.ipynb
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import tempfile
import time

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIGURES = ("image/png", "image/svg+xml", "image/gif", "text/html")  # a plot, a drawn graph, an animation
A_FILE_PATH = re.compile(r"(/[\w.+-]+)+\.py(:\d+|\", line \d+)")  # a warning's or traceback's source


def execute(notebook, folder):
    """Run `notebook` (a NotebookNode, changed in place) in a fresh kernel in `folder`."""
    environment = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    previous = {name: os.environ.get(name) for name in [*environment, "MPLBACKEND"]}
    os.environ.update(environment)
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures
    try:
        client = NotebookClient(notebook, timeout=120, kernel_name="python3", record_timing=False,
                                coalesce_streams=True, resources={"metadata": {"path": str(folder)}})
        client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def output_kinds(cell) -> list:
    """What a code cell showed, without the values: ('stream', 'stdout'), ('display_data',
    ('image/png', 'text/plain')), ...; consecutive stream chunks count once."""
    kinds = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            kind = ("stream", output.name)
        else:
            kind = (output.output_type, tuple(sorted(output.get("data", {}))))
        if not kinds or kinds[-1] != kind or kind[0] != "stream":
            kinds.append(kind)
    return kinds


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_executed_with_its_figures(path):
    notebook = nbformat.read(path, as_version=4)
    cells = code_cells(notebook)
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts}: execute it top to bottom in a fresh kernel before "
        f"committing (python tests/test_notebooks.py {path.relative_to(ROOT)})")
    kinds = [kind for cell in cells for kind in output_kinds(cell)]
    assert not [k for k in kinds if k[0] == "error"], f"{path.name}: a cell failed"
    figures = [k for k in kinds if k[0] in ("display_data", "execute_result") and set(k[1]) & set(FIGURES)]
    assert figures, f"{path.name} has no figure in its outputs"
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert not A_FILE_PATH.search(text), f"{path.name}, cell {index}: a file path in: {text}"
            assert not (output.get("name") == "stderr" and "Warning" in text), (
                f"{path.name}, cell {index}: a warning in the output: {text}")


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_shows_what_is_committed(path, tmp_path):
    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    execute(fresh, tmp_path)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    for number, (old, new) in enumerate(zip(code_cells(committed), code_cells(fresh)), start=1):
        assert output_kinds(new) == output_kinds(old), (
            f"{path.name}, code cell {number} ({old.source.splitlines()[0][:60]!r}): it now shows "
            f"{output_kinds(new)}, the committed notebook {output_kinds(old)}; re-execute and commit it "
            f"(python tests/test_notebooks.py {path.relative_to(ROOT)})")
    assert not (tmp_path / ".hypothesis").exists(), f"{path.name} wrote a Hypothesis database next to itself"


def main(paths) -> int:
    """Execute each notebook in a fresh kernel and write it back with its outputs."""
    for name in paths:
        path = pathlib.Path(name)
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            execute(notebook, folder)
        nbformat.write(notebook, path)
        print(f"{path}: executed in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
