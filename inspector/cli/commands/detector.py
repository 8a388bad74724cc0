"""``inspector detector train``: train a learned adversarial detector (Metzen et al. 2017,
arXiv:1702.04267) on clean images and one attack's adversarials, and write it as
``NAME.safetensors`` with its sidecar ``NAME.detector.json``. Use it with
``inspector attack IMAGE --detect learned:file=NAME.safetensors``.

Every input is checked before the first adversarial is made (exit 2, nothing written). Ctrl-C
stops after the batch in progress and writes nothing (exit 130).
"""

from __future__ import annotations

import argparse
import time

from inspector.attack_flags import _param_pair
from inspector.cli._common import print_json, stop_on_interrupt, stopped
from inspector.cli.arguments import count, real, seed
from inspector.cli.options import add_model_options
from inspector.cli.progress import ProgressLine, eta

NAME = "detector"
HELP = "train a learned detector of one attack's adversarials (use it with attack --detect learned:file=...)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser(
        "train",
        help="train a detector on clean images and the adversarials of one attack",
        description="Train a detector on clean images of --data and the adversarials --attack makes of them "
        "against --model; calibrate its threshold at --fpr on held-out clean images; write --out "
        "(.safetensors) and its .detector.json. It recognises the attack it saw, and others far less: "
        "see the guide and bench/learned_detector.py.",
    )
    add_model_options(train)
    train.add_argument(
        "--data",
        required=True,
        help="clean labelled images: mnist-train, a GTSRB .npz file, or a folder (labels.csv, class "
        "subfolders, GTSRB's layout); the last tenth of each class is held out to calibrate and test",
    )
    train.add_argument("--attack", default="fgsm", help="the attack whose adversarials it learns (default fgsm)")
    train.add_argument("--eps", help="the attack's budget (default 0.3 for grey models, 8/255 for colour)")
    train.add_argument(
        "--param", action="append", type=_param_pair, default=[], metavar="KEY=VALUE", help="any attack parameter"
    )
    train.add_argument("--out", required=True, metavar="FILE", help="the detector's .safetensors file")
    train.add_argument("--fpr", type=real(above=0, maximum=0.5), default=0.05, help="false positive rate (0.05)")
    train.add_argument("--epochs", type=count(1, 1000), default=5, help="training epochs (default 5)")
    train.add_argument("--filters", type=count(1, 128), default=16, help="width of the detector network (16)")
    train.add_argument("--limit", type=count(), metavar="N", help="train on N clean images (a seeded random choice)")
    train.add_argument(
        "--held-out", type=count(), default=1000, metavar="N", help="held-out images, half to calibrate (1000)"
    )
    train.add_argument("--seed", type=seed(), default=0)
    train.add_argument("--device", help="auto (default), cpu, cuda, cuda:N or mps")
    train.add_argument("--json", action="store_true", help="print the detector's sidecar as JSON")


def run(args) -> int:
    from dataclasses import asdict

    from inspector.core.learned_detector.job import DetectorJob, run_job
    from inspector.core.models.loading import load_model

    params = dict(args.param) | ({"eps": args.eps} if args.eps is not None else {})
    job = DetectorJob(
        data=args.data,
        out=args.out,
        attack=args.attack,
        params=params,
        fpr=args.fpr,
        epochs=args.epochs,
        filters=args.filters,
        limit=args.limit,
        held_out=args.held_out,
        seed=args.seed,
    )
    model = load_model(args.model, args.device, weights=args.weights, trust_code=args.trust_model_code)
    started = time.perf_counter()

    def show(p) -> None:
        what = "adversarials made" if p.stage == "attack" else "batches trained"
        loss = f"  loss {p.loss:.4f}" if p.loss is not None else ""
        line.show(f"{p.stage}: {p.done}/{p.total} {what}{loss}  {eta(p.done / p.total, time.perf_counter() - started)}")

    with stop_on_interrupt() as should_stop, ProgressLine() as line:
        trained = run_job(model, job, on_progress=show, should_stop=should_stop)
    if trained is None:
        return stopped("stopped: nothing written")
    info = trained.info
    if args.json:
        print_json(asdict(info) | {"file": str(args.out), "fooled": trained.fooled})
        return 0
    print(info.data)
    print(
        f"trained on {info.training_images} clean images and their {info.attack.split(':')[0]} adversarials "
        f"({trained.fooled:.0%} fool {info.model}); threshold {info.threshold:.4f} at {info.fpr:g} FPR "
        f"on {info.calibration_images} held-out clean images"
    )
    print(f"wrote {args.out} and its .detector.json; use it with --detect learned:file={args.out}")
    return 0
