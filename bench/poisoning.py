"""Figures of the training-time attacks and their defences, on the MNIST split.

    PYTHONPATH=. python bench/poisoning.py [--parts sweep,triggers,clean-label,detectors,strip,cleanse]
                                           [--cache out/poisoning]

sweep        BadNets with the corner pixel pattern, target 0, at 0.1, 0.5, 1 and 5 % of the
             8,000 training digits: clean accuracy and attack success on the 2,000 held-out digits
triggers     the patch and blend triggers at 1 %
clean-label  Turner et al. 2019 at 10 % of the target class, PGD from mnist-pgd-at
detectors    activation clustering and spectral signatures on the 1 % pixel set: TPR / FPR
strip        STRIP's TPR at 1 % FPR on triggered vs clean held-out digits, mnist-backdoor
cleanse      Neural Cleanse on mnist-backdoor and the three clean models: anomaly index, time

Each trained model is cached in --cache (weights and figures), so a rerun only
trains what is missing; every figure has its Wilson 95 % interval.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

import torch

from inspector.core.poisoning.train import SWEEP_RATES, BackdoorConfig, train_backdoor
from inspector.core.zoo.mnist_cnn import MnistCNN, save_weights
from safetensors.torch import load_file


def trained(config: BackdoorConfig, cache: Path) -> tuple[dict, MnistCNN]:
    """Train ``config`` (or read it from the cache): its report as a dict, and the network."""
    key = "-".join(f"{k}={v}" for k, v in asdict(config).items())
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
    print(f"| {label} | {out['poisoned_count']} | {rate(out['clean_accuracy'])} | {rate(out['attack_success'])} "
          f"| {out['seconds']:.0f} s |", flush=True)


def part_sweep(cache: Path) -> None:
    print("\nBadNets, corner pixel pattern, target 0 (held-out: 2,000 clean; ASR over the non-0 digits)")
    print("| poison rate | poisoned digits | clean accuracy | attack success | training time |\n|---|---|---|---|---|")
    for rate in SWEEP_RATES:
        show(f"{100 * rate:g} %", trained(BackdoorConfig(trigger="pixel", rate=rate), cache)[0])


def part_triggers(cache: Path) -> None:
    print("\nBadNets at 1 %, target 0, per trigger")
    print("| trigger | poisoned digits | clean accuracy | attack success | training time |\n|---|---|---|---|---|")
    for trigger in ("pixel", "patch", "blend"):
        show(trigger, trained(BackdoorConfig(trigger=trigger, rate=0.01), cache)[0])


PARTS = {"sweep": part_sweep, "triggers": part_triggers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--cache", default="out/poisoning", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for part in args.parts.split(","):
        start = time.perf_counter()
        PARTS[part.strip()](args.cache)
        print(f"({part}: {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
