"""`inspector replay`: every attack replays byte for byte from its result.json, even when the run was
made on a worker thread with another CPU thread count (as the app's jobs do); an evaluation replays
from its folder and from its report; a bad file or a differing replay ends with one line."""

from __future__ import annotations

import json
import shutil
import threading

import pytest
import torch
from conftest import IMAGENET_SAMPLE
from PIL import Image

from inspector.cli import main
from inspector.core.attacks import ATTACKS
from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.report import write_report
from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.resources import resource_path
from inspector.core.replay import AttackSource, EvaluationSource, read_source, replay_attack, replay_evaluation
from inspector.core.util.errors import RecipeError
from inspector.core.util.threads import intra_op_threads

DIGIT = str(resource_path("images/mnist-7.png"))
#: Small budgets so that every attack runs in about a second on a digit; seeds off their default.
PARAMS = {
    "fgsm": {"eps": "0.2"},
    "bim": {"eps": "0.2", "steps": 3},
    "pgd": {"eps": "0.2", "steps": 3, "seed": 5},
    "mifgsm": {"eps": "0.2", "steps": 3},
    "dimifgsm": {"eps": "0.2", "steps": 3, "seed": 4},
    "apgd": {"eps": "0.2", "steps": 5, "seed": 3},
    "apgd-t": {"eps": "0.1", "steps": 3, "targets": 2, "seed": 3},
    "fab-t": {"eps": "0.1", "steps": 3, "targets": 2},
    "autoattack": {"eps": "0.05", "steps": 3, "targets": 2, "queries": 30, "seed": 1},
    "deepfool": {"steps": 5},
    "cw": {"binary_search_steps": 2, "steps": 10},
    "lbfgs": {"search_steps": 2, "steps": 5},
    "jsma": {},
    "square": {"eps": "0.3", "max_queries": 60, "seed": 7},
    "hopskipjump": {"max_queries": 150, "steps": 3, "init_evals": 10, "seed": 2},
}


def run_on_worker(recipe: Recipe, model, threads: int):
    """``inspect`` on a fresh thread whose torch thread count is ``threads``, as the app's job does."""
    made = {}

    def work():
        torch.set_num_threads(threads)
        made["run"] = inspect(recipe, model=model)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return made["run"]


def test_every_attack_replays_byte_for_byte_from_its_result_json(mnist_model, tmp_path):
    assert set(PARAMS) == set(ATTACKS), "give each registered attack small parameters here"
    for name, params in PARAMS.items():
        run = run_on_worker(
            Recipe(image=DIGIT, model="mnist-standard", attack=name, params=params, device="cpu"),
            mnist_model,
            threads=1,
        )
        run.save(tmp_path / name)
        source = read_source(tmp_path / name / "result.json")
        assert isinstance(source, AttackSource) and source.recipe.threads == 1
        with intra_op_threads(2):  # the replaying thread has another count
            replay = replay_attack(source, model=mnist_model)
        assert replay.matched, f"{name}: {replay.describe()}"
        assert replay.values == 28 * 28 and torch.equal(replay.inspection.x_adv, run.x_adv), name
        assert replay.inspection.recipe.to_dict() == run.recipe.to_dict(), name


def test_the_cli_says_whether_the_bytes_match_in_one_line(mnist_model, tmp_path, capsys):
    run = run_on_worker(
        Recipe(image=DIGIT, model="mnist-standard", attack="pgd", params={"eps": "0.2", "steps": 3}),
        mnist_model,
        threads=1,
    )
    run.save(tmp_path / "run")
    assert main(["replay", str(tmp_path / "run")]) == 0
    assert "bytes match" in capsys.readouterr().out
    adversarial = tmp_path / "run" / "adversarial.png"
    im = Image.open(adversarial)
    im.putpixel((5, 5), 255 - im.getpixel((5, 5)))
    im.save(adversarial)
    assert main(["replay", str(tmp_path / "run" / "result.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1 of 784 values" in err[0]


@pytest.mark.parametrize("text", ['{"eps": 1}', "not json", '{"recipe": {"attack": "pgd"}}'])
def test_a_file_that_is_not_a_recipe_is_one_line_and_exit_2(tmp_path, capsys, text):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(RecipeError):
        read_source(path)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("inspector: error:") and "recipe" in err[0]
    assert main(["replay", str(tmp_path)]) == 2  # a folder with neither file


def test_an_evaluation_replays_from_its_folder_and_its_report(tmp_path, capsys):
    out, report = tmp_path / "eval", tmp_path / "report.html"
    made = {}

    def work():  # as the Evaluate workspace's job: its own count
        torch.set_num_threads(1)
        made["result"] = evaluate(
            EvaluationConfig(
                data="mnist-heldout",
                model="mnist-standard",
                eps=["0", "0.1", "0.3"],
                params={"steps": "3"},
                limit=48,
                batch_size=16,
                sanity_images=16,
                out=str(out),
                device="cpu",
            )
        )
        write_report(made["result"], report)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    source = read_source(out)
    assert isinstance(source, EvaluationSource) and source.config.threads == 1 == made["result"].config.threads
    assert source.config.batch_size == 16 and source.records is not None
    with intra_op_threads(2):
        assert main(["replay", str(out), "--limit", "20"]) == 0  # rounded up to 2 batches of 16
        assert "same records (" in capsys.readouterr().out
        first = (out / "results.jsonl").read_text().splitlines()
        (out / "results.jsonl").write_text("\n".join(first[:-1] + [first[-1].replace('"pred": ', '"pred": 1')]) + "\n")
        assert main(["replay", str(out / "manifest.json")]) == 1
        assert "differs: 1 of" in capsys.readouterr().err
        assert isinstance(read_source(report), EvaluationSource)
        assert main(["replay", str(report)]) == 0
        assert "same tables" in capsys.readouterr().out


def test_a_bare_recipe_and_a_comparisons_export_replay_too(mnist_model, tmp_path, capsys):
    run = inspect(Recipe(image=DIGIT, model="mnist-standard", attack="fgsm", params={"eps": "0.1"}), model=mnist_model)
    (tmp_path / "recipe.json").write_text(json.dumps(run.recipe.to_dict()))
    (tmp_path / "comparison.json").write_text(json.dumps({"source": run.to_dict(), "models": []}))
    for name in ("recipe.json", "comparison.json"):
        source = read_source(tmp_path / name)
        assert isinstance(source, AttackSource) and source.adversarial is None
        assert source.recipe.to_dict() | {"device": None} == run.recipe.to_dict()  # a result's records "cpu"
    assert main(["replay", str(tmp_path / "recipe.json")]) == 0
    assert "no saved adversarial.png" in capsys.readouterr().out


def test_an_evaluation_made_with_one_thread_replays_from_a_thread_with_two(model, tmp_path):
    """On EfficientNet-Lite0 the records differ between 1 and 2 threads (the L2 norms in the last bits),
    so the replay matches only because it runs under the recorded count."""
    for photo in sorted(IMAGENET_SAMPLE.glob("*.JPEG"))[:4]:
        shutil.copy(photo, tmp_path / photo.name)
    config = EvaluationConfig(
        data=str(tmp_path),
        model="efficientnet-lite0",
        eps=["0", "1/255"],
        params={"steps": "2"},
        batch_size=4,
        sanity=False,
        device="cpu",
        out=str(tmp_path / "eval"),
    )
    worker = threading.Thread(target=lambda: (torch.set_num_threads(1), evaluate(config, model=model)))
    worker.start()
    worker.join()
    with intra_op_threads(2):
        replay = replay_evaluation(read_source(tmp_path / "eval"), model=model)
    assert replay.result.config.threads == 1 and replay.matched and replay.checked == 8, replay.describe()
