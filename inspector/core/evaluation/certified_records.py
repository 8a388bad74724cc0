"""Randomized-smoothing certificates within an evaluation (``inspector evaluate --certify``): CERTIFY
(Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918) on each evaluated image, one record per image in
``results.jsonl`` beside the attacks' records, so that a stopped evaluation resumes its certificates too::

    {"image": "mnist-8000", "index": 0, "label": 4, "attack": "certify", "eps": null, "setting": "none",
     "variant": "main", "smoothed": 4, "radius": 0.61, "p_lower": 0.9934, "clean": 4, "seconds": 2.1}

``smoothed`` is the smoothed classifier's class (null: it abstained), ``radius`` the certified L2 radius
in [0, 1] pixel units, ``p_lower`` the lower confidence bound on the class's probability under noise,
``clean`` the base classifier's class on the image itself. The certificates are of the bare model
(defences play no part). :func:`certification` gathers them into the curve of
:class:`~inspector.core.evaluation.certified.CertificationResult`; :data:`CURVE` is the file the
finished curve is written to.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.core.certify.settings import Smoothing
from inspector.core.evaluation.certified import CertificationResult, CertifiedImage, certify_sample
from inspector.core.evaluation.data import Sample
from inspector.core.io.files import write_atomically
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import InspectorError, ParameterError
from inspector.core.util.messages import one_line

if TYPE_CHECKING:
    from inspector.core.evaluation.records import RecordStore

#: The ``attack`` of a certificate record.
CERTIFY = "certify"
#: The rest of a certificate record's key (attack, eps, setting, variant).
KEY = (CERTIFY, None, "none", "main")
#: The file of the finished certified-accuracy curve in the results folder (written, never read back).
CURVE = "certified.json"
#: The largest certified radius a record may hold: sigma (at most 10) times Phi^-1 of a bound below 1
#: in double precision (at most 8.3).
MAX_RADIUS = 100.0
#: What CERTIFY may raise on one image (it cannot be read, the model fails on it); recorded, not fatal.
FAILURES = (InspectorError, RuntimeError, ValueError, FloatingPointError)


def certificate_record(index: int, image: CertifiedImage) -> dict:
    """The record of image number ``index``'s certificate."""
    return {
        "image": image.id,
        "index": index,
        "label": image.label,
        "attack": CERTIFY,
        "eps": None,
        "setting": "none",
        "variant": "main",
        "smoothed": image.predicted,
        "radius": image.radius,
        "p_lower": image.p_lower,
        "clean": image.clean,
        "seconds": image.seconds,
    }


def check_certificate(record: dict, bad: Callable[[str], Exception], classes: int) -> None:
    """Refuse a certificate record (read from a file, perhaps an attacker's) whose fields are not
    of their type and range: ``label`` and ``clean`` classes below ``classes``, ``smoothed`` one or
    null, ``radius`` in [0, MAX_RADIUS] (0 when abstained), ``p_lower`` in [0, 1], ``seconds`` >= 0.

    Raises:
        the exception ``bad(what)`` makes, naming the field.
    """
    for name in ("label", "clean", "smoothed"):
        value = record.get(name)
        if name == "smoothed" and value is None:
            continue
        if type(value) is not int or not 0 <= value < classes:
            raise bad(f"{name!r} {one_line(repr(value), 24)} is not a class of the model (0 to {classes - 1})")
    for name, low, high in (("radius", 0.0, MAX_RADIUS), ("p_lower", 0.0, 1.0), ("seconds", 0.0, math.inf)):
        number = record.get(name)
        if not isinstance(number, (int, float)) or isinstance(number, bool) or not low <= number <= high:
            raise bad(f"{name!r} must be a number from {low:g} to {high:g}")
    if record["smoothed"] is None and record["radius"] != 0:
        raise bad("'radius' must be 0 where the smoothed classifier abstained")


def certify_images(
    model: Classifier,
    samples: list[Sample],
    smoothing: Smoothing,
    store: RecordStore,
    should_stop: Callable[[], bool] | None,
    report: Callable[[int], None],
) -> bool:
    """CERTIFY each of ``samples`` that ``store`` holds no certificate of (nor a failure to load), in
    order, adding each image's record as it is done (image i's noise depends on i alone, so a resumed
    run gives an uninterrupted one's certificates); an image CERTIFY fails on gets an error record.
    ``report(i)`` is told before image i. Returns whether ``should_stop`` stopped it (between noise batches).
    """
    for index, sample in enumerate(samples):
        if store.done(sample.id, KEY):
            continue
        report(index)
        try:
            image = certify_sample(model, sample, index, smoothing, should_stop)
        except FAILURES as exc:
            failure = {"image": sample.id, "index": index, "attack": CERTIFY, "eps": None, "setting": "none"}
            store.add([failure | {"variant": "main", "error": one_line(exc)}])
            continue
        if image is None:
            return True
        store.add([certificate_record(index, image)])
    return False


def certification(model: str, data: str, settings: dict, records: list[dict]) -> CertificationResult:
    """The certificates among ``records`` (good ones, any order) as a result over ``data``, in image order.

    Raises:
        ParameterError: ``settings`` are not those of a :class:`Smoothing`.
    """
    result = CertificationResult(model, data, smoothing_of(settings))
    for r in sorted((r for r in records if r["attack"] == CERTIFY and not r.get("error")), key=lambda r: r["index"]):
        result.images.append(
            CertifiedImage(r["image"], r["label"], r["smoothed"], r["radius"], r["p_lower"], r["clean"], r["seconds"])
        )
    return result


def smoothing_of(settings: dict) -> Smoothing:
    """The :class:`Smoothing` of a configuration's ``smoothing`` settings (by parameter name).

    Raises:
        ParameterError: an unknown setting or a value out of range, naming it.
    """
    known = {spec.name for spec in Smoothing.params()}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ParameterError(
            f"randomized smoothing has no setting {one_line(unknown[0], 40)!r}; known: {', '.join(known)}"
        )
    return Smoothing(**settings)


def write_curve(folder: str | os.PathLike, result: CertificationResult) -> None:
    """Write the certified-accuracy curve and the certificates (:meth:`CertificationResult.to_dict`) to
    ``folder``/:data:`CURVE`, atomically.

    Raises:
        ExportError: it cannot be written.
    """
    text = json.dumps(result.to_dict(), indent=1)
    write_atomically(Path(folder) / CURVE, lambda fh: fh.write(text.encode("utf-8")))
