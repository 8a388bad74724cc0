"""``inspector physical KIND``: make one physical-world pattern (an RP2 sticker, a universal
perturbation) on a folder of images, measure it on held-out images over random views after a
print-and-camera simulation, and save it."""

from __future__ import annotations

import argparse
import time

from inspector.cli._common import print_json, rate_ci, stop_on_interrupt, stopped
from inspector.cli.arguments import count, real
from inspector.cli.options import add_defense_spec_argument, add_model_options
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine, eta
from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.print_page import DPI, MAX_DPI, MAX_WIDTH_MM, MIN_DPI, SIGN_FILL, sign_width
from inspector.core.physical.views import WIDER, Views
from inspector.core.util.params import Registry

NAME = "physical"
HELP = "make a sticker or universal perturbation on images and measure it on held-out ones"

#: The views' parameters, as flags of their own (``--rotation``, ``--angle``...).
VIEWS = Registry("views")
VIEWS.register(Views)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = describe(PHYSICAL_ATTACKS)
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("kind", choices=list(PHYSICAL_ATTACKS), help="the physical attack")
    p.add_argument("--images", required=True, metavar="DIR", help="labelled images to make the pattern on")
    p.add_argument(
        "--held-out", metavar="DIR", help="other labelled images to measure it on (none of --images may be among them)"
    )
    add_model_options(p)
    p.add_argument("--device", help="cpu, cuda, mps (default: the best available)")
    p.add_argument(
        "--target", metavar="CLASS", help="class index or name every image should read as (default: any other)"
    )
    p.add_argument(
        "--mask", metavar="IMAGE", help="where the sticker goes: white on black, any size (default: two bars)"
    )
    add_param_arguments(p, PHYSICAL_ATTACKS)
    add_param_arguments(p, VIEWS)
    add_defense_spec_argument(p)
    p.add_argument(
        "--adaptive",
        action="store_true",
        help="make the pattern against the defended model (every --defense, in order; BPDA and EOT); "
        "without it, the pattern made on the bare model is measured under each defence",
    )
    p.add_argument(
        "--wider",
        type=real(1.0, 4.0),
        default=WIDER,
        metavar="F",
        help=f"the evaluation's views are F times as wide as those optimised over (default {WIDER:g})",
    )
    p.add_argument(
        "--views-per-image", type=count(1, 10_000), default=100, metavar="N", help="views of each held-out image"
    )
    p.add_argument("--out", metavar="DIR", help="write sticker.png (or perturbation.png) and result.json here")
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--sign-diameter",
        type=real(above=0.0, maximum=MAX_WIDTH_MM * SIGN_FILL),
        metavar="MM",
        help=f"with --out, also write sticker.pdf: the sticker's frame to print at 100 %% for a sign MM across "
        f"(the sign spans {SIGN_FILL * 100:.0f} %% of the frame)",
    )
    size.add_argument(
        "--size-mm",
        type=real(above=0.0, maximum=MAX_WIDTH_MM),
        metavar="MM",
        help="with --out, also write sticker.pdf: the patch (a sticker: its whole frame) MM wide, to print at 100 %%",
    )
    p.add_argument(
        "--dpi",
        type=count(MIN_DPI, MAX_DPI),
        default=DPI,
        metavar="N",
        help=f"the print's resolution, dots per inch (default {DPI})",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    from inspector.core.io.out_folder import check_folder
    from inspector.core.physical.job import PERTURBATION, PRINT, RESULT, STICKER, PhysicalJob, prepare, save
    from inspector.core.util.errors import ParameterError

    print_mm = sign_width(args.sign_diameter) if args.sign_diameter is not None else args.size_mm
    if print_mm is not None and not args.out:
        raise ParameterError("--sign-diameter and --size-mm size the print in --out: give --out DIR")
    if args.out:
        check_folder(args.out, (STICKER, PERTURBATION, PRINT, RESULT))
    job = PhysicalJob(
        kind=args.kind,
        images=args.images,
        held_out=args.held_out,
        model=args.model,
        params=param_values(args, PHYSICAL_ATTACKS),
        views=param_values(args, VIEWS),
        target=args.target,
        mask=args.mask,
        wider=args.wider,
        views_per_image=args.views_per_image,
        device=args.device,
        weights=args.weights,
        trust_code=args.trust_model_code,
        print_mm=print_mm,
        dpi=args.dpi,
        defenses=args.defense,
        adaptive=args.adaptive,
    )
    with flag_errors(PHYSICAL_ATTACKS), flag_errors(VIEWS):
        prepared = prepare(job)
    started = time.perf_counter()
    with stop_on_interrupt() as should_stop, ProgressLine() as line:

        def show(step) -> None:
            line.show(
                f"{job.kind}: step {step.iteration}/{step.total}  loss {float(step.loss.mean()):.3f}  "
                f"fooled {float(step.success.float().mean()):.0%} of the images  "
                f"{eta(step.iteration / step.total, time.perf_counter() - started)}"
            )

        result, summary = prepared.execute(on_step=show, should_stop=should_stop)
    if args.out:
        save(args.out, result, summary, job)
    if result.cancelled:
        if args.out:
            return stopped(f"stopped after {result.iterations} steps; the best pattern so far is in {args.out}")
        return stopped(f"stopped after {result.iterations} steps")
    if args.json:
        print_json(summary)
        return 0
    _print(summary)
    if args.out:
        print(f"saved to {args.out}")
    return 0


def _print(summary: dict) -> None:
    target = summary["target"]["name"] if summary["target"] else "any other class"
    print(
        f"{summary['attack']} on {summary['model']} -> {target}: {summary['iterations']} iterations, "
        f"{summary['seconds_to_make']:.0f} s, mask {summary['mask_area']:.1%} of the image, "
        f"{summary['train_success']:.0%} success on its {summary['images']} images (as checked while made)"
    )
    held = summary.get("held_out")
    if not held:
        print("no held-out images (--held-out): no success rate to report")
        return
    for key, what in (("pattern", "the pattern"), ("random_sticker", "a random sticker, same mask")):
        if key in held:
            r = held[key]
            print(f"  {what}: {rate_ci(r)} of {r['views']} views of {held['images']} held-out images")
    if "defences" in held:
        made = "made against the defences (adaptive)" if summary["recipe"]["adaptive"] else "made on the bare model"
        print(f"under each defence, the pattern {made}:")
        for row in held["defences"]:
            verdict = "gets through" if row["fooled"] else "held"
            print(
                f"  {row['defence']}: pattern {rate_ci(row['pattern'])}, baseline {rate_ci(row['baseline'])}, "
                f"clean views read right {row['clean']['rate']:.1%}: {verdict}"
            )
