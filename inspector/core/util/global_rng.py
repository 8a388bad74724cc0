"""The one lock on torch's global random generator, for runs that share a process.

Most of the tool draws from generators of its own (``torch.Generator().manual_seed(seed)``),
which threads do not share. Two things cannot: training (``torch.manual_seed`` then weight
initialisation, dropout masks and shuffles from the global generator) and Monte Carlo dropout
(:mod:`inspector.core.defenses.mc_dropout`; dropout layers draw from the global generator).
Two such runs at once on two threads (two workspaces of the app) would take each other's
draws and neither would be reproducible, so each holds :data:`GLOBAL_RNG` while it seeds and
draws. It is re-entrant: a training job that holds it may run code that takes it again.
"""

from __future__ import annotations

import threading

#: Held while seeding and drawing from torch's global (CPU and CUDA) random generator.
GLOBAL_RNG = threading.RLock()
