"""The ``render.py`` command line: thin wiring around the pipeline functions.

render.py [CHAPTER ...] [--quality low|medium|high|4k] [--voice NAME] [--jobs N] [-q]
render.py check          validate every script against its scene (seconds, no rendering)
render.py voices         list the voices and whether each works here
render.py serve          the build folder on http://127.0.0.1:8000/ (the watch page)
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

from . import media
from . import settings as settings_module
from .errors import UserError
from .project import Project
from .settings import Settings
from .voices import VOICES, make_voice

COMMANDS = ("check", "voices", "subtitles", "audit", "sheet", "serve")


# --------------------------------------------------------------------------- progress


class Progress:
    """Per-chapter bars and an overall ETA on a terminal; one plain line per event in logs."""

    WIDTH = 12

    def __init__(self, quiet: bool, keys: list[str]) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty() and not quiet
        self.fraction: dict[str, float] = {k: 0.0 for k in keys}
        self.lock = threading.Lock()
        self.started = time.time()
        self.last_line = 0.0

    def eta(self) -> str:
        done = sum(self.fraction.values()) / max(len(self.fraction), 1)
        elapsed = time.time() - self.started
        if done < 0.03:
            return "ETA --:--"
        left = elapsed * (1 - done) / done
        return f"ETA {int(left) // 60}:{int(left) % 60:02d}"

    def update(
        self, key: str, text: str, fraction: float | None = None, always: bool = False
    ) -> None:
        with self.lock:
            if fraction is not None:
                self.fraction[key] = max(self.fraction.get(key, 0.0), fraction)
            stamp = f"{time.time() - self.started:6.1f}s"
            if self.tty:
                bars = "  ".join(
                    f"{k[:2]} [{'#' * int(f * self.WIDTH):<{self.WIDTH}}]"
                    for k, f in self.fraction.items()
                )
                if always:
                    sys.stderr.write(f"\r\033[K{stamp} [{key}] {text}\n")
                sys.stderr.write(f"\r\033[K{bars}  {self.eta()}"[:200])
                sys.stderr.flush()
            elif not self.quiet or always:
                pct = f"{int(self.fraction.get(key, 0) * 100):3d}%"
                print(f"{stamp} [{key}] {pct} {text}  ({self.eta()})", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def describe(event: dict) -> tuple[str, float | None]:
    """A progress line and how far the chapter is (voicing ~10%, frames ~85%, muxing 5%)."""
    kind = event["event"]
    if kind == "synth":
        return (
            f"voicing beat {event['index'] + 1}/{event['total']} ({event['beat']})",
            0.1 * event["index"] / event["total"],
        )
    if kind == "synth-done":
        text = f"narration ready: {event['misses']} synthesised, {event['hits']} from cache"
        if event["repaired"]:
            text += f", {event['repaired']} corrupt entries replaced"
        return text, 0.1
    if kind == "beat":
        return (
            f"rendering beat {event['index'] + 1}/{event['total']} ({event['beat']})",
            0.1 + 0.85 * event["index"] / event["total"],
        )
    if kind == "encode":
        return f"muxing narration and captions ({event['frames']} frames)", 0.95
    return kind, None


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
                    1.0,
                    always=True,
                )
            elif event["event"] == "error":
                errors.append(event["message"])
                progress.update(key, "failed", 1.0, always=True)
            else:
                text, fraction = describe(event)
                progress.update(key, text, fraction)

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


def write_manifest(
    project: Project, quality: str, results: list[dict], full: dict | None = None
) -> Path:
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
    if full:
        files += list(full["outputs"].values())
    data = {"quality": quality, "chapters": ordered, "full": full, "files": files}
    media.write_text_atomic(path, json.dumps(data, indent=2))
    return path


def preflight(settings: Settings) -> None:
    """Tools every render needs, each missing one named with its Debian package."""
    import shutil

    for tool, package in (
        ("ffmpeg", "ffmpeg"),
        ("ffprobe", "ffmpeg"),
        ("latex", "texlive-latex-base"),
        ("dvisvgm", "dvisvgm"),
    ):
        if not shutil.which(tool):
            raise UserError(f"{tool} is missing; install it: sudo apt-get install {package}")
    try:
        fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    except OSError:
        fonts = ""
    for family, package in (("CMU Serif", "fonts-cmu"), ("JetBrains Mono", "fonts-jetbrains-mono")):
        if family not in fonts:
            raise UserError(
                f"font '{family}' is missing; install it: sudo apt-get install {package}"
            )


def previous_chapters(project: Project, quality: str) -> tuple[dict[str, dict], dict | None]:
    path = project.build_dir(quality) / "manifest.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        return {c["key"]: c for c in data.get("chapters", [])}, data.get("full")
    except (OSError, ValueError, AttributeError):
        return {}, None


def up_to_date(entry: dict | None, fingerprint: str) -> bool:
    if not entry or entry.get("fingerprint") != fingerprint:
        return False
    outputs = entry.get("outputs", {})
    return bool(outputs) and all(Path(p).exists() for p in outputs.values())


def cmd_render(args: argparse.Namespace) -> int:
    from . import assemble, fingerprint

    project = Project()
    settings = settings_module.load(project.pyproject).with_overrides(
        quality=args.quality,
        voice=args.voice,
        voice_rate=args.voice_rate,
        loudness=args.loudness,
    )
    chapters = project.select(args.chapters)
    for chapter in chapters:
        project.scene_file(chapter)
    preflight(settings)
    voice = make_voice(settings)
    previous, previous_full = previous_chapters(project, settings.quality)
    prints = {
        c.key: fingerprint.chapter_fingerprint(project, c, settings, voice.settings())
        for c in chapters
    }
    todo = [c for c in chapters if args.force or not up_to_date(previous.get(c.key), prints[c.key])]
    if todo:
        ok, why = voice.available()
        if not ok:
            hint = "; use --voice piper for the offline voice" if settings.voice == "gtts" else ""
            raise UserError(f"voice '{settings.voice}': {why}{hint}")
    for chapter in chapters:
        if chapter not in todo:
            print(
                f"unchanged: {chapter.key} (build/{settings.quality}/{chapter.key}.mp4)",
                file=sys.stderr,
            )
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    results: list[dict] = []
    errors: list[str] = []
    if todo:
        progress = Progress(args.quiet, [c.key for c in todo])
        results, errors = run_jobs(
            project,
            [c.key for c in todo],
            settings,
            min(jobs, len(todo)),
            progress,
            args.keep_going,
        )
        progress.close()
    for result in results:
        result["fingerprint"] = prints[result["key"]]
    for result in sorted(results, key=lambda r: r["number"]):
        for kind, path in result["outputs"].items():
            print(f"wrote {kind:>18}: {os.path.relpath(path)}")
    full = previous_full
    everything = not args.chapters and not errors
    if everything:
        entries = {**previous, **{r["key"]: r for r in results}}
        parts = [
            assemble.Part(
                key=c.key,
                title=c.title,
                duration=entries[c.key]["duration"],
                video=Path(entries[c.key]["outputs"]["video"]),
                narration=project.build_dir(settings.quality)
                / "work"
                / c.key
                / "narration.wav",  # normalised: the full video sounds like its chapters
                srt=Path(entries[c.key]["outputs"]["srt_beside_video"]),
            )
            for c in chapters
        ]
        full_print = fingerprint.combine(
            [prints[c.key] for c in chapters],
            {
                "loudness": settings.loudness,
                "peak": settings.true_peak,
                "assembly": fingerprint.source_hash("assemble.py", "cli.py"),
            },
        )
        burned = previous_full and "video_captioned" in previous_full.get("outputs", {})
        if (
            up_to_date(previous_full, full_print)
            and (burned or not args.burn_captions)
            and not args.force
        ):
            print(f"unchanged: full video ({previous_full['outputs']['video']})", file=sys.stderr)
        else:
            started = time.time()
            full = assemble.assemble(
                project,
                settings.quality,
                parts,
                settings.loudness,
                settings.true_peak,
                burn=args.burn_captions,
            )
            full["fingerprint"] = full_print
            full["seconds"] = round(time.time() - started, 2)
            loud = full["loudness"]
            print(
                f"loudness: {loud['integrated']:.1f} LUFS integrated (target "
                f"{settings.loudness:.1f}), true peak {loud['true_peak']:.1f} dBTP, "
                f"assembled in {full['seconds']:.1f} s"
            )
            for kind, path in full["outputs"].items():
                print(f"wrote {kind:>18}: {os.path.relpath(path)}")
    if results or full is not previous_full:
        manifest = write_manifest(project, settings.quality, results, full)
        print(f"wrote {'manifest':>18}: {os.path.relpath(manifest)}")
    from .page import write_pages  # the watch pages: index.html, NN-slug.html

    for path in write_pages(project.build_dir(settings.quality)):
        print(f"wrote {'page':>18}: {os.path.relpath(path)}")
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


def cmd_subtitles(args: argparse.Namespace) -> int:
    from .export import export

    started = time.time()
    project = Project()
    settings = settings_module.load(project.pyproject).with_overrides(
        quality=args.quality, voice=args.voice
    )
    for path in export(project, settings):
        print(f"wrote {os.path.relpath(path)}")
    print(f"captions re-exported in {time.time() - started:.1f} s (videos not re-rendered)")
    return 0


def rendered_entries(project: Project, keys: list[str], quality: str | None) -> tuple[str, dict]:
    """Manifest entries of the last render that has these chapters (``quality`` first)."""
    order = [quality] if quality else ["low", "medium", "high", "4k"]
    for name in order:
        chapters, _ = previous_chapters(project, name)
        found = {
            k: chapters[k]
            for k in keys
            if k in chapters and Path(chapters[k]["outputs"]["video"]).exists()
        }
        if found:
            return name, found
    return order[0], {}


def cmd_audit(args: argparse.Namespace) -> int:
    from .check import audit_chapters
    from .pacing import check_chapter

    started = time.time()
    project = Project()
    chapters = project.select(args.chapters)
    findings = audit_chapters(project, chapters)
    quality, entries = rendered_entries(project, [c.key for c in chapters], args.quality)
    paced = []
    for chapter in chapters:
        if chapter.key in entries:
            findings += check_chapter(entries[chapter.key])
            paced.append(chapter.key)
        else:
            print(
                f"note: {chapter.key} has no render yet; pacing not checked "
                f"(render it with 'render.py {chapter.number} --quality low')"
            )
    for line in findings:
        print(f"finding: {line}")
    status = "FAILED" if findings else "ok"
    print(
        f"audit {status}: layout of {len(chapters)} chapters, pacing of {len(paced)} "
        f"({quality} renders), {len(findings)} findings ({time.time() - started:.1f} s)"
    )
    return 1 if findings else 0


def cmd_sheet(args: argparse.Namespace) -> int:
    from .sheet import contact_sheet

    project = Project()
    chapters = project.select(args.chapters)
    quality, entries = rendered_entries(project, [c.key for c in chapters], args.quality)
    missing = [c for c in chapters if c.key not in entries]
    if missing:
        raise UserError(
            f"chapter {missing[0].key} has no render at quality '{quality}'; run "
            f"'render.py {missing[0].number} --quality {quality}' first"
        )
    for chapter in chapters:
        out = project.build_dir(quality) / "sheets" / f"{chapter.key}.png"
        print(f"wrote {os.path.relpath(contact_sheet(entries[chapter.key], out))}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    project = Project()
    configured = settings_module.load(project.pyproject).quality
    return serve(project, args.quality, configured, args.port)


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
        "Other commands: 'check' (validate scripts and scenes), 'audit [CH]' (layout and "
        "pacing), 'sheet [CH]' (contact sheets), 'subtitles' (captions without rendering), "
        "'voices' (list voices), 'serve' (the watch page on 127.0.0.1); each takes --help.",
    )
    p.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    p.add_argument("--quality", help="low (480p15), medium (720p30), high (1080p60, default), 4k")
    p.add_argument("--voice", help=f"one of {', '.join(VOICES)}")
    p.add_argument("--voice-rate", type=float, help="speaking rate, 1.0 = normal")
    p.add_argument("--jobs", "-j", type=int, help="chapters rendered at once (default: CPU count)")
    p.add_argument(
        "--keep-going", action="store_true", help="finish other chapters after a failure"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="only results and errors")
    p.add_argument("--loudness", type=float, help="integrated loudness target, LUFS (default -14)")
    p.add_argument(
        "--burn-captions",
        action="store_true",
        help="also write a copy with the captions drawn into the picture",
    )
    p.add_argument("--force", action="store_true", help="render even if nothing changed")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            command, rest = argv[0], argv[1:]
            sub = argparse.ArgumentParser(prog=f"render.py {command}")
            if command in ("subtitles", "audit", "sheet", "serve"):
                sub.add_argument("--quality")
            if command == "serve":
                sub.add_argument("--port", type=int, default=8000, help="default 8000; 0: any free")
            if command == "subtitles":
                sub.add_argument("--voice")
            if command in ("audit", "sheet"):
                sub.add_argument("chapters", nargs="*", help="chapter numbers or slugs")
            args = sub.parse_args(rest)
            handlers = {
                "check": cmd_check,
                "voices": cmd_voices,
                "subtitles": cmd_subtitles,
                "audit": cmd_audit,
                "sheet": cmd_sheet,
                "serve": cmd_serve,
            }
            return handlers[command](args)
        return cmd_render(parser().parse_args(argv))
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished outputs are kept; run again to resume", file=sys.stderr)
        return 130
