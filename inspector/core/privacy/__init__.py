"""Privacy attacks on a classifier's confidentiality, one module per concept (no Qt).

Model stealing (extraction): :mod:`.stealing` drives Copycat (Correia-Silva et
al. 2018, arXiv:1806.05476) and Knockoff Nets (Orekondy et al. 2019,
arXiv:1812.02766) through the query oracle. Model inversion: :mod:`.inversion`
(MI-Face, Fredrikson et al. 2015) and :mod:`.inversion_run` (all classes, scored).
Membership inference: :mod:`.membership` (loss threshold, LiRA, label-only; entry point
:func:`~inspector.core.privacy.membership.run_membership`).
"""
