"""The ``render.py`` command line: thin wiring around the pipeline functions.

One sub-command per command, each a ``cmd_*`` function taking the project, the
settings (read once, from pyproject.toml and ``EXPLAINER_*``) and its arguments:

render.py [render] [CHAPTER ...] [--quality Q] [--voice V] [--jobs N] [-q] ...
render.py check [CHAPTER ...]     every script vs its scene, in seconds, no rendering
render.py audit [CHAPTER ...]     layout audit and pacing check
render.py sheet [CHAPTER ...]     labelled contact sheets of rendered chapters
render.py subtitles               captions after a narration edit, without frames
render.py voices                  the voices and whether each works here
render.py serve [--port N]        the build folder on http://127.0.0.1:8000/ (the watch page)
render.py watch [CHAPTER ...]     check and re-render on every save (with serve: a live preview)

``render`` is the default: ``render.py 3 --quality low`` renders chapter 3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from . import manifest
from . import settings as settings_module
from .errors import UserError, display
from .manifest import ChapterRecord, Manifest
from .project import Project
from .script import Chapter
from .settings import Settings
from .voices import VOICES, make_voice

# --------------------------------------------------------------------------- progress


class Progress:
    """A bar per chapter and an overall ETA on a terminal (rich); one plain line per step in a log."""

    def __init__(self, quiet: bool, keys: list[str], console=None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        self.quiet = quiet
        self.console = console or Console(stderr=True)
        self.tty = self.console.is_terminal and not quiet
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.bars = Bars(
            TextColumn("{task.description:>16}"),
            BarColumn(bar_width=24),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[step]}"),
            console=self.console,
            disable=not self.tty,
            speed_estimate_period=3600,  # chapters take minutes: estimate from the whole run
            transient=True,
        )
        self.tasks = {key: self.bars.add_task(key[:16], total=1.0, step="waiting") for key in keys}
        self.overall = self.bars.add_task("all chapters", total=float(len(keys)), step="")
        self.bars.start()

    def eta(self) -> str:
        left = self.bars.tasks[self.overall].time_remaining
        return "ETA --:--" if left is None else f"ETA {int(left) // 60}:{int(left) % 60:02d}"

    def update(
        self, key: str, text: str, fraction: float | None = None, always: bool = False
    ) -> None:
        """Chapter ``key`` is at ``text`` (``fraction`` done); ``always``: show even when quiet."""
        with self.lock:
            task = self.bars.tasks[self.tasks[key]]
            done = max(task.completed, fraction if fraction is not None else 0.0)
            self.bars.update(self.tasks[key], completed=done, step=text)
            total = sum(self.bars.tasks[t].completed for t in self.tasks.values())
            self.bars.update(self.overall, completed=total)
            stamp = f"{time.monotonic() - self.started:6.1f}s"
            if self.tty:
                if always:
                    self.bars.console.print(
                        f"{stamp} [{key}] {text}", markup=False, highlight=False
                    )
            elif not self.quiet or always:
                line = f"{stamp} [{key}] {int(done * 100):3d}% {text}  ({self.eta()})"
                print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        self.bars.stop()


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
    if kind == "segments":
        text = f"beats: {event['reused']} reused, {event['drawn']} drawn"
        if event.get("plays"):  # plays of the drawn beats that did not change
            text += f" ({event['plays']} of their plays reused)"
        return text, 0.95
    if kind == "encode":
        return f"muxing narration and captions ({event['frames']} frames)", 0.95
    return kind, None


# --------------------------------------------------------------------------- render


def run_jobs(
    project: Project,
    chapters: list[Chapter],
    settings: Settings,
    voice,
    jobs: int,
    progress: Progress,
    keep_going: bool,
    on_record: Callable[[ChapterRecord], None],
    expected: dict[str, float] | None = None,
) -> list[str]:
    """Render chapters as Dask tasks: on a LocalCluster of ``jobs`` workers, or on the
    cluster at ``settings.scheduler``; returns the errors (explainer/cluster.py).

    Each finished chapter's record goes to ``on_record`` as soon as it arrives, so an
    interrupted run keeps the chapters it finished.
    """
    from . import cluster

    remote = bool(settings.scheduler)

    def on_event(key: str, event: dict) -> None:
        kind = event["event"]
        if kind == "started":
            where = f" on {event['worker']}" if remote else ""
            progress.update(key, f"starting{where}")
        elif kind == "done":
            record = event["record"]
            progress.update(
                key,
                f"done: {record.duration:.1f} s of video in {record.seconds:.0f} s",
                1.0,
                always=True,
            )
        elif kind == "error":
            progress.update(key, "failed", 1.0, always=True)
        else:
            text, fraction = describe(event)
            progress.update(key, text, fraction)

    if remote:
        for chapter in chapters:
            progress.update(chapter.key, f"sending to {settings.scheduler}")
    return cluster.run_chapters(
        project,
        chapters,
        settings,
        voice,
        jobs,
        settings.scheduler,
        expected or {},
        on_event,
        keep_going,
        on_record,
    )


def preflight() -> None:
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


def cmd_render(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from . import fingerprint

    settings = settings.with_overrides(
        quality=args.quality,
        voice=args.voice,
        voice_rate=args.voice_rate,
        loudness=args.loudness,
        scheduler=args.scheduler,
    )
    chapters = project.select(args.chapters)  # each chapter parsed once, here
    for chapter in chapters:
        project.scene_file(chapter)
    preflight()
    voice = make_voice(settings)
    build = project.build_dir(settings.quality)
    known = [path.stem for path in project.chapter_files()]
    before = Manifest.load(build, settings.quality)
    prints = {
        c.key: fingerprint.chapter_fingerprint(project, c, settings, voice.settings())
        for c in chapters
    }

    def current(chapter: Chapter) -> bool:
        record = before.chapters.get(chapter.key)
        return before.complete(record) and record.fingerprint == prints[chapter.key]

    todo = [c for c in chapters if args.force or not current(c)]
    if args.force:  # a forced render draws every beat again (and keeps the new segments)
        for chapter in todo:
            shutil.rmtree(build / "segments" / chapter.key, ignore_errors=True)
    if todo:
        ok, why = voice.available()
        if not ok:
            hint = "; use --voice piper for the offline voice" if settings.voice == "gtts" else ""
            raise UserError(f"voice '{settings.voice}': {why}{hint}")
    for chapter in chapters:
        if chapter not in todo:
            print(
                f"unchanged: {chapter.key} ({display(before.video(before.chapters[chapter.key]))})",
                file=sys.stderr,
            )
    rendered: list[ChapterRecord] = []

    def keep(record: ChapterRecord) -> None:
        record.fingerprint = prints[record.key]
        manifest.update(build, [record], known=known)
        rendered.append(record)

    errors: list[str] = []
    if todo:
        progress = Progress(args.quiet, [c.key for c in todo])
        try:
            errors = run_jobs(
                project,
                todo,
                settings,
                voice,
                min(args.jobs or os.cpu_count() or 1, len(todo)),
                progress,
                args.keep_going,
                keep,
                # the longest first, from the last render (a new chapter: ~2.7 words/s)
                {
                    c.key: before.chapters[c.key].duration
                    if c.key in before.chapters
                    else c.word_count / 2.7
                    for c in todo
                },
            )
        finally:
            progress.close()
    after = Manifest.load(build, settings.quality)
    for record in sorted(rendered, key=lambda r: r.number):
        for kind, path in record.outputs.items():
            print(f"wrote {kind:>18}: {display(after.path(path))}")
    full = None
    if not args.chapters and not errors:
        full = assemble_if_changed(project, settings, chapters, after, prints, args)
    if full is not None or set(after.chapters) - set(known):
        after = manifest.update(build, full=full, known=known)
    if rendered or full is not None:
        print(f"wrote {'manifest':>18}: {display(build / manifest.NAME)}")
    from .page import write_pages  # the watch pages: index.html, NN-slug.html

    for path in write_pages(build):
        print(f"wrote {'page':>18}: {display(path)}")
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    return 1 if errors else 0


def assemble_if_changed(
    project: Project,
    settings: Settings,
    chapters: list[Chapter],
    built: Manifest,
    prints: dict[str, str],
    args: argparse.Namespace,
) -> manifest.FullRecord | None:
    """Join every chapter into the full video unless it is already up to date (then ``None``)."""
    from . import assemble, fingerprint

    records = [built.chapters[c.key] for c in chapters]
    full_print = fingerprint.combine(
        [prints[c.key] for c in chapters],
        {
            "loudness": settings.loudness,
            "peak": settings.true_peak,
            "assembly": fingerprint.source_hash("assemble.py", "cli.py", "manifest.py"),
        },
    )
    previous = built.full
    burned = previous is not None and "video_captioned" in previous.outputs
    if (
        previous is not None
        and built.complete(previous)
        and previous.fingerprint == full_print
        and (burned or not args.burn_captions)
        and not args.force
    ):
        video = display(built.path(previous.outputs["video"]))
        print(f"unchanged: full video ({video})", file=sys.stderr)
        return None
    parts = [
        assemble.Part(
            key=r.key,
            title=r.title,
            duration=r.duration,
            video=built.video(r),
            narration=built.path(r.narration),  # normalised: the video sounds like its chapters
            srt=built.path(r.outputs["srt_beside_video"]),
        )
        for r in records
    ]
    started = time.time()
    full = assemble.assemble(
        project,
        settings.quality,
        parts,
        settings.loudness,
        settings.true_peak,
        burn=args.burn_captions,
    )
    full.fingerprint = full_print
    full.seconds = round(time.time() - started, 2)
    loud = full.loudness
    print(
        f"loudness: {loud['integrated']:.1f} LUFS integrated (target "
        f"{settings.loudness:.1f}), true peak {loud['true_peak']:.1f} dBTP, "
        f"assembled in {full.seconds:.1f} s"
    )
    for kind, path in full.outputs.items():
        print(f"wrote {kind:>18}: {display(built.path(path))}")
    return full


# --------------------------------------------------------------------------- other commands


def cmd_check(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .usage import check_chapters  # imports Manim only if a scene changed

    started = time.time()
    result = check_chapters(project, args.chapters)
    for warning in result.warnings:
        print(f"warning: {warning}")
    for problem in result.problems:
        print(f"error: {problem}")
    status = "FAILED" if result.problems else "ok"
    print(
        f"check {status}: {result.count} chapters, {len(result.problems)} problems, "
        f"{len(result.warnings)} warnings ({time.time() - started:.1f} s; "
        f"{result.dry_runs} scenes dry-run, the others unchanged)"
    )
    return 1 if result.problems else 0


def cmd_subtitles(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .export import export

    started = time.time()
    settings = settings.with_overrides(quality=args.quality, voice=args.voice)
    for path in export(project, settings):
        print(f"wrote {display(path)}")
    print(f"captions re-exported in {time.time() - started:.1f} s (videos not re-rendered)")
    return 0


def cmd_audit(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .check import audit_chapters
    from .narration import Narrator
    from .pacing import check_chapter

    started = time.time()
    chapters = project.select(args.chapters)
    narrator = Narrator(make_voice(settings), project.audio_cache)
    findings = audit_chapters(project, chapters, narrator, settings)
    built = manifest.latest(project.root / "build", [c.key for c in chapters], args.quality)
    rendered = built.rendered(c.key for c in chapters)
    for chapter in chapters:
        if chapter.key in rendered:
            record = rendered[chapter.key]
            findings += check_chapter(record, built.video(record))
        else:
            print(
                f"note: {chapter.key} has no render yet; pacing not checked "
                f"(render it with 'render.py {chapter.number} --quality low')"
            )
    for line in findings:
        print(f"finding: {line}")
    status = "FAILED" if findings else "ok"
    print(
        f"audit {status}: layout of {len(chapters)} chapters, pacing of {len(rendered)} "
        f"({built.quality} renders), {len(findings)} findings ({time.time() - started:.1f} s)"
    )
    return 1 if findings else 0


def cmd_sheet(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .sheet import contact_sheet

    chapters = project.select(args.chapters)
    built = manifest.latest(project.root / "build", [c.key for c in chapters], args.quality)
    rendered = built.rendered(c.key for c in chapters)
    missing = [c for c in chapters if c.key not in rendered]
    if missing:
        raise UserError(
            f"chapter {missing[0].key} has no render at quality '{built.quality}'; run "
            f"'render.py {missing[0].number} --quality {built.quality}' first"
        )
    for chapter in chapters:
        record = rendered[chapter.key]
        out = built.build / "sheets" / f"{chapter.key}.png"
        print(f"wrote {display(contact_sheet(record, built.video(record), out))}")
    return 0


def cmd_serve(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(project, args.quality, settings.quality, args.port)


def cmd_watch(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from .settings import QUALITIES
    from .watch import watch

    if args.quality not in QUALITIES:
        raise UserError(f"quality '{args.quality}' is unknown; choose from {', '.join(QUALITIES)}")
    project.select_files(args.chapters)  # an unknown chapter is one line, before watching
    return watch(project, args.chapters, args.quality, say=lambda line: print(line, flush=True))


def cmd_voices(project: Project, settings: Settings, args: argparse.Namespace) -> int:
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


# --------------------------------------------------------------------------- parsing


class Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one line (``error: ...``, exit 2), like every other."""

    command_names: tuple[str, ...] = ()

    def error(self, message: str):
        raise UserError(f"{self.prog}: {message}; see '{self.prog} --help'")


def jobs_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(
            f"{count}: give 1 or more chapters at a time (default: the CPU count)"
        )
    return count


def parser() -> Parser:
    top = Parser(
        prog="render.py",
        description="Render the narrated nanochat explainer. Without a command: 'render'.",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, run, help: str, chapters: str | None = None) -> Parser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        if chapters:
            sub.add_argument("chapters", nargs="*", metavar="CHAPTER", help=chapters)
        return sub

    chapters_help = "chapter numbers or slugs (default: all)"
    render = command(
        "render", cmd_render, "render chapters and the full video (the default)", chapters_help
    )
    render.add_argument("--quality", help="low (480p15), medium (720p30), high (1080p60), 4k")
    render.add_argument("--voice", help=f"one of {', '.join(VOICES)}")
    render.add_argument("--voice-rate", type=float, help="speaking rate, 1.0 = normal")
    render.add_argument(
        "--jobs", "-j", type=jobs_count, help="chapters rendered at once (default: CPU count)"
    )
    render.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on the Dask cluster at ADDRESS (tcp://HOST:8786) instead of here",
    )
    render.add_argument(
        "--keep-going", action="store_true", help="finish other chapters after a failure"
    )
    render.add_argument("--quiet", "-q", action="store_true", help="only results and errors")
    render.add_argument(
        "--loudness", type=float, help="integrated loudness target, LUFS (default -14)"
    )
    render.add_argument(
        "--burn-captions",
        action="store_true",
        help="also write a copy with the captions drawn into the picture",
    )
    render.add_argument(
        "--force",
        action="store_true",
        help="render even if nothing changed, every beat drawn again",
    )

    command(
        "check",
        cmd_check,
        "validate scripts against scenes in seconds, without rendering",
        chapters_help,
    )
    audit = command("audit", cmd_audit, "layout audit and pacing check", chapters_help)
    audit.add_argument("--quality", help="whose renders the pacing check reads (default: any)")
    sheet = command(
        "sheet", cmd_sheet, "labelled contact sheets of rendered chapters", chapters_help
    )
    sheet.add_argument("--quality", help="whose renders to sample (default: any)")
    subtitles = command(
        "subtitles", cmd_subtitles, "captions and chapter list after an edit, no frames"
    )
    subtitles.add_argument("--quality")
    subtitles.add_argument("--voice")
    command("voices", cmd_voices, "list the voices and whether each works here")
    serve = command("serve", cmd_serve, "the build folder on http://127.0.0.1 (the watch page)")
    serve.add_argument("--quality", help="whose build to serve (default: the configured one)")
    serve.add_argument("--port", type=int, default=8000, help="default 8000; 0: any free port")
    watch = command(
        "watch", cmd_watch, "check and re-render on every save (preview quality)", chapters_help
    )
    watch.add_argument("--quality", default="low", help="default low (480p15)")
    top.command_names = tuple(commands.choices)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = parser()
    if not argv or (argv[0] not in top.command_names and argv[0] not in ("-h", "--help")):
        argv = ["render", *argv]  # the default command
    try:
        args = top.parse_args(argv)
        project = Project()
        settings = settings_module.load(project.pyproject)  # once: a bad setting is one line
        return args.run(project, settings, args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished outputs are kept; run again to resume", file=sys.stderr)
        return 130
