"""Data scans: which training images carry a backdoor? The registry of them
(``inspector poison --scan NAME``, the Training-time workspace's Detectors).

A scan looks at a training set through the model trained on it and flags images. Each is one module
of :mod:`inspector.core.poisoning.scans` with one :class:`DataScanMethod` subclass decorated
``@DATA_SCANS.register``; its import in that package's ``__init__`` is the registration line. Scan
modules import torch inside :meth:`DataScanMethod.scan` only, so that the command line lists and
checks them without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from inspector.core.util.params import Configurable, Registry, coerce

if TYPE_CHECKING:
    import torch

    from inspector.core.poisoning.scan_result import DataScan

#: The data scans by name.
DATA_SCANS = Registry("data scan")


@dataclass
class DataScanMethod(Configurable):
    """One way to flag poisoned training images; subclasses set ``name``, ``title`` (also the
    ``method`` of the :class:`~inspector.core.poisoning.scan_result.DataScan` they return) and
    ``paper``, add their parameters and implement :meth:`scan`."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""

    def check(self) -> None:
        """Check every parameter (also of a scan built directly, not through :data:`DATA_SCANS`).

        Raises:
            ParameterError: a value out of its range; its ``param`` names the field.
        """
        for spec in self.params():
            coerce(spec, getattr(self, spec.name), f"data scan {self.name!r}")

    def scan(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int) -> DataScan:
        """Flag training images (x (N, C, H, W) in [0, 1], labels y (N,)) of ``model``, trained on them;
        ``seed`` seeds whatever the scan draws.

        Raises:
            ParameterError: a bad setting (see :meth:`check`).
            ModelError: the scan cannot read what it needs from the model.
        """
        raise NotImplementedError
