"""Membership inference on the shipped MNIST models: the figures of the model cards and README.

    PYTHONPATH=. python bench/privacy_membership.py [--models mnist-standard ...]
        [--attacks loss label-only lira-offline lira-online] [--references 16]
        [--label-only-members 100] [--queries 600] [--seed 0]

Each attack on each model: ROC AUC and TPR at 1 % FPR with 95 % bootstrap CIs on a
balanced set (2,000 random members vs the 2,000 non-members; label-only on a random
subsample of ``--label-only-members`` of each, for HopSkipJump's cost), and the AUC of the
same-writers control (members from digits 5,000-7,999 only). LiRA trains its reference
models with each model's own recipe (cached; about a minute each for mnist-standard on an
idle core, several for the others): give ``--references`` what the cache holds or what
there is time for. Prints one Markdown table row per run, and the seconds it took.
"""

from __future__ import annotations

import argparse
import time

from inspector.core.models.zoo.mnist_cnn import MNIST_MODELS
from inspector.core.privacy.membership import MEMBERSHIP_ATTACKS, MembershipConfig, run_membership


def _ci(e, percent: bool = False) -> str:
    if e is None:
        return "not measurable"
    if percent:
        return f"{e.value:.1%} [{e.low:.1%}, {e.high:.1%}]"
    return f"{e.value:.3f} [{e.low:.3f}, {e.high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MNIST_MODELS))
    parser.add_argument("--attacks", nargs="+", default=["loss", "label-only"], choices=list(MEMBERSHIP_ATTACKS))
    parser.add_argument("--references", type=int, default=16)
    parser.add_argument("--label-only-members", type=int, default=100)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--cache")
    args = parser.parse_args()
    print(
        "| model | attack | members vs non-members | AUC [95 % CI] | TPR at 1 % FPR [95 % CI] "
        "| same-writers AUC [95 % CI] | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for model in args.models:
        for attack in args.attacks:
            members = args.label_only_members if attack == "label-only" else 2000
            config = MembershipConfig(
                model=model,
                attack=attack,
                members=members,
                references=args.references,
                queries=args.queries,
                seed=args.seed,
                data=args.data,
                cache=args.cache,
            )
            start = time.perf_counter()
            r = run_membership(config)
            name = f"{attack} ({args.references} refs)" if attack.startswith("lira") else attack
            print(
                f"| {model} | {name} | {r.members} vs {r.non_members} | {_ci(r.auc)} | {_ci(r.tpr, True)} "
                f"| {_ci(r.same_writers_auc)} | {time.perf_counter() - start:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
