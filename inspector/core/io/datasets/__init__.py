"""Labelled image data sets the product trains and evaluates on."""
