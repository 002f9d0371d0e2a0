"""One engine running one workload of bench/engines.py, driven over stdin/stdout
by a benchmark script (see `Worker` in bench/_common.py); started with the
engine's own interpreter (a virtual environment for mygrad and HIPS autograd).

    python bench/worker.py ENGINE WORKLOAD [DIR]

ENGINE "reference" is glassgrad imported from the checkout DIR (bench/_common.py
`--reference DIR`) instead of this one; it runs this checkout's engines.py, so
both checkouts run the same workload code.

First line out: `ready {"version": ...}`, or `n/a REASON` and exit. Then one
answer line per command line in:

    check K        run K steps, print [[loss, sum|grad| ...] per step] (JSON)
    time N         gc.collect(), run N steps, print the seconds per step
    memory W S     run S steps, print {"start_mb", "growth_mb", "peak_mb"}: resident
                   memory before the first step, after step S minus after step W,
                   and the peak of the process
    chain OPS [GCOFF]  (workloads value_chain, tensor_chain) run one chain of OPS ops,
                   print {"forward", "backward", "free", "grad"} (seconds; d(x)/d(x0));
                   GCOFF 1 disables the cyclic garbage collector during the chain
"""

from __future__ import annotations

import gc
import importlib.metadata
import json
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def as_number(value):
    """sum |value| in float64 (None for None): a checksum comparable across engines."""
    import numpy as np

    if value is None:
        return None
    value = value.detach() if hasattr(value, "detach") else value
    return float(np.abs(np.asarray(value)).sum(dtype=np.float64))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load(engine: str, workload: str, reference=None):
    """(version text, step function); raises with the reason the engine cannot run.
    `reference`: the checkout engine "reference" imports glassgrad from."""
    if engine in ("glassgrad", "reference"):
        root = ROOT if engine == "glassgrad" else os.path.abspath(reference)
        sys.path.insert(0, root)  # this checkout (as the scripts import it) or the reference's
    elif engine == "hips" and ROOT in (os.path.abspath(p or ".") for p in sys.path):
        raise RuntimeError(f"{ROOT} is on sys.path: `import autograd` could give glassgrad")
    module = {"glassgrad": "autograd", "reference": "autograd", "hips": "autograd"}.get(engine, engine)
    lib = __import__(module)
    if engine == "hips" and os.path.dirname(lib.__file__) == os.path.join(ROOT, "autograd"):
        raise RuntimeError(f"`import autograd` gave glassgrad ({lib.__file__}), not HIPS autograd")
    mine = engine in ("glassgrad", "reference")
    if mine and os.path.dirname(lib.__file__) != os.path.join(root, "autograd"):
        raise RuntimeError(f"`import autograd` gave {lib.__file__}, not {root}'s glassgrad")
    import engines

    step = engines.setup("glassgrad" if engine == "reference" else engine, workload)
    version = getattr(lib, "__version__", None) or importlib.metadata.version(module)
    if engine == "torch":
        version += f", {lib.get_num_threads()} threads"
    return f"{version} (python {sys.version.split()[0]}, {os.path.dirname(lib.__file__)})", step


def serve(step) -> None:
    for line in sys.stdin:
        command, *args = line.split()
        numbers = [int(a) for a in args]
        if command == "check":
            answer = []
            for _ in range(numbers[0]):
                loss, grads = step()
                answer.append([as_number(loss)] + [as_number(g) for g in grads])
        elif command == "time":
            gc.collect()  # start each block from the same heap state
            start = time.perf_counter()
            for _ in range(numbers[0]):
                step()
            answer = (time.perf_counter() - start) / numbers[0]
        elif command == "chain":
            gc.collect()
            answer = step.chain(numbers[0], gc_off=numbers[1:2] == [1])
        elif command == "memory":
            warmup, steps = numbers
            start = rss_mb()
            for i in range(steps):
                step()
                if i + 1 == warmup:
                    before = rss_mb()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            answer = {"start_mb": start, "growth_mb": rss_mb() - before, "peak_mb": peak}
        else:
            answer = f"unknown command {command!r}"
        print(json.dumps(answer), flush=True)


def main() -> None:
    engine, workload, *reference = sys.argv[1:4]
    if os.environ.get("OPENBLAS_CORETYPE") or os.environ.get("OPENBLAS_L2_SIZE"):
        print(f"warning ({engine} worker): OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set; unset them "
              "for benchmarks", file=sys.stderr)
    try:
        version, step = load(engine, workload, *reference)
    except Exception as error:  # noqa: BLE001 (a missing engine, or a workload it cannot run)
        reason = str(error) if isinstance(error, NotImplementedError) else f"{type(error).__name__}: {error}"
        print("n/a " + reason.replace("\n", " "), flush=True)
        return
    print("ready " + json.dumps({"version": version}), flush=True)
    serve(step)


if __name__ == "__main__":
    main()
