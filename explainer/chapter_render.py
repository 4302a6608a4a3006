"""Render one chapter: voice it, run its Manim scene, build the narration track, mux, caption.

Runs in its own process (``python -m explainer.chapter_render``, started by the Dask
task in ``cluster.render_task`` in a temporary copy of the project; the job pickled on
stdin: the project root, the already parsed chapter and the settings) so chapters
render in parallel and Manim's global config stays per chapter. It reports progress
as JSON lines on stdout, the last one carrying its manifest record; Manim's own log
goes to ``build/<quality>/logs/<chapter>.log``. Every output is written under a
temporary name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import os
import pickle
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import captions, media
from .errors import UserError, display
from .fingerprint import segment_base
from .manifest import BeatTime, ChapterRecord
from .narration import BeatAudio, Narrator
from .project import Project
from .script import Chapter
from .segments import SegmentCache, StalePlay
from .settings import QUALITIES, Settings
from .voices import make_voice

if TYPE_CHECKING:
    from .scene import RunMode


_EMITTING = threading.Lock()  # the voice's thread reports too: one whole line at a time


def emit(event: str, **data: object) -> None:
    line = json.dumps({"event": event, **data}) + "\n"
    with _EMITTING:
        sys.stdout.write(line)
        sys.stdout.flush()


def progress_hooks(total: int):
    """Hooks that report each beat the scene starts as a ``beat`` event."""
    from .scene import SceneHooks  # Manim: imported while the voice speaks (see render)

    class Progress(SceneHooks):
        def __init__(self) -> None:
            self.index = 0

        def beat_started(self, scene, beat_id: str, where: str) -> None:
            emit("beat", index=self.index, total=total, beat=beat_id)
            self.index += 1

    return Progress()


def load_scene_class(path: Path):
    """Import a scene file and return its one NarratedScene subclass."""
    from .scene import NarratedScene

    name = f"explainer_scene_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{display(path)}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except UserError:
        raise
    except Exception as error:
        raise UserError(
            f"{display(path)}:{line_in(path, error)}: importing failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    classes = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, NarratedScene)
        and obj is not NarratedScene
        and obj.__module__ == name
    ]
    if len(classes) != 1:
        raise UserError(
            f"{display(path)}: define exactly one NarratedScene subclass (found {len(classes)})"
        )
    return classes[0]


def line_in(path: Path, error: BaseException) -> int | str:
    """The line of ``path`` where ``error`` was raised (the innermost frame in that file)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename).resolve() == path.resolve():
            return frame.lineno or "?"
    return "?"


def render_scene(scene_cls, mode: RunMode, media_dir: Path, quality: str, name: str):
    """Run Manim on the scene; returns (movie path, beat log)."""
    from manim import tempconfig

    flag = QUALITIES[quality][0]
    options = {
        "quality": flag,
        "media_dir": str(media_dir),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "write_to_movie": True,
        "save_last_frame": False,
        "preview": False,
        "output_file": name,
    }
    with tempconfig(options):
        scene = scene_cls(mode=mode)
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
        return movie, list(scene.beat_log)


def _levelling_signature(settings: Settings) -> str:
    """What a levelled beat depends on besides its audio: the code and the targets."""
    parts = [
        inspect.getsource(media.normalise_wav),
        inspect.getsource(media.filter_and_measure),
        media.level_filter(0.0, settings.true_peak),
        settings.loudness,
        settings.true_peak,
        media.LIMITER_ALLOWANCE,
        media.LOUDNESS_SLACK,
        media.PEAK_SLACK,
        media.AUDIO_RATE,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def level_beat(audio: Path, cache: Path, settings: Settings, signature: str) -> Path:
    """One beat's narration levelled on its own (compressed, brought to the target
    loudness, limited under the true-peak ceiling), as 16-bit mono at ``AUDIO_RATE``;
    kept in ``cache`` under the voice file's name and content and ``signature`` (what
    levelling depends on, :func:`_levelling_signature`), so an edit levels only the
    beats it changed."""
    # the voice file's content, not only its name: a repaired cache entry is a new take
    content = hashlib.sha256(audio.read_bytes()).hexdigest()[:16]
    dest = cache / f"{audio.stem}.{content}.{signature}.wav"
    if not dest.exists():  # written under a temporary name and renamed (normalise_wav)
        cache.mkdir(parents=True, exist_ok=True)
        media.normalise_wav(
            audio, dest, settings.loudness, settings.true_peak, maybe_on_target=False
        )
    return dest


def chapter_cues(
    chapter: Chapter, voiced: dict[str, BeatAudio], starts: dict[str, float], duration: float
) -> list[captions.Cue]:
    """Captions for the beats in ``starts`` (beat id -> start in the video)."""
    per_beat: list[list[captions.Word]] = []
    for beat in chapter.beats:
        if beat.id not in starts:
            continue
        offset = starts[beat.id]
        per_beat.append(
            [
                captions.Word(t, offset + a, offset + b)
                for t, a, b in voiced[beat.id].caption_words()
            ]
        )
    try:
        return captions.build_cues(per_beat, duration)
    except captions.CaptionError as error:
        first = error.words[0].text if error.words else ""
        beat = next((b for b in chapter.beats if first and first in b.caption), chapter.beats[0])
        raise UserError(
            f"{display(chapter.path)}:{beat.line}: beat '{beat.id}': {error}; "
            "split that sentence or shorten it"
        ) from None


def _import_manim() -> None:
    try:
        from . import scene  # noqa: F401  (Manim, manim-voiceover)
    except Exception:  # imported again where it is used, which reports it
        pass


def render(project: Project, chapter: Chapter, settings: Settings) -> ChapterRecord:
    """Render one chapter into the project's build folder."""
    started = time.time()
    quality = settings.quality
    build = project.build_dir(quality)
    work = build / "work" / chapter.key
    work.mkdir(parents=True, exist_ok=True)
    narrator = Narrator(make_voice(settings), project.audio_cache)

    def on_synth(index: int, total: int, beat) -> None:
        emit("synth", index=index, total=total, beat=beat.id)

    # fail before any frame is drawn if a beat cannot be captioned within the limits
    def early_check(voiced: list[BeatAudio]) -> None:
        estimate, t = {}, 0.0
        for audio in voiced:
            estimate[audio.beat.id] = t
            t += audio.duration + 0.4
        chapter_cues(chapter, {a.beat.id: a for a in voiced}, estimate, t)
        emit("synth-done", hits=narrator.hits, misses=narrator.misses, repaired=narrator.repaired)

    # Beats not in the audio cache are voiced on a thread while Manim is imported (about
    # 2 s) and the scene runs through the beats before them (the voice spends its time
    # outside the GIL; nothing above imports Manim); the scene waits only for a beat it
    # reaches before its voice is ready.
    finish_voicing = narrator.speak_ahead(chapter.beats, on_synth, then=early_check)
    try:
        _import_manim()
        return _render_voiced(project, chapter, settings, narrator, finish_voicing, started)
    finally:
        narrator.cancel()  # after a failure: stop after the beat being voiced
        finish_voicing.thread.join()


def level_narration(log: list[dict], work: Path, settings: Settings, encode=None) -> dict:
    """The narration track: each voiced beat levelled on its own (:func:`level_beat`,
    side by side), placed at its start, into ``narration.levelled.wav`` (not yet padded
    to the video's length). Returns its loudness as measured; ``encode()``, if given,
    runs beside that measurement (the preview's AAC, :func:`early_narration`).

    Levelling beats one by one rather than the whole track: a one-word edit then levels
    one beat, not the chapter, and every beat reaches the target alike. Beats never
    overlap and are limited one by one, so the track's peaks are its beats' peaks; its
    loudness is their gated mean, within the same slack of the target.
    """
    cache = work / "levelled"
    audios = list(dict.fromkeys(Path(e["audio"]) for e in log if e.get("audio")))
    signature = _levelling_signature(settings)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two ffmpeg processes, two cores
        done = pool.map(lambda audio: level_beat(audio, cache, settings, signature), audios)
        levelled = dict(zip(audios, done, strict=True))
    used = {path.name for path in levelled.values()}
    for old in cache.glob("*.wav") if cache.is_dir() else []:
        if old.name not in used:  # edited beats' old narration
            old.unlink(missing_ok=True)
    rate = media.AUDIO_RATE
    placed = [
        (int(round(float(e["start"]) * rate)), media.read_pcm(levelled[Path(e["audio"])])[0])
        for e in log
        if e.get("audio")
    ]
    length = max((start + len(pcm) for start, pcm in placed), default=0)
    track = np.zeros(length, dtype=np.int32)
    for start, pcm in placed:
        track[start : start + len(pcm)] += pcm
    out = work / "narration.levelled.wav"
    part = work / "narration.levelled.part.wav"
    media.write_pcm(part, np.clip(track, -32768, 32767), rate)
    os.replace(part, out)
    if encode is None:
        return _within_standard(out, media.measure_loudness(out), settings)[0]
    with ThreadPoolExecutor(max_workers=1) as pool:
        measured = pool.submit(media.measure_loudness, out)
        encode()
        loud = measured.result()
    loud, redone = _within_standard(out, loud, settings)
    if redone:  # levelled again as a whole: the early AAC was of the track before
        encode()
    return loud


def _within_standard(track: Path, loud: dict, settings: Settings) -> tuple[dict, bool]:
    """``loud`` if the track of levelled beats meets the targets; otherwise the track is
    levelled again as a whole (beats too short to measure, many quiet ones) and that
    measurement is returned instead, with ``True``."""
    if (
        abs(loud["integrated"] - settings.loudness) <= media.LOUDNESS_SLACK
        and loud["true_peak"] <= settings.true_peak + media.PEAK_SLACK
    ):
        return {**loud, "gain": None}, False
    again = track.with_name("narration.whole.wav")
    redone = media.normalise_wav(
        track, again, settings.loudness, settings.true_peak, maybe_on_target=False
    )
    os.replace(again, track)
    return redone, True


EARLY_PAD = 5.0  # s of silence encoded after the narration: what may follow its end


def encodes_early(quality: str) -> bool:
    """Whether a chapter's AAC narration is encoded before its video's length is known,
    then cut to it: an AAC frame (1,024 samples, 21.3 ms) must fit in a video frame."""
    # A chapter cut this way carries up to 21 ms of audio past its last frame: the whole
    # video's join names each chapter's length (media.concat_list), or its concat
    # demuxer would advance by the longer stream and drift from the narration.
    return 1 / QUALITIES[quality][3] >= 1024 / media.AUDIO_RATE


def early_narration(chapter: Chapter, work: Path, settings: Settings):
    """A hook that levels (and for previews encodes) the narration while the scene draws
    its last beat.

    Once the last beat's start is known, every beat's audio and start are: the track
    (without the silence that pads it to the video's length, which changes neither its
    loudness nor its peaks) is built and levelled on a thread; at preview frame rates
    (:func:`encodes_early`) it is then encoded as AAC with ``EARLY_PAD`` seconds of
    silence after it, for the mux to copy and cut at the video's end. ``result()`` then
    gives the beat log it used, the loudness and the encoded narration with its length
    in seconds (or ``None``), or ``None`` if the scene never reached its last beat, or
    raises what the thread raised.
    """
    from .scene import SceneHooks

    last = chapter.beats[-1].id
    early_aac = encodes_early(settings.quality)

    class Early(SceneHooks):
        def __init__(self) -> None:
            self.log: list[dict] = []
            self.thread: threading.Thread | None = None
            self.outcome: tuple | BaseException | None = None

        def beat_timed(self, scene, entry: dict) -> None:
            self.log.append(entry)
            if entry["id"] == last and self.thread is None:
                self.thread = threading.Thread(target=self.level, args=(list(self.log),))
                self.thread.start()

        def level(self, log: list[dict]) -> None:
            try:
                levelled = work / "narration.levelled.wav"
                aac, part = work / "narration.early.m4a", work / "narration.early.part.m4a"

                def encode() -> None:
                    media.run(
                        media.encode_narration_args(levelled, part, EARLY_PAD, preview=True),
                        f"encoding the narration of {chapter.key}",
                    )
                    os.replace(part, aac)

                loud = level_narration(log, work, settings, encode if early_aac else None)
                encoded = (aac, media.wav_duration(levelled) + EARLY_PAD) if early_aac else None
                self.outcome = (log, loud, encoded)
            except BaseException as error:  # handed to result()
                self.outcome = error

        def result(self) -> tuple | None:
            if self.thread is None:
                return None
            self.thread.join()
            if isinstance(self.outcome, BaseException):
                raise self.outcome
            return self.outcome

    return Early()


def _render_voiced(project, chapter, settings, narrator, finish_voicing, started) -> ChapterRecord:
    quality = settings.quality
    build = project.build_dir(quality)
    work = build / "work" / chapter.key
    from .scene import RunMode

    scene_cls = load_scene_class(project.scene_file(chapter))

    def attempt(reuse_plays: bool):
        # the scene gets this chapter and narrator: it parses nothing, reads no cache entry again
        segments = None
        if settings.segments:
            segments = SegmentCache(
                build / "segments" / chapter.key, base=segment_base(project, settings)
            )
            segments.plays = reuse_plays
        mode = RunMode(chapter, narrator, add_sound=False, segments=segments)
        mode.register(progress_hooks(len(chapter.beats)))
        early = early_narration(chapter, work, settings)
        mode.register(early)
        try:
            movie, beat_log = render_scene(scene_cls, mode, work / "media", quality, chapter.key)
        except StalePlay:
            try:  # a levelling thread already started must not write beside the next one
                early.result()
            except Exception:
                pass
            raise
        return segments, early, movie, beat_log

    try:
        segments, early, movie, beat_log = attempt(reuse_plays=True)
    except StalePlay as stale:
        # rare: a play's path depended on the beat's timing (segments.BeatPlays); the
        # entry is gone, and this render draws every play of the beats that changed
        print(f"{stale}: rendering again without reusing plays", file=sys.stderr)
        segments, early, movie, beat_log = attempt(reuse_plays=False)
    frames, fps = media.video_frames(movie)
    duration = frames / fps
    emit("encode", frames=frames, fps=fps)
    if segments is not None:
        emit("segments", reused=segments.hits, drawn=segments.misses, plays=segments.play_hits)
        segments.prune()

    voiced = {audio.beat.id: audio for audio in finish_voicing()}

    def timing(log: list[dict]) -> list[tuple]:
        return [(e["id"], e["start"], e["audio"]) for e in log]

    # levelled (and encoded) while the last beat was drawn; again here if the scene
    # ended elsewhere
    log, loud, encoded = early.result() or (None, None, None)
    if log is None or timing(log) != timing(beat_log):
        loud, encoded = level_narration(beat_log, work, settings), None
    narration = work / "narration.wav"
    media.pad_wav(
        work / "narration.levelled.wav", narration, int(round(duration * media.AUDIO_RATE))
    )

    starts = {entry["id"]: float(entry["start"]) for entry in beat_log}
    cues = chapter_cues(chapter, voiced, starts, duration)
    problems = captions.problems(cues, duration)
    if problems:
        raise UserError(f"{display(chapter.path)}: captions break the standards: {problems[0]}")

    out = build / f"{chapter.key}.mp4"
    tmp = build / f"{chapter.key}.part.mp4"
    if encoded is not None and duration <= encoded[1] - 0.1:  # copied and cut at the end
        args = media.mux_args(movie, encoded[0], tmp, title=chapter.title, audio_encoded=duration)
    else:
        args = media.mux_args(movie, narration, tmp, title=chapter.title, preview=quality == "low")
    media.run(args, f"muxing {chapter.key}")
    lengths = media.stream_durations(tmp)
    if abs(lengths.get("audio", 0) - lengths.get("video", 0)) > 1 / fps + 1e-3:
        raise RuntimeError(f"audio {lengths.get('audio')} s vs video {lengths.get('video')} s")
    os.replace(tmp, out)

    srt_text, vtt_text = captions.to_srt(cues), captions.to_vtt(cues)
    outputs = {"video": out}
    for suffix, text in ((".srt", srt_text), (".vtt", vtt_text)):
        beside = build / f"{chapter.key}{suffix}"
        shared = project.subtitles_dir / f"{chapter.key}{suffix}"
        media.write_text_atomic(beside, text)
        media.write_text_atomic(shared, text)
        outputs[suffix[1:]] = shared
        outputs[f"{suffix[1:]}_beside_video"] = beside

    return ChapterRecord(
        key=chapter.key,
        number=chapter.number,
        title=chapter.title,
        quality=quality,
        voice=narrator.voice.name,
        voice_settings=narrator.voice.settings(),
        duration=duration,
        frames=frames,
        fps=fps,
        loudness=loud,
        words=chapter.word_count,
        beats=[
            BeatTime(e["id"], round(float(e["start"]), 4), round(float(e["duration"]), 4))
            for e in beat_log
        ],
        cues=len(cues),
        outputs={kind: os.path.relpath(path, build) for kind, path in outputs.items()},
        narration=os.path.relpath(narration, build),
        synthesised=narrator.misses,
        seconds=round(time.time() - started, 2),
    )


def main() -> int:
    # the job cluster.py sends: {"root": Path, "chapter": Chapter, "settings": Settings}
    job = pickle.load(sys.stdin.buffer)
    project, chapter, settings = Project(job["root"]), job["chapter"], job["settings"]
    key = chapter.key
    log_dir = project.build_dir(settings.quality) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # Manim and its libraries log to stderr and stdout; keep stdout for our events only.
    log = open(log_dir / f"{key}.log", "w", encoding="utf-8")
    real_stdout = os.dup(1)
    os.dup2(log.fileno(), 2)
    sys.stdout = os.fdopen(real_stdout, "w", buffering=1)
    os.dup2(log.fileno(), 1)
    try:
        return _render_and_report(project, chapter, settings, log, log_dir)
    finally:
        log.flush()  # the process ends with os._exit: nothing else flushes it


def _render_and_report(project, chapter, settings, log, log_dir) -> int:
    key = chapter.key
    try:
        record = render(project, chapter, settings)
    except UserError as error:
        emit("error", message=str(error))
        return 1
    except KeyboardInterrupt:
        emit("error", message="interrupted")
        return 130
    except Exception as error:  # a bug, not a user mistake: keep the traceback in the log
        traceback.print_exc(file=log)
        log.flush()
        emit(
            "error",
            message=f"{key}: {type(error).__name__}: {error} "
            f"(details in {display(log_dir / (key + '.log'))})",
        )
        return 1
    emit("done", record=record.to_dict())
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # every output is written and closed: skip tearing down thousands of mobjects (1.3 s)
    os._exit(code)
