"""A corpus of bad input for the `inspector` command: every case ends with exit status 2, one line
on stderr naming the problem, and nothing written anywhere (no files, no hidden staging folders).

Models that load but misbehave are small TorchScript modules made here; the image they see is a
shipped MNIST digit (28x28 grey, with pixels that are exactly 0). After the corpus: the black-box
attacks a refusal names do run, the GUI reports a NaN model as one error line, and input the command
can fix up (NaN pixels, corrupt EXIF) runs with one note line on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from inspector.cli import main
from inspector.core.io.resources import resource_path

DIGIT = str(resource_path("images", "mnist-3.png"))
GREY = {"input_size": [28, 28], "channels": 1}
LONG_NAME = "x" * 300  # over NAME_MAX (255) on every common file system


class Linear(nn.Module):
    """A well-behaved 10-class classifier of 28x28 grey images."""

    def __init__(self, k: int = 10):
        super().__init__()
        self.fc = nn.Linear(28 * 28, k)

    def forward(self, x):
        return self.fc(x.flatten(1))


def _zero_classes() -> Linear:
    """A 784 -> 0 classifier, its empty weights set directly (nn.Linear(784, 0) warns that it cannot
    initialise zero-element tensors)."""
    net = Linear()
    net.fc.weight = nn.Parameter(torch.empty(0, 28 * 28))
    net.fc.bias = nn.Parameter(torch.empty(0))
    net.fc.out_features = 0
    return net


class NaNOutput(Linear):
    def forward(self, x):
        return self.fc(x.flatten(1)) * float("nan")


class InfOutput(Linear):
    def forward(self, x):
        return self.fc(x.flatten(1)) / 0.0


class Detached(Linear):
    def forward(self, x):
        return self.fc(x.flatten(1)).detach()


class ArgmaxOneHot(Linear):
    def forward(self, x):
        return F.one_hot(self.fc(x.flatten(1)).argmax(1), 10).float()


class RaisesOnBlackPixels(Linear):
    """Fine on random pixels, raises (a multi-line TorchScript error) on a real digit."""

    def forward(self, x):
        if bool((x == 0).any()):
            raise RuntimeError("this model cannot take black pixels")
        return self.fc(x.flatten(1))


class NaNOnBlackPixels(Linear):
    """Finite on random pixels, NaN on a real digit."""

    def forward(self, x):
        logits = self.fc(x.flatten(1))
        return logits * float("nan") if bool((x == 0).any()) else logits


class OneImageAtATime(Linear):
    def forward(self, x):
        return self.fc(x.reshape(1, -1))


class Tuple(Linear):
    def forward(self, x):
        return self.fc(x.flatten(1)), x


class Integers(Linear):
    def forward(self, x):
        return self.fc(x.flatten(1)).long()


def _model(tmp, net: nn.Module, meta: dict | list | str = GREY) -> str:
    path = tmp / "net.pt"
    text = meta if isinstance(meta, str) else json.dumps(meta)
    torch.jit.save(torch.jit.script(net), str(path), _extra_files={"inspector.json": text})
    return str(path)


def _attack_with(net: nn.Module, meta: dict | list | str = GREY):
    """A case: attack the digit with ``net`` (2 PGD steps)."""
    return lambda tmp: ["attack", DIGIT, "--model", _model(tmp, net, meta), "--trust-model-code", "--steps", "2"]


def _meta(**changes):
    """A case: a well-behaved model whose inspector.json has ``changes``."""
    return _attack_with(Linear(), {**GREY, **changes})


def _file(name: str, data: bytes = b"not an image"):
    def make(tmp):
        path = tmp / name
        path.write_bytes(data)
        return str(path)

    return make


CASES = {
    # models that load but misbehave
    "model outputs NaN": (_attack_with(NaNOutput()), "returns NaN or infinite logits"),
    "model outputs infinity": (_attack_with(InfOutput()), "returns NaN or infinite logits"),
    "model has zero classes": (_attack_with(_zero_classes()), "returns 0 outputs per image"),
    "model has one class": (_attack_with(Linear(1)), "returns 1 output per image"),
    "model output detached": (_attack_with(Detached()), "no gradient with respect to the input"),
    "model output argmax one-hot": (_attack_with(ArgmaxOneHot()), "black-box attacks still work: hopskipjump, square"),
    "model raises on the real image": (_attack_with(RaisesOnBlackPixels()), "cannot take black pixels"),
    "model NaN on the real image": (_attack_with(NaNOnBlackPixels()), "output on the image is NaN or infinite"),
    "model takes one image at a time": (_attack_with(OneImageAtATime()), "runs on one"),
    "model returns a tuple": (_attack_with(Tuple()), "returns tuple, not a tensor"),
    "model returns integers": (_attack_with(Integers()), "not floating-point logits"),
    "model with 3 names for 10 outputs": (_meta(class_names=["a", "b", "c"]), "3 class names for 10 outputs"),
    # inspector.json of the wrong type
    "metadata is a list": (_attack_with(Linear(), [28, 28]), "inspector.json must be a JSON object"),
    "metadata is not JSON": (_attack_with(Linear(), "{input_size: 28"), "inspector.json is not valid JSON"),
    "metadata holds NaN": (_attack_with(Linear(), '{"std": NaN}'), "NaN is not a number JSON allows"),
    "metadata key misspelt": (_meta(class_name=["a", "b"]), "'class_name' was unexpected"),
    "channels is text": (_meta(channels="one"), "'channels' must be 3 (RGB) or 1 (grey)"),
    "channels is 2": (_meta(channels=2), "'channels' must be 3 (RGB) or 1 (grey)"),
    "input_size is one number": (_meta(input_size=28), "'input_size' must be [height, width]"),
    "input_size has one element": (_meta(input_size=[28]), "'input_size' must be [height, width]"),
    "input_size is not whole": (_meta(input_size=[28, 27.5]), "'input_size'[1] must be [height, width]"),
    "input_size is huge": (_meta(input_size=[100000, 100000]), "from 1 to 4096"),
    "class_names is a number": (_meta(class_names=10), "'class_names' must be a list of at least 2"),
    "class_names is a string": (_meta(class_names="0123456789"), "'class_names' must be a list"),
    "class_names are integers": (_meta(class_names=list(range(10))), "is not of type 'string'"),
    "mean of the wrong length": (_meta(mean=[0.5, 0.5]), "'mean' must be one number, or a list of one"),
    "mean is text": (_meta(mean="0.5"), "'mean' must be one number"),
    "std of the wrong length": (_meta(channels=3, input_size=[16, 49], std=[0.2, 0.2]), "'std' must be one number"),
    "std is text": (_meta(std=["0.2"]), "'std' must be one number above 0"),
    "std is 0": (_meta(std=0), "'std' must be one number above 0"),
    "std has a 0": (_meta(std=[0.0]), "'std' must be one number above 0"),
    # files and their names
    "image name too long": (lambda tmp: ["classify", str(tmp / (LONG_NAME + ".png"))], "File name too long"),
    "model name too long": (
        lambda tmp: ["classify", DIGIT, "--model", str(tmp / (LONG_NAME + ".pt"))],
        "File name too long",
    ),
    "out-dir name too long": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--steps", "1", "--out-dir", str(tmp / LONG_NAME)],
        "File name too long",
    ),
    "calibration folder name too long": (
        lambda tmp: [
            "attack",
            DIGIT,
            "--model",
            "mnist-standard",
            "--steps",
            "1",
            "--detect",
            "squeeze",
            "--calibration",
            str(tmp / LONG_NAME),
        ],
        "File name too long",
    ),
    "missing image with a newline in its name": (
        lambda tmp: ["classify", str(tmp / "two\nlines.png")],
        "two\\nlines.png': no such image file",
    ),
    "not an image, newline in its name": (
        lambda tmp: ["classify", _file("a\nb.png")(tmp)],
        "a\\nb.png': not an image file",
    ),
    "model name with an escape character": (
        lambda tmp: ["classify", DIGIT, "--model", str(tmp / "m\x1b[31m.pt")],
        "m\\x1b[31m.pt': no such model file",
    ),
    "image is a folder": (lambda tmp: ["classify", str(tmp)], "is a folder, not an image file"),
    "model is a folder": (lambda tmp: ["classify", DIGIT, "--model", str(tmp) + os.sep], "is a folder"),
    # numbers
    "seed above 2^63": (lambda tmp: ["attack", DIGIT, "--seed", str(2**63)], "above the maximum 9223372036854775807"),
    "seed above 2^64": (lambda tmp: ["attack", DIGIT, "--seed", "1" + "0" * 30], "above the maximum"),
    "seed negative": (lambda tmp: ["attack", DIGIT, "--seed", "-1"], "below the minimum 0"),
    "seed not whole": (lambda tmp: ["attack", DIGIT, "--seed", "1.5"], "is not a whole number"),
    "defence seed above 2^63": (
        lambda tmp: ["attack", DIGIT, "--defense", f"randpad:seed={2**64}"],
        "above the maximum",
    ),
    "training seed out of range": (
        lambda tmp: ["train", "standard", "--seed", str(2**63), "--out", str(tmp / "models")],
        "--seed must be at most 4294967295, not '9223372036854775808'",
    ),
    # argument errors: one line and a hint, not the usage block
    "--top not a number": (
        lambda tmp: ["attack", DIGIT, "--top", "x"],
        "--top must be a whole number, not 'x' (see inspector attack --help)",
    ),
    "image missing": (lambda tmp: ["attack"], "required: image (see inspector attack --help)"),
    "unknown option": (
        lambda tmp: ["classify", DIGIT, "--colour"],
        "unrecognized arguments: --colour (see inspector classify --help)",
    ),
    "unknown command": (lambda tmp: ["frobnicate"], "invalid choice: 'frobnicate'"),
    "--param without =": (lambda tmp: ["attack", DIGIT, "--param", "eps"], "'eps' is not of the form key=value"),
    "unknown training method": (lambda tmp: ["train", "magic"], "(see inspector train --help)"),
    "--eot-samples not a number": (lambda tmp: ["attack", DIGIT, "--eot-samples", "many"], "--eot-samples"),
    "option value with a newline": (lambda tmp: ["classify", DIGIT, "--top", "1\n2"], "'1\\n2'"),
    # the output folder
    "out-dir holds a folder result.json": (
        lambda tmp: [
            "attack",
            DIGIT,
            "--model",
            "mnist-standard",
            "--steps",
            "1",
            "--out-dir",
            _folder_with(tmp, "result.json"),
        ],
        "result.json: a folder of that name is in the way",
    ),
    "out-dir holds a folder original.png": (
        lambda tmp: [
            "attack",
            DIGIT,
            "--model",
            "mnist-standard",
            "--steps",
            "1",
            "--out-dir",
            _folder_with(tmp, "original.png"),
        ],
        "original.png: a folder of that name",
    ),
    "out-dir is a file": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--steps", "1", "--out-dir", _file("out")(tmp)],
        "it is a file, not a folder",
    ),
    "score-based attack, label-only oracle": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--output-mode", "label"],
        "score-based and cannot run against a label-only oracle",
    ),
    "unknown output mode": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--output-mode", "logits"],
        "unknown output mode 'logits'",
    ),
    "throttle not a rate": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--throttle", "fast"],
        "throttle 'fast': expected a rate like 1/s",
    ),
    "throttle on a white-box attack": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--throttle", "1/s"],
        "the white-box attack 'pgd' reads the model's gradients",
    ),
    "unknown stateful detector": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--stateful-detector", "lsh"],
        "unknown stateful detector 'lsh'",
    ),
}


def _folder_with(tmp, name: str) -> str:
    (tmp / "out" / name).mkdir(parents=True)
    return str(tmp / "out")


def _tree(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _run(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse exits
        return exc.code


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_ends_with_one_line_and_writes_nothing(case, tmp_path, capsys):
    make, message = CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    args = make(work)
    if args[0] == "attack" and "--out-dir" not in args:
        args += ["--out-dir", str(work / "out")]
    before = _tree(tmp_path)
    code = _run(args)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("inspector: error: ") and len(err.strip()) > len("inspector: error: ")
    assert message in err
    assert _tree(tmp_path) == before  # no file, no staging folder, anywhere


def test_white_box_refusal_names_black_box_attacks_that_do_work(tmp_path, capsys):
    model = _model(tmp_path, Detached())
    code = _run(
        [
            "attack",
            DIGIT,
            "--model",
            model,
            "--trust-model-code",
            "--attack",
            "square",
            "--param",
            "max_queries=50",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    assert json.loads(out)["queries"] <= 50


def test_gui_reports_a_nan_model_as_one_error_line(tmp_path):
    model = _model(tmp_path, NaNOutput())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "gui",
            DIGIT,
            "--model",
            model,
            "--trust-model-code",
            "--run",
            "--screenshot",
            str(tmp_path / "window.png"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    ours = [line for line in proc.stderr.splitlines() if "propagateSizeHints" not in line]  # Qt's offscreen plugin
    assert ours == [
        f"inspector: error: {model}: returns NaN or infinite logits on random 1x28x28 images in "
        "[0, 1] (is a normalisation std 0, or does the network divide by zero?)"
    ]
    assert not (tmp_path / "window.png").exists()


def _nan_tiff(path):
    a = np.full((28, 28), 0.5, np.float32)
    a[3, 4] = np.nan
    Image.fromarray(a, "F").save(path)


def _corrupt_exif_jpeg(path):
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.open(DIGIT).convert("RGB").save(path, exif=exif.tobytes()[:-4])


@pytest.mark.parametrize(
    "make, name, note",
    [
        (_nan_tiff, "nan.tif", "nan.tif: 1 NaN or infinite pixel value set to 0 (black)"),
        (_corrupt_exif_jpeg, "exif.jpg", "exif.jpg: corrupt EXIF metadata ignored"),
    ],
)
def test_fixed_up_input_succeeds_with_one_note(tmp_path, capsys, make, name, note):
    make(tmp_path / name)
    code = _run(["classify", str(tmp_path / name), "--model", "mnist-standard", "--top", "1"])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith(str(tmp_path / name))
    assert err == f"inspector: note: {tmp_path}/{note}\n"
