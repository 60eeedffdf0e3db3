"""Review: the analysts' queue, verdicts, sign-off, assignment, users and the audit log.

The web dashboard and the CLI are thin shells over these functions.
"""

from __future__ import annotations

from .. import vocabulary


class ReviewError(Exception):
    """A review action cannot be done; the message says why (shown to the user)."""


class NotFound(ReviewError):
    """The item, user or verdict does not exist."""


class PermissionDenied(ReviewError, vocabulary.PermissionDenied):
    """The user's role does not allow this action."""


class InvalidInput(ReviewError):
    """A value given by the user is not acceptable (unknown verdict, missing reason...)."""
