"""``inspector invert``: model inversion (MI-Face, Fredrikson et al. 2015): reconstruct each class of a
model and score the reconstructions (:mod:`inspector.core.privacy.inversion_run`). MI-Face's flags
(``--step-size``, ``--max-iterations``, ``--patience``, ...) come from its parameters in
:data:`~inspector.core.privacy.inversion.INVERSION_ATTACKS`."""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json, rate_ci
from inspector.cli.params import add_param_arguments, flag_errors, param_values
from inspector.core.privacy.inversion import INVERSION_ATTACKS

NAME = "invert"
HELP = "model inversion (MI-Face): reconstruct each class of an MNIST model"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="mnist-standard", help="the model to invert (default mnist-standard)")
    add_param_arguments(p, INVERSION_ATTACKS)
    p.add_argument(
        "--judge",
        action="append",
        help="a model that scores the reconstructions (repeatable; default: the other shipped MNIST models)",
    )
    p.add_argument("--out", help="folder for inversion.png and inversion.json")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def check_invert_outputs(out: str | None) -> None:
    """Before any work: ``--out`` can be written and its inversion.png and inversion.json are not
    symbolic links, hard links or anything but regular files. Creates nothing. Raises ExportError."""
    from inspector.core.io.out_folder import check_folder
    from inspector.core.privacy.inversion_run import GRID, RESULT

    if out:
        check_folder(out, (GRID, RESULT))


def run(args) -> int:
    from inspector.core.privacy.inversion_run import InversionConfig, invert_model

    with flag_errors(INVERSION_ATTACKS):
        attack = INVERSION_ATTACKS.make("mi-face", param_values(args, INVERSION_ATTACKS))
        attack.check()
    config = InversionConfig(model=args.model, judges=args.judge, attack=attack)
    check_invert_outputs(args.out)
    report = invert_model(config)
    if args.out:
        report.save(args.out)
    if args.json:
        print_json(report.to_dict())
        return 0
    s = report.summary
    print(f"MI-Face on {config.model}: {report.seconds:.0f} s")
    print(
        f"{'class':>5s} {'p(class)':>9s} {'top-1':>6s} {'iterations':>10s} {'SSIM to mean':>13s} "
        f"{'closest mean':>12s}  judges"
    )
    for row in report.rows:
        judges = " ".join(f"{name}:{pred}" for name, pred in row["judges"].items())
        print(
            f"{row['class']:5d} {row['probability']:9.3f} {row['top1']:6d} {row['iterations']:10d} "
            f"{row['ssim']:13.3f} {row['closest_mean']:12d}  {judges}"
        )
    print(f"the model sees its class in {rate_ci(s['self'])}")
    for name, r in s["judges"].items():
        print(f"{name} sees the class in {rate_ci(r)}")
    print(
        f"closest to its own class mean: {rate_ci(s['closest_to_own_mean'])}; mean SSIM {s['ssim_mean']:.3f} "
        f"(grey start {s['ssim_grey_start']:.3f})"
    )
    if args.out:
        print(f"saved to {args.out}")
    return 0
