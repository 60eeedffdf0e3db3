"""The interface's message catalogues live in monitor/i18n (the documents use them too)."""

from monitor.i18n import DEFAULT, HERE, LANGUAGES, catalogue, translate, vi

__all__ = ["DEFAULT", "HERE", "LANGUAGES", "catalogue", "translate", "vi"]
