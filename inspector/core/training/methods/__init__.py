"""The training methods, one module each; importing one registers it in
:data:`~inspector.core.training.method.TRAINING_METHODS` (one line per method here)."""

# ruff: noqa: I001 - the import order is the registration order (listings, default choices)
from inspector.core.training.method import TRAINING_METHODS
from inspector.core.training.methods import standard  # noqa: F401 - each import registers one
from inspector.core.training.methods import pgd_at  # noqa: F401
from inspector.core.training.methods import distilled  # noqa: F401
from inspector.core.training.methods import dp  # noqa: F401

__all__ = ["TRAINING_METHODS"]
