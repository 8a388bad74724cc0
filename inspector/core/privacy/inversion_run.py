"""Model inversion of an MNIST model, every class, scored: ``inspector invert`` and the Privacy workspace.

Each class is reconstructed with MI-Face (:mod:`inspector.core.privacy.inversion`),
quantised to 8 bits, then scored:

- by the model itself (its top-1 and probability for the class);
- by every other shipped MNIST model ("does another model see the class?");
- by SSIM (:mod:`inspector.core.privacy.ssim`) to the mean of the held-out
  digits of that class, and by whether the reconstruction is closer (in SSIM) to
  its own class mean than to any other class mean.

Ten reconstructions make a small sample: the counts come with Wilson intervals,
wide at n = 10, and a difference between models must exceed them to count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from inspector.core.io.files import write_files
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import MNIST_MODELS
from inspector.core.privacy.data import held_out
from inspector.core.privacy.fidelity import rate
from inspector.core.privacy.inversion import InversionStep, MIFace
from inspector.core.privacy.plots import inversion_grid
from inspector.core.privacy.ssim import ssim
from inspector.core.util.errors import ParameterError

GRID = "inversion.png"
RESULT = "inversion.json"


@dataclass
class InversionConfig:
    """Invert ``model`` (a built-in MNIST model or a 28x28 grey 10-class model file) with MI-Face ``attack``;
    ``judges``: the models that score the reconstructions (None: the shipped MNIST models other than ``model``)."""

    model: str = "mnist-standard"
    attack: MIFace = field(default_factory=MIFace)
    judges: list[str] | None = None

    def judge_names(self) -> list[str]:
        return self.judges if self.judges is not None else [m for m in MNIST_MODELS if m != self.model]


@dataclass
class InversionReport:
    """The reconstructions of one model and their scores (see the module docstring).

    ``images`` (10, 1, 28, 28) in [0, 1], 8-bit; ``rows``: one dict per class; ``summary``: the rates.
    """

    config: InversionConfig
    images: torch.Tensor
    rows: list[dict]
    summary: dict
    seconds: float
    stopped: bool

    def to_dict(self) -> dict:
        config = {"model": self.config.model, "attack": asdict(self.config.attack), "judges": self.config.judge_names()}
        return {
            "config": config,
            "rows": self.rows,
            "summary": self.summary,
            "seconds": self.seconds,
            "stopped": self.stopped,
            "recipe": f"inspector invert --model {self.config.model} "
            f"--max-iterations {self.config.attack.max_iterations}",
        }

    def grid(self):
        """The 1 x 10 grid of reconstructions, each captioned with the model's probability for its class."""
        captions = [f"p={row['probability']:.2f}" for row in self.rows]
        return inversion_grid([(self.config.model, self.images, captions)])

    def save(self, out: str | Path) -> dict[str, Path]:
        """Write ``inversion.png`` and ``inversion.json`` into ``out``, both or neither. Raises ExportError."""
        import json

        text = json.dumps(self.to_dict(), indent=2) + "\n"
        grid = self.grid()
        return write_files(
            out, {GRID: lambda p: grid.save(p, format="PNG"), RESULT: lambda p: p.write_text(text, encoding="utf-8")}
        )


def class_means() -> torch.Tensor:
    """The mean of the held-out digits of each class, (10, 1, 28, 28) in [0, 1]."""
    x, y = held_out()
    return torch.stack([x[y == c].mean(0) for c in range(10)])


def invert_model(
    config: InversionConfig,
    *,
    model: Classifier | None = None,
    on_step: Callable[[InversionStep], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> InversionReport:
    """Reconstruct every class of ``config.model`` and score the reconstructions.

    Raises:
        ModelError: unknown model or judge. ParameterError: a model that is not 10-class 28x28 grey,
            or bad MI-Face settings.
    """
    attack = config.attack
    attack.check()
    model = model if model is not None else load_model(config.model, "cpu")
    judges = {name: load_model(name, "cpu") for name in config.judge_names()}
    for m in (model, *judges.values()):
        if tuple(m.input_size) != (28, 28) or m.channels != 1 or len(m.class_names) != 10:
            raise ParameterError(f"{m.name}: model inversion here needs a 10-class model of 28x28 grey digits")
    start = time.perf_counter()
    classes = torch.arange(10)
    result = attack.run(model, classes, (1, 28, 28), on_step=on_step, should_stop=should_stop)
    images = (result.images * 255).round() / 255
    with torch.no_grad():
        probabilities = model(images).softmax(1)
        judged = {name: judge(images).argmax(1) for name, judge in judges.items()}
    means = class_means()
    similarity = torch.stack([ssim(images, means[c].expand_as(images)) for c in range(10)], 1)  # (10 images, 10 means)
    rows = []
    for c in range(10):
        rows.append(
            {
                "class": c,
                "probability": float(probabilities[c, c]),
                "top1": int(probabilities[c].argmax()),
                "iterations": int(result.iterations[c]),
                "cost": float(result.cost[c]),
                "judges": {name: int(pred[c]) for name, pred in judged.items()},
                "ssim": float(similarity[c, c]),
                "closest_mean": int(similarity[c].argmax()),
            }
        )
    summary = {
        "self": rate(sum(r["top1"] == r["class"] for r in rows), 10),
        "judges": {name: rate(int((pred == classes).sum()), 10) for name, pred in judged.items()},
        "ssim_mean": float(similarity.diagonal().mean()),
        "ssim_grey_start": float(ssim(torch.full_like(means, attack.start), means).mean()),
        "closest_to_own_mean": rate(int((similarity.argmax(1) == classes).sum()), 10),
    }
    return InversionReport(config, images, rows, summary, time.perf_counter() - start, result.stopped)
