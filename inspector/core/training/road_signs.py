"""Train the shipped road-sign models ``gtsrb-standard`` and ``gtsrb-pgd-at`` from GTSRB arrays.

``gtsrb-pgd-at`` is adversarial training at 8/255, by PGD-AT (Madry et al. 2018) or TRADES
(Zhang et al. 2019, method ``trades``, written as ``gtsrb-trades`` for the comparison). All
three train :class:`~inspector.core.models.zoo.gtsrb_cnn.GtsrbCNN` with Adam and a cosine
learning-rate schedule on augmented batches (:mod:`inspector.core.training.augment`), on
the training split of ``train.npz`` (:func:`~inspector.core.io.datasets.gtsrb.train_validation_split`).
After each epoch the weights are kept and scored on the validation split: clean accuracy,
and robust accuracy under PGD-10 at the training budget on a fixed subset. The shipped
checkpoint is the best by robust validation accuracy for adversarial training (Rice, Wong
and Kolter 2020, "Overfitting in adversarially robust deep learning", arXiv:2002.11569) and by
clean validation accuracy for standard training.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from inspector.core.attacks.pgd import PGD
from inspector.core.io.datasets.gtsrb import load_npz, train_validation_split
from inspector.core.io.out_folder import check_folder
from inspector.core.models.zoo.gtsrb_cnn import GtsrbCNN
from inspector.core.models.zoo.mnist_cnn import save_weights
from inspector.core.training.augment import Augmented, road_sign_augmentation
from inspector.core.training.loop import BatchLoss, Progress, fit
from inspector.core.training.pgd_at import PGDAdversarialLoss
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.training.trades import TradesLoss

#: The Linf budget of ``gtsrb-pgd-at`` and of its robust validation score, in [0, 1] pixel units (8/255).
EPS = 8 / 255
#: The training methods: plain cross-entropy, PGD-AT, TRADES (beta 6, the paper's).
METHODS = ("standard", "pgd-at", "trades")
#: Validation images scored under PGD after each epoch (every k-th of the split, so every class is in).
ROBUST_VALIDATION_IMAGES = 512


@dataclass
class EpochScore:
    """Validation scores after one epoch: clean accuracy on the whole split, robust accuracy
    under PGD-10 at :data:`EPS` on :data:`ROBUST_VALIDATION_IMAGES` of them, both fractions in [0, 1]."""

    epoch: int
    clean: float
    robust: float
    seconds: float


def robust_accuracy(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, seed: int = 0) -> float:
    """The fraction of (x, y) that PGD-10 (random start, step eps/4) at Linf ``eps`` does not fool."""
    attack = PGD(eps=eps, step_size=eps / 4, steps=10, loss="ce", random_start=True, seed=seed)
    correct = 0
    for start in range(0, len(y), 256):
        xb, yb = x[start : start + 256], y[start : start + 256]
        x_adv = attack.run(net, xb, yb).x_adv
        with torch.no_grad():
            correct += int((net(x_adv).argmax(1) == yb).sum())
    return correct / len(y)


def train_road_sign_model(
    method: str,
    train_file: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    epochs: int,
    lr: float = 2e-3,
    pgd_steps: int = 5,
    warmup: float = 3.0,
    seed: int = 0,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    on_score: Callable[[EpochScore], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Path | None:
    """Train ``gtsrb-<method>`` (a name in :data:`METHODS`) and write ``<out_dir>/gtsrb-<method>.safetensors``
    (float16) with the chosen epoch's scores in its metadata; None if stopped (resume continues).

    Work files in ``out_dir``: the checkpoint ``gtsrb-<method>.ckpt``, each epoch's weights
    ``gtsrb-<method>.epoch<k>.safetensors`` and the scores ``gtsrb-<method>.scores.json``.

    Raises:
        ImageError: ``train_file`` is not a GTSRB array file.
        ModelError, ExportError: a checkpoint cannot be read or written.
        ValueError: unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown road-sign training method {method!r}")
    out = Path(out_dir)
    name = f"gtsrb-{method}"
    check_folder(out, [f"{name}.safetensors", f"{name}.ckpt", f"{name}.scores.json"])
    split = train_validation_split(*load_npz(train_file))
    x, y = split["train"]
    vx, vy = split["validation"]
    every = max(1, len(vy) // ROBUST_VALIDATION_IMAGES)
    rx, ry = vx[::every][:ROBUST_VALIDATION_IMAGES], vy[::every][:ROBUST_VALIDATION_IMAGES]
    inner: BatchLoss = cross_entropy_loss
    if method == "pgd-at":
        inner = PGDAdversarialLoss(eps=EPS, steps=pgd_steps, warmup=warmup)
    elif method == "trades":
        inner = TradesLoss(eps=EPS, steps=pgd_steps, warmup=warmup)
    loss = Augmented(inner, road_sign_augmentation())
    scores_path = out / f"{name}.scores.json"
    scores = [EpochScore(**s) for s in json.loads(scores_path.read_text())] if resume and scores_path.exists() else []
    clock = [time.perf_counter()]

    def score(done: int) -> None:
        net.eval()
        with torch.no_grad():
            clean = sum(int((net(vx[i : i + 512]).argmax(1) == vy[i : i + 512]).sum()) for i in range(0, len(vy), 512))
        entry = EpochScore(done, clean / len(vy), robust_accuracy(net, rx, ry, EPS), time.perf_counter() - clock[0])
        clock[0] = time.perf_counter()
        save_weights(net, out / f"{name}.epoch{done}.safetensors")
        del scores[done - 1 :]
        scores.append(entry)
        scores_path.write_text(json.dumps([asdict(s) for s in scores], indent=1))
        if on_score is not None:
            on_score(entry)

    torch.manual_seed(seed)
    net = GtsrbCNN()
    finished = fit(
        net,
        x,
        y,
        loss,
        stage=method,
        epochs=epochs,
        batch_size=128,
        lr=lr,
        lr_schedule=lambda epoch: 0.5 * (1 + math.cos(math.pi * epoch / epochs)),
        seed=seed,
        checkpoint=out / f"{name}.ckpt",
        resume=resume,
        on_progress=on_progress,
        should_stop=should_stop,
        on_epoch=score,
    )
    if not finished:
        return None
    best = max(scores, key=lambda s: (s.clean if method == "standard" else s.robust, s.epoch))
    chosen = GtsrbCNN()
    from safetensors.torch import load_file

    chosen.load_state_dict(load_file(str(out / f"{name}.epoch{best.epoch}.safetensors")))
    metadata = {
        "method": method,
        "epochs": str(epochs),
        "chosen_epoch": str(best.epoch),
        "lr": str(lr),
        "seed": str(seed),
        "validation_clean": f"{best.clean:.4f}",
        "validation_robust_pgd10_8_255": f"{best.robust:.4f}",
        "train": f"{len(y)} images of GTSRB train.npz (last tenth of each class held out)",
    }
    if method != "standard":
        metadata |= {"eps": f"{EPS:.6f}", "pgd_steps": str(pgd_steps), "eps_warmup_epochs": str(warmup)}
    if method == "trades":
        metadata["beta"] = str(TradesLoss.beta)
    path = out / f"{name}.safetensors"
    save_weights(chosen, path, metadata, dtype=torch.float16)
    return path
