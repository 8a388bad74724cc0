"""Top-1 and top-5 accuracy of ImageNet models on the 100 photos of ../shared/data/imagenet-sample.

    PYTHONPATH=. python bench/imagenet_sample.py [--models efficientnet-lite0 ...] [--data DIR]

Each file name starts with the true class's WordNet id (``n01440764_tench.JPEG`` is
class 0); ``imagenet_classes.tsv`` beside the folder maps ids to indices. The photos
are preprocessed as the tool does (shorter side resized, centre crop). Prints one
line per model; the figures go into the model descriptions (inspector/core/models/zoo).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"]
    )
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    rows = (args.data / "imagenet_classes.tsv").read_text(encoding="utf-8").splitlines()
    index = {row.split("\t")[1]: int(row.split("\t")[0]) for row in rows if row.strip()}
    photos = sorted((args.data / "imagenet-sample").glob("*.JPEG"))
    labels = torch.tensor([index[p.name.split("_")[0]] for p in photos])
    for name in args.models:
        model = load_model(name, "cpu")
        top5 = []
        with torch.no_grad():
            for photo in photos:
                x = load_tensor(photo, model.input_size, model.channels, resize=model.resize)
                top5.append(model(x).topk(5, dim=1).indices[0])
        top5 = torch.stack(top5)
        top1_hits = int((top5[:, 0] == labels).sum())
        top5_hits = int((top5 == labels[:, None]).any(1).sum())
        print(
            f"{name}: top-1 {top1_hits}/{len(photos)}, top-5 {top5_hits}/{len(photos)} "
            f"(input {model.input_size[0]}x{model.input_size[1]})"
        )


if __name__ == "__main__":
    main()
