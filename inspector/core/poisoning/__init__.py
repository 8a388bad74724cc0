"""Training-time attacks (backdoors by data poisoning) and the scans that find them.

Attacks: BadNets (Gu et al. 2017, arXiv:1708.06733) with pixel, patch and
blend triggers (Chen et al. 2017, arXiv:1712.05526); the clean-label backdoor
(Turner et al. 2019, arXiv:1912.02771). Defences: Neural Cleanse on a model
(Wang et al. 2019), activation clustering (Chen et al. 2018, arXiv:1811.03728)
and spectral signatures (Tran et al. 2018, arXiv:1811.00636) on a training
set. STRIP (Gao et al. 2019) is an inference-time detector in
:mod:`inspector.core.defenses.strip`.

The attacks are registered in :data:`~inspector.core.poisoning.attacks.POISONING_ATTACKS`, the
data scans in :data:`~inspector.core.poisoning.scans.DATA_SCANS` and the model scans in
:data:`~inspector.core.poisoning.model_scan.MODEL_SCANS`, one module each.
"""
