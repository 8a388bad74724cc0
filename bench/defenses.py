"""What each defence buys, non-adaptive versus adaptive, on the ImageNet sample photos.

Prints, for the built-in model:
  - clean top-1 accuracy on all sample photos, with no defence and under each defence;
  - PGD Linf success rate (eps 4/255) on the first N photos the bare model gets right:
    non-adaptive (attack the bare model, then apply the defence) and adaptive (attack
    the defended model: BPDA for non-differentiable defences, EOT for random ones);
    randomised defences are evaluated on a fresh draw (seed 12345), not the attack's;
  - feature-squeezing and dropout-uncertainty flag rates on held-out clean photos and
    on the non-adaptive adversarials, with thresholds calibrated on other clean photos.

    PYTHONPATH=. python bench/defenses.py [--images 24] [--steps 10] [--eot-samples 4] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.defenses import DefendedClassifier, Pipeline, defense_from_spec, detector_from_spec
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model

SPECS = [
    "jpeg:quality=75",
    "blur:sigma=1",
    "median:size=3",
    "bitdepth:bits=4",
    "resize:scale=0.5",
    "randpad:min_scale=0.85",
]


def fresh_draw(spec: str) -> Pipeline:
    """The defence as evaluated: randomised ones with a seed the adaptive attack never saw."""
    defense = defense_from_spec(spec)
    if defense.randomized:
        defense.seed = 12345
    return Pipeline([defense])


def batched(fn, x, y, size=8):
    return torch.cat([fn(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=24, help="photos attacked (default 24)")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--eot-samples", type=int, default=4)
    parser.add_argument("--defense", action="append", help="defence specs (default: all six)")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    specs = args.defense or SPECS
    torch.manual_seed(0)

    model = load_model("efficientnet-lite0", args.device)
    data = Path(args.data)
    wnids = [line.split("\t")[1] for line in (data / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((data / "imagenet-sample").glob("*.JPEG"))
    x = torch.cat([load_tensor(f, model.input_size) for f in files]).to(model.device)
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files], device=model.device)

    def predict(images, _labels=None):
        with torch.no_grad():
            return model(images).argmax(1)

    print(f"model {model.name} on {model.device}; {len(files)} sample photos")
    print(f"\nclean top-1 accuracy on all {len(files)} photos")
    print(f"  {'none':24s} {(batched(predict, x, y) == y).float().mean():6.1%}")
    for spec in specs:
        pipeline = fresh_draw(spec)
        acc = (batched(lambda a, b, pipeline=pipeline: predict(pipeline.apply(a)), x, y) == y).float().mean()
        print(f"  {spec:24s} {acc:6.1%}")

    correct = batched(predict, x, y) == y
    xc, yc = x[correct], y[correct]
    xa, ya = xc[: args.images], yc[: args.images]
    attack = make_attack("pgd", {"eps": "4/255", "steps": args.steps, "step_size": "1/255"})
    start = time.perf_counter()
    plain = batched(lambda a, b: attack.run(model, a, b).x_adv, xa, ya)
    print(
        f"\nPGD Linf eps 4/255, {args.steps} steps, step 1/255, on {len(ya)} correctly classified photos "
        f"(non-adaptive attack: {time.perf_counter() - start:.0f} s)"
    )
    print(f"  {'defence':24s} {'clean acc':>9s} {'non-adaptive':>12s} {'adaptive':>9s} {'adaptive time':>13s}")
    print(f"  {'none':24s} {1.0:9.1%} {(batched(predict, plain, ya) != ya).float().mean():12.1%}")
    for spec in specs:
        pipeline = fresh_draw(spec)
        defended = DefendedClassifier(model, Pipeline([defense_from_spec(spec)]), eot_samples=args.eot_samples)
        start = time.perf_counter()
        adaptive = batched(lambda a, b, defended=defended: attack.run(defended, a, b).x_adv, xa, ya)
        seconds = time.perf_counter() - start
        rate = {
            name: (batched(lambda a, b, pipeline=pipeline: predict(pipeline.apply(a)), images, ya) != ya).float().mean()
            for name, images in (("clean", xa), ("plain", plain), ("adaptive", adaptive))
        }
        print(f"  {spec:24s} {1 - rate['clean']:9.1%} {rate['plain']:12.1%} {rate['adaptive']:9.1%} {seconds:11.0f} s")

    held_out, calibration = xc[args.images : args.images + 16], xc[args.images + 16 :]
    print(f"\ndetection: thresholds at fpr 0.05 from {len(calibration)} clean photos; flag rates")
    for spec in ("squeeze", "dropout:samples=20"):
        detector = detector_from_spec(spec)
        threshold = detector.calibrate(model, calibration)
        flags = {
            name: (batched(lambda a, b, detector=detector: detector.score(model, a), images, ya) > threshold)
            .float()
            .mean()
            for name, images in (("clean", held_out), ("adversarial", plain))
        }
        print(
            f"  {spec:24s} threshold {threshold:.4f}  held-out clean {flags['clean']:6.1%}  "
            f"non-adaptive adversarial {flags['adversarial']:6.1%}"
        )


if __name__ == "__main__":
    main()
