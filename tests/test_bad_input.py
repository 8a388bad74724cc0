"""A corpus of bad input for the `inspector` command: every case ends with exit status 2, one line
on stderr naming the problem, and nothing written anywhere (no files, no hidden staging folders).
"""

from __future__ import annotations

import os

import pytest

from inspector.cli import main
from inspector.core.resources import resource_path

DIGIT = str(resource_path("images", "mnist-3.png"))
LONG_NAME = "x" * 300          # over NAME_MAX (255) on every common file system


def _file(name: str, data: bytes = b"not an image"):
    def make(tmp):
        path = tmp / name
        path.write_bytes(data)
        return str(path)
    return make


CASES = {
    # files and their names
    "image name too long": (lambda tmp: ["classify", str(tmp / (LONG_NAME + ".png"))], "File name too long"),
    "model name too long": (lambda tmp: ["classify", DIGIT, "--model", str(tmp / (LONG_NAME + ".pt"))],
                            "File name too long"),
    "out-dir name too long": (lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--steps", "1",
                                           "--out-dir", str(tmp / LONG_NAME)], "File name too long"),
    "calibration folder name too long": (
        lambda tmp: ["attack", DIGIT, "--model", "mnist-standard", "--steps", "1", "--detect", "squeeze",
                     "--calibration", str(tmp / LONG_NAME)], "File name too long"),
    "missing image with a newline in its name": (lambda tmp: ["classify", str(tmp / "two\nlines.png")],
                                                 "two\\nlines.png': no such file"),
    "not an image, newline in its name": (lambda tmp: ["classify", _file("a\nb.png")(tmp)],
                                          "a\\nb.png': not an image file"),
    "model name with an escape character": (lambda tmp: ["classify", DIGIT, "--model", str(tmp / "m\x1b[31m.pt")],
                                            "m\\x1b[31m.pt': no such model file"),
    "image is a folder": (lambda tmp: ["classify", str(tmp)], "is a folder, not an image file"),
    "model is a folder": (lambda tmp: ["classify", DIGIT, "--model", str(tmp) + os.sep], "is a folder"),
    # numbers
    "seed above 2^63": (lambda tmp: ["attack", DIGIT, "--seed", str(2**63)], "above the maximum 9223372036854775807"),
    "seed above 2^64": (lambda tmp: ["attack", DIGIT, "--seed", "1" + "0" * 30], "above the maximum"),
    "seed negative": (lambda tmp: ["attack", DIGIT, "--seed", "-1"], "below the minimum 0"),
    "seed not whole": (lambda tmp: ["attack", DIGIT, "--seed", "1.5"], "is not a whole number"),
    "defence seed above 2^63": (lambda tmp: ["attack", DIGIT, "--defense", f"randpad:seed={2**64}"],
                                "above the maximum"),
    "training seed out of range": (lambda tmp: ["train", "standard", "--seed", str(2**63),
                                                "--out", str(tmp / "models")], "--seed 9223372036854775808"),
    # argument errors: one line and a hint, not the usage block
    "--top not a number": (lambda tmp: ["attack", DIGIT, "--top", "x"],
                           "argument --top: invalid int value: 'x' (see inspector attack --help)"),
    "image missing": (lambda tmp: ["attack"], "required: image (see inspector attack --help)"),
    "unknown option": (lambda tmp: ["classify", DIGIT, "--colour"],
                       "unrecognized arguments: --colour (see inspector classify --help)"),
    "unknown command": (lambda tmp: ["frobnicate"], "invalid choice: 'frobnicate'"),
    "--param without =": (lambda tmp: ["attack", DIGIT, "--param", "eps"], "'eps' is not of the form key=value"),
    "unknown training method": (lambda tmp: ["train", "magic"], "(see inspector train --help)"),
    "--eot-samples not a number": (lambda tmp: ["attack", DIGIT, "--eot-samples", "many"], "--eot-samples"),
    "option value with a newline": (lambda tmp: ["classify", DIGIT, "--top", "1\n2"], "'1\\n2'"),
}


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
    assert _tree(tmp_path) == before                  # no file, no staging folder, anywhere
