"""One exception type for every mistake a user can make.

A :class:`UserError` carries a single line that names the file (and line) or
the setting at fault and says how to fix it. The command line prints that line
and exits non-zero; it never prints a traceback for these.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A mistake the user can fix; ``str(error)`` is the one-line message."""


def at(path: Path | str, line: int | None, message: str) -> UserError:
    """Build a ``file:line: message`` error (``line`` may be ``None``)."""
    where = f"{_display(path)}:{line}" if line else _display(path)
    return UserError(f"{where}: {message}")


def _display(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
