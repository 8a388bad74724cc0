"""Output, resume and data folders made by an attacker: every writer refuses a symbolic link, hard
link, FIFO or folder where its member goes, never writes outside the folder, checks its outputs
before the work starts, and reads resume state and labels.csv bounded, ending in one line, exit 2."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import torch
from hostile import run_inspector

from inspector.core.evaluation.data import MAX_FIELD, MAX_LABELS_BYTES, load_dataset
from inspector.core.evaluation.records import (
    MANIFEST,
    MAX_RECORD_BYTES,
    MAX_RESULTS_BYTES,
    RESULTS,
    RecordStore,
    check_folder_before,
)
from inspector.core.io.files import write_atomically, write_files
from inspector.core.io.out_folder import check_file, check_folder, open_for_append
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import MnistCNN, save_weights
from inspector.core.privacy.run_folder import RunFolder, check_run_folder
from inspector.core.privacy.stealing import StealConfig, steal
from inspector.core.training.loop import fit, read_checkpoint, write_checkpoint
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.util.errors import ExportError, ImageError, ModelError, ParameterError

SECRET = b"the user's own file, outside every output folder\n"
FAST_EVAL = (
    "evaluate",
    "mnist-heldout",
    "--model",
    "mnist-standard",
    "--attack",
    "fgsm",
    "--eps",
    "0.1",
    "--limit",
    "2",
    "--no-sanity",
    "--device",
    "cpu",
)
MANIFEST_TEXT = json.dumps({"config": {"threads": 1}, "versions": {}, "device": "cpu"})


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the output folders, whose bytes must never change."""
    path = tmp_path / "outside" / "precious.txt"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def evaluation_folder(tmp_path, *, manifest: str | None = MANIFEST_TEXT, results: str | None = None) -> Path:
    folder = tmp_path / "run"
    folder.mkdir()
    if manifest is not None:
        (folder / MANIFEST).write_text(manifest)
    if results is not None:
        (folder / RESULTS).write_text(results)
    return folder


def record(**fields) -> str:
    base = {
        "image": "mnist-8000",
        "index": 0,
        "label": 7,
        "attack": "clean",
        "eps": None,
        "setting": "none",
        "variant": "main",
        "correct": True,
        "pred": 7,
    }
    return json.dumps(base | fields) + "\n"


# --- evaluate --out / --resume: subprocess runs, the whole command ------------------------------------


def test_resume_refuses_a_symlinked_results_file_and_leaves_its_target_alone(tmp_path, outside):
    folder = evaluation_folder(tmp_path)
    (folder / RESULTS).symlink_to(outside)
    outcome = run_inspector(*FAST_EVAL, "--out", str(folder), "--resume")
    outcome.assert_refused("results.jsonl", "symbolic link")
    assert outside.read_bytes() == SECRET


def test_resume_refuses_a_symlinked_manifest_and_leaves_its_target_alone(tmp_path, outside):
    folder = evaluation_folder(tmp_path, manifest=None)
    outside.write_text(MANIFEST_TEXT)
    (folder / MANIFEST).symlink_to(outside)
    outcome = run_inspector(*FAST_EVAL, "--out", str(folder), "--resume")
    outcome.assert_refused("manifest.json", "symbolic link")
    assert outside.read_text() == MANIFEST_TEXT


def test_a_fifo_member_is_refused_without_hanging(tmp_path):
    folder = evaluation_folder(tmp_path)
    os.mkfifo(folder / RESULTS)
    outcome = run_inspector(*FAST_EVAL, "--out", str(folder), "--resume")
    outcome.assert_refused("results.jsonl", "not a regular file")
    assert outcome.seconds < 30


def test_evaluate_report_into_a_folder_fails_before_the_evaluation(tmp_path):
    report = tmp_path / "report.html"
    report.mkdir()
    # the whole held-out set with every default budget would take many minutes
    outcome = run_inspector(
        "evaluate",
        "mnist-heldout",
        "--model",
        "mnist-standard",
        "--device",
        "cpu",
        "--report",
        str(report),
        "--out",
        str(tmp_path / "run"),
    )
    outcome.assert_refused("--report", "is a folder")
    assert outcome.seconds < 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"] and not any(report.iterdir())


def test_poison_out_a_file_fails_before_training_and_leaves_nothing(tmp_path):
    target = tmp_path / "weights"
    target.write_bytes(SECRET)
    outcome = run_inspector("poison", "--epochs", "6", "--out", str(target))
    outcome.assert_refused("--out", "is a file")
    assert outcome.seconds < 30
    assert target.read_bytes() == SECRET and [p.name for p in tmp_path.iterdir()] == ["weights"]


def test_steal_resume_on_an_empty_folder_is_refused_as_evaluate_resume_is(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    outcome = run_inspector(
        "steal", "--budget", "100", "--epochs", "1", "--transfer-eps", "0", "--out", str(empty), "--resume"
    )
    outcome.assert_refused("no stealing run to resume here")
    with pytest.raises(ParameterError, match="no evaluation to resume here"):
        check_folder_before(empty, resume=True)
    assert list(empty.iterdir()) == []


def test_lira_cache_with_a_symlinked_reference_is_refused_before_training(tmp_path, outside):
    from inspector.core.privacy.membership.data import load_digits
    from inspector.core.privacy.membership.reference import ReferenceModels

    refs = ReferenceModels("standard", load_digits(), cache=tmp_path / "cache")
    refs.folder.mkdir(parents=True)
    refs.path(0).symlink_to(outside)
    outcome = run_inspector(
        "membership", "--attack", "lira-offline", "--references", "2", "--cache", str(tmp_path / "cache")
    )
    outcome.assert_refused("ref-000.safetensors", "symbolic link")
    assert outcome.seconds < 30 and outside.read_bytes() == SECRET


def test_a_labels_csv_with_a_huge_line_is_refused_in_bounded_memory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with open(data / "labels.csv", "wb") as fh:
        fh.write(b"file,label\n")
        fh.write(b"x" * (100 * 2**20) + b",3\n")
    outcome = run_inspector("evaluate", str(data), "--model", "mnist-standard", "--device", "cpu")
    outcome.assert_refused("labels.csv")
    assert outcome.peak_mb < 1024


# --- the evaluation folder, core calls ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"config": [1, 2]}', "not an evaluation manifest"),
        ('["config"]', "not an evaluation manifest"),
        ('{"config": {"threads": 100000}}', "threads"),
        ('{"config": {"threads": "4"}}', "threads"),
        ('{"config": {"threads": NaN}}', "not valid JSON"),
        ('{"config": {}, "pad": "' + "x" * (2 * 2**20) + '"}', "over the"),
    ],
)
def test_a_malformed_manifest_is_refused(tmp_path, text, words):
    folder = evaluation_folder(tmp_path, manifest=text)
    with pytest.raises(ParameterError, match=words):
        check_folder_before(folder, resume=True)


@pytest.mark.parametrize(
    "lines, words",
    [
        (record() + "garbage\n" + record(attack="fgsm", eps=0.1), "line 2"),
        ("[1, 2]\n", "not a JSON object"),
        (record(eps="0.1"), "'eps' must be a number"),
        (record(setting="sideways"), "'setting'"),
        (record(image=["a"]), "'image' must be text"),
        (record(pred="7"), "whole numbers"),
        (record(correct=1), "true or false"),
        (record(linf=[0.1]), "'linf'"),
        (record(error={"why": 1}), "'error' must be text"),
        ('{"image": "' + "x" * (MAX_RECORD_BYTES + 10) + '"}\n', "longer than"),
    ],
)
def test_malformed_records_are_refused(tmp_path, lines, words):
    folder = evaluation_folder(tmp_path, results=lines)
    with pytest.raises(ParameterError, match=words):
        check_folder_before(folder, resume=True)


def test_a_results_file_over_the_bound_is_refused_before_it_is_read(tmp_path):
    folder = evaluation_folder(tmp_path)
    with open(folder / RESULTS, "wb") as fh:
        fh.truncate(MAX_RESULTS_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ParameterError, match="over the"):
        check_folder_before(folder, resume=True)


def test_a_record_cut_short_by_a_crash_is_still_dropped_and_the_file_cut_after_the_last_whole_one(tmp_path):
    whole = record() + record(attack="fgsm", eps=0.1, pred=3)
    folder = evaluation_folder(tmp_path, results=whole + '{"image": "mnist-80')
    check_folder_before(folder, resume=True)  # the check before work cuts nothing
    assert (folder / RESULTS).read_text().endswith("mnist-80")
    store = RecordStore(folder, json.loads(MANIFEST_TEXT), resume=True)
    store.close()
    assert len(store.records) == 2 and (folder / RESULTS).read_text() == whole


def test_a_hard_linked_results_file_is_refused_and_its_other_name_unchanged(tmp_path, outside):
    folder = evaluation_folder(tmp_path)
    os.link(outside, folder / RESULTS)
    with pytest.raises(ExportError, match="hard link"):
        RecordStore(folder, json.loads(MANIFEST_TEXT), resume=True)
    assert outside.read_bytes() == SECRET


def test_a_new_evaluation_never_writes_through_a_dangling_manifest_link(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    target = tmp_path / "created-by-the-link"
    (folder / MANIFEST).symlink_to(target)
    with pytest.raises(ExportError, match="symbolic link"):
        RecordStore(folder, json.loads(MANIFEST_TEXT))
    assert not target.exists()


def test_a_symlinked_output_folder_is_followed_as_the_user_typed_it(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    store = RecordStore(tmp_path / "link", json.loads(MANIFEST_TEXT))
    store.add([json.loads(record())])
    store.close()
    assert (real / RESULTS).read_text() == record() and (real / MANIFEST).is_file()


def test_output_paths_are_checked_without_creating_anything(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        check_folder(a_file)
    with pytest.raises(ExportError, match="is a file"):
        check_folder(a_file / "sub" / "deeper")
    with pytest.raises(ExportError, match="does not exist"):
        check_file(tmp_path / "missing" / "report.html")
    with pytest.raises(ExportError, match="is a folder"):
        check_file(tmp_path)
    check_folder(tmp_path / "new" / "deeper")
    check_file(tmp_path / "report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    with pytest.raises(ExportError, match="symbolic link"):
        (tmp_path / "link").symlink_to(a_file)
        open_for_append(tmp_path / "link")
    assert a_file.read_text() == "x"


# --- the other writers ---------------------------------------------------------------------------


def test_stealing_folder_refuses_symlinked_members_before_work(tmp_path, outside):
    for name in ("steal.json", "copy-100.pt2", "steal-state.pt"):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        (folder / name).symlink_to(outside)
        with pytest.raises(ExportError, match="symbolic link"):
            check_run_folder(folder, [100], resume=False)
        with pytest.raises(ExportError, match="symbolic link"):
            steal(StealConfig(budgets=[100], epochs=1, transfer_eps=0.0), out=folder, resume=True)
    assert outside.read_bytes() == SECRET


def _state(**changes) -> bytes:
    config = StealConfig(budgets=[100], epochs=1, transfer_eps=0.0)
    state = {
        "indices": torch.arange(10),
        "answers": torch.zeros(10, 10),
        "rows": "[]",
        "config": json.dumps(config.to_dict()),
        "copy": MnistCNN().state_dict(),
        "sampler": {"taken": 10},
    }
    buffer = io.BytesIO()
    torch.save(state | changes, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "state, words",
    [
        (b"not a torch file", "unreadable"),
        (_state(rows="[" * 10_000 + "]" * 10_000), "nested too deeply"),
        (_state(rows='[{"budget": "100"}]'), "rows"),
        (_state(config=["x"]), "JSON text"),
        (_state(indices=torch.tensor([0, 10**9])), "not a state of this run"),
        (_state(indices=torch.zeros(10, dtype=torch.long)), "not a state of this run"),
        (_state(answers=torch.zeros(3, 10)), "answers"),
        (_state(sampler={"taken": 10**9}), "seeded order"),
        (_state(copy={"weight": torch.zeros(1)}), "not a state of this run"),
    ],
    ids=[
        "garbage",
        "deep-rows",
        "row-types",
        "config-type",
        "index-out-of-pool",
        "repeated-indices",
        "answer-count",
        "sampler-taken",
        "copy-shape",
    ],
)
def test_a_malformed_stealing_state_is_refused(tmp_path, state, words):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "steal-state.pt").write_bytes(state)
    with pytest.raises(ParameterError, match=words):
        steal(StealConfig(budgets=[100], epochs=1, transfer_eps=0.0), out=folder, resume=True)
    assert sorted(p.name for p in folder.iterdir()) == ["steal-state.pt"]


def test_run_folder_state_members_are_never_read_through_a_link(tmp_path, outside):
    folder = tmp_path / "run"
    folder.mkdir()
    os.link(outside, folder / "steal-state.pt")
    with pytest.raises(ExportError, match="hard link"):
        RunFolder(folder, StealConfig(budgets=[100]).to_dict(), resume=True)


def test_checkpoints_are_never_written_or_resumed_through_a_link(tmp_path, outside):
    ckpt = tmp_path / "run.ckpt"
    ckpt.symlink_to(outside)
    with pytest.raises(ExportError, match="symbolic link"):
        write_checkpoint(ckpt, {"epoch": 1})
    with pytest.raises(ModelError, match="symbolic link"):
        read_checkpoint(ckpt)
    weights = tmp_path / "w.safetensors"
    weights.symlink_to(outside)
    with pytest.raises(ExportError, match="symbolic link"):
        save_weights(MnistCNN(), weights)
    assert outside.read_bytes() == SECRET


def test_a_checkpoint_with_a_hostile_epoch_is_refused(tmp_path):
    net = MnistCNN()
    ckpt = tmp_path / "run.ckpt"
    torch.save(
        {
            "stage": "standard",
            "epoch": -(10**6),
            "net": net.state_dict(),
            "optimizer": torch.optim.Adam(net.parameters()).state_dict(),
        },
        ckpt,
    )
    x, y = torch.rand(8, 1, 28, 28), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ModelError, match="epoch"):
        fit(net, x, y, cross_entropy_loss, epochs=1, stage="standard", checkpoint=ckpt, resume=True)


def test_poison_invert_membership_and_train_check_their_members_first(tmp_path, outside):
    from inspector.cli.commands.invert import check_invert_outputs
    from inspector.cli.commands.membership import check_membership_outputs
    from inspector.cli.commands.poison import check_poison_outputs
    from inspector.core.poisoning.train import BackdoorConfig
    from inspector.core.training import train

    cases = [
        ("mnist-backdoor-badnets-pixel-t0-r0.01.ckpt", lambda d: check_poison_outputs(d, [BackdoorConfig()])),
        ("result.json", lambda d: check_poison_outputs(d, [BackdoorConfig()])),
        ("inversion.json", check_invert_outputs),
        ("roc.png", check_membership_outputs),
        ("mnist-standard.ckpt", lambda d: train("standard", out_dir=d, epochs=1, limit=10)),
    ]
    for name, check in cases:
        folder = tmp_path / f"out-{name}"
        folder.mkdir()
        (folder / name).symlink_to(outside)
        with pytest.raises(ExportError, match="symbolic link"):
            check(folder)
    assert outside.read_bytes() == SECRET


def test_write_files_refuses_a_symlinked_target(tmp_path, outside):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "inversion.json").symlink_to(outside)
    with pytest.raises(ExportError, match="symbolic link"):
        write_files(folder, {"inversion.json": lambda p: p.write_text("{}")})
    assert outside.read_bytes() == SECRET and (folder / "inversion.json").is_symlink()
    write_atomically(folder / "report.html", lambda fh: fh.write(b"ok"))  # an honest atomic write still works


def test_lira_cache_files_are_checked_and_read_bounded(tmp_path, outside):
    from inspector.core.privacy.membership.data import Digits, load_digits
    from inspector.core.privacy.membership.reference import ReferenceModels

    digits = load_digits()
    refs = ReferenceModels("standard", Digits(digits.x[:40], digits.y[:40]), cache=tmp_path, epochs=1)
    refs.folder.mkdir(parents=True)
    (refs.folder / "ref-001.ckpt").symlink_to(outside)
    with pytest.raises(ExportError, match="ref-001.ckpt"):
        refs.train(2)
    (refs.folder / "ref-001.ckpt").unlink()
    refs.path(0).write_bytes(b"\xff" * 64)
    refs.path(1).write_bytes(b"\xff" * 64)
    with pytest.raises(ModelError, match="not a reference model"):
        refs.outputs(2)
    assert outside.read_bytes() == SECRET


# --- data folders ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist_model():
    return load_model("mnist-standard", "cpu")


def test_labels_csv_not_utf8_or_with_a_huge_field_is_refused(tmp_path, mnist_model):
    data = tmp_path / "data"
    data.mkdir()
    csv = data / "labels.csv"
    csv.write_bytes("file,label\nchiffre_é.png,3\n".encode("latin-1"))
    with pytest.raises(ImageError, match="not UTF-8"):
        load_dataset(str(data), mnist_model)
    csv.write_text("file,label\n" + "x" * (MAX_FIELD + 1) + ",3\n")
    with pytest.raises(ImageError, match="not CSV as expected"):
        load_dataset(str(data), mnist_model)
    csv.write_bytes(b"file,label\n" + b"a.png,3\n" * (MAX_LABELS_BYTES // 8 + 1))
    with pytest.raises(ImageError, match="over the"):
        load_dataset(str(data), mnist_model)
    csv.write_text("file,label\n../outside.png,3\n")
    (tmp_path / "outside.png").write_bytes(b"")
    with pytest.raises(ImageError, match="leads outside"):
        load_dataset(str(data), mnist_model)
    csv.unlink()
    os.mkfifo(csv)
    with pytest.raises(ImageError, match="not a regular file"):
        load_dataset(str(data), mnist_model)
