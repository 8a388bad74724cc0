"""Model stealing on mnist-standard: agreement, accuracy and PGD transfer of the copy against the query budget.

For Copycat and Knockoff Nets (random, adaptive), with full probabilities and
with the top-1 label only, at 250, 1k, 2k and 5k queries from the unlabelled
member digits (and one label-only run from the transformed pool): the rates
with their Wilson 95 % intervals on the 2,000 held-out digits (the PGD transfer on the first
300 the victim gets right), the time of each
budget, and the combined curve as a PNG. Label-only knockoff-random is the same
attack as label-only copycat (same images, same hard labels), and so is copycat
with probabilities (it trains on their top-1), so neither is run again.
Each run keeps its folder under --out and resumes there; --runs picks some of them (to run them in
parallel processes, each in its own folder).

    PYTHONPATH=. OMP_NUM_THREADS=1 python bench/privacy_stealing.py [--out runs/steal] [--budgets 250,1000,2000,5000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from inspector.core.privacy.plots import agreement_plot
from inspector.core.privacy.stealing import StealConfig, steal

RUNS = [
    ("copycat", "label", "members"),
    ("knockoff-random", "probabilities", "members"),
    ("knockoff-adaptive", "probabilities", "members"),
    ("knockoff-adaptive", "label", "members"),
    ("copycat", "label", "transformed"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="runs/steal")
    parser.add_argument("--budgets", default="250,1000,2000,5000")
    parser.add_argument("--victim", default="mnist-standard")
    parser.add_argument("--transfer-images", type=int, default=300)
    parser.add_argument("--runs", help="which of RUNS to run, by index, comma-separated (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    budgets = [int(b) for b in args.budgets.split(",")]
    results = []
    chosen = [RUNS[int(i)] for i in args.runs.split(",")] if args.runs else RUNS
    for method, output, pool in chosen:
        config = StealConfig(
            victim=args.victim,
            method=method,
            output=output,
            pool=pool,
            budgets=budgets,
            transfer_images=args.transfer_images,
        )
        folder = Path(args.out) / f"{method}-{output}-{pool}"
        start = time.perf_counter()
        result = steal(config, out=folder, resume=True).to_dict()
        results.append(result)
        print(f"\n{method}, {output}, pool {pool} ({time.perf_counter() - start:.0f} s this call)")
        print("  queries  agreement [95% CI]       accuracy [95% CI]        PGD transfer eps 0.3 [95% CI]  time")
        for r in result["rows"]:
            cells = "  ".join(
                f"{r[k]['rate']:6.1%} [{r[k]['low']:.1%}, {r[k]['high']:.1%}]"
                for k in ("agreement", "accuracy", "transfer")
            )
            print(f"  {r['budget']:7d}  {cells}  {r['seconds']:5.0f} s", flush=True)
    tag = "" if args.runs is None else "-" + args.runs.replace(",", "-")
    agreement_plot([r for r in results if r["config"]["pool"] == "members"]).save(Path(args.out) / f"curves{tag}.png")
    (Path(args.out) / f"summary{tag}.json").write_text(json.dumps(results, indent=2))
    print(
        f"\nvictim held-out accuracy {results[0]['victim_accuracy']:.1%}; curves in {Path(args.out) / f'curves{tag}.png'}"
    )


if __name__ == "__main__":
    main()
