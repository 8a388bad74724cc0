"""HopSkipJump: the label-only, minimal-norm attack that walks along the decision boundary, L2 and Linf.

Chen, Jordan and Wainwright 2020, "HopSkipJumpAttack: A Query-Efficient
Decision-Based Attack", IEEE S&P, arXiv:1904.02144.

The model is reached only through a :class:`~inspector.core.concealment.oracle.QueryOracle`
returning the top-1 label. With phi(x') = +1 where x' is adversarial and -1
elsewhere, each image goes through (Algorithm 2 of the paper):

1. start: a uniform-noise image that is adversarial (untargeted) or a given
   image of the target class (targeted), then a binary search on the blend
   (1 - a) x + a x_start to the boundary (Linf: then step 4's search), to the
   threshold theta = gamma / d^(3/2) (L2) or gamma / d^2 (Linf), d the input dimension;
2. per iteration t: estimate the boundary's normal at x_t from B_t = B_0 sqrt(t)
   random probes x_t + delta_t u_b (Monte-Carlo with baseline subtraction, eq. 16),
   delta_t = sqrt(d) theta ||x_t - x||_2 (L2) or d theta ||x_t - x||_inf (Linf), 0.1 at t = 1;
3. step along it (the direction for L2, its sign for Linf) by
   ||x_t - x|| / sqrt(t), halved until the step lands adversarial (geometric search);
4. binary search back towards x to the boundary: the blend (1 - a) x + a x_t (L2)
   or the projection of x_t onto the Linf ball of radius a around x (Linf).

Every iterate is adversarial in float; the closest one is kept (the paper
returns the last, which a step from a noisy gradient estimate, such as the
last one a budget cuts short, can leave farther away). The result must be
adversarial once rounded to 8 bits, which a point theta away from the boundary
rarely is; so the last few queries scale the perturbation by s = 1, then
1 + 2^k for k = -6, ..., 4, until the rounded image is adversarial, and bisect
s (these queries are reserved from the start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Step, finalize, register
from inspector.core.attacks.norms import NORMS
from inspector.core.attacks.query import QueryAttack
from inspector.core.concealment.oracle import QueryOracle
from inspector.core.io.image import quantize
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import MAX_SEED, param

#: Queries reserved per image for the 8-bit export: scales 1 and 1 + 2^k for k = -6..4, then 3 bisections.
EXPORT_SCALES = (1.0, *(1.0 + 2.0**k for k in range(-6, 5)))
EXPORT_BISECTIONS = 3
EXPORT_QUERIES = len(EXPORT_SCALES) + EXPORT_BISECTIONS
#: Uniform-noise draws tried per image for an adversarial start.
START_TRIES = 100
#: Input values per oracle call of the gradient estimate: small batches run fastest on a CPU, whose
#: caches they fit (2**14 values: 20 MNIST digits, 0.44 ms a digit on one core against 0.65 ms in
#: batches of 668; one 224x224 photo, 23 ms against 34 ms in batches of 16), large ones on a GPU.
PROBE_VALUES = {"cpu": 2**14, "gpu": 2**26}


def distance(x: torch.Tensor, x_adv: torch.Tensor, norm: str) -> torch.Tensor:
    """(N,) L2 or Linf distance per image, in [0, 1] pixel units."""
    delta = (x_adv - x).flatten(1)
    return delta.norm(dim=1) if norm == "l2" else delta.abs().amax(dim=1)


def _rows(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return v.view(-1, *([1] * (like.dim() - 1)))


@register
@dataclass
class HopSkipJump(QueryAttack):
    """HopSkipJump, L2 or Linf, label-only (Chen, Jordan and Wainwright 2020, arXiv:1904.02144).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). ``model`` is reached
    only through a label-only :class:`~inspector.core.concealment.oracle.QueryOracle`, at
    most ``max_queries`` queries per image (``AttackResult.queries`` is the most
    any image used, ``query_counts`` each image's). ``Step.probabilities`` are
    the one-hot oracle labels of the iterates, ``model.num_classes`` wide (zero
    rows for images with no start yet); the scores stay concealed. Minimal-norm
    attack: read the norm of the result. An image with no adversarial start
    within 100 noise draws is left as it is (not fooled).

    Targeted: pass ``starting_points`` (N, C, H, W) in [0, 1], images the
    model classifies as the target, to :meth:`run`; the CLI and the GUI have no
    such images and run it untargeted only.

    The time goes into the model's forward passes: about 37 ms per query of a
    224x224 photo on one CPU core, where 10,000 queries (the ``PAPER`` preset;
    the paper plots up to 25,000) take six minutes. The default 600 take 22 s
    there and under a second on an MNIST digit, where they reach a small L2.
    On a photo they are only a start: on three sample photos the L2 went from
    62-67 to 33-66 after 600 queries and 14-27 after 2,000 (DeepFool: 0.1-0.5);
    give it minutes (``max_queries``) where the label-only threat model matters.
    """

    name = "hopskipjump"
    title = "HopSkipJump"
    paper = (
        "Chen, Jordan and Wainwright 2020, HopSkipJumpAttack: A Query-Efficient Decision-Based Attack, arXiv:1904.02144"
    )
    threat_model = "label-only"
    minimal = True
    iteration_parameters = ("steps",)
    reads = "label"
    PAPER = {"max_queries": 10000}

    norm: str = param("l2", "distance minimised: l2 or linf", choices=NORMS)
    max_queries: int = param(
        600, "query budget per image (paper preset: 10000)", minimum=2 * EXPORT_QUERIES, maximum=MAX_COUNT
    )
    steps: int = param(
        40,
        "most iterations, each one gradient estimate, step and binary search (authors' code: 40)",
        minimum=1,
        maximum=10000,
    )
    init_evals: int = param(
        100,
        "probes of the first gradient estimate B_0; iteration t uses B_0 sqrt(t) (paper: 100)",
        minimum=1,
        maximum=MAX_COUNT,
    )
    max_evals: int = param(10000, "most probes of one gradient estimate (paper: 10000)", minimum=1, maximum=MAX_COUNT)
    gamma: float = param(
        1.0,
        "binary-search threshold theta = gamma / d^1.5 (l2), gamma / d^2 (linf) (paper: 1)",
        minimum=1e-6,
        maximum=1e6,
    )
    seed: int = param(0, "seed of the random start and probes", minimum=0, maximum=MAX_SEED)

    def planned_cost(self, shape):
        return 0, self.max_queries

    def run(
        self,
        model,
        x,
        y,
        *,
        target=None,
        on_step=None,
        should_stop=None,
        starting_points=None,
        oracle: QueryOracle | None = None,
    ):
        """Attack ``x``; ``starting_points`` are the targeted start (see the class docstring);
        ``oracle`` (made by :meth:`~inspector.core.attacks.query.QueryAttack.oracle`; None: ``model``
        itself) is how it queries the target: any output mode works, HopSkipJump reading the top-1
        class of its answer.

        Raises:
            ParameterError: targeted without ``starting_points``, or starting points of the wrong
                shape or not classified as the target; an oracle for other images.
        """
        x = x.detach()
        if target is not None and starting_points is None:
            raise ParameterError(
                "targeted HopSkipJump needs starting images classified as the target "
                "(starting_points); without them run it untargeted"
            )
        walk = _Walk(self, self.oracle_for(model, x, oracle), x, y, target)
        start, labels, found = walk.start(starting_points)
        x_t = x.clone()
        idx = found.nonzero().squeeze(1)
        if idx.numel():
            x_t[idx], labels[idx] = walk.boundary(x[idx], start[idx], labels[idx], idx, "l2")
            if self.norm == "linf":
                x_t[idx], labels[idx] = walk.boundary(x[idx], x_t[idx], labels[idx], idx, "linf")
        one_hot = torch.cat(
            [torch.eye(model.num_classes, device=x.device), torch.zeros(1, model.num_classes, device=x.device)]
        )
        best = x_t.clone()
        active = found.clone()
        iterations, cancelled = 0, False
        for t in range(1, self.steps + 1):
            if should_stop is not None and should_stop():
                cancelled = True
                break
            evals = walk.affordable(min(int(self.init_evals * math.sqrt(t)), self.max_evals))
            active &= evals > 0
            if not active.any():
                break
            iterations = t
            idx = active.nonzero().squeeze(1)
            dist = distance(x[idx], x_t[idx], self.norm)
            # sqrt(d) theta dist (L2) and d theta dist (Linf) are both gamma dist / d
            delta = torch.full_like(dist, 0.1) if t == 1 else self.gamma * dist / walk.d
            grad = walk.gradient(x_t[idx], delta, evals[idx], idx)
            update = grad if self.norm == "l2" else grad.sign()
            moved, step_labels, ok = walk.step(x_t[idx], update, dist / math.sqrt(t), idx)
            active[idx[~ok]] = False
            idx = idx[ok]
            if idx.numel():
                x_t[idx], labels[idx] = walk.boundary(x[idx], moved[ok], step_labels[ok], idx, self.norm)
            dist = distance(x, x_t, self.norm)
            closer = dist < distance(x, best, self.norm)
            best[closer] = x_t[closer]
            if on_step is not None:
                on_step(Step(t, self.steps, -dist, one_hot[labels], x_t.clone(), found.clone()))
        x_adv = walk.export(best, start, found)
        return finalize(
            model,
            x,
            x_adv,
            y,
            target,
            iterations=iterations,
            loss=f"-{self.norm} distance",
            cancelled=cancelled,
            queries=int(walk.oracle.queries.max()),
            query_counts=walk.oracle.queries.clone(),
            oracle=walk.oracle.report(),
        )


class _Walk:
    """One run's state and moves: the label oracle, the decision phi, theta and the random probes."""

    def __init__(self, attack: HopSkipJump, oracle: QueryOracle, x, y, target):
        self.attack, self.oracle, self.x, self.y, self.target = attack, oracle, x, y, target
        self.norm = attack.norm
        self.d = x[0].numel()
        self.theta = attack.gamma / (self.d**1.5 if self.norm == "l2" else self.d**2)
        self.search_queries = math.ceil(math.log2(1.0 / self.theta))
        self.gen = torch.Generator().manual_seed(attack.seed)

    def adversarial(self, labels, idx):
        """(m,) bool: phi(x') > 0 for oracle ``labels`` (m,) of images ``idx`` (m,)."""
        return labels != self.y[idx] if self.target is None else labels == self.target[idx]

    def remaining(self, idx=None):
        return self.oracle.remaining(idx).to(self.x.device)

    def affordable(self, wanted: int):
        """(N,) probes each image can spend on a gradient estimate, keeping a full binary search,
        two step tries and the export in reserve."""
        return (self.remaining() - self.search_queries - 2 - EXPORT_QUERIES).clamp(max=wanted)

    def start(self, starting_points):
        """Adversarial starts (N, C, H, W) on the 8-bit grid, their labels (N,) (-1: none) and which
        images have one (N,)."""
        x = self.x
        n = x.shape[0]
        everyone = torch.arange(n, device=x.device)
        if starting_points is not None:
            if starting_points.shape != x.shape:
                raise ParameterError(
                    f"starting_points has shape {tuple(starting_points.shape)}, the images {tuple(x.shape)}"
                )
            start = quantize(starting_points.to(x.device))
            labels = self.oracle(start, everyone)
            if not self.adversarial(labels, everyone).all():
                raise ParameterError("some starting_points are not classified as the target")
            return start, labels, torch.ones(n, dtype=torch.bool, device=x.device)
        start = x.clone()
        labels = torch.full((n,), -1, dtype=torch.long, device=x.device)
        found = torch.zeros(n, dtype=torch.bool, device=x.device)
        for _ in range(START_TRIES):
            idx = (~found & (self.remaining() > EXPORT_QUERIES)).nonzero().squeeze(1)
            if idx.numel() == 0:
                break
            noise = quantize(torch.rand((idx.numel(), *x.shape[1:]), generator=self.gen).to(x.device))
            got = self.oracle(noise, idx)
            hit = self.adversarial(got, idx)
            start[idx[hit]], labels[idx[hit]], found[idx[hit]] = noise[hit], got[hit], True
        return start, labels, found

    @staticmethod
    def project(x, x_adv, alpha, norm: str):
        """The binary search's point at ``alpha`` (m,): the blend (L2) or the Linf-ball projection."""
        a = _rows(alpha, x)
        if norm == "l2":
            return (1 - a) * x + a * x_adv
        return torch.maximum(torch.minimum(x_adv, x + a), x - a)

    def boundary(self, x, x_adv, labels, idx, norm: str):
        """Binary search from adversarial ``x_adv`` towards ``x`` (m, C, H, W) to the threshold theta.

        Returns the adversarial end (m, C, H, W) and its labels (m,). A midpoint
        whose image equals an end's costs no query; an image short of queries stops.
        """
        high = torch.ones(x.shape[0], device=x.device) if norm == "l2" else distance(x, x_adv, "linf")
        low = torch.zeros_like(high)
        threshold = self.theta * high
        labels = labels.clone()
        for _ in range(self.search_queries + 1):
            open_ = (high - low > threshold) & (self.remaining(idx) > EXPORT_QUERIES)
            if not open_.any():
                break
            mid = (high + low) / 2
            point = self.project(x, x_adv, mid, norm)
            same_high = (point == self.project(x, x_adv, high, norm)).flatten(1).all(1)
            same_low = (point == self.project(x, x_adv, low, norm)).flatten(1).all(1)
            high = torch.where(open_ & same_high, mid, high)
            low = torch.where(open_ & same_low & ~same_high, mid, low)
            ask = (open_ & ~same_high & ~same_low).nonzero().squeeze(1)
            if ask.numel():
                got = self.oracle(point[ask], idx[ask])
                hit = self.adversarial(got, idx[ask])
                high[ask[hit]], labels[ask[hit]] = mid[ask[hit]], got[hit]
                low[ask[~hit]] = mid[ask[~hit]]
        return self.project(x, x_adv, high, norm), labels

    def gradient(self, x_b, delta, evals, idx):
        """Unit-L2 estimate (m, C, H, W) of the boundary normal at ``x_b`` from ``evals`` (m,) probes (eq. 16).

        Probes x_b + delta u, u uniform on the sphere (L2) or uniform in the cube then normalised
        (Linf), clipped to [0, 1]; phi's mean is subtracted unless all probes agree.
        """
        m = x_b.shape[0]
        sum_u = torch.zeros(m, x_b[0].numel(), device=x_b.device)
        sum_phi_u = torch.zeros_like(sum_u)
        sum_phi = torch.zeros(m, device=x_b.device)
        values = PROBE_VALUES["cpu" if x_b.device.type == "cpu" else "gpu"]
        per_call = max(values // x_b[0].numel() // m, 1)
        for offset in range(0, int(evals.max()), per_call):
            owner = torch.repeat_interleave(torch.arange(m, device=x_b.device), (evals - offset).clamp(0, per_call))
            shape = (owner.numel(), *x_b.shape[1:])
            if self.norm == "l2":
                u = torch.randn(shape, generator=self.gen).to(x_b.device)
            else:
                u = (torch.rand(shape, generator=self.gen) * 2 - 1).to(x_b.device)
            scale = _rows(delta[owner], u)
            probe = (x_b[owner] + scale * u / _rows(u.flatten(1).norm(dim=1), u)).clamp(0.0, 1.0)
            u = ((probe - x_b[owner]) / scale).flatten(1)
            phi = self.adversarial(self.oracle(probe, idx[owner]), idx[owner]).float() * 2 - 1
            mine = torch.nn.functional.one_hot(owner, m).T.float()  # (m, probes): the image of each probe
            sum_u += mine @ u
            sum_phi_u += (mine * phi) @ u
            sum_phi += mine @ phi
        mean_phi = (sum_phi / evals)[:, None]
        grad = torch.where(mean_phi.abs() == 1, sum_phi_u, sum_phi_u - mean_phi * sum_u)
        return (grad / grad.norm(dim=1, keepdim=True).clamp_min(1e-12)).view_as(x_b)

    def step(self, x_b, update, eps, idx):
        """Geometric step-size search: x_b + eps * update, eps halved until adversarial.

        Returns the new points (m, C, H, W), their labels (m,) and which images moved (m,);
        an image short of queries keeps its point and is marked not moved.
        """
        moved = x_b.clone()
        labels = torch.full((x_b.shape[0],), -1, dtype=torch.long, device=x_b.device)
        ok = torch.zeros(x_b.shape[0], dtype=torch.bool, device=x_b.device)
        eps = eps.clone()
        while True:
            ask = (~ok & (self.remaining(idx) > self.search_queries + EXPORT_QUERIES)).nonzero().squeeze(1)
            if ask.numel() == 0:
                return moved, labels, ok
            proposal = (x_b[ask] + _rows(eps[ask], update) * update[ask]).clamp(0.0, 1.0)
            got = self.oracle(proposal, idx[ask])
            hit = self.adversarial(got, idx[ask])
            moved[ask[hit]], labels[ask[hit]], ok[ask[hit]] = proposal[hit], got[hit], True
            eps[ask[~hit]] /= 2

    def export(self, x_t, start, found):
        """8-bit adversarials (N, C, H, W): x + s (x_t - x) rounded, s the smallest scale found adversarial.

        Scales 1, 1 + 1/64, 1 + 1/32, ..., 17, then bisection between the last failing
        and the first adversarial one; the 8-bit start where none works, ``x`` where there is no start.
        """
        x = self.x
        n = x.shape[0]
        delta = x_t - x
        low = torch.zeros(n, device=x.device)
        high = torch.full((n,), float("inf"), device=x.device)

        def ask(scale, which):
            idx = (which & (self.remaining() > 0)).nonzero().squeeze(1)
            if idx.numel():
                hit = self.adversarial(self.oracle(quantize(x[idx] + _rows(scale[idx], x) * delta[idx]), idx), idx)
                high[idx[hit]] = scale[idx[hit]]
                low[idx[~hit]] = scale[idx[~hit]]

        for s in EXPORT_SCALES:
            ask(torch.full((n,), s, device=x.device), found & high.isinf())
        for _ in range(EXPORT_BISECTIONS):
            ask((low + high) / 2, found & high.isfinite() & (low > 0))
        fallback = torch.where(_rows(found, x), start, x)
        scaled = quantize(x + _rows(high.nan_to_num(posinf=0.0), x) * delta)
        return torch.where(_rows(high.isfinite(), x), scaled, fallback)
