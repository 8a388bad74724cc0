"""How the forms name parameters and their choices: in words, with the paper's symbol.

"loss: cross-entropy" rather than "loss ce", "probes of the first estimate" rather than
"init evals". A name without an entry reads as itself with spaces. Plain Python (no Qt).
"""

from __future__ import annotations

#: Form labels of attack and defence parameters, by parameter name.
PARAM_LABELS = {
    "eps": "budget \u03b5",
    "step_size": "step size \u03b1",
    "steps": "steps",
    "norm": "distance",
    "loss": "loss",
    "rho": "step-halving threshold \u03c1",
    "momentum": "momentum \u03b1",
    "random_start": "random start",
    "early_stop": "stop once fooled",
    "binary_search_steps": "values of c searched",
    "learning_rate": "learning rate",
    "initial_const": "first trade-off c",
    "confidence": "confidence \u03ba",
    "abort_early": "abort early",
    "abort_window": "abort check every (steps)",
    "parallel_constants": "values of c at once",
    "overshoot": "overshoot \u03b7",
    "candidates": "classes considered",
    "decay": "momentum decay \u03bc",
    "diversity_prob": "transform probability p",
    "resize_ratio": "smallest resize",
    "max_queries": "query budget",
    "init_evals": "probes of the first estimate B\u2080",
    "max_evals": "most probes per estimate",
    "gamma": "binary-search threshold \u03b3",
    "theta": "change per feature \u03b8",
    "output": "outputs differentiated",
    "search_steps": "values of c searched",
    "ftol": "stop below improvement",
    "p_init": "first square fraction p",
    "quality": "JPEG quality",
    "sigma": "standard deviation \u03c3",
    "size": "window (pixels)",
    "bits": "bits per channel",
    "scale": "intermediate size",
    "min_scale": "smallest resize",
    "lr": "learning rate",
    "init_cost": "first L1 weight \u03bb",
    "asr": "attack success to reach",
    "max_grad_norm": "clipping norm C",
    "noise_multiplier": "noise multiplier \u03c3",
}

#: How a choice reads in a combo box, by its value (the value itself is what the form hands on).
CHOICE_LABELS = {
    "ce": "cross-entropy",
    "margin": "margin (C&W)",
    "dlr": "DLR (difference of logits ratio)",
    "linf": "Linf",
    "l2": "L2",
    "probabilities": "probabilities (JSMA-F)",
    "logits": "logits (JSMA-Z)",
}


def param_label(name: str) -> str:
    """The form label of parameter ``name``: ``"init_evals"`` -> ``"probes of the first estimate B\u2080"``."""
    return PARAM_LABELS.get(name, name.replace("_", " "))


def choice_label(value: str) -> str:
    """How choice ``value`` reads: ``"ce"`` -> ``"cross-entropy"``; itself where there is no entry."""
    return CHOICE_LABELS.get(value, value)
