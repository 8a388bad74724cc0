"""Whole-dataset evaluation: clean and robust accuracy of a model on a labelled data set."""
