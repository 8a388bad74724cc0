"""``inspector membership``: membership inference on a shipped MNIST model, driving
:func:`inspector.core.privacy.membership.run_membership`.

Writes ``membership.json``, ``roc.png`` and ``exposed.png`` to ``--out`` (all or none).
Ctrl-C keeps the reference models already trained (in the cache) and exits 130; the
same command resumes.
"""

from __future__ import annotations

import argparse
import json

from inspector.cli._common import print_json, stop_on_interrupt, stopped
from inspector.cli.arguments import count, seed
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine
from inspector.core.privacy.membership import MEMBERSHIP_ATTACKS
from inspector.core.util.bounds import MAX_MEMBERSHIP_SEED

NAME = "membership"
HELP = "membership inference on a shipped MNIST model (loss, LiRA, label-only)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = describe(MEMBERSHIP_ATTACKS)
    p.add_argument(
        "--model",
        default="mnist-standard",
        help="a shipped MNIST model (their training set is known; default mnist-standard)",
    )
    p.add_argument("--attack", default="loss", help=f"{', '.join(MEMBERSHIP_ATTACKS)} (default loss)")
    add_param_arguments(p, MEMBERSHIP_ATTACKS)
    p.add_argument(
        "--members",
        type=count(),
        default=2000,
        metavar="N",
        help="members in the evaluation set, and as many non-members (1-2000, default 2000)",
    )
    p.add_argument("--seed", type=seed(MAX_MEMBERSHIP_SEED), default=0)
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument("--cache", metavar="DIR", help="reference models' cache (default: the user cache folder)")
    p.add_argument("--out", metavar="DIR", help="write membership.json, roc.png and exposed.png here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


OUTPUTS = ("membership.json", "roc.png", "exposed.png")


def check_membership_outputs(out: str | None) -> None:
    """Before any work: ``--out`` can be written and none of its OUTPUTS is a symbolic link, a hard
    link or anything but a regular file. Creates nothing. (The cache is checked by the run.)
    Raises ExportError."""
    from inspector.core.io.out_folder import check_folder

    if out:
        check_folder(out, OUTPUTS)


def run(args) -> int:
    from inspector.core.io.files import write_files
    from inspector.core.privacy.membership import MembershipConfig, run_membership
    from inspector.core.privacy.membership.figures import exposed_figure, roc_figure, summary

    config = MembershipConfig(
        model=args.model,
        attack=args.attack,
        members=args.members,
        seed=args.seed,
        data=args.data,
        cache=args.cache,
        **param_values(args, MEMBERSHIP_ATTACKS),
    )
    with flag_errors(MEMBERSHIP_ATTACKS, also=("members", "seed")):
        config.check()
    check_membership_outputs(args.out)

    def show(p):
        if p.reference is not None and p.reference.training is not None:
            t = p.reference.training
            if t.batch != t.batches and t.batch % 10:
                return
            text = (
                f"reference model {p.reference.model}/{p.reference.count} ({p.reference.ready} ready): "
                f"{t.stage} epoch {t.epoch}/{t.epochs} batch {t.batch}/{t.batches}"
            )
        else:
            text = f"{p.stage} {p.done}/{p.total}"
        line.show(text)

    with stop_on_interrupt() as should_stop, ProgressLine() as line:
        result = run_membership(config, on_progress=show, should_stop=should_stop)
    if result is None:
        return stopped("stopped; finished reference models are kept in the cache: run the same command to continue")
    summary_json = result.to_json()
    if args.out:
        write_files(
            args.out,
            {
                "membership.json": lambda p: p.write_text(json.dumps(summary_json, indent=2) + "\n", encoding="utf-8"),
                "roc.png": lambda p: roc_figure(result).save(p),
                "exposed.png": lambda p: exposed_figure(result).save(p),
            },
        )
    if args.json:
        print_json(summary_json)
        return 0
    print(f"{config.model}, {config.attack}: {result.members} random members vs {result.non_members} non-members")
    print(summary(result))
    if result.same_writers_auc is not None:
        s = result.same_writers_auc
        print(f"same writers only (members from digits 5000-7999): AUC {s.value:.3f} [{s.low:.3f}, {s.high:.3f}]")
    for line in result.unmeasurable:
        print(f"not measured: {line}")
    top = ", ".join(f"#{int(result.index[i])} ({result.risk[i]:.4f})" for i in result.exposed[:5])
    print(f"most exposed training digits (risk): {top}")
    if args.out:
        print(f"wrote membership.json, roc.png and exposed.png to {args.out}")
    return 0
