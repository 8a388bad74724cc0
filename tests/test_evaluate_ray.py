"""`--ray`: the batches spread over a local Ray instance with 2 workers give a local run's records,
also when resuming a folder a local run left half done."""

from __future__ import annotations

import json
import shutil

import pytest
import ray

from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.records import MANIFEST, RESULTS


def config(**changes) -> EvaluationConfig:
    base = dict(
        data="mnist-heldout",
        model="mnist-standard",
        attacks=["fgsm", "pgd"],
        eps=["0", "0.1", "0.3"],
        params={"steps": "3"},
        limit=32,
        batch_size=16,
        sanity_images=16,
        device="cpu",
        threads=1,
    )
    return EvaluationConfig(**(base | changes))


def records(folder) -> list[str]:
    return sorted((folder / RESULTS).read_text().splitlines())


def test_an_unreachable_cluster_is_one_line_and_exit_2(capsys):
    from inspector.cli import main

    assert not ray.is_initialized()
    assert main(["evaluate", "mnist-heldout", "--model", "mnist-standard", "--limit", "4", "--ray", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach the Ray cluster at 127.0.0.1:1" in err[0]


@pytest.fixture(scope="module")
def two_workers():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    assert ray.cluster_resources()["CPU"] == 2
    yield
    ray.shutdown()


def test_ray_gives_the_local_records_and_resumes_a_local_folder(two_workers, tmp_path):
    local = evaluate(config(out=str(tmp_path / "local")))
    spread = evaluate(config(out=str(tmp_path / "ray"), ray="local"))
    assert records(tmp_path / "ray") == records(tmp_path / "local")
    assert spread.robust == local.robust and spread.clean == local.clean and spread.sanity == local.sanity
    assert [e.image for e in spread.examples] == [e.image for e in local.examples]
    assert (
        spread.config.threads == 1 and json.loads((tmp_path / "ray" / MANIFEST).read_text())["config"]["threads"] == 1
    )

    half = tmp_path / "half"  # a local run stopped part-way through
    half.mkdir()
    shutil.copy(tmp_path / "local" / MANIFEST, half / MANIFEST)
    lines = (tmp_path / "local" / RESULTS).read_text().splitlines(keepends=True)
    (half / RESULTS).write_text("".join(lines[: len(lines) // 2]))
    resumed = evaluate(config(out=str(half), resume=True, ray="local"))
    assert records(half) == records(tmp_path / "local") and resumed.robust == local.robust
