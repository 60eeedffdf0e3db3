"""Generate README's CLI reference from the parser's own help: `python -m monitor.clidoc`.

With ``--write`` the README section between the cli markers is replaced; a test fails when
the README and the help drift apart.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .cli import build_parser

START, END = "<!-- cli:start -->", "<!-- cli:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _help(parser: argparse.ArgumentParser) -> str:
    return parser.format_help().rstrip()


def reference() -> str:
    """Markdown: the top-level help, then each command's (and sub-action's) help."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        parts = ["```text", "$ monitor --help", _help(parser), "```"]
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, child in sub.choices.items():
            parts += ["", f"### `monitor {name}`", "", "```text", _help(child), "```"]
            for action in child._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for sub_name, grandchild in action.choices.items():
                        parts += [
                            "",
                            "```text",
                            f"$ monitor {name} {sub_name} --help",
                            _help(grandchild),
                            "```",
                        ]
        return "\n".join(parts)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def readme_section(text: str) -> str | None:
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ref = reference()
    if "--write" not in argv:
        print(ref)
        return 0
    text = README.read_text(encoding="utf-8")
    if readme_section(text) is None:
        print("README.md has no cli markers", file=sys.stderr)
        return 1
    new = re.sub(
        re.escape(START) + r"\n.*?\n" + re.escape(END),
        lambda _m: f"{START}\n{ref}\n{END}",
        text,
        flags=re.S,
    )
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
