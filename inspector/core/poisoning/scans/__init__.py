"""The data scans, one module each; importing one registers it in
:data:`~inspector.core.poisoning.data_scan.DATA_SCANS` (one line per scan here)."""

# ruff: noqa: I001 - the import order is the registration order (listings, default choices)
from inspector.core.poisoning.data_scan import DATA_SCANS
from inspector.core.poisoning.scans import activation_clustering  # noqa: F401 - each import registers one
from inspector.core.poisoning.scans import spectral  # noqa: F401

__all__ = ["DATA_SCANS"]
