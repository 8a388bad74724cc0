"""A run's bytes depend on torch's CPU thread count; recipes record it so replays match."""

import threading

import pytest
import torch

from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.resources import resource_path
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ParameterError
from inspector.core.util.threads import intra_op_threads


def test_a_recipe_records_the_thread_count_and_a_replay_on_another_count_gives_the_same_bytes():
    model = load_model("efficientnet-lite0", "cpu")
    recipe = Recipe(
        image=str(resource_path("images/coffee.png")),
        attack="pgd",
        params={"eps": "2/255", "step_size": "1/255", "steps": 3},
        target=963,
    )
    made = {}

    def on_worker():  # as the app's job thread does: its own thread count
        torch.set_num_threads(1)
        made["run"] = inspect(recipe, model=model)

    worker = threading.Thread(target=on_worker)
    worker.start()
    worker.join()
    saved = made["run"].recipe.to_dict()
    assert saved["threads"] == 1
    with intra_op_threads(2):
        unpinned = inspect(Recipe.from_dict(saved | {"threads": None}), model=model)
        replay = inspect(Recipe.from_dict(saved), model=model)
        assert torch.get_num_threads() == 2  # restored after the run
    assert unpinned.recipe.threads == 2
    assert torch.equal(replay.x_adv, made["run"].x_adv)


def test_thread_count_below_one_is_refused():
    with pytest.raises(ParameterError, match="at least 1"), intra_op_threads(0):
        pass
