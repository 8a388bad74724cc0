"""``inspector replay SOURCE``: run a saved attack or evaluation again and check it gives the same bytes.

SOURCE is an attack's result.json (or its folder, or a bare recipe), a physical attack's
result.json (``inspector physical --out``), or an evaluation's ``--out`` folder, its manifest.json
or its HTML report. Exit 0: the replay matches what was
saved (or nothing was saved to compare with); 1: it differs, said in one line; 2: bad input.

The file replayed may come from anyone: what it may do is decided here, on the command line,
not by the file. A pickled model loads only with ``--trust-model-code``, whatever the file's
``trust_model_code`` says; an evaluation runs on this machine unless ``--ray`` says otherwise,
whatever the file's ``ray`` says; the replay writes only to ``--out-dir``.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from inspector.cli._common import EXIT_DIFFERS, finite, print_json
from inspector.cli.arguments import count

NAME = "replay"
HELP = "run a saved attack (result.json) or evaluation again; check the same bytes"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "source",
        help="an attack's result.json, its folder or a recipe; a physical attack's result.json; "
        "or an evaluation's --out folder, manifest.json or report.html",
    )
    p.add_argument(
        "--out-dir",
        help="attack: write the replay's four files here; physical attack: its pattern, print and result.json; "
        "evaluation: keep the replay's records here",
    )
    p.add_argument(
        "--limit",
        type=count(),
        metavar="N",
        help="evaluation: replay the first N images only (rounded up to whole batches)",
    )
    p.add_argument("--json", action="store_true", help="print the replayed result as JSON")
    p.add_argument(
        "--trust-model-code",
        action="store_true",
        help="allow loading a pickled whole model, which runs code from its file; never taken from "
        "the replayed file, whose trust_model_code is ignored",
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="evaluation: spread the images over Ray workers (alone: on this machine; with ADDRESS, "
        "a cluster); never taken from the replayed file, whose ray is ignored",
    )


def run(args) -> int:
    from inspector.core.replay import (
        AttackSource,
        PhysicalSource,
        PoisoningSource,
        PrivacySource,
        read_source,
        replay_attack,
        replay_evaluation,
    )
    from inspector.core.util.errors import ParameterError, RecipeError
    from inspector.core.util.messages import escape_controls, show_path

    source = read_source(args.source)
    if isinstance(source, PrivacySource):
        raise RecipeError(
            f"{show_path(source.path)}: a {source.task} run's result is not replayed: run its command "
            "again, or open it in the app's Privacy workspace (File > Open recipe)"
        )
    if isinstance(source, PoisoningSource):
        raise RecipeError(
            f"{show_path(source.path)}: a poisoning run's result is not replayed: run `inspector poison` "
            "again, or open it in the app's Training-time workspace (File > Open recipe)"
        )
    if isinstance(source, (AttackSource, PhysicalSource)):
        if args.limit is not None:
            raise ParameterError("--limit applies to an evaluation, not to one attack run")
        if args.ray is not None:
            raise ParameterError("--ray applies to an evaluation, not to one attack run")
    if isinstance(source, PhysicalSource):
        return _replay_physical(source, args)
    _take_choices(source, args)
    if isinstance(source, AttackSource):
        from inspector.core.evasion.inspect import check_out_dir

        check_out_dir(args.out_dir)
        with _trust_asked(source, args):
            replay = replay_attack(source)
        if args.out_dir:
            replay.inspection.save(args.out_dir)
        summary = replay.inspection.to_dict()
        what = (
            f"{source.recipe.attack} on {show_path(summary['recipe']['image'])} with "
            f"{show_path(summary['model']['name'])} "
            f"({summary['model']['device']}, {summary['recipe']['threads']} CPU thread(s)): "
            f"{summary['original']['label']['name']} -> {summary['adversarial']['label']['name']}"
        )
    else:
        from inspector.cli.commands.evaluate import print_result

        with _trust_asked(source, args):
            replay = replay_evaluation(source, limit=args.limit, out=args.out_dir)
        summary = replay.result.to_dict()
        what = (
            f"evaluation of {show_path(source.config.model)} on {show_path(source.config.data)} "
            f"({replay.result.config.threads} "
            "CPU thread(s))"
        )
        if not args.json:
            print_result(replay.result)
    if args.json:
        print_json(finite(summary | {"replay": {"matched": replay.matched, "detail": replay.describe()}}))
    print(f"replayed {escape_controls(what)}", file=sys.stderr if args.json else sys.stdout)
    if replay.matched is False:
        print(f"inspector: {replay.describe()}", file=sys.stderr)
        return EXIT_DIFFERS
    print(replay.describe(), file=sys.stderr if args.json else sys.stdout)
    return 0


def _replay_physical(source, args) -> int:
    """Make a physical attack's pattern again and compare its PNG bytes with the saved one."""
    from inspector.core.io.out_folder import check_folder
    from inspector.core.physical.job import PERTURBATION, PRINT, RESULT, STICKER, save
    from inspector.core.replay import replay_physical
    from inspector.core.util.messages import escape_controls, show_path

    if args.out_dir:
        check_folder(args.out_dir, (STICKER, PERTURBATION, PRINT, RESULT), option="--out-dir")
    replay = replay_physical(source)
    if args.out_dir:
        save(args.out_dir, replay.result, replay.summary, source.job)
    recipe = replay.summary["recipe"]
    what = (
        f"{replay.summary['attack']} on {show_path(recipe['images'])} with {show_path(replay.summary['model'])} "
        f"({recipe['device']}, {recipe['threads']} CPU thread(s))"
    )
    if args.json:
        print_json(finite(replay.summary | {"replay": {"matched": replay.matched, "detail": replay.describe()}}))
    print(f"replayed {escape_controls(what)}", file=sys.stderr if args.json else sys.stdout)
    if replay.matched is False:
        print(f"inspector: {replay.describe()}", file=sys.stderr)
        return EXIT_DIFFERS
    print(replay.describe(), file=sys.stderr if args.json else sys.stdout)
    return 0


def _take_choices(source, args) -> None:
    """Set what the command line decides (trust, Ray) in ``source``; a note for each field of the file
    that asked for something else (printed after a successful replay)."""
    import warnings

    from inspector.core.replay import AttackSource
    from inspector.core.util.errors import InputWarning
    from inspector.core.util.messages import show_path

    settings = source.recipe if isinstance(source, AttackSource) else source.config
    settings.trust_model_code = args.trust_model_code
    if not isinstance(source, AttackSource):
        settings.ray = args.ray
    shown = show_path(source.path)
    if "trust_model_code" in source.ignored and not args.trust_model_code:
        warnings.warn(
            InputWarning(
                f"{shown} asks to trust the model's code; that is not taken from a file "
                "(give --trust-model-code to allow it)"
            ),
            stacklevel=2,
        )
    if "ray" in source.ignored and source.ignored["ray"] != args.ray:
        warnings.warn(
            InputWarning(
                f"{shown} names the Ray cluster {source.ignored['ray']!r}; a replay does not "
                "connect where a file says: it ran "
                + ("on this machine (give --ray ADDRESS to use one)" if args.ray is None else f"with --ray {args.ray}")
            ),
            stacklevel=2,
        )


@contextmanager
def _trust_asked(source, args):
    """Around the replay: a pickled model refused while the file asked to trust it says why that was not taken."""
    from inspector.core.models.formats.pickled import CodePickleError

    try:
        yield
    except CodePickleError as exc:
        if "trust_model_code" not in source.ignored or args.trust_model_code:
            raise
        raise CodePickleError(
            f'{exc}; the replayed file\'s "trust_model_code": true is not taken as trust: '
            "that is decided on the command line"
        ) from None
