"""The Harden workspace: adversarial fine-tuning of the current model, with live curves."""
