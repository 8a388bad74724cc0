"""Figures of the training-time attacks and their defences, on the MNIST split.

    PYTHONPATH=. python bench/poisoning.py [--parts sweep,triggers,clean-label,detectors,strip,cleanse]
                                           [--cache out/poisoning]

sweep        BadNets with the corner pixel pattern, target 0, at 0.1, 0.5, 1 and 5 % of the
             8,000 training digits: clean accuracy and attack success on the 2,000 held-out digits
triggers     the patch and blend triggers at 1 %
clean-label  Turner et al. 2019 at 10 % of the target class, PGD (Linf 0.3, L2 5 and 8) from mnist-pgd-at
detectors    activation clustering and spectral signatures on the 1 % pixel set: TPR / FPR
strip        STRIP's TPR at 1 % FPR on triggered vs clean held-out digits, mnist-backdoor
cleanse      Neural Cleanse on mnist-backdoor and the three clean models: anomaly index, time
             (--cleanse-steps, --cleanse-batch: the budget; default the CLI's 300 x 32)

Each trained model is cached in --cache (weights and figures), so a rerun only
trains what is missing; every figure has its Wilson 95 % interval.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from safetensors.torch import load_file

from inspector.core.models.zoo.mnist_cnn import MnistCNN, save_weights
from inspector.core.poisoning.attacks.badnets import BadNets
from inspector.core.poisoning.attacks.clean_label import CleanLabel
from inspector.core.poisoning.train import SWEEP_RATES, BackdoorConfig, train_backdoor


def trained(config: BackdoorConfig, cache: Path) -> tuple[dict, MnistCNN]:
    """Train ``config`` (or read it from the cache): its report as a dict, and the network."""
    key = "-".join(f"{k}={v}" for k, v in config.to_dict().items())
    figures, weights = cache / f"{key}.json", cache / f"{key}.safetensors"
    net = MnistCNN()
    if figures.is_file() and weights.is_file():
        net.load_state_dict(load_file(str(weights)))
        return json.loads(figures.read_text()), net.eval()
    report = train_backdoor(config)
    out = report.to_dict() | {"poisoned_indices": report.poisoned.tolist()}
    cache.mkdir(parents=True, exist_ok=True)
    save_weights(report.net, weights)
    figures.write_text(json.dumps(out))
    return out, report.net


def show(label: str, out: dict) -> None:
    def rate(d):
        return f"{100 * d['rate']:.1f} % [{100 * d['ci95'][0]:.1f}, {100 * d['ci95'][1]:.1f}]"

    print(
        f"| {label} | {out['poisoned_count']} | {rate(out['clean_accuracy'])} | {rate(out['attack_success'])} "
        f"| {out['seconds']:.0f} s |",
        flush=True,
    )


def part_sweep(cache: Path) -> None:
    print("\nBadNets, corner pixel pattern, target 0 (held-out: 2,000 clean; ASR over the non-0 digits)")
    print("| poison rate | poisoned digits | clean accuracy | attack success | training time |\n|---|---|---|---|---|")
    for rate in SWEEP_RATES:
        show(f"{100 * rate:g} %", trained(BackdoorConfig(BadNets(trigger="pixel", rate=rate)), cache)[0])


def part_triggers(cache: Path) -> None:
    print("\nBadNets at 1 %, target 0, per trigger")
    print("| trigger | poisoned digits | clean accuracy | attack success | training time |\n|---|---|---|---|---|")
    for trigger in ("pixel", "patch", "blend"):
        show(trigger, trained(BackdoorConfig(BadNets(trigger=trigger, rate=0.01)), cache)[0])


#: Clean-label settings: Linf 0.3 (the proxy's own budget), ART's L2 5, and the default L2 8 over two seeds.
CLEAN_LABEL_ROWS = [
    BackdoorConfig(CleanLabel(trigger="patch", size=4, rate=0.1, norm=norm, eps=eps, steps=steps), epochs, seed)
    for norm, eps, steps, seed, epochs in (
        ("linf", 0.3, 20, 0, 6),
        ("l2", 5.0, 200, 0, 6),
        ("l2", 8.0, 200, 0, 6),
        ("l2", 8.0, 200, 1, 6),
        ("l2", 8.0, 200, 1, 12),
    )
]


def part_clean_label(cache: Path) -> None:
    print(
        "\nClean-label backdoor (Turner et al. 2019): target 0, labels kept, 4x4 patch, 10 % of the 0s, "
        "untargeted PGD (200 steps for l2, 20 for linf) on mnist-pgd-at"
    )
    print(
        "| PGD | seed | epochs | poisoned digits | clean accuracy | attack success | time |\n"
        "|---|---|---|---|---|---|---|"
    )
    for config in CLEAN_LABEL_ROWS:
        out = trained(config, cache)[0]
        print(
            f"| {config.attack.norm} eps {config.attack.budget():g} | {config.seed} | {config.epochs} | {out['poisoned_count']} "
            f"| {_rate(out['clean_accuracy'])} "
            f"| {_rate(out['attack_success'])} | {out['seconds']:.0f} s |",
            flush=True,
        )


def _rate(d: dict) -> str:
    return f"{100 * d['rate']:.1f} % [{100 * d['ci95'][0]:.1f}, {100 * d['ci95'][1]:.1f}]"


def part_detectors(cache: Path) -> None:
    from inspector.core.io.datasets.mnist import mnist_split
    from inspector.core.poisoning.scans.activation_clustering import ActivationClustering
    from inspector.core.poisoning.scans.spectral import SpectralSignatures
    from inspector.core.poisoning.train import poison_training_set

    print("\nData scans of the pixel-pattern training sets (target 0), each with the model trained on it")
    print("| poisoned | scan | flagged | TPR | FPR | flagged per class | time |\n|---|---|---|---|---|---|---|")
    x, y = mnist_split()["train"]
    for rate in (0.01, 0.05):
        config = BackdoorConfig(BadNets(trigger="pixel", rate=rate))
        _, net = trained(config, cache)
        poisoned = poison_training_set(config, x, y)
        share = len(poisoned.indices) / int((poisoned.y == 0).sum())
        for scan in (
            ActivationClustering(),
            SpectralSignatures(expected_rate=0.1),
            SpectralSignatures(expected_rate=0.33),
        ):
            start = time.perf_counter()
            result = scan.scan(net, poisoned.x, poisoned.y, seed=config.seed)
            tpr, fpr = result.rates(poisoned.indices)
            name = result.method + (f" (expected {scan.expected_rate:g})" if hasattr(scan, "expected_rate") else "")
            classes = " ".join(f"{c}:{len(v)}" for c, v in result.per_class().items())
            print(
                f"| {100 * rate:g} % ({len(poisoned.indices)}, {100 * share:.0f} % of the 0s) | {name} "
                f"| {int(result.flagged.sum())} | {tpr} | {fpr} | {classes} | "
                f"{time.perf_counter() - start:.0f} s |",
                flush=True,
            )


def part_strip(cache: Path) -> None:
    from inspector.core.defenses import make_detector
    from inspector.core.io.datasets.mnist import heldout_digits
    from inspector.core.models.loading import load_model
    from inspector.core.poisoning.success import Rate

    print(
        "\nSTRIP on mnist-backdoor: calibrated at 1 % FPR on held-out digits 0-999, "
        "measured on the non-0 digits among 1000-1999"
    )
    model = load_model("mnist-backdoor", "cpu")
    x, y = heldout_digits()
    strip = make_detector("strip", {"fpr": 0.01})
    start, cpu = time.perf_counter(), time.process_time()
    threshold = strip.calibrate(model, x[:1000])
    others = x[1000:][y[1000:] != 0]
    triggered = BackdoorConfig().make_trigger().apply(others)
    tpr = Rate(int((strip.score(model, triggered) > threshold).sum()), len(others))
    fpr = Rate(int((strip.score(model, others) > threshold).sum()), len(others))
    print(
        f"TPR {tpr}, FPR {fpr} (CPU {time.process_time() - cpu:.0f} s, wall {time.perf_counter() - start:.0f} s, "
        f"{strip.samples} blends per digit)"
    )


def part_cleanse(cache: Path, steps: int, batch_size: int) -> None:
    from inspector.core.io.datasets.mnist import heldout_digits
    from inspector.core.models.loading import load_model
    from inspector.core.poisoning.neural_cleanse import CleanseSettings, neural_cleanse

    settings = CleanseSettings(steps=steps, batch_size=batch_size)
    print(f"\nNeural Cleanse, all 10 classes, 500 held-out digits, {steps} steps of {batch_size} digits per class")
    print(
        "| model | mask L1 per class 0-9 | anomaly index of class 0 | flagged | CPU time (wall) |\n"
        "|---|---|---|---|---|"
    )
    x = heldout_digits()[0][:500]
    for name in ("mnist-backdoor", "mnist-standard", "mnist-pgd-at", "mnist-distilled"):
        cpu = time.process_time()
        result = neural_cleanse(load_model(name, "cpu"), x, settings)
        l1 = " ".join(f"{v:.0f}" for v in result.l1)
        print(
            f"| {name} | {l1} | {result.anomaly_index[0]:.2f} | {result.flagged or 'none'} | "
            f"{time.process_time() - cpu:.0f} s ({result.seconds:.0f} s) |",
            flush=True,
        )


PARTS = {
    "sweep": part_sweep,
    "triggers": part_triggers,
    "clean-label": part_clean_label,
    "detectors": part_detectors,
    "strip": part_strip,
    "cleanse": part_cleanse,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--cache", default="out/poisoning", type=Path)
    parser.add_argument("--cleanse-steps", type=int, default=300, help="Neural Cleanse steps (default 300)")
    parser.add_argument("--cleanse-batch", type=int, default=32, help="Neural Cleanse digits per class per step")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for part in args.parts.split(","):
        start, cpu = time.perf_counter(), time.process_time()
        if part.strip() == "cleanse":
            part_cleanse(args.cache, args.cleanse_steps, args.cleanse_batch)
        else:
            PARTS[part.strip()](args.cache)
        print(f"({part}: {time.perf_counter() - start:.0f} s wall, {time.process_time() - cpu:.0f} s CPU)", flush=True)


if __name__ == "__main__":
    main()
