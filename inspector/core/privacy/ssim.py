"""SSIM, the structural similarity index (Wang, Bovik, Sheikh and Simoncelli 2004, "Image Quality
Assessment: From Error Visibility to Structural Similarity", IEEE TIP 13(4):600-612).

    SSIM(x, y) = mean over windows of (2 mu_x mu_y + C1)(2 sigma_xy + C2)
                                      / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))

with the paper's 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03 and
dynamic range L = 1, over the valid windows only (no padding).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

WINDOW, SIGMA, K1, K2 = 11, 1.5, 0.01, 0.03


def ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """SSIM of each pair: x, y (N, C, H, W) in [0, 1] with H, W >= 11 -> (N,) in [-1, 1] (1: identical)."""
    c = x.shape[1]
    g = torch.exp(-((torch.arange(WINDOW) - WINDOW // 2) ** 2) / (2 * SIGMA**2))
    g = g / g.sum()
    window = (g[:, None] * g[None, :]).expand(c, 1, WINDOW, WINDOW).to(x)

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, window, groups=c)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = K1**2, K2**2
    value = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return value.flatten(1).mean(1)
