"""The ``inspector`` command: the same ``run`` API as the GUI, headless.

    inspector                      open the desktop app
    inspector classify IMAGE       top-k classes
    inspector attack IMAGE ...     attack, report, and optionally save the files
    inspector poison ...           train a backdoored MNIST model, sweep poison rates
    inspector scan MODEL           Neural Cleanse: is there a backdoor, to which class
    inspector membership ...       membership inference on a shipped MNIST model
    inspector models | attacks     what is built in (models, architectures for --weights, attacks)
    inspector install-desktop      add the app to the desktop menu

Bad input, argument errors included, ends with one line on stderr and exit status 2
(``--debug`` shows the traceback); file names with control characters are quoted,
so a newline in one cannot split it. After a successful command, what was fixed up
in the input is one ``inspector: note: ...`` line on stderr per fix, and other
warnings are one line each too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import traceback
import warnings
from typing import NoReturn

from inspector.arguments import count, seed
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.errors import EXIT_ERROR, InputWarning, InspectorError, ParameterError
from inspector.core.util.messages import escape_controls, one_line, show_path
from inspector.core.evasion.summary import summary_line
from inspector.evaluate_command import add_evaluate_arguments, cmd_evaluate
from inspector.membership_command import add_membership_arguments, cmd_membership
from inspector.poison_command import add_poison_arguments, add_scan_arguments, cmd_poison, cmd_scan
from inspector.privacy_command import add_invert_arguments, add_steal_arguments, cmd_invert, cmd_steal
from inspector.replay_command import add_replay_arguments, cmd_replay
from inspector.options import (add_attack_options, add_compare_arguments, add_defense_arguments, add_model_options,
                               add_threat_model_arguments, threat_model_fields,
                               attack_params)




class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, with a hint to ``--help``
    instead of the usage block, then exit status 2. Its subcommand parsers are of this class too.

    Attributes:
        commands: the subcommand parsers by name (set by :func:`build_parser`).
    """

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument (\S+): must ", r"\1 must ", message)   # "--steps must be at most ..."
        self.exit(EXIT_ERROR, f"inspector: error: {escape_controls(message)} (see {self.prog} --help)\n")


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="inspector", description="How fragile is an image classifier?")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("classify", help="classify an image")
    p.add_argument("image")
    add_model_options(p)
    p.add_argument("--top", type=count(), default=5, metavar="K", help="how many classes to show (default 5)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("attack", help="attack an image and report what changed")
    p.add_argument("image")
    add_model_options(p)
    add_attack_options(p)
    p.add_argument("--top", type=count(), default=5, metavar="K")
    p.add_argument("--out-dir", help="write original.png, adversarial.png, perturbation.png, result.json here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_defense_arguments(p)
    add_compare_arguments(p)
    add_threat_model_arguments(p)

    p = sub.add_parser("train", help="train a shipped MNIST model from the data (standard, pgd-at, distilled, dp)")
    p.add_argument("method", choices=("standard", "pgd-at", "distilled", "dp"))
    p.add_argument("--epochs", type=count(1, MAX_EPOCHS),
                   help="epochs (distilled: per network); default: the shipped model's")
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument("--out", help="folder for mnist-METHOD.safetensors (default resources/models)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--seed", type=seed(), default=0)

    p = sub.add_parser("evaluate", help="clean and robust accuracy over a data set, with sanity checks")
    add_model_options(p)
    add_evaluate_arguments(p)

    p = sub.add_parser("poison", help="train a backdoored MNIST model (BadNets, clean-label); sweep poison rates")
    add_poison_arguments(p)
    p = sub.add_parser("scan", help="scan a model for a backdoor with Neural Cleanse")
    add_scan_arguments(p)

    p = sub.add_parser("steal", help="model stealing: query an MNIST model, train a copy, measure it per budget")
    add_steal_arguments(p)

    p = sub.add_parser("invert", help="model inversion (MI-Face): reconstruct each class of an MNIST model")
    add_invert_arguments(p)

    p = sub.add_parser("replay", help="run a saved attack (result.json) or evaluation again; check the same bytes")
    add_replay_arguments(p)

    p = sub.add_parser("membership", help="membership inference on a shipped MNIST model (loss, LiRA, label-only)")
    add_membership_arguments(p)

    sub.add_parser("models", help="list the built-in models")
    sub.add_parser("attacks", help="list the attacks and their parameters")

    p = sub.add_parser("gui", help="open the desktop app (the default)")
    p.add_argument("image", nargs="?")
    add_model_options(p)
    add_attack_options(p)
    add_compare_arguments(p)
    add_threat_model_arguments(p)
    p.add_argument("--run", action="store_true", help="start the attack as soon as the image is loaded")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="save a screenshot of the window when done (after --run: when the attack ends), then exit")

    p = sub.add_parser("install-desktop", help="add the app to this user's desktop menu (Linux: entry and icon)")
    p.add_argument("--uninstall", action="store_true", help="remove the desktop entry and the icon")
    parser.commands = sub.choices
    return parser


def parse_args(parser: OneLineParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; an unrecognised argument is reported by the subcommand's parser (its --help is the hint)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.commands.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


#: Warnings meant for developers: passed on to Python's warning machinery, never shown as notes.
DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def report_warnings(caught: list[warnings.WarningMessage], succeeded: bool) -> None:
    """After a command: one line per warning on stderr, ``inspector: note: ...`` for fixed-up input
    (an :class:`InputWarning`), ``inspector: warning: ...`` for others; none after a failure, whose
    one error line says what matters. Developer warnings go back to Python's warning machinery."""
    for w in caught:
        if issubclass(w.category, DEVELOPER_WARNINGS):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif succeeded:
            kind = "note" if issubclass(w.category, InputWarning) else "warning"
            print(f"inspector: {kind}: {escape_controls(one_line(w.message, limit=300))}", file=sys.stderr)


def print_defenses(summary: dict) -> None:
    """A compact table: top-1 of the original and the adversarial under each defence, and detector flags."""
    if summary["defenses"]:
        print(f"attack mode: {summary['attack']['mode']}")
        print(f"  {'defence':32s} {'original':28s} {'adversarial':28s} fooled")
        for row in summary["defenses"]:
            o, a = row["original"]["label"], row["adversarial"]["label"]
            print(f"  {row['defense']:32s} {o['name'][:20]:20s} {o['probability']:6.1%}  "
                  f"{a['name'][:20]:20s} {a['probability']:6.1%}  {'yes' if row['success'] else 'no'}")
    for d in summary["detections"]:
        if not d["available"]:
            print(f"  detector {d['detector']}: not available: {d['reason']}")
            continue
        flags = "  ".join(f"{k} {d[k]['score']:.4f}{' FLAGGED' if d[k]['flagged'] else ''}"
                          for k in ("original", "adversarial"))
        print(f"  detector {d['detector']}: threshold {d['threshold']:.4f} "
              f"(fpr {d['fpr']:g}, {d['calibration_images']} clean images)  {flags}")


def _print_top(title: str, top: list[dict]) -> None:
    print(title)
    for row in top:
        print(f"  {row['probability']:7.2%}  {row['index']:4d}  {row['name']}")


def cmd_classify(args) -> int:
    from inspector.core.evasion.classify import classify

    result = classify(args.image, args.model, device=args.device, k=args.top, weights=args.weights,
                      trust_code=args.trust_model_code)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        _print_top(args.image, result.top_k)
    return 0


def cmd_attack(args) -> int:
    from inspector.core.evasion.inspect import inspect
    from inspector.core.evasion.recipe import Recipe

    recipe = Recipe(image=args.image, attack=args.attack, params=attack_params(args), target=args.target,
                    device=args.device, top_k=args.top, defenses=args.defense, adaptive=args.adaptive,
                    detectors=args.detect, eot_samples=args.eot_samples, calibration=args.calibration,
                    **threat_model_fields(args))
    if args.model:
        recipe.model = args.model
    recipe.weights, recipe.trust_model_code = args.weights, args.trust_model_code
    if args.compare:
        return _compare(args, recipe)
    if args.compare_direct:
        raise ParameterError("--compare-direct needs --compare MODEL ...")
    result = inspect(recipe)
    if args.out_dir:
        result.save(args.out_dir)
    summary = result.to_dict()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    _print_top("original:", summary["original"]["top_k"])
    _print_top("adversarial:", summary["adversarial"]["top_k"])
    print(summary_line(summary))
    print_defenses(summary)
    if args.out_dir:
        print(f"saved to {args.out_dir}")
    return 0


def _compare(args, recipe) -> int:
    from inspector.core.evasion.compare import compare

    comparison = compare(recipe, args.compare, direct=args.compare_direct)
    if args.out_dir:
        comparison.source.save(args.out_dir)
    summary = comparison.to_dict()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    src = summary["source"]
    print(f"attack {src['attack']['name']} (loss {src['attack']['loss']}) on {src['model']['name']}: "
          f"{'SUCCESS' if src['success'] else 'failed'}, Linf {src['norms']['linf_grey']:.1f}/255")
    header = f"{'model':22s} {'original':>16s} {'transfer':>16s}"
    print(header + (f" {'direct attack':>16s}" if args.compare_direct else ""))
    for row in summary["models"]:
        cells = [row["original"]["label"], row["transfer"]["label"]]
        if "direct" in row:
            cells.append(row["direct"]["adversarial"]["label"])
        text = " ".join(f"{c['name']:>8s} {c['probability']:7.2%}" for c in cells)
        print(f"{row['model']:22s} {text}" + ("  (fooled by transfer)" if row["transfer_fooled"] else ""))
    if args.out_dir:
        print(f"saved the attack on {src['model']['name']} to {args.out_dir}")
    return 0


def cmd_train(args) -> int:
    from inspector.core.training import train

    from inspector.progress import ProgressLine

    line = ProgressLine()

    def show(p):
        if p.batch == p.batches or p.batch % 10 == 0:
            line.show(f"{p.stage} epoch {p.epoch}/{p.epochs} batch {p.batch}/{p.batches}  "
                      f"loss {p.loss:.4f}  train accuracy {p.accuracy:.2%}")
            if p.batch == p.batches:
                line.end()

    try:
        report = train(args.method, data=args.data, out_dir=args.out, epochs=args.epochs, resume=args.resume,
                       seed=args.seed, on_progress=show)
    finally:
        line.end()
    privacy = f", epsilon {report.epsilon:.2f}" if report.epsilon is not None else ""
    print(f"wrote {report.path}: held-out accuracy {report.held_out_accuracy:.2%} "
          f"({report.epochs} epochs, {report.seconds:.0f} s{privacy})")
    return 0


def cmd_models(args) -> int:
    from inspector.core.models.architectures import ARCHITECTURES
    from inspector.core.models.loading import builtin_models

    for info in builtin_models().values():
        print(f"{info.name:22s} {info.task}\n{'':22s} {info.description}")
    print("\narchitectures for your weights (--model NAME --weights FILE):")
    for arch in ARCHITECTURES.values():
        print(f"{arch.name:22s} {arch.description}")
    return 0


def cmd_attacks(args) -> int:
    from inspector.core.attacks import ATTACKS

    for cls in ATTACKS.values():
        print(f"{cls.name:12s} {cls.title} ({cls.threat_model}) - {cls.paper}")
        paper = cls.preset("paper")
        for spec in cls.params():
            default = spec.default
            choice = f" [{'|'.join(spec.choices)}]" if spec.choices else ""
            preset = f" (--preset paper: {paper[spec.name]!r})" if spec.name in paper else ""
            print(f"    {spec.name:16s} default {default!r}{preset}{choice}: {spec.help}")
    return 0


def cmd_gui(args) -> int:
    from inspector.gui.app import run_gui

    return run_gui(args)


def cmd_install_desktop(args) -> int:
    from inspector.desktop_entry import install, uninstall

    if args.uninstall:
        removed = uninstall()
        print("\n".join(f"removed {path}" for path in removed) or "nothing to remove")
    else:
        print("\n".join(f"installed {path}" for path in install()))
    return 0


COMMANDS = {"classify": cmd_classify, "attack": cmd_attack, "models": cmd_models, "train": cmd_train,
            "attacks": cmd_attacks, "gui": cmd_gui, "evaluate": cmd_evaluate, "replay": cmd_replay,
            "membership": cmd_membership,
            "steal": cmd_steal, "invert": cmd_invert, "poison": cmd_poison, "scan": cmd_scan,
            "install-desktop": cmd_install_desktop}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not [a for a in argv if a != "--debug"]:
        argv = [*argv, "gui"]
    try:
        args = parse_args(parser, argv)
    except SystemExit as exc:     # the parser printed its one line (or --help): its status, also in-process
        return 0 if exc.code is None else exc.code
    if args.command == "gui" or args.debug:
        return _run(args)
    with warnings.catch_warnings(record=True) as caught:
        code = _run(args)
    report_warnings(caught, succeeded=code == 0)
    return code


def _run(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except InspectorError as exc:
        return _fail(args, str(exc))
    except OSError as exc:  # the environment, not a bug: a file the core did not expect to fail
        where = f"{show_path(exc.filename)}: " if exc.filename is not None else ""
        return _fail(args, f"{where}{exc.strerror or one_line(exc)}")
    except KeyboardInterrupt:
        print("inspector: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        else:
            print(f"inspector: unexpected error: {type(exc).__name__}: {escape_controls(one_line(exc))} "
                  "(run with --debug for details)", file=sys.stderr)
        return 1


def _fail(args: argparse.Namespace, message: str) -> int:
    """Print ``inspector: error: message`` on one line (after the traceback with --debug); the exit status."""
    if args.debug:
        traceback.print_exc()
    print(f"inspector: error: {escape_controls(message)}", file=sys.stderr)
    return EXIT_ERROR
