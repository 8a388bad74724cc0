"""Common corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261): the 15 corruptions at five
severities (:mod:`~inspector.core.corruptions.registry`), and the measures of a model under them
(:mod:`~inspector.core.corruptions.benchmark`). This package module imports nothing, so that
:mod:`~inspector.core.corruptions.names` is read without torch."""
