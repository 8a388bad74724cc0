"""Which packages the wheel holds; everything else is in pyproject.toml.

Discovery finds inspector and its subpackages; inspector.resources lives in
resources/ (package-dir in pyproject.toml), where discovery cannot see it.
"""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["inspector", "inspector.*"]) + ["inspector.resources"])
