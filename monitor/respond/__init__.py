"""Respond: the fact base, rebuttal drafts that cite it, and response cases.

Nothing in this package publishes or sends anything to an outlet: people do, and record it.
"""

from __future__ import annotations


class RespondError(Exception):
    """A respond action cannot be done; the message says why (shown to the user)."""


class NotFound(RespondError):
    """The fact, draft, case or item does not exist."""


class InvalidInput(RespondError):
    """A value given by the user is not acceptable; the message names it."""
