"""A physical attack's exports: the print PDF at its physical size, and the replay of its result.json
(byte for byte, and hostile files refused in one line)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from inspector.cli import main
from inspector.core.io.sign_render import render_sign
from inspector.core.physical.print_page import SIGN_FILL, print_image, save_pdf, sign_width
from inspector.core.util.errors import ParameterError

MEDIA_BOX = re.compile(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]")


def media_box(path) -> tuple[float, float]:
    """The (width, height) in points of the one page of the PDF at ``path``."""
    boxes = MEDIA_BOX.findall(path.read_bytes())
    assert len(boxes) == 1, boxes
    return float(boxes[0][0]), float(boxes[0][1])


def points(mm: float) -> float:
    return mm / 25.4 * 72


@pytest.fixture
def bars() -> Image.Image:
    """A 32 x 32 RGBA sticker: a green bar 24 x 4 pixels at (4, 8), transparent elsewhere."""
    image = Image.new("RGBA", (32, 32), (255, 0, 0, 0))
    image.paste((10, 200, 30, 255), (4, 8, 28, 12))
    return image


def test_a_stickers_page_is_the_frame_of_a_sign_of_the_stated_diameter(bars, tmp_path):
    save_pdf(bars, tmp_path / "sticker.pdf", sign_width(600), 300, crop=False)
    width, height = media_box(tmp_path / "sticker.pdf")
    assert width == pytest.approx(points(600 / SIGN_FILL), abs=1e-6) and height == pytest.approx(width, abs=1e-6)


def test_a_patchs_page_is_its_square_at_the_stated_size(tmp_path):
    patch = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    patch.paste((0, 0, 255, 255), (10, 10, 20, 20))
    save_pdf(patch, tmp_path / "patch.pdf", 50, 150, crop=True)
    assert media_box(tmp_path / "patch.pdf") == pytest.approx((points(50), points(50)), abs=1e-6)


def test_the_printed_image_keeps_the_colours_in_blocks_on_white(bars):
    page = np.asarray(print_image(bars, 32 * 25.4 / 100, 100, crop=False))  # 32 pixels at 100 dpi: as it is
    assert page.shape == (32, 32, 3)
    assert (page[8:12, 4:28] == (10, 200, 30)).all() and (page[:8] == 255).all()
    big = np.asarray(print_image(bars, 32 * 25.4 / 300 * 10, 300, crop=False))  # each pixel a 10 x 10 block
    assert big.shape == (320, 320, 3)
    assert (big[80:120, 40:280] == (10, 200, 30)).all() and (big[:80] == 255).all() and (big[120:] == 255).all()


@pytest.mark.parametrize(
    ("width", "dpi", "message"),
    [(0, 300, "above 0"), (-5, 300, "above 0"), (5000, 300, "at most 2000"), (100, 10, "from 72 to 1200"),
     (1900, 1200, "use at most 160 dpi")],
)  # fmt: skip
def test_a_print_size_or_resolution_out_of_range_is_refused(bars, width, dpi, message):
    with pytest.raises(ParameterError, match=message):
        print_image(bars, width, dpi, crop=False)


# ---- the CLI ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signs(tmp_path_factory):
    root = tmp_path_factory.mktemp("signs")
    for s in range(2):
        render_sign("stop", s).save(root / f"stop_{s}.png")
    return root


def run(capsys, *args):
    try:
        code = main([*map(str, args)])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rp2", "--size-mm", "0"], "--size-mm"),
        (["rp2", "--size-mm", "-3"], "--size-mm"),
        (["rp2", "--sign-diameter", "1e9"], "--sign-diameter"),
        (["rp2", "--size-mm", "100", "--dpi", "5000"], "--dpi"),
        (["rp2", "--size-mm", "100", "--dpi", "10"], "--dpi"),
        (["rp2", "--size-mm", "1900", "--dpi", "1200"], "use at most 160 dpi"),
        (["rp2", "--size-mm", "100", "--sign-diameter", "600"], "not allowed with"),
        (["uap", "--size-mm", "100"], "nothing to print"),
    ],
)
def test_physical_refuses_a_bad_print_in_one_line_before_any_work(capsys, signs, tmp_path, args, message):
    kind, *rest = args
    code, out, err = run(
        capsys, "physical", kind, "--model", "gtsrb-standard", "--images", signs, "--out", tmp_path / "o", *rest
    )
    assert code == 2, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_a_print_size_without_out_is_refused(capsys, signs):
    code, _, err = run(capsys, "physical", "rp2", "--images", signs, "--size-mm", "100")
    assert code == 2 and "give --out DIR" in err


@pytest.fixture(scope="module")
def made(signs, tmp_path_factory):
    """A two-step RP2 sticker on two signs with its print for a 600 mm sign (seconds on a CPU)."""
    out = tmp_path_factory.mktemp("made") / "out"
    code = main(
        ["physical", "rp2", "--model", "gtsrb-standard", "--images", str(signs), "--target", "speed limit 30",
         "--steps", "2", "--views", "2", "--seed", "3", "--sign-diameter", "600", "--dpi", "100", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    return out


def test_physical_writes_the_print_beside_the_sticker_and_records_its_recipe(made):
    assert media_box(made / "sticker.pdf") == pytest.approx((points(750), points(750)), abs=1e-6)
    recipe = json.loads((made / "result.json").read_text())["recipe"]
    assert recipe["kind"] == "rp2" and recipe["params"] == {"steps": 2, "views": 2, "seed": 3}
    assert recipe["print_mm"] == 750 and recipe["dpi"] == 100 and recipe["threads"] >= 1


def test_replay_makes_the_same_sticker_byte_for_byte(capsys, made, tmp_path):
    again = tmp_path / "again"
    code, out, err = run(capsys, "replay", made / "result.json", "--out-dir", again)
    assert code == 0, err
    assert "PNG bytes match" in out
    assert (again / "sticker.png").read_bytes() == (made / "sticker.png").read_bytes()
    assert (again / "sticker.pdf").read_bytes() == (made / "sticker.pdf").read_bytes()


def test_replay_says_a_changed_sticker_differs(capsys, made, tmp_path):
    folder = tmp_path / "changed"
    folder.mkdir()
    (folder / "result.json").write_bytes((made / "result.json").read_bytes())
    sticker = np.asarray(Image.open(made / "sticker.png")).copy()
    sticker[0, 0, 0] ^= 1
    Image.fromarray(sticker).save(folder / "sticker.png")
    code, _, err = run(capsys, "replay", folder / "result.json")
    assert code == 1 and "differs" in err and "1 of 4096 RGBA values" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pattern_file": "../../etc/passwd"}, "'pattern_file' must be sticker.png or perturbation.png"),
        ({"recipe": {"kind": "rp2", "images": 3}}, "'images' must be the path of a folder"),
        ({"recipe": {"kind": "rp2", "images": "x", "views_per_image": 10**12}}, "'views_per_image' must be"),
        ({"recipe": {"kind": "rp2", "images": "x", "threads": 100_000}}, "'threads' must be"),
        ({"recipe": {"kind": "rp2", "images": "x", "print_mm": 1e300}}, "'print_mm' must be"),
        ({"recipe": {"kind": "rp2", "images": "x", "dpi": 10**9}}, "'dpi' must be"),
        ({"recipe": {"kind": "rp2", "images": "x", "params": {"steps": 10**9}}}, "steps"),
        ({"recipe": {"kind": "rp2", "images": "x", "views": {"rotation": 1e6}}}, "rotation"),
        ({"recipe": {"kind": "rp2", "images": "x", "params": {"steps": [1]}}}, "'params' must be"),
        ({"recipe": {"kind": "shadow", "images": "x"}}, "unknown physical attack"),
        ({"recipe": {"kind": "rp2"}}, "lacks its 'images' field"),
        ({"recipe": {"kind": "rp2", "images": "x", "defenses": "jpeg"}}, "'defenses' must be a list"),
        ({"recipe": {"kind": "rp2", "images": "x", "defenses": ["nosuch"]}}, "unknown defence"),
        ({"recipe": {"kind": "rp2", "images": "x", "adaptive": "yes"}}, "'adaptive' must be true or false"),
    ],
)
def test_a_hostile_result_is_refused_in_one_line(capsys, tmp_path, change, message):
    result = {"kind": "rp2", "pattern_file": "sticker.png", "recipe": {"kind": "rp2", "images": "x"}} | change
    (tmp_path / "result.json").write_text(json.dumps(result))
    code, out, err = run(capsys, "replay", tmp_path / "result.json")
    assert code == 2, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_a_result_never_grants_trust_to_run_code(tmp_path):
    from inspector.core.replay.physical import read_physical

    data = {"recipe": {"kind": "rp2", "images": "signs", "model": "net.pt", "trust_code": True, "weights": "w.pt"}}
    source = read_physical(tmp_path / "result.json", data)
    assert source.job.trust_code is False  # a file's word is never trust: only the person at the keyboard's
    assert source.job.weights == str(tmp_path / "w.pt") or source.job.weights.endswith("w.pt")


@pytest.fixture(scope="module")
def adaptive(signs, tmp_path_factory):
    """``made``'s sticker, but made against JPEG (adaptive), measured on two other signs under it."""
    root = tmp_path_factory.mktemp("adaptive")
    for s in (100, 101):
        (root / "held").mkdir(exist_ok=True)
        render_sign("stop", s).save(root / "held" / f"stop_{s}.png")
    code = main(
        ["physical", "rp2", "--model", "gtsrb-standard", "--images", str(signs), "--target", "speed limit 30",
         "--steps", "2", "--views", "2", "--seed", "3", "--held-out", str(root / "held"), "--views-per-image", "2",
         "--defense", "jpeg:quality=75", "--adaptive", "--out", str(root / "out")]
    )  # fmt: skip
    assert code == 0
    return root / "out"


def test_an_adaptive_sticker_is_made_against_the_defence_measured_under_it_and_replayed(capsys, made, adaptive):
    assert (adaptive / "sticker.png").read_bytes() != (made / "sticker.png").read_bytes()  # the JPEG changed it
    result = json.loads((adaptive / "result.json").read_text())
    assert result["recipe"]["defenses"] == ["jpeg:quality=75"] and result["recipe"]["adaptive"] is True
    rows = result["held_out"]["defences"]
    assert [r["defence"] for r in rows] == ["no defence", "jpeg:quality=75"]
    assert all(r["pattern"]["views"] == r["clean"]["views"] == 4 for r in rows)
    code, out, err = run(capsys, "replay", adaptive / "result.json")
    assert code == 0 and "PNG bytes match" in out, (out, err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--adaptive"], "made against defences: name at least one"),
        (["--defense", "nosuch"], "unknown defence"),
        (["--defense", "jpeg:quality=500"], "quality"),
    ],
)
def test_physical_refuses_bad_defences_in_one_line_before_any_work(capsys, signs, args, message):
    code, out, err = run(capsys, "physical", "rp2", "--model", "gtsrb-standard", "--images", signs, *args)
    assert code == 2, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err
