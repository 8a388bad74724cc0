"""Whole-dataset evaluation: clean and robust accuracy of a model on a labelled data set.

One entry point, Qt-free, for the CLI and the GUI::

    from inspector.core.evaluation import EvaluationConfig, evaluate
    result = evaluate(EvaluationConfig(data="mnist-heldout", model="mnist-standard", limit=200))
"""

from inspector.core.evaluation.config import EvaluationConfig
from inspector.core.evaluation.result import EvaluationResult, Example
from inspector.core.evaluation.runner import Progress, default_batch_size, evaluate

__all__ = ["EvaluationConfig", "EvaluationResult", "Example", "Progress", "default_batch_size", "evaluate"]
