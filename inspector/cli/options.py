"""Command-line options shared by several commands: the model, the defences, the models to compare
with and the threat model. (The attack flags are in :mod:`inspector.attack_flags`, which the GUI's
launcher reads too.)
"""

from __future__ import annotations

import argparse

from inspector.cli.arguments import count
from inspector.core.util.bounds import MAX_EOT_SAMPLES


def add_model_options(p: argparse.ArgumentParser, *, trust_code: bool = True) -> None:
    """--model, --weights and (with ``trust_code``) --trust-model-code, shared by `classify`, `attack`,
    `gui` and `harden` (which trains state dicts only, and takes --model without a default)."""
    p.add_argument(
        "--model",
        metavar="SPEC",
        required=not trust_code,
        help="built-in model name, or with --weights an architecture name"
        if not trust_code
        else "built-in model name, model file (.pt2, .onnx, TorchScript), or with --weights an "
        "architecture name (default: efficientnet-lite0)",
    )
    p.add_argument(
        "--weights",
        metavar="FILE",
        help="state dict (.safetensors, or torch.save'd) for the architecture named by --model",
    )
    if not trust_code:
        return
    p.add_argument(
        "--trust-model-code",
        action="store_true",
        help="load a whole pickled model (torch.save(model)) or TorchScript; this runs code from the file",
    )


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """--compare MODEL... and --compare-direct, shared by `attack` and `gui`."""
    p.add_argument(
        "--compare",
        nargs="+",
        default=[],
        metavar="MODEL",
        help="also classify the adversarial with these models (transfer), side by side",
    )
    p.add_argument("--compare-direct", action="store_true", help="with --compare: also attack each model directly")


def add_defense_arguments(p: argparse.ArgumentParser) -> None:
    """The defence flags of ``attack``: --defense, --adaptive, --detect, --ensemble, --ensemble-rule,
    --eot-samples, --calibration."""
    add_defense_spec_argument(p)
    p.add_argument(
        "--adaptive",
        action="store_true",
        help="attack the defended model (BPDA for non-differentiable defences, EOT for random ones)",
    )
    p.add_argument(
        "--detect",
        action="append",
        default=[],
        metavar="SPEC",
        help="detector as name:key=value,... (repeatable): squeeze:bits=5,median=2, dropout:samples=20, "
        "realism:statistic=tv (an --adaptive attack adds the realism statistic as a penalty) or "
        "learned:file=DETECTOR.safetensors (see `inspector detector train`)",
    )
    p.add_argument(
        "--ensemble",
        type=model_list,
        default=[],
        metavar="M1,M2,...",
        help="defend with an ensemble of --model and these models (He et al. 2017): the non-adaptive "
        "attack is made on --model alone, the --adaptive one on the ensemble",
    )
    p.add_argument(
        "--ensemble-rule",
        choices=("mean", "vote"),  # RULES of inspector.core.defenses.ensemble, without importing torch
        default="mean",
        help="how the ensemble decides: mean probability (default) or majority vote (attacked adaptively "
        "through the mean probabilities)",
    )
    p.add_argument(
        "--eot-samples",
        type=count(1, MAX_EOT_SAMPLES),
        default=8,
        metavar="N",
        help="EOT draws per gradient for random defences in an adaptive attack (default 8)",
    )
    p.add_argument(
        "--calibration",
        metavar="DIR",
        help="folder of clean images to calibrate detector thresholds on (default: the sample photos)",
    )


def model_list(text: str) -> list[str]:
    """``"m1,m2"`` -> ``["m1", "m2"]``; an empty name is refused (argparse exits 2 with the message)."""
    names = [n.strip() for n in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{text!r}: expected model names separated by commas, e.g. mnist-pgd-at")
    return names


def add_defense_spec_argument(p: argparse.ArgumentParser) -> None:
    """``--defense SPEC`` (repeatable, applied in order), into ``args.defense``, a list of specs."""
    p.add_argument(
        "--defense",
        action="append",
        default=[],
        metavar="SPEC",
        help="input-transform defence as name:key=value,... (repeatable, applied in order), e.g. "
        "jpeg:quality=75, blur:sigma=1, median:size=3, bitdepth:bits=4, resize:scale=0.5, "
        "randpad:min_scale=0.85",
    )


def add_threat_model_arguments(p: argparse.ArgumentParser) -> None:
    """The threat-model flags shared by `attack` and `gui`: what the target answers a black-box attack,
    how fast, who watches; or the surrogates a transfer attack is computed on."""
    p.add_argument(
        "--output-mode",
        default="probabilities",
        metavar="SPEC",
        help="what each query of a black-box attack returns: probabilities (default), "
        "rounded:decimals=2, topk:k=5, label (top-1 only) or noisy:sigma=0.01",
    )
    p.add_argument(
        "--throttle",
        metavar="RATE",
        help="queries per client a black-box attack may send, e.g. 1/s, 60/min, 1/s:burst=10 "
        "(simulated: reports the time the attacker would need)",
    )
    p.add_argument(
        "--stateful-detector",
        metavar="SPEC",
        help="watch the queries for an attack: blacklight (Li et al. 2022) or similarity "
        "(Chen et al. 2019; calibrates on --calibration DIR, or the shipped digits)",
    )
    p.add_argument(
        "--surrogate",
        action="append",
        default=[],
        metavar="MODEL",
        help="transfer: compute the attack on this model (repeatable: their ensemble) and send "
        "the adversarial to --model, which answers no query",
    )


def threat_model_fields(args) -> dict:
    """The :class:`~inspector.core.evasion.recipe.Recipe` fields of the threat-model flags."""
    return {
        "output_mode": args.output_mode,
        "throttle": args.throttle,
        "stateful_detector": args.stateful_detector,
        "surrogates": list(args.surrogate),
    }
