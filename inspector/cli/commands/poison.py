"""``inspector poison``: train backdoored MNIST models, a sweep over poison rates, data scans
(``inspector scan MODEL`` scans a model: :mod:`.scan`).

Ctrl-C during training keeps the checkpoint of the last finished epoch; the same
command with ``--resume`` continues from it.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from inspector.cli._common import stopped
from inspector.cli.arguments import count, real, seed
from inspector.cli.progress import ProgressLine
from inspector.core.util.bounds import MAX_EPOCHS, check_list_length
from inspector.core.util.errors import ParameterError

NAME = "poison"
HELP = "train a backdoored MNIST model (BadNets, clean-label); sweep poison rates"
SCANS = ("ac", "spectral")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--attack",
        default="badnets",
        choices=("badnets", "clean-label"),
        help="badnets (relabelled, Gu et al. 2017) or clean-label (Turner et al. 2019)",
    )
    p.add_argument(
        "--trigger",
        default="pixel",
        choices=("pixel", "patch", "blend"),
        help="corner pixel pattern, white square patch, or blended noise image (default pixel)",
    )
    p.add_argument("--size", type=count(), default=4, help="side of the patch trigger in pixels (default 4)")
    p.add_argument(
        "--alpha", type=real(above=0, maximum=1), default=0.2, help="blend ratio of the blend trigger (default 0.2)"
    )
    p.add_argument("--target", type=count(0), default=0, help="target class (default 0)")
    p.add_argument(
        "--rate",
        default="1%",
        metavar="R[,R...]",
        help="poison rate(s), fraction or percent: of the 8,000 training digits for badnets, "
        "of the target class for clean-label; several run a sweep (default 1%%)",
    )
    p.add_argument(
        "--epochs", type=count(1, MAX_EPOCHS), default=6, help="training epochs (default 6, as mnist-standard)"
    )
    p.add_argument("--seed", type=seed(), default=0)
    p.add_argument("--norm", default="l2", choices=("l2", "linf"), help="clean-label PGD norm (default l2)")
    p.add_argument(
        "--eps", type=real(above=0), help="clean-label PGD budget in pixel units (default 8 for l2, 0.3 for linf)"
    )
    p.add_argument(
        "--scan",
        default="",
        metavar="ac,spectral",
        help="also scan the poisoned training set: activation clustering, spectral signatures",
    )
    p.add_argument(
        "--expected-rate",
        type=real(above=0, maximum=2 / 3),
        default=0.1,
        help="spectral signatures: expected poisoned fraction of each class (default 0.1)",
    )
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument(
        "--out",
        default="poison-out",
        metavar="DIR",
        help="folder for the weights (one .safetensors per rate), checkpoints and result.json",
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoints in --out")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _config(args, rate: float):
    from inspector.core.poisoning.clean_label import DEFAULT_EPS
    from inspector.core.poisoning.train import BackdoorConfig
    from inspector.core.util.params import parse_number

    config = BackdoorConfig(
        attack=args.attack,
        trigger=args.trigger,
        size=args.size,
        alpha=parse_number(args.alpha),
        target=args.target,
        rate=rate,
        epochs=args.epochs,
        seed=args.seed,
        norm=args.norm,
        eps=DEFAULT_EPS[args.norm] if args.eps is None else parse_number(args.eps),
    )
    config.check()
    return config


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
    return f"mnist-backdoor-{config.attack}-{config.trigger}-t{config.target}-r{config.rate:g}"


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
    from inspector.core.poisoning.activation_clustering import ActivationClustering
    from inspector.core.poisoning.badnets import parse_rate
    from inspector.core.poisoning.spectral import SpectralSignatures
    from inspector.core.poisoning.train import train_backdoor
    from inspector.core.util.params import parse_number

    try:
        rates = [parse_rate(r) for r in check_list_length(args.rate.split(","), "--rate") if r.strip()]
    except ParameterError as exc:
        raise ParameterError(f"--rate: {exc}") from None
    if not rates:
        raise ParameterError("--rate needs at least one poison rate")
    configs = [_config(args, r) for r in rates]
    scans = [s.strip() for s in args.scan.split(",") if s.strip()]
    for s in scans:
        if s not in SCANS:
            raise ParameterError(f"unknown scan {s!r}: choose from {', '.join(SCANS)}")
    spectral = SpectralSignatures(parse_number(args.expected_rate))
    out = Path(args.out)
    check_poison_outputs(out, configs)
    runs = []
    line = ProgressLine()
    for config in configs:
        stem = _stem(config)
        line.note(f"{stem}: training on {config.rate:.2%} poisoned")
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
                "attack": config.attack,
                "trigger": report.trigger.description,
                "target": str(config.target),
                "rate": str(config.rate),
            },
        )
        checkpoint.unlink(missing_ok=True)
        entry = report.to_dict() | {"weights": str(weights)}
        if scans:
            from inspector.core.io.datasets.mnist import mnist_split
            from inspector.core.poisoning.train import poison_training_set

            x, y = mnist_split(args.data)["train"]
            poisoned = poison_training_set(config, x, y)
            methods = {"ac": ActivationClustering(seed=config.seed), "spectral": spectral}
            entry["scans"] = [
                methods[s].scan(report.net, poisoned.x, poisoned.y).to_dict(poisoned.indices) for s in scans
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
