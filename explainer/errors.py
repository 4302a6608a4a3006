"""One exception type for every mistake a user can make.

A :class:`UserError` carries a single line that names the file (and line) or
the setting at fault and says how to fix it. The command line prints that line
and exits non-zero; it never prints a traceback for these.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A mistake the user can fix; ``str(error)`` is the one-line message."""


# a project's own folders: a file under one is named from the project root
PROJECT_FOLDERS = ("script", "scenes", "build", "subtitles", "audio")


def at(path: Path | str, line: int | None, message: str) -> UserError:
    """Build a ``file:line: message`` error (``line`` may be ``None``)."""
    where = f"{display(path)}:{line}" if line else display(path)
    return UserError(f"{where}: {message}")


def display(path: Path | str) -> str:
    """How every message names a file, wherever the command runs.

    A file in a project folder is named from the project root (``script/03-tokenizer.md``,
    ``scenes/03_tokenizer.py``, ``build/low/03-tokenizer.mp4``); any other file relative
    to the working directory when it lies inside it, else in full.
    """
    path = Path(path)
    for parent in path.parents:
        if parent.name in PROJECT_FOLDERS:
            return str(path.relative_to(parent.parent))
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
