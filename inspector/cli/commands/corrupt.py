"""``inspector corrupt DATA``: a model's accuracy under the 15 common corruptions at severities 1-5,
its mCE against a baseline model, and per image the smallest severity that flips its label
(Hendrycks and Dietterich 2019, arXiv:1903.12261)."""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json, stop_on_interrupt, stopped
from inspector.cli.options import add_model_options
from inspector.cli.progress import ProgressLine
from inspector.core.corruptions.names import NAMES

NAME = "corrupt"
HELP = "accuracy under fog, snow, blur, noise, JPEG... (15 common corruptions), and mCE against a baseline"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Corrupts each image (8-bit, at the model's input size) by each corruption at each severity and "
        "reads it with the model. Corruptions: " + ", ".join(NAMES) + ". Frost is a synthesised "
        "texture (the paper's frost photographs are not shipped)."
    )
    p.add_argument("data", help="a folder of labelled images (as for evaluate) or mnist-heldout")
    add_model_options(p)
    p.add_argument(
        "--baseline",
        metavar="SPEC",
        help="the model mCE is relative to (a built-in name or file; the paper's AlexNet role); without it, no mCE",
    )
    p.add_argument("--corruptions", metavar="LIST", default="all", help="comma-separated names, or all (default)")
    p.add_argument("--severities", metavar="LIST", default="1,2,3,4,5", help="comma-separated, in 1-5 (default all)")
    p.add_argument("--limit", type=int, metavar="N", help="the first N images only")
    p.add_argument("--seed", type=int, default=0, help="seed of the corruptions' random draws (default 0)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--out", metavar="DIR", help="write corruptions.json and report.html here")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def choices(args) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The corruptions and severities asked for, checked before any work.

    Raises:
        ParameterError: an unknown corruption, a severity that is not a whole number in 1-5.
    """
    from inspector.core.corruptions.benchmark import check_choice
    from inspector.core.util.errors import ParameterError

    names = list(NAMES) if args.corruptions.strip() == "all" else [c.strip() for c in args.corruptions.split(",")]
    levels = []
    for text in args.severities.split(","):
        try:
            levels.append(int(text.strip()))
        except ValueError:
            raise ParameterError(f"severity {text.strip()!r} is not a whole number in 1-5") from None
    return check_choice(names, levels)


def run(args) -> int:
    import torch

    from inspector.core.corruptions import report
    from inspector.core.corruptions.benchmark import corruption_errors, run_corruptions
    from inspector.core.evaluation.data import load_dataset
    from inspector.core.models.loading import load_model
    from inspector.core.util.bounds import check_seed
    from inspector.core.util.errors import ParameterError

    names, levels = choices(args)
    seed = check_seed(args.seed, "--seed")
    if args.out:
        report.check_out(args.out)
    model = load_model(args.model, args.device, weights=args.weights, trust_code=args.trust_model_code)
    models = {args.model or "efficientnet-lite0": model}
    if args.baseline:
        baseline = load_model(args.baseline, args.device)
        if (baseline.input_size, baseline.channels, baseline.class_names) != (
            model.input_size,
            model.channels,
            model.class_names,
        ):
            raise ParameterError(f"the baseline {args.baseline} takes other images or classes than {args.model}")
        models.setdefault(args.baseline, baseline)
    samples = load_dataset(args.data, model, args.limit)
    x = torch.cat([s.load(model) for s in samples])
    y = torch.tensor([s.label for s in samples])
    ids = [s.id for s in samples]
    runs = {}
    with stop_on_interrupt() as should_stop, ProgressLine() as line:
        try:
            for name, clf in models.items():

                def progress(done: int, total: int, name=name) -> None:
                    line.show(f"{name}: {done}/{total} corruptions and severities")

                runs[name] = run_corruptions(
                    clf,
                    name,
                    x,
                    y,
                    ids=ids,
                    corruptions=names,
                    severities=levels,
                    seed=seed,
                    progress=progress,
                    should_stop=should_stop,
                )
        except KeyboardInterrupt:
            return stopped("stopped; nothing was written")
    errors = [corruption_errors(r, runs[args.baseline]) for r in runs.values()] if args.baseline else []
    if args.out:
        first = (x[0].permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()
        grid = report.corruption_grid(first if first.shape[2] == 3 else first[:, :, 0], names, seed)
        report.save(args.out, list(runs.values()), errors, args.data, grid)
    if args.json:
        print_json(report.summary(list(runs.values()), errors))
        return 0
    for r in runs.values():
        _print_run(r)
    for e in errors:
        low, high = e.mce_95
        rel_low, rel_high = e.relative_mce_95
        print(
            f"{e.model}: mCE {e.mce:.1%} [95 % {low:.1%}, {high:.1%}], relative mCE {e.relative_mce:.1%} "
            f"[95 % {rel_low:.1%}, {rel_high:.1%}] against {e.baseline}"
        )
    if args.out:
        print(f"saved to {args.out}")
    return 0


def _print_run(r) -> None:
    accuracy, flips = r.accuracy(), r.flip_severity()
    print(f"{r.model}: {len(r.labels)} images, clean accuracy {r.clean_accuracy():.1%}")
    print(f"  {'corruption':18s} " + " ".join(f"  s{s}  " for s in r.severities) + "  flipped")
    for k, c in enumerate(r.corruptions):
        cells = " ".join(f"{100 * float(a):5.1f}%" for a in accuracy[k])
        print(f"  {c:18s} {cells}  {int((flips[:, k] > 0).sum())}/{len(flips)}")
