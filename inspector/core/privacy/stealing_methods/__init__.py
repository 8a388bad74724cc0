"""The stealing methods; importing a module registers its methods in
:data:`~inspector.core.privacy.stealing_method.STEALING_METHODS` (one line per module here)."""

from inspector.core.privacy.stealing_method import STEALING_METHODS
from inspector.core.privacy.stealing_methods import (
    copycat,  # noqa: F401, I001 - each import registers
    knockoff,  # noqa: F401
)

__all__ = ["STEALING_METHODS"]
