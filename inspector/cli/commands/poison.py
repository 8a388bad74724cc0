"""``inspector poison``: train backdoored MNIST models, a sweep over poison rates, data scans
(``inspector scan MODEL`` scans a model: :mod:`.scan`). The attacks and the scans, and their flags,
come from :data:`~inspector.core.poisoning.attacks.POISONING_ATTACKS` and
:data:`~inspector.core.poisoning.scans.DATA_SCANS`.

Ctrl-C during training keeps the checkpoint of the last finished epoch; the same
command with ``--resume`` continues from it.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from inspector.cli._common import stopped
from inspector.cli.arguments import count, seed
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine
from inspector.core.poisoning.attacks import POISONING_ATTACKS
from inspector.core.poisoning.scans import DATA_SCANS
from inspector.core.util.bounds import MAX_EPOCHS, check_list_length
from inspector.core.util.errors import ParameterError

NAME = "poison"
HELP = f"train a backdoored MNIST model ({', '.join(POISONING_ATTACKS)}); sweep poison rates; scan its data"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = describe(POISONING_ATTACKS) + "\n\n" + describe(DATA_SCANS)
    p.add_argument(
        "--attack",
        default="badnets",
        choices=tuple(POISONING_ATTACKS),
        help="the poisoning attack (default badnets; each with its parameters below)",
    )
    add_param_arguments(p, POISONING_ATTACKS, skip=("rate",))
    p.add_argument(
        "--rate",
        metavar="R[,R...]",
        help="poison rate(s), fraction or percent: of the 8,000 training digits for badnets, "
        "of the target class for clean-label; several run a sweep (default: the attack's, 1%%)",
    )
    p.add_argument(
        "--epochs", type=count(1, MAX_EPOCHS), default=6, help="training epochs (default 6, as mnist-standard)"
    )
    p.add_argument("--seed", type=seed(), default=0)
    p.add_argument(
        "--scan",
        default="",
        metavar=",".join(DATA_SCANS),
        help=f"also scan the poisoned training set with these data scans ({', '.join(DATA_SCANS)})",
    )
    add_param_arguments(p, DATA_SCANS)
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument(
        "--out",
        default="poison-out",
        metavar="DIR",
        help="folder for the weights (one .safetensors per rate), checkpoints and result.json",
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoints in --out")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _rates(args) -> list[float | None]:
    """The poison rates of ``--rate``; [None] (the attack's default) where it is not given.

    Raises:
        ParameterError: a rate that is not a fraction or percent in (0, 1], or more than the list limit.
    """
    from inspector.core.poisoning.attack import parse_rate

    if args.rate is None:
        return [None]
    try:
        rates = [parse_rate(r) for r in check_list_length(args.rate.split(","), "--rate") if r.strip()]
    except ParameterError as exc:
        raise ParameterError(f"--rate: {exc.detail}") from None
    if not rates:
        raise ParameterError("--rate needs at least one poison rate")
    return rates


def _configs(args) -> list:
    """One checked configuration per poison rate."""
    from inspector.core.poisoning.train import BackdoorConfig

    values = param_values(args, POISONING_ATTACKS, skip=("rate",))
    configs = []
    with flag_errors(POISONING_ATTACKS, also=("epochs", "seed")):
        for rate in _rates(args):
            given = values if rate is None else values | {"rate": rate}
            config = BackdoorConfig(POISONING_ATTACKS.make(args.attack, given), epochs=args.epochs, seed=args.seed)
            config.check()
            configs.append(config)
    return configs


def _scans(args) -> list:
    """The data scans of ``--scan``, each built from the scan flags that are its parameters."""
    given = param_values(args, DATA_SCANS)
    scans = []
    with flag_errors(DATA_SCANS):
        for name in (n.strip().lower() for n in args.scan.split(",") if n.strip()):
            own = {spec.name for spec in DATA_SCANS[name].params()} if name in DATA_SCANS else set()
            scans.append(DATA_SCANS.make(name, {key: value for key, value in given.items() if key in own}))
    return scans


def _training_progress(line: ProgressLine):
    """``on_progress`` of a training run: epoch, batch, loss and accuracy on ``line``."""

    def show(p) -> None:
        if p.batch == p.batches or p.batch % 10 == 0:
            line.show(
                f"epoch {p.epoch}/{p.epochs} batch {p.batch}/{p.batches}  loss {p.loss:.4f}  "
                f"train accuracy {p.accuracy:.2%}"
            )
            if p.batch == p.batches:
                line.end()

    return show


def _stem(config) -> str:
    a = config.attack
    return f"mnist-backdoor-{a.name}-{a.trigger}-t{a.target}-r{a.rate:g}"


def check_poison_outputs(out: Path, configs: list) -> None:
    """Before any training: ``out`` can be written and none of the files the runs write there
    (each rate's checkpoint and weights, result.json) is a symbolic link, a hard link or not a
    regular file. Creates nothing.

    Raises:
        ExportError: it cannot be written or created, or a member is refused.
    """
    from inspector.core.io.out_folder import check_folder

    names = ["result.json"] + [f"{_stem(c)}{suffix}" for c in configs for suffix in (".ckpt", ".safetensors")]
    check_folder(out, names)


def run(args) -> int:
    from inspector.core.io.files import write_atomically
    from inspector.core.models.zoo.mnist_cnn import save_weights
    from inspector.core.poisoning.train import train_backdoor

    configs = _configs(args)
    scans = _scans(args)
    out = Path(args.out)
    check_poison_outputs(out, configs)
    runs = []
    line = ProgressLine()
    for config in configs:
        stem = _stem(config)
        line.note(f"{stem}: training on {config.attack.rate:.2%} poisoned")
        checkpoint = out / f"{stem}.ckpt"
        try:
            report = train_backdoor(
                config, data=args.data, checkpoint=checkpoint, resume=args.resume, on_progress=_training_progress(line)
            )
        except KeyboardInterrupt:
            line.end()
            kept = f"the last finished epoch is in {checkpoint}; " if os.path.lexists(checkpoint) else ""
            return stopped(f"stopped; {kept}run the same command with --resume to continue")
        finally:
            line.end()
        weights = out / f"{stem}.safetensors"
        save_weights(
            report.net,
            weights,
            {
                "attack": config.attack.name,
                "trigger": report.trigger.description,
                "target": str(config.attack.target),
                "rate": str(config.attack.rate),
            },
        )
        checkpoint.unlink(missing_ok=True)
        entry = report.to_dict() | {"weights": str(weights)}
        if scans:
            from inspector.core.io.datasets.mnist import mnist_split
            from inspector.core.poisoning.train import poison_training_set

            x, y = mnist_split(args.data)["train"]
            poisoned = poison_training_set(config, x, y)
            entry["scans"] = [
                scan.scan(report.net, poisoned.x, poisoned.y, seed=config.seed).to_dict(poisoned.indices)
                for scan in scans
            ]
        runs.append(entry)
        if not args.json:
            _print_run(entry)
    result = {"runs": runs}
    text = json.dumps(result, indent=2)
    write_atomically(out / "result.json", lambda fh: fh.write(text.encode()))
    if args.json:
        print(text)
    return 0


def _rate(d: dict) -> str:
    return f"{100 * d['rate']:.1f} % [{100 * d['ci95'][0]:.1f}, {100 * d['ci95'][1]:.1f}] ({d['k']}/{d['n']})"


def _print_run(run: dict) -> None:
    c = run["config"]
    print(
        f"{c['attack']} {c['trigger']} -> class {c['target']} at rate {c['rate']:g} "
        f"({run['poisoned_count']} poisoned): clean accuracy {_rate(run['clean_accuracy'])}, "
        f"attack success {_rate(run['attack_success'])}; wrote {run['weights']}"
    )
    for scan in run.get("scans", []):
        print(
            f"  {scan['method']}: flagged {scan['flagged_count']}, TPR {_rate(scan['tpr'])}, FPR {_rate(scan['fpr'])}"
        )
