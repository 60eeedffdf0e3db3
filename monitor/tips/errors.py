"""The one error of the tips package."""

from __future__ import annotations


class TipError(ValueError):
    """A tip or a token request that cannot be accepted. The message is an English sentence
    for the command line and the API; ``code`` names the problem for the dashboard's catalogue
    (``tip.error.<code>``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
