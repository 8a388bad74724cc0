"""How an extraction attack picks its next queries from the pool: at random, or adaptively.

Random: a seeded permutation of the pool, taken in order (Copycat, Correia-Silva
et al. 2018, arXiv:1806.05476; Knockoff Nets' "random" strategy, Orekondy et
al. 2019, arXiv:1812.02766).

Adaptive (Knockoff Nets, Section 4.1.2): a gradient bandit picks an action,
then an unused pool image of that action. Orekondy et al.'s actions are the
labels of the attacker's own data set; ours is unlabelled, so the actions are
k-means clusters of the pool's pixels, made without any label. The reward of a
query is the mean of three, each standardised by its running mean and
deviation: certainty (top-1 minus top-2 victim probability; probabilities
only), diversity (how far the answer exceeds the mean of the last
:data:`DIVERSITY_WINDOW` answers, sum_k max(0, y_k - mean_k)) and loss (the
copy's cross-entropy against the answer). Preferences H follow
H(a_t) += step (r_t - mean r)(1 - pi(a_t)), H(a) -= step (r_t - mean r) pi(a)
for a != a_t, with pi = softmax(H).
"""

from __future__ import annotations

import torch

DIVERSITY_WINDOW = 100


def kmeans(x: torch.Tensor, k: int, generator: torch.Generator, iterations: int = 20) -> torch.Tensor:
    """Lloyd's k-means of the rows of ``x`` (N, D), from k random rows; the cluster of each row, (N,) long."""
    centres = x[torch.randperm(len(x), generator=generator)[:k]].clone()
    assign = torch.zeros(len(x), dtype=torch.long)
    for _ in range(iterations):
        assign = torch.cdist(x, centres).argmin(1)
        for c in range(len(centres)):
            members = x[assign == c]
            if len(members):
                centres[c] = members.mean(0)
    return assign


class RandomSampler:
    """Pool indices in a seeded random order, never twice. ``taken`` (int): how many were handed out."""

    def __init__(self, pool_size: int, seed: int = 0):
        self.order = torch.randperm(pool_size, generator=torch.Generator().manual_seed(seed))
        self.taken = 0

    def take(self, n: int) -> torch.Tensor:
        """The next ``n`` indices (fewer when the pool runs out), (n,) long."""
        out = self.order[self.taken : self.taken + n]
        self.taken += len(out)
        return out

    def state_dict(self) -> dict:
        return {"taken": self.taken}

    def load_state_dict(self, state: dict) -> None:
        self.taken = int(state["taken"])


class AdaptiveSampler:
    """Knockoff Nets' adaptive sampling over ``actions`` k-means clusters of the pool (N, C, H, W).

    Args:
        pool: the query pool, (N, C, H, W) in [0, 1].
        actions: number of clusters (bandit arms).
        step: the bandit's step size.
        use_certainty: False for label-only answers, where the margin is not seen.
        seed: seeds the clustering and the draws.
    """

    def __init__(
        self, pool: torch.Tensor, *, actions: int = 30, step: float = 0.2, use_certainty: bool = True, seed: int = 0
    ):
        self.generator = torch.Generator().manual_seed(seed)
        self.clusters = kmeans(pool.flatten(1), min(actions, len(pool)), self.generator)
        k = int(self.clusters.max()) + 1
        self.step = step
        self.use_certainty = use_certainty
        self.preferences = torch.zeros(k, dtype=torch.float64)
        self.used = torch.zeros(len(pool), dtype=torch.bool)
        self.mean_reward = 0.0
        self.count = 0
        self.stats = torch.zeros(3, 3, dtype=torch.float64)  # per reward: count, mean, M2 (Welford)
        self.recent = torch.zeros(0, 0)

    @property
    def taken(self) -> int:
        return int(self.used.sum())

    def policy(self) -> torch.Tensor:
        """pi = softmax(H) over the actions that still have unused images, (k,) float64."""
        left = torch.bincount(self.clusters[~self.used], minlength=len(self.preferences)) > 0
        return torch.where(left, self.preferences, torch.tensor(float("-inf"), dtype=torch.float64)).softmax(0)

    def take(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` unused pool indices (fewer when the pool runs out) and the action each came from, (n,) long."""
        indices, actions = [], []
        for _ in range(min(n, int((~self.used).sum()))):
            action = int(torch.multinomial(self.policy().float(), 1, generator=self.generator))
            free = ((self.clusters == action) & ~self.used).nonzero().flatten()
            index = int(free[torch.randint(len(free), (1,), generator=self.generator)])
            self.used[index] = True
            indices.append(index)
            actions.append(action)
        return torch.tensor(indices, dtype=torch.long), torch.tensor(actions, dtype=torch.long)

    def rewards(self, answers: torch.Tensor, copy_logits: torch.Tensor) -> torch.Tensor:
        """The reward of each query, (n,) float64: the standardised certainty, diversity and loss, averaged.

        ``answers`` (n, K): victim probabilities, or one-hot top-1 labels; ``copy_logits`` (n, K).
        """
        answers = answers.double()
        if self.recent.shape[1] != answers.shape[1]:
            self.recent = torch.zeros(0, answers.shape[1])
        top2 = answers.topk(2, dim=1).values
        certainty = top2[:, 0] - top2[:, 1]
        diversity = torch.empty(len(answers), dtype=torch.float64)
        for i, y in enumerate(answers):
            window = self.recent[-DIVERSITY_WINDOW:]
            diversity[i] = (y - window.mean(0)).clamp(min=0).sum() if len(window) else 0.0
            self.recent = torch.cat([window, y.float()[None]])
        loss = -(answers * copy_logits.double().log_softmax(1)).sum(1)
        parts = [certainty, diversity, loss] if self.use_certainty else [diversity, loss]
        rows = [0, 1, 2] if self.use_certainty else [1, 2]
        return torch.stack([self._standardised(r, values) for r, values in zip(rows, parts, strict=True)]).mean(0)

    def _standardised(self, row: int, values: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(values)
        for i, v in enumerate(values.tolist()):
            n, mean, m2 = self.stats[row].tolist()
            n += 1
            delta = v - mean
            mean += delta / n
            m2 += delta * (v - mean)
            self.stats[row] = torch.tensor([n, mean, m2], dtype=torch.float64)
            std = (m2 / n) ** 0.5
            out[i] = (v - mean) / std if std > 0 else 0.0
        return out

    def update(self, actions: torch.Tensor, rewards: torch.Tensor) -> None:
        """One gradient-bandit step per (action, reward), in the order the queries were made."""
        for action, reward in zip(actions.tolist(), rewards.tolist(), strict=True):
            self.count += 1
            self.mean_reward += (reward - self.mean_reward) / self.count
            pi = self.policy()
            advantage = self.step * (reward - self.mean_reward)
            grad = -advantage * pi
            grad[action] = advantage * (1 - pi[action])
            self.preferences += torch.nan_to_num(grad)

    def state_dict(self) -> dict:
        return {
            "preferences": self.preferences,
            "used": self.used,
            "mean_reward": self.mean_reward,
            "count": self.count,
            "stats": self.stats,
            "recent": self.recent,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.preferences, self.used, self.stats, self.recent = (
            state[k] for k in ("preferences", "used", "stats", "recent")
        )
        self.mean_reward, self.count = float(state["mean_reward"]), int(state["count"])
        self.generator.set_state(state["generator"])
