"""``inspector evaluate DATA``: clean and robust accuracy over a data set, driving
:func:`inspector.core.evaluation.evaluate`.

Ctrl-C stops cleanly: the attack run in progress is dropped, what is done is already on
disk (with ``--out``), and the command exits 130 saying how to resume.
"""

from __future__ import annotations

import argparse
import math

from inspector.cli._common import finite, percent, print_json, stop_on_interrupt, stopped
from inspector.cli.arguments import count, real
from inspector.cli.options import add_model_options
from inspector.cli.progress import ProgressLine
from inspector.core.util.bounds import MAX_BATCH, MAX_EOT_SAMPLES

NAME = "evaluate"
HELP = "clean and robust accuracy over a data set, with sanity checks"


def _comma_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_options(p)
    p.add_argument(
        "data",
        help="folder of images (label: file name prefix - WordNet id, class index or name - "
        "or labels.csv with file,label) or a built-in set: mnist-heldout",
    )
    p.add_argument(
        "--attack",
        action="append",
        default=[],
        metavar="NAME[,NAME...]",
        help="attack(s); several give the per-image worst case (default pgd)",
    )
    p.add_argument(
        "--eps", metavar="E,E,...", help="budgets in [0, 1] units, comma-separated (default 0,1/255,2/255,4/255,8/255)"
    )
    p.add_argument("--norm", default="linf", choices=("linf", "l2"), help="threat model (default linf)")
    p.add_argument(
        "--target",
        choices=("random", "least-likely"),
        help="targeted evaluation: aim each image at a random other class, or at its least likely one; "
        "the report adds the success per target class",
    )
    p.add_argument("--steps", help="attack iterations")
    p.add_argument("--step-size", help="step size in [0, 1] units (default 2.5 eps / steps)")
    p.add_argument("--seed", help="random seed of the attacks")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any attack parameter, given to each attack that has it (repeatable)",
    )
    p.add_argument(
        "--defense",
        action="append",
        default=[],
        metavar="SPEC",
        help="input-transform defence (repeatable), e.g. jpeg:quality=75; judged non-adaptively",
    )
    p.add_argument("--adaptive", action="store_true", help="also attack the defended model (BPDA, EOT)")
    p.add_argument(
        "--eot-samples",
        type=count(1, MAX_EOT_SAMPLES),
        default=8,
        metavar="N",
        help="EOT draws per gradient (default 8)",
    )
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument(
        "--batch-size", type=count(1, MAX_BATCH), metavar="N", help="images per batch (default: from the input size)"
    )
    p.add_argument("--limit", type=count(), metavar="N", help="evaluate the first N images only")
    p.add_argument("--no-sanity", action="store_true", help="skip the sanity checks (Carlini et al. 2019)")
    p.add_argument(
        "--sanity-images", type=count(), default=200, metavar="N", help="images the sanity checks run on (default 200)"
    )
    p.add_argument("--out", metavar="DIR", help="write each image's results to DIR/results.jsonl as they complete")
    p.add_argument("--resume", action="store_true", help="continue the evaluation in --out DIR")
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="spread the images over Ray workers: alone, a Ray instance on this machine; with ADDRESS, "
        "a cluster (e.g. auto, or ray://HEAD:10001); the numbers are a local run's",
    )
    add_certify_arguments(p)
    p.add_argument(
        "--report", metavar="FILE.html", help="write a self-contained HTML report (when the evaluation completes)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


#: The smoothing settings ``evaluate`` takes no flag for: its --batch-size and --seed are the attacks'.
CERTIFY_SKIP = ("batch_size", "seed")


def add_certify_arguments(p: argparse.ArgumentParser) -> None:
    """--certify and the randomized-smoothing flags of ``inspector certify`` (--sigma, --n0, --n, --alpha)."""
    from inspector.cli.commands.certify import SETTINGS
    from inspector.cli.params import add_param_arguments

    p.add_argument(
        "--certify",
        action="store_true",
        help="also certify each image by randomized smoothing (Cohen et al. 2019) and add the certified-accuracy "
        "curve: --sigma (default: a built-in smoothing model's), --n0, --n, --alpha as `inspector certify`",
    )
    p.add_argument(
        "--sigma",
        type=real(maximum=10.0, above=0.0),
        help="with --certify: standard deviation of the Gaussian noise, in [0, 1] pixel units",
    )
    add_param_arguments(p, SETTINGS, skip=("sigma", *CERTIFY_SKIP))


def smoothing_settings(args) -> dict | None:
    """The randomized-smoothing settings of --certify (every parameter, checked), or None without it.

    Raises:
        ParameterError: a bad value, sigma missing for a model not trained for smoothing, or a smoothing
            flag without --certify; naming the flag.
    """
    from inspector.cli.commands.certify import SETTINGS, smoothing_from
    from inspector.cli.params import flag, param_values
    from inspector.core.util.errors import ParameterError

    if not args.certify:
        given = [name for name, value in param_values(args, SETTINGS, skip=CERTIFY_SKIP).items() if value is not None]
        if given:
            raise ParameterError(f"{flag(given[0])} needs --certify")
        return None
    return smoothing_from(args, args.model, skip=CERTIFY_SKIP).values()


def config_from_args(args):
    """The :class:`~inspector.core.evaluation.EvaluationConfig` of parsed ``evaluate`` arguments.

    Raises:
        ParameterError: a --param that is not KEY=VALUE.
    """
    from inspector.core.evaluation import EvaluationConfig
    from inspector.core.evaluation.config import DEFAULT_EPS
    from inspector.core.util.errors import ParameterError

    params = {
        k: v for k, v in (("steps", args.steps), ("step_size", args.step_size), ("seed", args.seed)) if v is not None
    }
    for text in args.param:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param {text!r} is not of the form key=value")
        params[key.strip()] = value.strip()
    config = EvaluationConfig(
        data=args.data,
        attacks=[a for text in args.attack for a in _comma_list(text)] or ["pgd"],
        eps=_comma_list(args.eps) if args.eps else list(DEFAULT_EPS),
        norm=args.norm,
        params=params,
        target=args.target,
        defenses=args.defense,
        adaptive=args.adaptive,
        eot_samples=args.eot_samples,
        device=args.device,
        batch_size=args.batch_size,
        limit=args.limit,
        sanity=not args.no_sanity,
        sanity_images=args.sanity_images,
        out=args.out,
        resume=args.resume,
        ray=args.ray,
        smoothing=smoothing_settings(args),
        weights=args.weights,
        trust_model_code=args.trust_model_code,
    )
    if args.model:
        config.model = args.model
    return config


def check_outputs(args) -> None:
    """Before any work: ``--report`` can be written, ``--out`` can hold (or, with ``--resume``,
    holds) an evaluation. Creates nothing.

    Raises:
        ExportError, ParameterError: see :func:`inspector.core.evaluation.records.check_folder_before`
            and :func:`inspector.core.io.out_folder.check_file`.
    """
    from inspector.core.evaluation.records import check_folder_before
    from inspector.core.io.out_folder import check_file

    if args.report:
        check_file(args.report, option="--report")
    check_folder_before(args.out, args.resume)


def run(args) -> int:
    from inspector.core.evaluation import evaluate

    config = config_from_args(args)
    check_outputs(args)

    def show(p):
        line.show(f"{p.images_done}/{p.images_total} images done; {p.stage}")

    with stop_on_interrupt() as should_stop, ProgressLine(width=120) as line:
        result = evaluate(config, on_progress=show, should_stop=should_stop)
    if args.report and not result.stopped:
        from inspector.core.evaluation.report import write_report
        from inspector.core.explain.examples import add_maps
        from inspector.core.models.loading import load_model

        model = load_model(config.model, config.device, weights=config.weights, trust_code=config.trust_model_code)
        add_maps(result.examples, model)  # the examples' maps: where the model looks (the loaded model, cached)
        write_report(result, args.report)
    if args.json:
        print_json(finite(result.to_dict()))
    else:
        print_result(result)
    if result.stopped:
        where = (
            f"the results so far are in {args.out}; run the same command with --resume to continue"
            if args.out
            else "nothing was saved (no --out DIR); add --out DIR to be able to resume"
        )
        return stopped(f"stopped: {where}")
    if args.report:
        print(f"report: {args.report}")
    return 0


def show_eps(eps: float | None) -> str:
    """``%g`` where short (``0.3``), else ``8/255`` for a whole number of grey levels; ``-`` for None."""
    if eps is None:
        return "-"
    grey = eps * 255
    short = f"{eps:g}"
    return short if len(short) <= 5 or abs(grey - round(grey)) > 1e-6 else f"{round(grey)}/255"


SETTING_TITLES = {
    "none": "no defence",
    "defended": "defended, non-adaptive attack",
    "adaptive": "defended, adaptive attack",
}


def print_result(result) -> None:
    """The tables: clean and robust accuracy with 95 % CIs, minimal-norm quantiles, sanity checks."""
    from inspector.core.evaluation.result import broken_by_text

    c = result.config
    print(
        f"{result.versions['model']} on {c.data}: {result.images} images"
        + (f" ({result.failed} failed, see --json)" if result.failed else "")
        + f"; {c.norm} threat model; attacks {', '.join(c.attacks)}"
        + (f"; defences {', '.join(c.defenses)}" if c.defenses else "")
    )
    for setting, clean in result.clean.items():
        lo, hi = clean["ci"]
        print(
            f"clean accuracy ({SETTING_TITLES[setting]}): {percent(clean['accuracy'])} "
            f"[{percent(lo)}, {percent(hi)}] of {clean['n']}"
        )
    print(
        f"\n{'setting':12s} {'attack':12s} {'eps':>7s} {'robust':>7s} {'95% CI':>16s} {'success':>8s} "
        f"{'med Linf':>9s} {'med L2':>7s}"
    )
    for row in result.robust:
        lo, hi = row["ci"]
        linf = "-" if math.isnan(row["median_linf"]) else f"{row['median_linf'] * 255:.1f}/255"
        l2 = "-" if math.isnan(row["median_l2"]) else f"{row['median_l2']:.2f}"
        print(
            f"{row['setting']:12s} {row['attack']:12s} {show_eps(row['eps']):>7s} {percent(row['accuracy']):>7s} "
            f"[{percent(lo)},{percent(hi)}] {percent(row['success_rate']):>8s} {linf:>9s} {l2:>7s}"
            + (f"  fooled by {broken_by_text(row)}" if "broken_by" in row else "")
        )
    for row in result.minimal:
        q = "  ".join(f"{k} {v:.3g}" for k, v in row["quantiles"].items())
        print(
            f"\n{row['attack']} ({row['setting']}): {row['norm']} norm needed, over {row['n']} correct images "
            f"({row['failed']} not fooled = inf): {q}"
        )
    print_mistaken(result)
    if result.certified is not None:
        from inspector.cli.commands.certify import print_result as print_certified

        print("\ncertified accuracy (randomized smoothing, bare model):")
        print_certified(result.certified, None)
    if result.sanity:
        print("\nsanity checks (Carlini et al. 2019, arXiv:1902.06705):")
        for row in result.sanity:
            print(f"  [{'FLAG' if row['status'] == 'flag' else row['status']:4s}] {row['check']}: {row['detail']}")


#: Classes whose phrase the command prints per matrix (the report has them all).
MISTAKEN_LINES = 5


def print_mistaken(result) -> None:
    """Who is mistaken for whom: for each matrix the report shows first, the classes most often fooled."""
    from inspector.core.evaluation.mistaken import phrase
    from inspector.core.evaluation.report_mistaken import shown, title

    for m in shown(result):
        sources = sorted((c for c in m.attacked if m.fooled(c)), key=lambda c: (-m.fooled(c) / m.attacked[c], c))
        if not sources:
            continue
        print(f"\nwho is mistaken for whom ({title(m, result.config.norm, SETTING_TITLES)}):")
        for c in sources[:MISTAKEN_LINES]:
            print(f"  {phrase(m, c, result.class_names)}")
        if len(sources) > MISTAKEN_LINES:
            print(f"  ... {len(sources) - MISTAKEN_LINES} more classes fooled (--report lists them all)")
