"""Counts parses and audio-cache reads in every Python process of a render (bench/trace.py).

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; bench/trace.py puts
this folder there and names a file in ``EXPLAINER_TRACE``. Each process wraps the
functions below before any pipeline module binds them, and appends its counts to that
file as one JSON line when it exits. The pipeline itself carries no tracing code.
"""

from __future__ import annotations

import atexit
import collections
import json
import os

TRACE = os.environ.get("EXPLAINER_TRACE")
COUNTS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


def _wrap(module, name: str, kind: str, label) -> None:
    original = getattr(module, name)

    def counted(*args, **kwargs):
        COUNTS[kind][label(*args, **kwargs)] += 1
        return original(*args, **kwargs)

    setattr(module, name, counted)


def _dump() -> None:
    line = json.dumps({"pid": os.getpid(), "counts": {k: dict(v) for k, v in COUNTS.items()}})
    with open(TRACE, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


if TRACE:
    from pathlib import Path

    from explainer import media, narration, script

    _wrap(script, "parse_chapter", "parse", lambda path, *a, **k: Path(path).name)
    _wrap(script, "load_lexicon", "lexicon", lambda path, *a, **k: Path(path).name)
    # a cache lookup reads the entry's JSON sidecar and checks its WAV's checksum
    _wrap(narration.Narrator, "_load", "cache lookup", lambda self, key, *a, **k: key[:12])
    _wrap(narration, "_sha256", "cache checksum", lambda path: Path(path).stem[:12])
    # named with their folder: every chapter's track is work/<key>/narration.wav
    _wrap(
        media,
        "read_wav",
        "wav read",
        lambda path: f"{Path(path).parent.name}/{Path(path).stem[:12]}",
    )
    atexit.register(_dump)
