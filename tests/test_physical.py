"""Physical-world attacks: views, printing, masks, RP2 stickers, universal perturbations, the
held-out evaluation and ``inspector physical``, on rendered road signs and gtsrb-standard."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from conftest import DATA
from PIL import Image

from inspector.cli import main
from inspector.core.defenses import Pipeline, defense_from_spec
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.io.image import preprocess, to_tensor
from inspector.core.io.sign_render import render_sign
from inspector.core.models.loading import load_model
from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.defended import NO_DEFENCE, defence_rows
from inspector.core.physical.evaluate import evaluate_physical, random_sticker
from inspector.core.physical.masks import bars_mask, block_mask, check_mask, shape_mask, square_mask
from inspector.core.physical.placement import place
from inspector.core.physical.printing import PALETTE, non_printability, snap
from inspector.core.physical.views import Views
from inspector.core.util.errors import ParameterError

STOP = 14
SPEED_LIMIT_30 = 1
#: A stop sign's share of a rendered frame (a regular octagon of circumradius 0.39 of the frame).
SIGN_SHARE = 2 * 2**0.5 * 0.39**2
#: Seeds of the signs stickers are made on, and of the held-out ones (never the same).
MAKE_SEEDS, HELD_OUT_SEEDS = range(4), range(100, 106)
STILL = {"rotation": 0, "scale_min": 1, "scale_max": 1, "angle": 0, "brightness": 0, "blur": 0, "noise": 0}


@pytest.fixture(scope="module")
def model():
    return load_model("gtsrb-standard", "cpu")


def signs(model, seeds, name="stop") -> torch.Tensor:
    return torch.cat([to_tensor(preprocess(render_sign(name, s), model.input_size)) for s in seeds])


@pytest.fixture(scope="module")
def made(model):
    """An untargeted RP2 sticker on four stop signs (a short run: seconds on a CPU)."""
    x = signs(model, MAKE_SEEDS)
    attack = PHYSICAL_ATTACKS.make("rp2", {"steps": 40, "views": 4, "lr": 0.3})
    return attack.run(model, x, torch.full((len(x),), STOP))


def test_views_are_the_identity_at_zero_ranges_and_repeat_with_the_seed():
    x = torch.rand(3, 3, 32, 32)
    still = Views(**STILL).sample(x, torch.Generator().manual_seed(0))
    assert torch.allclose(still, x, atol=1e-5)
    a = Views().sample(x, torch.Generator().manual_seed(7))
    b = Views().sample(x, torch.Generator().manual_seed(7))
    c = Views().sample(x, torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() <= 1


def test_views_are_differentiable_and_wider_views_are_wider():
    x = torch.rand(2, 3, 32, 32, requires_grad=True)
    Views().sample(x, torch.Generator().manual_seed(0)).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    base, wide = Views(), Views().wider(1.5)
    assert wide.rotation == 22.5 and wide.angle == 45 and wide.blur == 1.5
    assert wide.scale_min < base.scale_min and wide.scale_max > base.scale_max
    assert Views(angle=50).wider(2).angle == 60  # capped at the maximum


def test_views_refuse_a_scale_range_upside_down():
    with pytest.raises(ParameterError, match="scale_min"):
        Views(scale_min=1.2, scale_max=0.9)


def test_snapped_colours_are_printable_and_others_are_not():
    colours = torch.rand(1, 3, 8, 8)
    mask = torch.ones(1, 8, 8)
    assert float(non_printability(colours, mask)) > 0.05
    printed = snap(colours)
    assert float(non_printability(printed, mask)) == 0.0
    pixels = printed.permute(0, 2, 3, 1).reshape(-1, 3)
    assert all(bool((p == PALETTE).all(dim=1).any()) for p in pixels)


def test_bars_cover_the_area_asked_and_bad_masks_are_refused():
    mask = bars_mask((32, 32), 0.05)
    assert mask.shape == (1, 32, 32) and abs(float(mask.mean()) - 0.05) < 0.01
    assert mask[:, 16].sum() == 0  # the middle row (a sign's text) stays free
    for bad in (torch.zeros(1, 8, 8), torch.ones(1, 8, 8)):
        with pytest.raises(ParameterError):
            check_mask(bad)
    with pytest.raises(ParameterError, match="area"):
        bars_mask((32, 32), 0.5)


def test_a_block_covers_at_most_the_area_asked_in_the_middle_and_unknown_shapes_are_refused():
    area = 0.1 * SIGN_SHARE  # a tenth of a stop sign
    mask = block_mask((32, 32), area)
    rows, cols = mask[0].nonzero(as_tuple=True)
    assert 0.9 * area <= float(mask.mean()) <= area
    assert int(mask.sum()) == (int(rows.max() - rows.min()) + 1) * (int(cols.max() - cols.min()) + 1)  # one block
    assert abs(float(rows.float().mean()) - 15.5) <= 0.5 and abs(float(cols.float().mean()) - 15.5) <= 0.5
    assert torch.equal(shape_mask("block", (32, 32), area), mask)
    assert torch.equal(shape_mask("bars", (32, 32), area), bars_mask((32, 32), area))
    with pytest.raises(ParameterError, match="shape"):
        shape_mask("star", (32, 32), area)


def test_a_targeted_block_beats_a_random_block_on_held_out_stop_sign_photos(model):
    """A block of a tenth of the sign, made on rendered signs, reads as "speed limit 30" in more views of
    GTSRB photos it never saw than random colours in the same block, beyond both intervals."""
    x = signs(model, MAKE_SEEDS)
    photos, labels = load_npz(DATA / "gtsrb" / "test.npz")
    held = photos[labels == STOP][:6]
    attack = PHYSICAL_ATTACKS.make("rp2", {"steps": 40, "views": 4, "area": 0.1 * SIGN_SHARE, "shape": "block"})
    made = attack.run(model, x, torch.full((len(x),), STOP), target=SPEED_LIMIT_30)
    assert torch.equal(made.mask, block_mask((32, 32), 0.1 * SIGN_SHARE))
    rates = [
        evaluate_physical(model, pattern, held, torch.full((6,), STOP), views=Views().wider(), views_per_image=50)
        for pattern in (made, random_sticker(made))
    ]
    assert rates[0].ci[0] > rates[1].ci[1], [r.to_dict() for r in rates]


def test_the_sticker_beats_a_random_sticker_of_the_same_area_on_held_out_signs(model, made):
    held = signs(model, HELD_OUT_SEEDS)
    labels = torch.full((len(held),), STOP)
    views = Views().wider()
    sticker = evaluate_physical(model, made, held, labels, views=views, views_per_image=50)
    noise = evaluate_physical(model, random_sticker(made), held, labels, views=views, views_per_image=50)
    assert sticker.n == noise.n == 300
    assert sticker.ci[0] > noise.ci[1], (sticker.to_dict(), noise.to_dict())


def test_the_evaluation_refuses_an_image_the_sticker_was_made_on(model, made):
    held = signs(model, HELD_OUT_SEEDS)
    reused = torch.cat([held, signs(model, [MAKE_SEEDS[2]])])
    with pytest.raises(ParameterError, match="1 of the 7 held-out images were used to make"):
        evaluate_physical(model, made, reused, torch.full((7,), STOP), views=Views(), views_per_image=1)


def test_a_cancelled_sticker_is_the_best_so_far(model):
    x, y = signs(model, MAKE_SEEDS[:2]), torch.full((2,), STOP)
    attack = PHYSICAL_ATTACKS.make("rp2", {"steps": 50, "views": 2})
    calls = []

    def stop_after_three() -> bool:
        calls.append(1)
        return len(calls) > 3

    cancelled = attack.run(model, x, y, should_stop=stop_after_three)
    short = PHYSICAL_ATTACKS.make("rp2", {"steps": 3, "views": 2}).run(model, x, y)
    assert cancelled.cancelled and cancelled.iterations == 3 and not short.cancelled
    assert torch.equal(cancelled.pattern, short.pattern) and cancelled.train_success == short.train_success
    at_once = attack.run(model, x, y, should_stop=lambda: True)
    assert at_once.cancelled and at_once.iterations == 0
    assert torch.equal(at_once.pattern, at_once.pattern * 255 // 1 / 255)  # 8-bit even untouched


def test_steps_are_reported_for_the_images_it_is_made_on(model):
    x, y = signs(model, MAKE_SEEDS[:2]), torch.full((2,), STOP)
    steps = []
    PHYSICAL_ATTACKS.make("rp2", {"steps": 2, "views": 2}).run(model, x, y, target=1, on_step=steps.append)
    assert [s.iteration for s in steps] == [1, 2] and all(s.total == 2 for s in steps)
    assert steps[0].x_adv.shape == x.shape and steps[0].probabilities.shape == (2, 43)


def test_a_universal_perturbation_keeps_its_budget_and_needs_two_images(model):
    x, y = signs(model, MAKE_SEEDS[:3]), torch.full((3,), STOP)
    result = PHYSICAL_ATTACKS.make("uap", {"passes": 1, "deepfool_steps": 3}).run(model, x, y)
    assert result.additive and result.iterations == 1
    assert float((result.pattern * 255 - 128).abs().max()) <= 10
    held = signs(model, HELD_OUT_SEEDS[:2])
    assert evaluate_physical(model, result, held, torch.full((2,), STOP), views=None).n == 2
    with pytest.raises(ParameterError, match="at least 2 images"):
        PHYSICAL_ATTACKS.make("uap").run(model, x[:1], y[:1])
    with pytest.raises(ParameterError, match="untargeted"):
        PHYSICAL_ATTACKS.make("uap").run(model, x, y, target=1)


def test_a_placed_patch_lands_whole_inside_the_frame_somewhere_new_each_time():
    pattern, mask = torch.ones(3, 32, 32), square_mask((32, 32), 0.1)
    assert float(mask.sum()) == 100  # a 10 x 10 square
    placed = place(pattern, mask, torch.zeros(8, 3, 32, 32), torch.Generator().manual_seed(0))
    area = placed[:, 0].sum(dim=(1, 2))
    assert ((area > 60) & (area < 150)).all()  # scale 0.8-1.2 of 100 pixels (64 to 144), all in the frame
    centres = [tuple(image[0].nonzero().float().mean(0).round().tolist()) for image in placed]
    assert len(set(centres)) > 4


def test_the_patch_beats_a_random_patch_of_the_same_area_on_held_out_signs(model):
    x = torch.cat([signs(model, MAKE_SEEDS[:2]), signs(model, MAKE_SEEDS[:2], "yield")])
    y = torch.tensor([STOP, STOP, 13, 13])
    result = PHYSICAL_ATTACKS.make("patch", {"steps": 40, "views": 4}).run(model, x, y, target=1)
    assert result.placed and abs(float(result.mask.mean()) - 0.1) < 0.01
    held = torch.cat([signs(model, HELD_OUT_SEEDS[:3]), signs(model, HELD_OUT_SEEDS[:3], "yield")])
    labels = torch.tensor([STOP] * 3 + [13] * 3)
    patch = evaluate_physical(model, result, held, labels, views=Views(), views_per_image=30)
    noise = evaluate_physical(model, random_sticker(result), held, labels, views=Views(), views_per_image=30)
    assert patch.ci[0] > noise.ci[1], (patch.to_dict(), noise.to_dict())


# ---------------------------------------------------------------- inspector physical


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("signs")
    for name, seeds in (("make", MAKE_SEEDS[:2]), ("held", HELD_OUT_SEEDS[:2]), ("one", [5])):
        (root / name).mkdir()
        for s in seeds:
            render_sign("stop", s).save(root / name / f"stop_{s}.png")
    Image.new("L", (64, 64), 0).save(root / "empty.png")
    Image.new("L", (64, 64), 255).save(root / "full.png")
    corner = Image.new("L", (64, 64), 0)
    corner.paste(255, (0, 0, 16, 16))
    corner.save(root / "corner.png")
    return root


def run_cli(capsys, *args):
    try:
        code = main(["physical", *map(str, args)])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_physical_writes_the_sticker_with_its_mask_and_the_result(capsys, folders, tmp_path):
    out = tmp_path / "out"
    code, text, err = run_cli(
        capsys, "rp2", "--model", "gtsrb-standard", "--images", folders / "make", "--held-out", folders / "held",
        "--mask", folders / "corner.png", "--target", "speed limit 30", "--steps", 2, "--views", 2,
        "--views-per-image", 3, "--out", out,
    )  # fmt: skip
    assert code == 0, err
    assert "held-out images" in text
    sticker = np.asarray(Image.open(out / "sticker.png"))
    assert sticker.shape == (32, 32, 4)
    assert (sticker[:8, :8, 3] == 255).all() and (sticker[8:, :, 3] == 0).all() and (sticker[:, 8:, 3] == 0).all()
    result = json.loads((out / "result.json").read_text())
    assert result["target"] == {"index": 1, "name": "speed limit 30"} and result["mask_area"] == 1 / 16
    assert result["held_out"]["pattern"]["views"] == 6 and "random_sticker" in result["held_out"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rp2", "--mask", "empty.png"], "is empty"),
        (["rp2", "--mask", "full.png"], "covers the whole image"),
        (["rp2", "--target", "no such sign"], "no class named"),
        (["rp2", "--scale-min", "1.3", "--scale-max", "1.1"], "--scale-min: 1.3 is above scale_max"),
        (["rp2", "--rotation", "200"], "--rotation"),
        (["rp2", "--eps", "0.1"], "--eps"),
        (["uap", "--images", "one"], "needs at least 2 images"),
        (["uap", "--target", "1"], "untargeted"),
        (["patch", "--mask", "corner.png"], "patch takes no mask"),
        (["patch", "--area", "0.9"], "--area"),
    ],
)
def test_physical_refuses_bad_input_in_one_line_before_any_work(capsys, folders, args, message):
    kind, *rest = args
    rest = [str(folders / a) if a.endswith(".png") or a == "one" else a for a in rest]
    images = [] if "--images" in rest else ["--images", folders / "make"]
    code, out, err = run_cli(capsys, kind, "--model", "gtsrb-standard", *images, *rest)
    assert code == 2, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_physical_help_is_printed(capsys):
    code, out, err = run_cli(capsys, "--help")
    assert code == 0, err
    assert "--sign-diameter" in out and "80 % of the frame" in " ".join(out.split())


def test_physical_checks_the_out_folder_first(capsys, folders, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli(capsys, "rp2", "--images", folders / "make", "--out", blocker)
    assert code == 2 and "it is a file" in err


def test_physical_attacks_an_architecture_with_the_weights_given(capsys, folders, tmp_path, model):
    from safetensors.torch import save_file

    weights = tmp_path / "mine.safetensors"
    save_file({k: v.contiguous() for k, v in model.net.state_dict().items()}, str(weights))
    for name in ("make", "held"):  # the architecture's classes have no names: labels.csv gives stop's index
        shutil.copytree(folders / name, tmp_path / name)
        lines = [f"{p.name},{STOP}" for p in sorted((tmp_path / name).glob("*.png"))]
        (tmp_path / name / "labels.csv").write_text("file,label\n" + "\n".join(lines) + "\n")
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys, "rp2", "--model", "gtsrb-cnn", "--weights", weights, "--images", tmp_path / "make",
        "--held-out", tmp_path / "held", "--target", "1", "--steps", 1, "--views", 1, "--views-per-image", 1,
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    result = json.loads((out / "result.json").read_text())
    assert result["recipe"]["weights"] == str(weights) and result["target"]["name"] == "class 1"
    code, _, err = run_cli(
        capsys, "rp2", "--model", "gtsrb-cnn", "--weights", folders / "corner.png", "--images", tmp_path / "make"
    )
    assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_under_defences_every_row_measures_the_same_views_and_a_one_bit_colour_costs_clean_views(model, made):
    held = signs(model, HELD_OUT_SEEDS)
    labels = torch.full((len(held),), STOP)
    views = Views().wider()
    pipeline = Pipeline([defense_from_spec("jpeg:quality=75"), defense_from_spec("bitdepth:bits=1")])
    rows = defence_rows(model, made, held, labels, pipeline, views=views, views_per_image=20)
    assert [r["defence"] for r in rows] == [NO_DEFENCE, *pipeline.specs(), "pipeline (all 2)"]
    bare = evaluate_physical(model, made, held, labels, views=views, views_per_image=20)
    noise = evaluate_physical(model, random_sticker(made), held, labels, views=views, views_per_image=20)
    assert rows[0]["pattern"] == bare.to_dict() and rows[0]["baseline"] == noise.to_dict()
    assert rows[0]["fooled"]  # the sticker beats the random one (as measured above, on more views)
    one_bit = rows[2]
    assert one_bit["clean"]["high"] < rows[0]["clean"]["low"], (one_bit, rows[0])
    assert all(r["clean"]["views"] == r["pattern"]["views"] == 120 for r in rows)
