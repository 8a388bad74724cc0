"""Robustness Inspector: how fragile is an image classifier?"""

__version__ = "0.1.0"
