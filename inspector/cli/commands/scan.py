"""``inspector scan MODEL``: Neural Cleanse (Wang et al. 2019): is there a backdoor, and to which class?"""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json
from inspector.cli.arguments import count
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine
from inspector.core.poisoning.model_scan import MODEL_SCANS

NAME = "scan"
HELP = "scan a model for a backdoor with Neural Cleanse"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = describe(MODEL_SCANS)
    p.add_argument("model", help="built-in model name or model file (any format `inspector attack` loads)")
    p.add_argument("--weights", metavar="FILE", help="state dict for the architecture named by MODEL")
    p.add_argument(
        "--trust-model-code", action="store_true", help="load a whole pickled model or TorchScript (runs its code)"
    )
    p.add_argument(
        "--images",
        default="mnist-heldout",
        metavar="DATA",
        help="clean images to optimise on: mnist-heldout (default) or a labelled folder",
    )
    p.add_argument("--limit", type=count(), default=500, help="how many of them (default 500)")
    add_param_arguments(p, MODEL_SCANS)
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    import torch

    from inspector.core.evaluation.data import load_dataset
    from inspector.core.models.loading import load_model
    from inspector.core.poisoning.neural_cleanse import neural_cleanse

    with flag_errors(MODEL_SCANS):
        settings = MODEL_SCANS.make("neural-cleanse", param_values(args, MODEL_SCANS))
    model = load_model(args.model, "cpu", weights=args.weights, trust_code=args.trust_model_code)
    samples = load_dataset(args.images, model, limit=args.limit)
    x = torch.cat([s.load(model) for s in samples])

    def show(step, steps):
        if step % 10 == 0 or step == steps:
            line.show(f"Neural Cleanse step {step}/{steps}")

    with ProgressLine() as line:
        result = neural_cleanse(model, x, settings, on_progress=show)
    out = {"model": model.name, "images": len(x)} | result.to_dict()
    if args.json:
        print_json(out)
        return 0
    print(f"Neural Cleanse on {model.name} ({len(x)} clean images, {settings.steps} steps, {result.seconds:.0f} s)")
    print(f"  {'class':8s} {'mask L1':>8s} {'success':>8s} {'anomaly':>8s}")
    for row in out["classes"]:
        flag = "  FLAGGED" if row["flagged"] else ""
        print(
            f"  {row['name']:8s} {row['mask_l1']:8.1f} {row['attack_success']:8.0%} {row['anomaly_index']:8.2f}{flag}"
        )
    unreached = [row["name"] for row in out["classes"] if row["attack_success"] < settings.asr]
    if unreached:
        print(
            f"  no trigger reached {settings.asr:.0%} success for class(es) {', '.join(unreached)} "
            "(counted as the whole image): raise --steps"
        )
    verdict = ", ".join(str(k) for k in result.flagged) or "none"
    print(f"classes flagged (anomaly index > 2, smaller trigger than the median): {verdict}")
    return 0
