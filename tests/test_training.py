"""Smoke tests of `inspector train` on one batch of real digits: each method, and resume."""

import pytest
import torch
from conftest import DATA
from safetensors import safe_open

from inspector.core.models.zoo.mnist_cnn import load_mnist_cnn
from inspector.core.training import train
from inspector.core.training.pgd_at import PGDAdversarialLoss
from inspector.core.util.errors import ParameterError

MNIST = DATA / "mnist"


@pytest.mark.parametrize("method", ["standard", "pgd-at", "distilled", "dp", "trades", "fast-at", "fgsm-aug"])
def test_one_batch_of_each_method(tmp_path, method):
    seen = []
    report = train(method, data=MNIST, out_dir=tmp_path, epochs=1, limit=100, on_progress=seen.append)
    assert report.finished and report.path == tmp_path / f"mnist-{method}.safetensors"
    assert [p.stage for p in seen] == {"distilled": ["teacher", "student"], "dp": ["dp-sgd"]}.get(method, [method])
    assert all(p.batches == 1 and 0 <= p.accuracy <= 1 and p.loss > 0 for p in seen)
    assert 0 <= report.held_out_accuracy <= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [report.path.name]  # checkpoints removed
    with safe_open(str(report.path), "pt") as f:
        assert f.metadata()["method"] == method
    model = load_mnist_cnn(report.path, "smoke")
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 10)


def test_resume_gives_the_same_weights(tmp_path):
    whole = train("standard", data=MNIST, out_dir=tmp_path / "whole", epochs=2, limit=100)
    out = tmp_path / "parts"
    checkpoint = out / "mnist-standard.ckpt"
    stopped = train("standard", data=MNIST, out_dir=out, epochs=2, limit=100, should_stop=checkpoint.exists)
    assert not stopped.finished and checkpoint.exists() and not stopped.path.exists()
    resumed = train("standard", data=MNIST, out_dir=out, epochs=2, limit=100, resume=True)
    assert resumed.finished and not checkpoint.exists()
    a = load_mnist_cnn(whole.path, "a").state_dict()
    b = load_mnist_cnn(resumed.path, "b").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_dp_sgd_resumes_to_the_same_weights_and_epsilon(tmp_path):
    whole = train("dp", data=MNIST, out_dir=tmp_path / "whole", epochs=2, limit=200)
    out = tmp_path / "parts"
    checkpoint = out / "mnist-dp.ckpt"
    stopped = train("dp", data=MNIST, out_dir=out, epochs=2, limit=200, should_stop=checkpoint.exists)
    assert not stopped.finished and not stopped.path.exists()
    resumed = train("dp", data=MNIST, out_dir=out, epochs=2, limit=200, resume=True)
    assert resumed.finished and resumed.epsilon == pytest.approx(whole.epsilon) and whole.epsilon > stopped.epsilon > 0
    a = load_mnist_cnn(whole.path, "a").state_dict()
    b = load_mnist_cnn(resumed.path, "b").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    with safe_open(str(resumed.path), "pt") as f:
        assert float(f.metadata()["epsilon"]) == pytest.approx(resumed.epsilon, abs=1e-3)


def test_pgd_at_eps_warms_up_and_bad_method():
    loss = PGDAdversarialLoss(eps=0.3, warmup=2.0)
    assert loss.eps_at(0.0) == 0 and loss.eps_at(1.0) == pytest.approx(0.15) and loss.eps_at(2.5) == 0.3
    with pytest.raises(ParameterError, match="unknown training method 'magic'"):
        train("magic")


def test_pgd_at_trains_on_the_attacks_own_adversarials(mnist_digits):
    """The training loss skips PGD's scoring pass, not its result: it trains on the same 8-bit adversarials."""
    from inspector.core.attacks.pgd import PGD
    from inspector.core.models.loading import load_model

    x, y = mnist_digits
    net = load_model("mnist-standard", "cpu").net  # the bare network: a Classifier stays in eval mode
    seen = []
    net.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach()) if module.training else None)
    PGDAdversarialLoss(eps=0.3, steps=5, warmup=0)(net, x, y, seed=3, progress=1.0)
    attack = PGD(eps=0.3, step_size=2.5 * 0.3 / 5, steps=5, loss="ce", random_start=True, seed=3)
    expected = attack.run(net.eval(), x, y)
    assert len(seen) == 1 and torch.equal(seen[0], expected.x_adv) and expected.success.any()


def test_gaussian_noise_training_names_its_model_by_sigma(tmp_path):
    report = train("smooth", data=MNIST, out_dir=tmp_path, epochs=1, limit=100, params={"sigma": "0.5"})
    assert report.finished and report.path == tmp_path / "mnist-smooth-0.50.safetensors"
    with safe_open(str(report.path), "pt") as f:
        assert (f.metadata()["method"], f.metadata()["sigma"]) == ("smooth", "0.5")
