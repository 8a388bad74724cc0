"""The Training-time workspace's long work, as :class:`~inspector.gui.jobs.Job` functions.

:func:`poison_job` trains one backdoored model per configuration (resuming from
a checkpoint when one is there) and measures it; :func:`scan_job` runs Neural
Cleanse; :func:`detect_job` runs STRIP and the registered data scans on the last trained model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from inspector.core.poisoning.neural_cleanse import CleanseResult, CleanseSettings, neural_cleanse
from inspector.core.poisoning.train import BackdoorConfig, BackdoorReport, train_backdoor
from inspector.gui.jobs import Job, draws_global_rng


@dataclass
class Trained:
    """A finished (or stopped) training: its report, and where it is in the list of configurations."""

    number: int
    total: int
    report: BackdoorReport


@draws_global_rng
def poison_job(
    job: Job, configs: list[BackdoorConfig], checkpoints: list[Path], limit: int | None = None
) -> list[Trained]:
    """Train each configuration in turn; report :class:`Progress` per batch and :class:`Trained` per model.

    Stops at the first cancelled training (its checkpoint stays, to resume).
    """
    done = []
    for i, (config, checkpoint) in enumerate(zip(configs, checkpoints, strict=True)):
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        report = train_backdoor(
            config, checkpoint=checkpoint, resume=True, limit=limit, on_progress=job.report, should_stop=job.cancelled
        )
        trained = Trained(i + 1, len(configs), report)
        if report.finished:
            checkpoint.unlink(missing_ok=True)
            job.report(trained)
        done.append(trained)
        if not report.finished:
            break
    return done


def scan_job(job: Job, model: torch.nn.Module, x_clean: torch.Tensor, settings: CleanseSettings) -> CleanseResult:
    """Neural Cleanse on ``model``, reporting (step, steps) tuples."""
    return neural_cleanse(
        model, x_clean, settings, on_progress=lambda s, n: job.report((s, n)), should_stop=job.cancelled
    )


def detect_job(job: Job, report: BackdoorReport) -> list[str]:
    """STRIP at 1 % FPR on the held-out digits, and every data scan (its defaults) on the poisoned training set:
    one line each."""
    from inspector.core.defenses import make_detector
    from inspector.core.io.datasets.mnist import heldout_digits, mnist_split
    from inspector.core.poisoning.scans import DATA_SCANS
    from inspector.core.poisoning.success import Rate
    from inspector.core.poisoning.train import poison_training_set

    net, config = report.net.eval(), report.config
    x, y = heldout_digits()
    strip = make_detector("strip", {"fpr": 0.01})
    threshold = strip.calibrate(net, x[:1000])
    others = x[1000:][y[1000:] != config.attack.target]
    flagged = int((strip.score(net, report.trigger.apply(others)) > threshold).sum())
    false = int((strip.score(net, others) > threshold).sum())
    lines = [
        f"STRIP at 1 % FPR: flags {Rate(flagged, len(others))} of triggered digits, "
        f"{Rate(false, len(others))} of clean ones"
    ]
    train_x, train_y = mnist_split()["train"]
    poisoned = poison_training_set(config, train_x, train_y)
    for name in DATA_SCANS:
        if job.cancelled():
            break
        result = DATA_SCANS.make(name).scan(net, poisoned.x, poisoned.y, seed=config.seed)
        tpr, fpr = result.rates(poisoned.indices)
        classes = [c for c, v in result.per_class().items() if v]
        lines.append(f"{result.method}: TPR {tpr}, FPR {fpr}; flagged in classes {classes}")
    return lines
