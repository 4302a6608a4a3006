"""The ``render.py`` command line: thin wiring around the pipeline functions.

render.py [CHAPTER ...] [--quality low|medium|high|4k] [--voice NAME] [--jobs N] [-q]
render.py check          validate every script against its scene (seconds, no rendering)
render.py voices         list the voices and whether each works here
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import settings as settings_module
from .errors import UserError
from .project import Project
from .settings import QUALITIES, Settings
from .voices import VOICES, make_voice

COMMANDS = ("check", "voices")


# --------------------------------------------------------------------------- progress


class Progress:
    """One line per event for logs; an in-place status line on a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty() and not quiet
        self.state: dict[str, str] = {}
        self.lock = threading.Lock()
        self.started = time.time()

    def update(self, key: str, text: str, always: bool = False) -> None:
        with self.lock:
            self.state[key] = text
            if self.quiet and not always:
                return
            stamp = f"{time.time() - self.started:6.1f}s"
            if self.tty:
                line = " | ".join(f"{k[:2]} {v}" for k, v in sorted(self.state.items()))
                sys.stderr.write(f"\r\033[K{stamp} {line[:150]}")
                if always:
                    sys.stderr.write(f"\r\033[K{stamp} [{key}] {text}\n")
                sys.stderr.flush()
            else:
                print(f"{stamp} [{key}] {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def describe(event: dict) -> tuple[str, bool]:
    kind = event["event"]
    if kind == "synth":
        return f"voicing beat {event['index'] + 1}/{event['total']} ({event['beat']})", False
    if kind == "synth-done":
        return (
            f"narration ready: {event['misses']} synthesised, {event['hits']} from cache"
            + (f", {event['repaired']} corrupt entries replaced" if event["repaired"] else "")
        ), False
    if kind == "beat":
        return f"rendering beat {event['index'] + 1}/{event['total']} ({event['beat']})", False
    if kind == "encode":
        return f"muxing narration and captions ({event['frames']} frames)", False
    return kind, False


# --------------------------------------------------------------------------- render


def run_jobs(
    project: Project,
    keys: list[str],
    settings: Settings,
    jobs: int,
    progress: Progress,
    keep_going: bool,
) -> tuple[list[dict], list[str]]:
    """Render chapters in worker processes, ``jobs`` at a time."""
    env = dict(os.environ, **settings.as_env(), EXPLAINER_PIPELINE="1")
    pending = list(keys)
    running: dict[str, subprocess.Popen] = {}
    results: list[dict] = []
    errors: list[str] = []
    readers: list[threading.Thread] = []

    def read(key: str, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if event["event"] == "done":
                results.append(event["result"])
                r = event["result"]
                progress.update(
                    key,
                    f"done: {r['duration']:.1f} s of video in {r['seconds']:.0f} s",
                    always=True,
                )
            elif event["event"] == "error":
                errors.append(event["message"])
                progress.update(key, "failed", always=True)
            else:
                text, always = describe(event)
                progress.update(key, text, always)

    try:
        while pending or running:
            while pending and len(running) < jobs and not (errors and not keep_going):
                key = pending.pop(0)
                job = json.dumps(
                    {"root": str(project.root), "chapter": key, "settings": settings.__dict__}
                )
                proc = subprocess.Popen(
                    [sys.executable, "-m", "explainer.chapter_render", job],
                    stdout=subprocess.PIPE,
                    text=True,
                    env=env,
                    start_new_session=True,
                )
                running[key] = proc
                thread = threading.Thread(target=read, args=(key, proc), daemon=True)
                thread.start()
                readers.append(thread)
                progress.update(key, "starting")
            for key, proc in list(running.items()):
                if proc.poll() is not None:
                    del running[key]
            if errors and not keep_going:
                pending.clear()
            time.sleep(0.1)
    except KeyboardInterrupt:
        for proc in running.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in running.values():
            proc.wait()
        raise
    for thread in readers:
        thread.join(timeout=5)
    return results, errors


def write_manifest(project: Project, quality: str, results: list[dict]) -> Path:
    """Merge this run's chapters into ``build/<quality>/manifest.json``."""
    build = project.build_dir(quality)
    path = build / "manifest.json"
    chapters: dict[str, dict] = {}
    if path.exists():
        try:
            for entry in json.loads(path.read_text("utf-8")).get("chapters", []):
                if Path(entry["outputs"]["video"]).exists():
                    chapters[entry["key"]] = entry
        except (ValueError, KeyError, TypeError):
            chapters = {}
    for result in results:
        chapters[result["key"]] = result
    ordered = sorted(chapters.values(), key=lambda c: c["number"])
    files = [v for c in ordered for v in c["outputs"].values()]
    data = {"quality": quality, "chapters": ordered, "files": files}
    tmp = path.with_name("manifest.json.part")
    tmp.write_text(json.dumps(data, indent=2), "utf-8")
    os.replace(tmp, path)
    return path


def cmd_render(args: argparse.Namespace) -> int:
    project = Project()
    settings = settings_module.load(project.pyproject).with_overrides(
        quality=args.quality, voice=args.voice, voice_rate=args.voice_rate
    )
    chapters = project.select(args.chapters)
    for chapter in chapters:
        project.scene_file(chapter)
    voice = make_voice(settings)
    ok, why = voice.available()
    if not ok:
        hint = "; use --voice piper for the offline voice" if settings.voice == "gtts" else ""
        raise UserError(f"voice '{settings.voice}': {why}{hint}")
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    progress = Progress(args.quiet)
    results, errors = run_jobs(
        project,
        [c.key for c in chapters],
        settings,
        min(jobs, len(chapters)),
        progress,
        args.keep_going,
    )
    progress.close()
    if results:
        manifest = write_manifest(project, settings.quality, results)
        for result in sorted(results, key=lambda r: r["number"]):
            for kind, path in result["outputs"].items():
                print(f"wrote {kind:>18}: {os.path.relpath(path)}")
        print(f"wrote {'manifest':>18}: {os.path.relpath(manifest)}")
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    return 1 if errors else 0


# --------------------------------------------------------------------------- other commands


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_project

    started = time.time()
    problems, warnings, count = check_project(Project())
    for warning in warnings:
        print(f"warning: {warning}")
    for problem in problems:
        print(f"error: {problem}")
    status = "FAILED" if problems else "ok"
    print(
        f"check {status}: {count} chapters, {len(problems)} problems, "
        f"{len(warnings)} warnings ({time.time() - started:.1f} s)"
    )
    return 1 if problems else 0


def cmd_voices(args: argparse.Namespace) -> int:
    settings = settings_module.load(Project().pyproject)
    for name, info in VOICES.items():
        try:
            ok, why = make_voice(settings.with_overrides(voice=name)).available()
        except UserError as error:
            ok, why = False, str(error)
        mark = "*" if name == settings.voice else " "
        state = "works here" if ok else f"unavailable: {why}"
        print(f"{mark} {name:7} {info.description}; {state}")
    print('(* = current setting; choose with --voice NAME or voice = "NAME" in pyproject.toml)')
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="render.py",
        description="Render the narrated nanochat explainer. "
        "Commands: 'check' (validate scripts and scenes), 'voices' (list voices).",
    )
    p.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    p.add_argument(
        "--quality", choices=list(QUALITIES), help="low=480p15 ... high=1080p60 (default)"
    )
    p.add_argument("--voice", help=f"one of {', '.join(VOICES)}")
    p.add_argument("--voice-rate", type=float, help="speaking rate, 1.0 = normal")
    p.add_argument("--jobs", "-j", type=int, help="chapters rendered at once (default: CPU count)")
    p.add_argument(
        "--keep-going", action="store_true", help="finish other chapters after a failure"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="only results and errors")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            command, rest = argv[0], argv[1:]
            sub = argparse.ArgumentParser(prog=f"render.py {command}")
            args = sub.parse_args(rest)
            return {"check": cmd_check, "voices": cmd_voices}[command](args)
        return cmd_render(parser().parse_args(argv))
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished outputs are kept; run again to resume", file=sys.stderr)
        return 130
