"""An ONNX model run by onnxruntime, as a torch module without gradient."""

from __future__ import annotations

import onnxruntime
import torch
from torch import nn

from inspector.core.util.messages import one_line


class OnnxRuntimeNet(nn.Module):
    """``forward(x)``: (N, C, H, W) float32 -> the model's first output, computed by onnxruntime on the CPU.

    The result is a new tensor on ``x``'s device with no gradient (onnxruntime
    computes none), so only black-box attacks run on it. onnxruntime's errors
    (a wrong input shape, a failing operator) are raised as ``RuntimeError`` with one line.
    """

    def __init__(self, session: onnxruntime.InferenceSession):
        super().__init__()
        self.session = session
        self.input_name = session.get_inputs()[0].name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feed = {self.input_name: x.detach().to("cpu", torch.float32).contiguous().numpy()}
        try:
            out = self.session.run(None, feed)[0]
        except Exception as exc:  # onnxruntime's errors derive from Exception only
            raise RuntimeError(f"onnxruntime: {one_line(exc)}") from None
        return torch.from_numpy(out).to(x.device)


#: The most threads a session runs on.
MAX_THREADS = 64


def open_session(data: bytes) -> onnxruntime.InferenceSession:
    """An onnxruntime CPU session for the serialised model ``data``, using torch's thread count.

    The model comes as bytes, with any external data already read into it
    (:func:`~inspector.core.models.formats.onnx_tensors.load_external_data`), so onnxruntime
    opens no file. Its cost must have been bounded first
    (:func:`~inspector.core.models.formats.onnx_cost.check_cost`): creating a session folds
    constants, which allocates. The threads are bounded, run sequentially, and no
    custom-operator library is registered.
    """
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, min(torch.get_num_threads(), MAX_THREADS))
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = (
        4  # fatal only: an error is raised with its text, and its log line would be a second one
    )
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
