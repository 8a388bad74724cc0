"""The physical-attack figures of the README: an RP2 sticker on stop signs, measured honestly.

The sticker (``--shape``: two bars, or one block over the sign's text; ``--sign-area`` of the stop
sign's area) is made on ``--make`` rendered stop
signs (seeds 0..N-1) and measured on signs it never saw: rendered stop signs of other seeds
(1000 on) and, where ../shared/data/gtsrb/test.npz is present, GTSRB test photos of stop signs
(never shipped). Each held-out image is seen in ``--views-per-image`` random views drawn from the
distribution 1.5 times as wide as the one optimised over, after the printer's palette and a camera
(blur, noise, 8 bits, JPEG 75). A view succeeds when it reads as the target. Baselines on the same
views: the signs with a random sticker in the same mask, and with no sticker.

    OMP_NUM_THREADS=2 PYTHONPATH=. python bench/physical.py [--models gtsrb-standard,gtsrb-pgd-at] [--target 1]
        [--shape block] [--grid docs/figures/physical-rp2-views.png]

``--grid`` also draws 16 such views of the first held-out sign with the first model's sticker,
each captioned with what the model reads.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.io.image import preprocess, to_tensor
from inspector.core.io.sign_render import render_sign
from inspector.core.models.labels import resolve_class
from inspector.core.models.loading import load_model
from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.evaluate import evaluate_physical, random_sticker
from inspector.core.physical.masks import BAR_HEIGHT, bars_mask, block_mask
from inspector.core.physical.printing import Camera, snap
from inspector.core.physical.rp2 import SHAPES
from inspector.core.physical.views import Views

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb"
STOP = 14
#: The stop sign's share of a rendered frame: a regular octagon of circumradius 0.39 of the frame
#: (the renderer draws 0.37-0.41), area 2 sqrt(2) r^2; GTSRB's crops frame their signs alike.
SIGN_SHARE = 2 * math.sqrt(2) * 0.39**2
HELD_OUT_SEED = 1000


def rendered(model, seeds) -> torch.Tensor:
    return torch.cat([to_tensor(preprocess(render_sign("stop", s), model.input_size)) for s in seeds])


def photos(count: int) -> torch.Tensor | None:
    if not (DATA / "test.npz").is_file():
        return None
    x, y = load_npz(DATA / "test.npz")
    return x[y == STOP][:count]


def line(what: str, r) -> str:
    return f"  {what:34s} {r.rate:6.1%} [{r.ci[0]:.1%}, {r.ci[1]:.1%}]  ({r.successes}/{r.n} views)"


def grid(model, result, sign: torch.Tensor, path: str, zoom: int = 4) -> None:
    """16 printed, photographed views (wider distribution) of ``sign`` (C, H, W) with the sticker, 4 x 4."""
    generator = torch.Generator().manual_seed(0)
    stuck = result.apply(sign.unsqueeze(0), snap(result.pattern.unsqueeze(0))[0]).repeat(16, 1, 1, 1)
    views = Camera().photograph(Views().wider().sample(stuck, generator), generator)
    with torch.no_grad():
        predicted = model(views).argmax(1).tolist()
    h, w = views.shape[-2:]
    cell_w, cell_h = w * zoom, h * zoom + 14
    canvas = Image.new("RGB", (4 * cell_w, 4 * cell_h), "white")
    draw = ImageDraw.Draw(canvas)
    for k, view in enumerate(views):
        image = Image.fromarray((view * 255).round().byte().permute(1, 2, 0).numpy()).resize((w * zoom, h * zoom), 0)
        left, top = (k % 4) * cell_w, (k // 4) * cell_h
        canvas.paste(image, (left, top))
        draw.text((left + 2, top + h * zoom + 1), model.class_names[predicted[k]][:20], fill="black")
    canvas.save(path)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="gtsrb-standard")
    p.add_argument(
        "--target", default="1", help="class index or name (default 1, speed limit 30), or none (untargeted)"
    )
    p.add_argument("--sign-area", type=float, default=0.10, help="the sticker's share of the sign's area")
    p.add_argument("--shape", choices=SHAPES, default="bars", help="the sticker's shape (default: the paper's bars)")
    p.add_argument(
        "--bar-height", type=float, default=BAR_HEIGHT, help=f"a bar's share of the height (default {BAR_HEIGHT:g})"
    )
    p.add_argument("--make", type=int, default=8, help="rendered stop signs the sticker is made on")
    p.add_argument("--held-out", type=int, default=20, help="rendered held-out stop signs")
    p.add_argument("--photos", type=int, default=30, help="GTSRB test photos of stop signs")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--views", type=int, default=8)
    p.add_argument("--views-per-image", type=int, default=100)
    p.add_argument("--grid", metavar="PNG", help="draw 16 views of a held-out sign with the sticker here")
    args = p.parse_args()
    torch.manual_seed(0)
    for name in args.models.split(","):
        model = load_model(name, "cpu")
        target = None if args.target.lower() == "none" else resolve_class(args.target, model.class_names)
        goal = "any other class" if target is None else repr(model.class_names[target])
        x = rendered(model, range(args.make))
        area = args.sign_area * SIGN_SHARE
        if args.shape == "bars":
            mask = bars_mask(model.input_size, area, args.bar_height)
        else:
            mask = block_mask(model.input_size, area)
        attack = PHYSICAL_ATTACKS.make("rp2", {"steps": args.steps, "views": args.views, "area": area})
        start = time.perf_counter()
        result = attack.run(model, x, torch.full((len(x),), STOP), target=target, mask=mask)
        made = time.perf_counter() - start
        rows = int(mask[0].sum(1).gt(0).sum())
        shape = f"bars {rows // 2} rows high" if args.shape == "bars" else f"a block of {rows} rows"
        print(
            f"{name}: RP2 sticker -> {goal}, {float(mask.mean()):.1%} of the frame "
            f"({float(mask.mean()) / SIGN_SHARE:.1%} of the sign, {shape}), "
            f"made on {len(x)} rendered stop signs "
            f"in {made:.0f} s ({result.iterations} steps x {args.views} views)"
        )
        sets = {"rendered held-out stop signs": rendered(model, range(HELD_OUT_SEED, HELD_OUT_SEED + args.held_out))}
        real = photos(args.photos)
        if real is not None:
            sets["GTSRB test photos of stop signs"] = real
        if args.grid and name == args.models.split(",")[0]:
            grid(model, result, sets["rendered held-out stop signs"][0], args.grid)
        none = random_sticker(result)
        none.mask = torch.zeros_like(result.mask)
        for what, held in sets.items():
            labels = torch.full((len(held),), STOP)
            for factor in (1.0, 1.5):
                views = Views().wider(factor)
                start = time.perf_counter()
                kwargs = {"views": views, "views_per_image": args.views_per_image}
                sticker = evaluate_physical(model, result, held, labels, **kwargs)
                noise = evaluate_physical(model, random_sticker(result), held, labels, **kwargs)
                clean = evaluate_physical(model, none, held, labels, **kwargs)
                print(f" {len(held)} {what}, views x{factor:g} ({time.perf_counter() - start:.0f} s), read as {goal}:")
                print(line("RP2 sticker", sticker))
                print(line("random sticker, same mask", noise))
                print(line("no sticker", clean))


if __name__ == "__main__":
    main()
