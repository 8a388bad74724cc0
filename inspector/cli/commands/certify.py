"""``inspector certify DATA``: certified L2 robustness by randomized smoothing (Cohen, Rosenfeld and
Kolter 2019, arXiv:1902.02918) over a data set: CERTIFY on each image and the certified accuracy
against the radius, driving :mod:`inspector.core.certify`.

Ctrl-C stops between noise batches; the images done so far are reported (exit 130).
"""

from __future__ import annotations

import argparse

from inspector.cli._common import finite, percent, print_json, stop_on_interrupt, stopped
from inspector.cli.arguments import count, real
from inspector.cli.options import add_model_options
from inspector.cli.params import add_param_arguments, flag_errors, param_values
from inspector.cli.progress import ProgressLine
from inspector.core.certify.settings import Smoothing
from inspector.core.util.params import Registry

NAME = "certify"
HELP = "certified L2 robustness by randomized smoothing (Cohen et al. 2019) over a data set"

#: The one set of parameters this command takes, as a registry for the flag helpers.
SETTINGS = Registry("certificate")
SETTINGS.register(Smoothing)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_options(p)
    p.add_argument("data", help="folder of labelled images (as `inspector evaluate` reads them) or mnist-heldout")
    p.add_argument(
        "--sigma",
        type=real(maximum=10.0, above=0.0),
        help="standard deviation of the Gaussian noise, in [0, 1] pixel units (default: the sigma a built-in "
        "smoothing model was trained with, mnist-smooth-0.25 or mnist-smooth-0.50; other models need it)",
    )
    add_param_arguments(p, SETTINGS, skip=("sigma",))
    p.add_argument("--limit", type=count(), metavar="N", help="certify the first N images only")
    p.add_argument("--radii", metavar="R,R,...", help="radii of the table (default 0, 0.25, ... up to the largest)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--report", metavar="FILE.html", help="write a self-contained HTML report")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def radii_from(text: str | None) -> list[float] | None:
    """The radii of ``--radii`` (comma-separated, each finite and >= 0), or None for the default.

    Raises:
        ParameterError: a radius that is not a number, is negative, or more than MAX_LIST of them.
    """
    from inspector.core.util.bounds import MAX_LIST
    from inspector.core.util.errors import ParameterError
    from inspector.core.util.params import parse_number

    if text is None:
        return None
    parts = [t.strip() for t in text.split(",") if t.strip()]
    if not parts or len(parts) > MAX_LIST:
        raise ParameterError(f"--radii: give 1 to {MAX_LIST} radii, comma-separated")
    radii = [parse_number(t) for t in parts]
    if any(r < 0 for r in radii):
        raise ParameterError("--radii: a radius is below 0")
    return radii


def smoothing_from(args, model_name: str | None, skip: tuple[str, ...] = ()) -> Smoothing:
    """The :class:`Smoothing` of the flags (but those in ``skip``, which keep their defaults); sigma
    from the built-in model where not given.

    Raises:
        ParameterError: a bad or missing value, naming its flag.
    """
    from inspector.core.models.zoo.mnist_cnn import SMOOTHING_SIGMA
    from inspector.core.util.errors import ParameterError

    values = param_values(args, SETTINGS, skip=("sigma", *skip))
    if args.sigma is not None:
        values["sigma"] = args.sigma
    elif model_name in SMOOTHING_SIGMA:
        values["sigma"] = SMOOTHING_SIGMA[model_name]
    else:
        raise ParameterError(
            f"--sigma: give the noise level ({model_name or 'this model'} is not one of the built-in "
            f"smoothing models {', '.join(SMOOTHING_SIGMA)})"
        )
    with flag_errors(SETTINGS):
        return SETTINGS.make(Smoothing.name, values)


def run(args) -> int:
    smoothing = smoothing_from(args, args.model)
    radii = radii_from(args.radii)
    if args.report:
        from inspector.core.io.out_folder import check_file

        check_file(args.report, option="--report")
    from inspector.core.evaluation.certified import certify_samples
    from inspector.core.evaluation.data import load_dataset
    from inspector.core.models.loading import load_model

    model = load_model(args.model, args.device, weights=args.weights, trust_code=args.trust_model_code)
    samples = load_dataset(args.data, model, args.limit)

    def show(i, image):
        line.show(f"{i + 1}/{len(samples)} images certified ({image.seconds:.2f} s for the last)")

    with stop_on_interrupt() as should_stop, ProgressLine(width=100) as line:
        result = certify_samples(model, samples, smoothing, data=args.data, on_image=show, should_stop=should_stop)
    if args.report and not result.stopped:
        from inspector.core.evaluation.report_certified import write_report

        write_report(result, model.class_names, args.report)
    if args.json:
        print_json(finite(result.to_dict(radii)))
    else:
        print_result(result, radii)
    if result.stopped:
        return stopped(f"stopped after {len(result.images)} of {len(samples)} images")
    if args.report and not args.json:
        print(f"report: {args.report}")
    return 0


def print_result(result, radii: list[float] | None) -> None:
    """The settings, the base classifier's clean accuracy, abstentions and the certified accuracy per radius."""
    s = result.smoothing
    n = len(result.images)
    print(
        f"{result.model} on {result.data}: {n} images; randomized smoothing sigma {s.sigma:g}, "
        f"n0 {s.n0}, n {s.n}, alpha {s.alpha:g}, seed {s.seed}; {result.seconds:.1f} s "
        f"({n / max(result.seconds, 1e-9):.2f} images/s)"
    )
    print(f"base classifier's clean accuracy {percent(result.clean_accuracy)}; abstained on {result.abstentions}")
    print(f"\n{'L2 radius':>9s} {'certified':>10s} {'95% CI':>16s}")
    for row in result.curve(radii):
        lo, hi = row["ci"]
        print(f"{row['radius']:9.3g} {percent(row['accuracy']):>10s} [{percent(lo)},{percent(hi)}]")
