"""Completeness: README's CLI reference is the parser's help; every setting is documented."""

from __future__ import annotations

from monitor.clidoc import README, readme_section, reference
from monitor.config import SETTINGS


def test_readme_cli_reference_matches_the_help() -> None:
    section = readme_section(README.read_text(encoding="utf-8"))
    assert section is not None, "README.md lost its <!-- cli:start --> markers"
    assert section == reference(), "README is stale: run `python -m monitor.clidoc --write`"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in text]
    assert not missing, f"README does not mention {missing}"


def test_every_setting_has_help() -> None:
    assert all(s.help.strip() for s in SETTINGS)
