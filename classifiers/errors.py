"""Named exceptions of the classifier library."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of every error raised by ``classifiers``."""


class DataError(ClassifierError, ValueError):
    """Training or evaluation data is malformed (the message names the file and line)."""


class ModelError(ClassifierError):
    """A model directory is missing, corrupted, tampered with or incompatible."""


class LabelConfigError(ClassifierError, ValueError):
    """The label configuration (labels.yaml) is malformed."""
