"""Trace a one-word-edit render: how often each chapter is parsed and each cache entry read.

    uv run python bench/trace.py               # chapter 1, espeak voice (fast)
    uv run python bench/trace.py --chapters 3  # chapters 1-3, the edit in chapter 1
    uv run python bench/trace.py --voice piper

Works on a scratch copy of the project (the real scripts and scenes, its own build/
and audio cache). It renders once to warm the caches, changes one word in chapter 1,
and renders again with bench/trace_hook/ on PYTHONPATH, which counts calls in every
process of that render (the command line and each chapter's worker). Prints the counts;
asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import scratch_project  # noqa: E402  (bench/render.py)


def render(root: Path, voice: str, trace: Path | None = None) -> float:
    """``render.py --quality low`` on the whole scratch project (chapters and assembly)."""
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE=voice)
    if trace is not None:
        hook = str(Path(__file__).resolve().parent / "trace_hook")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [hook, env.get("PYTHONPATH")]))
        env["EXPLAINER_TRACE"] = str(trace)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if result.returncode != 0:
        sys.exit(f"render.py failed:\n{result.stderr}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapters", type=int, default=1, metavar="N", help="chapters 1-N")
    parser.add_argument("--voice", default="espeak")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_project(Path(tmp) / "project", max_chapters=args.chapters)
        keys = [p.name[:2] for p in sorted((root / "script").glob("[0-9][0-9]-*.md"))]
        render(root, args.voice)  # warm the audio cache and the first outputs
        script = sorted((root / "script").glob("01-*.md"))[0]
        script.write_text(script.read_text("utf-8").replace(" the ", " a ", 1), "utf-8")
        trace = Path(tmp) / "trace.jsonl"
        seconds = render(root, args.voice, trace)
        lines = [json.loads(line) for line in trace.read_text("utf-8").splitlines()]
        beats = sum(
            1
            for path in (root / "script").glob("[0-9][0-9]-*.md")
            for line in path.read_text("utf-8").splitlines()
            if line.startswith("## ")
        )
    totals: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in lines:
        for kind, counter in line["counts"].items():
            totals[kind].update(counter)
    print(
        f"one-word edit in chapter 1, render of {len(keys)} chapter(s) ({beats} beats), "
        f"voice {args.voice}: {len(lines)} processes, {seconds:.1f} s"
    )
    for kind, what in (
        ("parse", "parses per chapter file"),
        ("lexicon", "lexicon loads"),
        ("cache lookup", "cache lookups per entry (JSON read + WAV checksum)"),
        ("cache checksum", "WAV checksums per entry"),
        ("wav read", "WAV sample reads per file (narration track)"),
    ):
        counter = totals.get(kind, collections.Counter())
        values = sorted(counter.values())
        spread = f"min {values[0]}, max {values[-1]}" if values else "none"
        print(f"  {what:52} {len(counter):3d} distinct, {sum(values):4d} calls ({spread})")
    for name, count in sorted(totals.get("parse", {}).items()):
        print(f"    parsed {name}: {count}x")


if __name__ == "__main__":
    main()
