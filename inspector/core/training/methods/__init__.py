"""The training methods, one module each; importing one registers it in
:data:`~inspector.core.training.method.TRAINING_METHODS` (one line per method here)."""

# ruff: noqa: I001 - the import order is the registration order (listings, default choices)
from inspector.core.training.method import TRAINING_METHODS
from inspector.core.training.methods import standard  # noqa: F401 - each import registers one
from inspector.core.training.methods import pgd_at  # noqa: F401
from inspector.core.training.methods import distilled  # noqa: F401
from inspector.core.training.methods import dp  # noqa: F401
from inspector.core.training.methods import trades  # noqa: F401
from inspector.core.training.methods import fast_at  # noqa: F401
from inspector.core.training.methods import fgsm_aug  # noqa: F401
from inspector.core.training.methods import gaussian  # noqa: F401
from inspector.core.training.method import AdversarialMethod
from inspector.core.util.params import Registry

#: The methods ``inspector harden`` trains any network with: those of TRAINING_METHODS that are
#: :class:`~inspector.core.training.method.AdversarialMethod`, in the same order.
HARDENING_METHODS = Registry("hardening method")
for _method in TRAINING_METHODS.values():
    if issubclass(_method, AdversarialMethod):
        HARDENING_METHODS.register(_method)

__all__ = ["HARDENING_METHODS", "TRAINING_METHODS"]
