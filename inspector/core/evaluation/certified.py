"""Randomized smoothing (:mod:`inspector.core.certify`) over a data set: CERTIFY on each image and the certified accuracy
against the L2 radius, as Cohen, Rosenfeld and Kolter (2019, arXiv:1902.02918, figure 7 and
tables 1-2) report it: at radius r, the fraction of images the smoothed classifier classifies
correctly with a certified radius of at least r (an abstention counts as wrong).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from inspector.core.certify.bounds import certified_radius
from inspector.core.certify.settings import Smoothing
from inspector.core.certify.smoothed import certify
from inspector.core.evaluation.data import Sample
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.models.classifier import Classifier
from inspector.core.util.bounds import MAX_COUNT

#: Radii of the default curve, every RADIUS_STEP up to the largest certifiable one.
RADIUS_STEP = 0.25


@dataclass(frozen=True)
class CertifiedImage:
    """One image's certificate: ``label`` its true class, ``predicted`` the smoothed class (None:
    abstained), ``radius`` the certified L2 radius (0 when abstained), ``clean`` the base
    classifier's class on the image itself, ``seconds`` the time CERTIFY took."""

    id: str
    label: int
    predicted: int | None
    radius: float
    p_lower: float
    clean: int
    seconds: float

    @property
    def certified_correct(self) -> bool:
        return self.predicted == self.label


@dataclass
class CertificationResult:
    """CERTIFY over a data set: the settings, one :class:`CertifiedImage` per image done, and
    whether a stop request cut it short."""

    model: str
    data: str
    smoothing: Smoothing
    images: list[CertifiedImage] = field(default_factory=list)
    stopped: bool = False

    @property
    def abstentions(self) -> int:
        return sum(image.predicted is None for image in self.images)

    @property
    def clean_accuracy(self) -> float:
        """The base classifier's accuracy on the clean images, in [0, 1] (nan for none)."""
        return sum(i.clean == i.label for i in self.images) / len(self.images) if self.images else math.nan

    @property
    def seconds(self) -> float:
        return sum(i.seconds for i in self.images)

    def max_radius(self) -> float:
        """The largest radius CERTIFY can give with these n and alpha: every sample of the class
        (pA_lower = alpha^(1/n))."""
        return certified_radius(self.smoothing.sigma, self.smoothing.alpha ** (1 / self.smoothing.n))

    def default_radii(self) -> list[float]:
        """0, 0.25, 0.5, ... up to :meth:`max_radius` (rounded up to the step)."""
        steps = math.ceil(self.max_radius() / RADIUS_STEP)
        return [RADIUS_STEP * k for k in range(steps + 1)]

    def curve(self, radii: list[float] | None = None) -> list[dict]:
        """Certified accuracy at each radius (default :meth:`default_radii`): rows of ``radius``,
        ``accuracy`` in [0, 1], ``certified`` (images), ``n`` and ``ci`` (95 % Wilson interval)."""
        n = len(self.images)
        rows = []
        for r in self.default_radii() if radii is None else radii:
            k = sum(i.certified_correct and i.radius >= r for i in self.images)
            rows.append(
                {"radius": r, "accuracy": k / n if n else math.nan, "certified": k, "n": n, "ci": wilson_interval(k, n)}
            )
        return rows

    def to_dict(self, radii: list[float] | None = None) -> dict:
        """A JSON-ready summary: settings, counts, the curve and the per-image certificates."""
        return {
            "model": self.model,
            "data": self.data,
            "smoothing": self.smoothing.values(),
            "images": len(self.images),
            "abstentions": self.abstentions,
            "clean_accuracy": self.clean_accuracy,
            "seconds": self.seconds,
            "stopped": self.stopped,
            "curve": self.curve(radii),
            "per_image": [
                {
                    "id": i.id,
                    "label": i.label,
                    "predicted": i.predicted,
                    "radius": i.radius,
                    "p_lower": i.p_lower,
                    "clean": i.clean,
                }
                for i in self.images
            ],
        }


def certify_samples(
    model: Classifier,
    samples: list[Sample],
    smoothing: Smoothing,
    *,
    data: str = "",
    on_image: Callable[[int, CertifiedImage], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CertificationResult:
    """CERTIFY each of ``samples`` in order with ``model`` as the base classifier (:func:`certify_sample`).

    ``on_image(i, certificate)`` is called after each image; ``should_stop`` is checked between noise batches.

    Raises:
        ImageError: an image cannot be read.
    """
    result = CertificationResult(model.name, data, smoothing)
    for i, sample in enumerate(samples):
        image = certify_sample(model, sample, i, smoothing, should_stop)
        if image is None:
            result.stopped = True
            break
        result.images.append(image)
        if on_image is not None:
            on_image(i, image)
    return result


def certify_sample(
    model: Classifier, sample: Sample, index: int, smoothing: Smoothing, should_stop: Callable[[], bool] | None = None
) -> CertifiedImage | None:
    """CERTIFY ``sample``, the data set's image number ``index``, with ``model`` (put in eval mode) as
    the base classifier; None if ``should_stop`` said so between noise batches.

    The noise is seeded with ``smoothing.seed * MAX_COUNT + index``, so the same settings on the same
    device give the same certificate, whatever images were certified before it (a resumed evaluation's too).

    Raises:
        ImageError: the image cannot be read.
    """
    start = time.perf_counter()
    model.eval()
    x = sample.load(model).to(model.device)
    with torch.no_grad():
        clean = int(model(x).argmax(1))
    found = certify(model, x, smoothing, seed=smoothing.seed * MAX_COUNT + index, should_stop=should_stop)
    if found is None:
        return None
    return CertifiedImage(
        sample.id, sample.label, found.label, found.radius, found.p_lower, clean, time.perf_counter() - start
    )
