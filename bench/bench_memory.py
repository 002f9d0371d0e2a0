"""Memory of the MLP training step (bench_mlp.py's workload): resident memory
must stay flat over 300 steps, and glassgrad's peak should be no more than mygrad's.

Each engine runs alone in a fresh worker process (bench/worker.py): 300 steps of
the 784-512-256-10 MLP at batch 128; growth = resident memory (/proc/self/statm)
after step 300 minus after step 20; peak = the process's ru_maxrss (imports,
data and weights included; the resident memory before the first step is printed
too, to tell imports from the run). Targets: glassgrad's growth under 5 MB, its peak no
more than mygrad's and, with `--reference DIR`, no more than the reference
checkout's (issue 14; within 1 MB counts as no more). Engines run one after the
other, so no interleaving is needed.
"""

from __future__ import annotations

import _common as common

WARMUP, STEPS = 20, 300
ENGINES = ["glassgrad", "torch", "mygrad", "hips"]


def main():
    common.parse_args(__doc__.splitlines()[0])  # --quick changes nothing: the step count is the workload
    common.header(f"bench_memory: MLP 784-512-256-10 step, batch 128: resident memory over {STEPS} steps, "
                  "one fresh process per engine")
    results, notes = {}, {}
    for engine in common.with_reference(ENGINES):
        workers, skipped = common.start_workers("mlp", [engine])
        notes.update(skipped)
        for name, worker in workers.items():
            results[name] = worker.ask(f"memory {WARMUP} {STEPS}")
            worker.close()
    print(f"  {'engine':<13}  before step 1   growth (step {WARMUP} to {STEPS})   peak resident")
    for name, r in results.items():
        print(f"  {common.LABELS[name]:<13}  {r['start_mb']:8.1f} MB    {r['growth_mb']:8.2f} MB"
              f"              {r['peak_mb']:8.1f} MB")
    if "glassgrad" not in results:
        return
    growth, peak = results["glassgrad"]["growth_mb"], results["glassgrad"]["peak_mb"]
    print(f"  glassgrad growth {growth:.2f} MB: target < 5 MB: {'MET' if growth < 5 else 'MISSED'}")
    common.summary(f"memory: RSS growth over {STEPS} MLP steps",
                   {n: f"{r['growth_mb']:.1f} MB" for n, r in results.items()},
                   "", "glassgrad < 5 MB", growth < 5, notes)
    peak_row(results, notes)


def peak_row(results: dict, notes: dict) -> None:
    """Print and record glassgrad's peak against mygrad's and the reference's."""
    peak = results["glassgrad"]["peak_mb"]
    mygrad = results.get("mygrad", {}).get("peak_mb")
    if mygrad is None:
        print("  glassgrad peak vs mygrad's: mygrad not run")
    else:
        print(f"  glassgrad peak {peak:.1f} MB vs mygrad's {mygrad:.1f} MB: target <= mygrad: "
              f"{'MET' if peak <= mygrad else 'MISSED'}")
    versus = None
    if "reference" in results:
        reference = results["reference"]["peak_mb"]
        print(f"  glassgrad peak {peak:.1f} MB vs {common.LABELS['reference']}'s {reference:.1f} MB "
              f"({peak - reference:+.1f} MB)")
        versus = common.versus_reference(peak, reference, 1.0, met=peak <= reference + 1.0,
                                          target_text="<= 1x or +1 MB")
    common.summary(f"memory: peak RSS of the {STEPS}-step MLP run",
                   {n: f"{r['peak_mb']:.1f} MB" for n, r in results.items()},
                   "" if mygrad is None else f"{peak / mygrad:.2f}x mygrad", "<= 1x mygrad",
                   None if mygrad is None else peak <= mygrad, notes, versus)


if __name__ == "__main__":
    main()
