"""The Training-time workspace: backdoor a model by poisoning its training data, and scan for it."""
