"""CLI commands, one module per stage; each module registers its commands with @command.

This package holds what the command modules share (the registry, the store helpers and the
error a user can fix); ``monitor.cli`` builds the parser from the registry.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..config import Settings
from ..sources import load_sources


class UserError(Exception):
    """A problem the user can fix: printed as one sentence, exit status 2."""


Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, tuple[Command, Callable[[argparse.ArgumentParser], None]]] = {}


def command(name: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    def register(func: Command) -> Command:
        if name in COMMANDS and COMMANDS[name][0].__module__ != func.__module__:
            raise RuntimeError(f"two commands named {name!r}: {func.__module__} and "
                               f"{COMMANDS[name][0].__module__}")  # fmt: skip
        COMMANDS[name] = (func, configure)
        return func

    return register


def open_engine(settings: Settings) -> Any:
    """The store named by the settings, migrated when fresh."""
    from ..store.db import open_store

    return open_store(settings.database_url)


@contextmanager
def store(settings: Settings, *errors: type[Exception]) -> Iterator[Any]:
    """The store for one command, disposed afterwards; ``errors`` become a UserError."""
    engine = open_engine(settings)
    try:
        yield engine
    except errors as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()


def sync(settings: Settings, engine: Any) -> list[Any]:
    """Load the sources file and bring the sources table in line with it."""
    from ..store.queries import sync_sources

    configured = load_sources(settings.sources)
    sync_sources(engine, configured)
    return configured
