"""The `monitor` command: thin. Each command parses its arguments, calls one function, prints.

Commands live in monitor/commands/ (one module per stage) and register with @command.

Every command's help is its function's docstring; README's CLI reference is generated from
these helps (`python -m monitor.clidoc`) and a test fails when the two drift apart.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from classifiers.errors import ClassifierError

from .commands import COMMANDS, UserError
from .config import ConfigError, load_settings
from .sources import SourcesError
from .store.db import StoreError

__all__ = ["UserError", "build_parser", "main"]


# -- entry point ------------------------------------------------------------------------------
def load_commands() -> None:
    """Import every module of monitor.commands: each registers its commands."""
    import importlib
    import pkgutil

    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Media monitoring for the Department of Construction of Lạng Sơn province.",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (env MONITOR_DATABASE_URL; default sqlite:///monitor.db)",
    )
    parser.add_argument(
        "--sources", metavar="PATH", help="sources file (env MONITOR_SOURCES; default sources.yaml)"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings file of MONITOR_NAME=value lines (env MONITOR_CONFIG)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    load_commands()
    for name, (func, configure) in COMMANDS.items():
        doc = (func.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else ""
        child = sub.add_parser(
            name,
            help=summary,
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        configure(child)
        child.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(
            config_file=args.config, database_url=args.database, sources=args.sources
        )
        return int(args.func(args, settings))
    except (UserError, ConfigError, SourcesError, StoreError, ClassifierError) as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("monitor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`monitor export | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    # Run through the package module, so the commands register in the same registry.
    from monitor.cli import main as package_main

    raise SystemExit(package_main())
