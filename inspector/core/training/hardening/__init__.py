"""``inspector harden``: adversarial fine-tuning of a model the tool loads, on the user's labelled data.

:mod:`.source` (which models train, and a trainable copy), :mod:`.dataset` (the data in memory and
the validation split), :mod:`.scores` (accuracy with intervals), :mod:`.card` (the model card),
:mod:`.run` (:func:`harden`).
"""

from inspector.core.training.hardening.run import DEFAULT_EPS, EpochScore, HardenReport, harden

__all__ = ["DEFAULT_EPS", "EpochScore", "HardenReport", "harden"]
