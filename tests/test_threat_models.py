"""Black-box threat models on real held-out MNIST digits: output modes, throttling, stateful detection.

The shipped mnist-standard model answers thousands of queries a second, so every
query attack here runs on it; the held-out digits (the last 2,000 of the MNIST
test set) were never trained on.
"""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.concealment import Concealment, output_mode_from_spec, stateful_detector_from_spec
from inspector.core.concealment.oracle import QueryOracle
from inspector.core.concealment.throttle import TokenBucket, format_duration, throttle_from_spec
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.util.errors import ParameterError

BLACK_BOX = sorted(name for name, cls in ATTACKS.items() if cls.threat_model != "white-box")


@pytest.fixture(scope="module")
def held_out():
    return mnist_split(DATA / "mnist")["held_out"]


@pytest.fixture(scope="module")
def digits(mnist_model, held_out):
    """Four held-out digits mnist-standard classifies correctly."""
    x, y = held_out
    with torch.no_grad():
        ok = (mnist_model(x[:20]).argmax(1) == y[:20]).nonzero().flatten()[:4]
    return x[ok], y[ok]


class Counted(torch.nn.Module):
    """The model, counting the images it is sent."""

    def __init__(self, model):
        super().__init__()
        self.model, self.images = model, 0
        self.num_classes = model.num_classes

    def forward(self, x):
        self.images += x.shape[0]
        return self.model(x)


def test_each_output_mode_conceals_what_it_says(mnist_model, digits):
    x, _ = digits
    with torch.no_grad():
        logits = mnist_model(x)
    full = logits.softmax(1)
    rounded = output_mode_from_spec("rounded:decimals=2").answer(logits)
    assert torch.equal(rounded, (rounded * 100).round() / 100) and (rounded - full).abs().max() <= 0.005 + 1e-6
    top3 = output_mode_from_spec("topk:k=3").answer(logits)
    assert ((top3 > 0).sum(1) <= 3).all() and torch.equal(top3.argmax(1), full.argmax(1))
    assert torch.allclose(top3.gather(1, full.topk(3).indices), full.topk(3).values)
    noisy = output_mode_from_spec("noisy:sigma=0.05,seed=1").answer(logits)
    assert torch.allclose(noisy.sum(1), torch.ones(len(x))) and (noisy >= 0).all() and not torch.allclose(noisy, full)
    label = output_mode_from_spec("label").answer(logits)
    assert label.dtype == torch.long and label.shape == (len(x),) and torch.equal(label, full.argmax(1))
    with pytest.raises(ParameterError, match="unknown output mode"):
        output_mode_from_spec("softmax")


@pytest.mark.parametrize("name", BLACK_BOX)
def test_a_label_only_oracle_never_leaks_a_score_to_any_attack(mnist_model, digits, name, monkeypatch):
    """Every black-box attack either refuses the label-only oracle in one line, or gets (M,) integer
    labels from every query, and reaches the model through the oracle only (plus finalize's check)."""
    answers, calls = [], []

    class Recording(QueryOracle):
        def __call__(self, x, index):
            out = super().__call__(x, index)
            answers.append((out.dtype, out.shape == index.shape))
            calls.append(x.shape[0])
            return out

    monkeypatch.setattr("inspector.core.attacks.query.QueryOracle", Recording)
    x, y = digits
    counted = Counted(mnist_model)
    attack = make_attack(name, {"max_queries": 120})
    label_only = Concealment.from_specs("label")
    if ATTACKS[name].threat_model == "score-based":
        with pytest.raises(ParameterError, match="score-based and cannot run against a label-only oracle"):
            attack.oracle(counted, len(x), label_only)
        assert counted.images == 0
        return
    result = attack.run(counted, x, y, oracle=attack.oracle(counted, len(x), label_only))
    assert answers and set(answers) == {(torch.long, True)}
    assert counted.images == sum(calls) + len(y)
    assert result.oracle.output == "label" and sum(result.oracle.queries) == sum(calls)


def test_square_needs_only_the_top_2_scores(mnist_model, digits):
    """Square's untargeted margin reads the true class and the best other one: with the top-2 scores
    it makes exactly the run it makes with all of them; rounding to one decimal blinds it."""
    x, y = digits
    attack = make_attack("square", {"eps": 0.3, "max_queries": 150})
    full = attack.run(mnist_model, x, y)
    top2 = attack.run(mnist_model, x, y, oracle=attack.oracle(mnist_model, len(x), Concealment.from_specs("topk:k=2")))
    assert torch.equal(full.x_adv, top2.x_adv) and torch.equal(full.query_counts, top2.query_counts)
    assert top2.oracle.output == "topk:k=2"
    blind = attack.run(
        mnist_model, x, y, oracle=attack.oracle(mnist_model, len(x), Concealment.from_specs("rounded:decimals=1"))
    )
    assert blind.success.sum() <= full.success.sum()


def test_the_token_bucket_counts_simulated_time():
    bucket = throttle_from_spec("1/s")
    assert bucket.serve("attacker", 4200) == 4199.0  # the first query finds the bucket full
    assert format_duration(4200) == "70 minutes"
    burst = TokenBucket(rate=2.0, burst=10)
    assert burst.serve(0, 10) == 0.0 and burst.serve(0, 1) == 0.5 and burst.serve(1, 4) == 0.0  # per client
    assert burst.serve(0, 4) == 2.5
    assert throttle_from_spec("60/min:burst=20").rate == 1.0 and throttle_from_spec("3600/h").burst == 1
    for bad in ("fast", "1/week", "0/s", "1/s:burst=0", "1/s:size=2"):
        with pytest.raises(ParameterError, match="throttle"):
            throttle_from_spec(bad)


def test_hopskipjump_through_a_throttle_reports_its_time(mnist_model, digits):
    x, y = digits
    attack = make_attack("hopskipjump", {"max_queries": 200})
    throttled = Concealment.from_specs("label", throttle="2/s:burst=10")
    result = attack.run(mnist_model, x, y, oracle=attack.oracle(mnist_model, len(x), throttled))
    queries = torch.tensor(result.oracle.queries, dtype=torch.float64)
    assert torch.allclose(torch.tensor(result.oracle.attacker_time_s, dtype=torch.float64), (queries - 10) / 2)
    assert "at 2 queries per second" in result.oracle.summary()


@pytest.mark.parametrize("spec, within", [("blacklight", 20), ("similarity", 60)])
def test_the_stateful_detectors_flag_hopskipjump_quickly(mnist_model, digits, held_out, spec, within):
    """Each of four attack sessions is caught within ``within`` queries (similarity: once the
    history holds k = 50 queries), and caught again and again over a 300-query attack."""
    x, y = digits
    concealment = Concealment.from_specs("label", detector=spec)
    concealment.calibrate(held_out[0][:1000])
    attack = make_attack("hopskipjump", {"max_queries": 300})
    result = attack.run(mnist_model, x, y, oracle=attack.oracle(mnist_model, len(x), concealment))
    assert all(first is not None and first <= within for first in result.oracle.first_detection)
    assert min(result.oracle.detections) >= 3
    assert "caught at query" in result.oracle.summary()


@pytest.mark.parametrize("spec", ["blacklight", "similarity"])
def test_a_benign_stream_stays_under_the_false_positive_rate(held_out, spec):
    """1,000 held-out digits from one client, after calibrating on 1,000 others (similarity,
    at fpr 0.001): at most 3 flagged (for a true rate of 0.1 %, 4 or more come with probability 1.9 %)."""
    x, _ = held_out
    detector = stateful_detector_from_spec(spec)
    detector.calibrate(x[:1000])
    flags = detector.observe(x[1000:], torch.zeros(1000, dtype=torch.long))
    assert int(flags.sum()) <= 3


def test_the_similarity_detector_refuses_too_few_calibration_images(held_out):
    with pytest.raises(ParameterError, match="at least 999 benign images"):
        stateful_detector_from_spec("similarity").calibrate(held_out[0][:200])
    with pytest.raises(ParameterError, match="calibrate it"):
        stateful_detector_from_spec("similarity").observe(held_out[0][:2], torch.zeros(2, dtype=torch.long))


def test_an_inspection_reports_queries_attacker_time_and_detection(tmp_path):
    from inspector.core.evasion.inspect import inspect
    from inspector.core.evasion.recipe import Recipe
    from inspector.core.io.resources import resource_path

    recipe = Recipe(
        image=str(resource_path("images", "mnist-7.png")),
        model="mnist-standard",
        attack="hopskipjump",
        params={"max_queries": 200},
        output_mode="label",
        throttle="1/s",
        stateful_detector="blacklight",
    )
    summary = inspect(recipe).to_dict()
    threat = summary["threat_model"]
    assert threat["kind"] == "black-box" and threat["computed_on"] == "mnist-standard"
    assert threat["oracle"]["queries"] == [summary["queries"]]
    assert threat["oracle"]["attacker_time_s"] == [summary["queries"] - 1.0]
    assert threat["oracle"]["first_detection"][0] is not None and "caught at query" in threat["summary"]
    loaded = Recipe.from_dict(summary["recipe"])
    assert (loaded.output_mode, loaded.throttle, loaded.stateful_detector) == ("label", "1/s", "blacklight")
    old = {
        k: v
        for k, v in summary["recipe"].items()
        if k not in ("output_mode", "throttle", "stateful_detector", "surrogates")
    }
    assert Recipe.from_dict(old).output_mode == "probabilities" and Recipe.from_dict(old).surrogates == []


def test_a_transfer_inspection_is_computed_on_the_surrogate_and_judged_on_the_target():
    from inspector.core.evasion.inspect import inspect
    from inspector.core.evasion.recipe import Recipe
    from inspector.core.io.resources import resource_path

    recipe = Recipe(
        image=str(resource_path("images", "mnist-7.png")),
        model="mnist-standard",
        attack="mifgsm",
        params={"eps": 0.3, "step_size": 0.03, "loss": "margin"},
        surrogates=["mnist-distilled"],
    )
    inspection = inspect(recipe)
    threat = inspection.to_dict()["threat_model"]
    assert threat["kind"] == "transfer" and threat["computed_on"] == "mnist-distilled" and threat["oracle"] is None
    with torch.no_grad():
        assert inspection.success == bool(inspection.model(inspection.x_adv).argmax(1) != inspection.original.label)
