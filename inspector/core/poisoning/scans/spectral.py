"""Spectral signatures (Tran et al. 2018, arXiv:1811.00636): see :mod:`inspector.core.poisoning.spectral`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.poisoning.data_scan import DATA_SCANS, DataScanMethod
from inspector.core.util.params import param


@DATA_SCANS.register
@dataclass
class SpectralSignatures(DataScanMethod):
    """Per label, each image scored by its squared projection on the top singular vector of the
    centred penultimate activations; the 1.5 x ``expected_rate`` highest of each label are flagged."""

    name = "spectral"
    title = "spectral signatures"
    paper = "Tran et al. 2018, arXiv:1811.00636"

    expected_rate: float = param(
        0.1,
        "the fraction of each label one expects poisoned (1.5 times it is flagged; ART's default 0.33)",
        above=0,
        maximum=2 / 3,
    )

    def scan(self, model, x, y, *, seed):
        from inspector.core.poisoning.features import penultimate
        from inspector.core.poisoning.scan_result import DataScan
        from inspector.core.poisoning.spectral import flag_outliers

        self.check()
        return DataScan(self.title, flag_outliers(penultimate(model, x), y, self.expected_rate), y)
