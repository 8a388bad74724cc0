"""The Physical workspace: make a sticker, patch or universal perturbation and see it under random views."""
