"""Command-line options shared by ``inspector attack`` and ``inspector gui``, and reading them back.

Qt-free, so that the CLI and the GUI's launcher both use it without importing each other.
"""

from __future__ import annotations

import argparse

from inspector.arguments import count
from inspector.core.util.bounds import MAX_EOT_SAMPLES


def _param_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not of the form key=value")
    return key.strip(), value.strip()


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--model, --weights and --trust-model-code, shared by `classify`, `attack` and `gui`."""
    p.add_argument("--model", metavar="SPEC",
                   help="built-in model name, model file (.pt2, .onnx, TorchScript), or with --weights an "
                        "architecture name (default: efficientnet-lite0)")
    p.add_argument("--weights", metavar="FILE",
                   help="state dict (.safetensors, or torch.save'd) for the architecture named by --model")
    p.add_argument("--trust-model-code", action="store_true",
                   help="load a whole pickled model (torch.save(model)) or TorchScript; this runs code from the file")


def add_attack_options(p: argparse.ArgumentParser) -> None:
    """The attack options shared by `attack` and `gui`; read them back with :func:`attack_params`."""
    p.add_argument("--attack", default="pgd", help="attack name, see `inspector attacks` (default pgd)")
    p.add_argument("--preset", default="default",
                   help="parameter values to start from: default (budgets that finish in seconds on a CPU) or "
                        "paper (the published budgets); the flags below override them")
    p.add_argument("--eps", help="perturbation budget in [0, 1] units; fractions like 4/255 work")
    p.add_argument("--steps", help="iterations")
    p.add_argument("--step-size", help="step size in [0, 1] units, e.g. 1/255")
    p.add_argument("--norm", help="linf or l2")
    p.add_argument("--seed", help="random seed")
    p.add_argument("--param", action="append", type=_param_pair, default=[], metavar="KEY=VALUE",
                   help="any attack parameter (repeatable)")
    p.add_argument("--target", metavar="CLASS", help="targeted attack: class index or name")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")


def attack_params(args) -> dict:
    """Attack parameters: the values ``--preset`` sets, with the shorthand flags and the repeatable
    --param over them.

    Raises:
        ParameterError: an unknown preset.
    """
    from inspector.core.attacks import ATTACKS    # here, so that the command line starts without torch

    cls = ATTACKS.get(args.attack.strip().lower())
    params = cls.preset(args.preset) if cls is not None else {}    # an unknown attack is reported when built
    params.update({k: v for k, v in (("eps", args.eps), ("steps", args.steps), ("step_size", args.step_size),
                                     ("norm", args.norm), ("seed", args.seed)) if v is not None})
    params.update(dict(args.param))
    return params


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """--compare MODEL... and --compare-direct, shared by `attack` and `gui`."""
    p.add_argument("--compare", nargs="+", default=[], metavar="MODEL",
                   help="also classify the adversarial with these models (transfer), side by side")
    p.add_argument("--compare-direct", action="store_true", help="with --compare: also attack each model directly")


def add_defense_arguments(p: argparse.ArgumentParser) -> None:
    """The defence flags of ``attack``: --defense, --adaptive, --detect, --eot-samples, --calibration."""
    p.add_argument("--defense", action="append", default=[], metavar="SPEC",
                   help="input-transform defence as name:key=value,... (repeatable, applied in order), e.g. "
                        "jpeg:quality=75, blur:sigma=1, median:size=3, bitdepth:bits=4, resize:scale=0.5, "
                        "randpad:min_scale=0.85")
    p.add_argument("--adaptive", action="store_true",
                   help="attack the defended model (BPDA for non-differentiable defences, EOT for random ones)")
    p.add_argument("--detect", action="append", default=[], metavar="SPEC",
                   help="detector as name:key=value,... (repeatable): squeeze:bits=5,median=2 or dropout:samples=20")
    p.add_argument("--eot-samples", type=count(1, MAX_EOT_SAMPLES), default=8, metavar="N",
                   help="EOT draws per gradient for random defences in an adaptive attack (default 8)")
    p.add_argument("--calibration", metavar="DIR",
                   help="folder of clean images to calibrate detector thresholds on (default: the sample photos)")


def add_threat_model_arguments(p: argparse.ArgumentParser) -> None:
    """The threat-model flags shared by `attack` and `gui`: what the target answers a black-box attack,
    how fast, who watches; or the surrogates a transfer attack is computed on."""
    p.add_argument("--output-mode", default="probabilities", metavar="SPEC",
                   help="what each query of a black-box attack returns: probabilities (default), "
                        "rounded:decimals=2, topk:k=5, label (top-1 only) or noisy:sigma=0.01")
    p.add_argument("--throttle", metavar="RATE",
                   help="queries per client a black-box attack may send, e.g. 1/s, 60/min, 1/s:burst=10 "
                        "(simulated: reports the time the attacker would need)")
    p.add_argument("--stateful-detector", metavar="SPEC",
                   help="watch the queries for an attack: blacklight (Li et al. 2022) or similarity "
                        "(Chen et al. 2019; calibrates on --calibration DIR, or the shipped digits)")
    p.add_argument("--surrogate", action="append", default=[], metavar="MODEL",
                   help="transfer: compute the attack on this model (repeatable: their ensemble) and send "
                        "the adversarial to --model, which answers no query")


def threat_model_fields(args) -> dict:
    """The :class:`~inspector.core.evasion.recipe.Recipe` fields of the threat-model flags."""
    return {"output_mode": args.output_mode, "throttle": args.throttle,
            "stateful_detector": args.stateful_detector, "surrogates": list(args.surrogate)}
