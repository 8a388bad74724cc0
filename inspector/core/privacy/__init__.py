"""Privacy attacks on a model's confidentiality (no Qt): membership inference in
:mod:`inspector.core.privacy.membership`."""
