"""The upload-ready full video, incremental and parallel rendering, and safe failure."""

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, write_chapter

from explainer import assemble, captions, media
from explainer.manifest import Manifest

slow = pytest.mark.slow  # renders real video; the rest of this file is fast

BODY = """
with self.beat("one") as beat:
    square = Square()
    self.play(FadeIn(square), run_time=beat.time_until("turn"))
    self.play(square.animate.rotate(2.0), run_time=beat.remaining)
with self.beat("two") as beat:
    self.play(Transform(square, Circle()), run_time=beat.remaining)
"""


def script(title: str, word: str) -> str:
    return f"""
    # {title}
    ## one
    This is the {word} chapter of a small test video, made to check the pipeline {{@turn}}end
    to end, with real audio, real frames and real captions.
    ## two
    It has a second beat as well, so that captions, chapters and loudness can all be measured.
    """


def make_project(root: Path) -> Path:
    (root / "script").mkdir(parents=True, exist_ok=True)
    for number, (title, word) in enumerate(
        [("Opening", "first"), ("Middle", "second"), ("Closing", "third")], start=1
    ):
        write_chapter(root, f"{number:02d}-{title.lower()}", script(title, word), BODY)
    return root


def render(root, *args, timeout=1200, **settings):
    """render.py at low with espeak on the project at ``root``; ``settings`` are more
    EXPLAINER_* variables (``segments="off"``)."""
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak")
    env.update({f"EXPLAINER_{key.upper()}": value for key, value in settings.items()})
    return subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def mtimes(root: Path) -> dict[str, float]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime_ns
        for p in sorted((root / "build/low").glob("0*.mp4"))
    }


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """The three-chapter project rendered once; tests that change it work on a copy."""
    root = make_project(tmp_path_factory.mktemp("full"))
    result = render(root, "--jobs", "2", "--burn-captions")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result


def copy_of(root: Path, tmp_path: Path) -> Path:
    """The rendered project moved elsewhere (file times kept): it must still be up to date."""
    return shutil.copytree(root, tmp_path / "moved", symlinks=True)


def manifest(root) -> Manifest:
    return Manifest.load(root / "build/low")


def rendered_count(result) -> int:
    """How many chapters a run rendered: the chapter videos it says it wrote."""
    return len(re.findall(r"^wrote +video: build/low/\d\d-[a-z-]+\.mp4$", result.stdout, re.M))


@slow
def test_full_video_streams_and_container(video):
    root, result = video
    path = root / "build/low/nanochat-explained.mp4"
    info = media.probe(path)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["profile"] == "High"
    assert streams["video"]["pix_fmt"] == "yuv420p"
    audio = streams["audio"]
    assert (audio["codec_name"], audio["profile"], audio["sample_rate"], audio["channels"]) == (
        "aac",
        "LC",
        "48000",
        2,
    )
    subtitle = streams["subtitle"]
    assert subtitle["codec_name"] == "mov_text" and subtitle["tags"]["language"] == "eng"
    assert info["format"]["tags"]["title"] == "nanochat explained"
    assert [c["tags"]["title"] for c in info["chapters"]] == ["Opening", "Middle", "Closing"]
    lengths = media.stream_durations(path)
    assert abs(lengths["audio"] - lengths["video"]) <= 1 / 15 + 1e-3
    head = path.read_bytes()[:300_000]
    assert 0 <= head.find(b"moov") < head.find(b"mdat")
    assert "LUFS integrated" in result.stdout
    assert rendered_count(result) == 3


@slow
def test_video_is_a_stream_copy_of_the_chapters(video):
    root, _ = video
    frames = sum(c.frames for c in manifest(root).chapters.values())
    assert media.video_frames(root / "build/low/nanochat-explained.mp4")[0] == frames


@slow
def test_chapter_markers_and_captions_use_measured_starts(video):
    root, _ = video
    built = manifest(root)
    records = sorted(built.chapters.values(), key=lambda c: c.number)
    starts, t = [], 0.0
    for chapter in records:
        starts.append(t)
        t += chapter.duration
    info = media.probe(root / "build/low/nanochat-explained.mp4")
    assert [round(float(c["start_time"]), 2) for c in info["chapters"]] == [
        round(s, 2) for s in starts
    ]
    merged = captions.parse_srt((root / "subtitles/nanochat-explained.srt").read_text())
    assert captions.problems(merged, t) == []
    index = 0
    for chapter, start in zip(records, starts, strict=True):
        own = captions.parse_srt(built.path(chapter.outputs["srt_beside_video"]).read_text())
        for cue in own:
            assert merged[index].text == cue.text
            assert abs(merged[index].start - (cue.start + start)) < 0.002
            assert merged[index].end <= start + chapter.duration + 0.002  # never crosses
            index += 1
    assert index == len(merged)
    assert (root / "subtitles/nanochat-explained.vtt").read_text().startswith("WEBVTT")


@slow
def test_loudness_on_target(video):
    root, _ = video
    measured = media.measure_loudness(root / "build/low/nanochat-explained.mp4")
    assert abs(measured["integrated"] - (-14)) <= 1
    assert measured["true_peak"] <= -1


@slow
def test_youtube_chapter_list(video):
    root, _ = video
    lines = (root / "build/low/chapters.txt").read_text().splitlines()
    assert lines[0] == "0:00 Opening"
    assert [line.split(" ", 1)[1] for line in lines] == ["Opening", "Middle", "Closing"]


@slow
def test_burned_captions_copy(video):
    root, _ = video
    path = root / "build/low/nanochat-explained.captioned.mp4"
    kinds = {s["codec_type"] for s in media.probe(path)["streams"]}
    assert {"video", "audio"} <= kinds


@slow
def test_noop_renders_nothing_and_touches_nothing(video):
    root, _ = video
    before = mtimes(root)
    full = (root / "build/low/nanochat-explained.mp4").stat().st_mtime_ns
    listed = (root / "build/low/manifest.json").read_bytes()
    result = render(root)
    assert result.returncode == 0, result.stderr
    assert rendered_count(result) == 0 and "wrote" not in result.stdout
    assert result.stderr.count("unchanged: 0") == 3
    assert "unchanged: full video" in result.stderr
    assert mtimes(root) == before
    assert (root / "build/low/nanochat-explained.mp4").stat().st_mtime_ns == full
    assert (root / "build/low/manifest.json").read_bytes() == listed


@slow
def test_a_moved_project_is_still_up_to_date(video, tmp_path):
    # the manifest stores paths relative to the build folder, so a copy needs no render
    moved = copy_of(video[0], tmp_path)
    result = render(moved)
    assert result.returncode == 0, result.stderr
    assert rendered_count(result) == 0 and "unchanged: full video" in result.stderr
    built = manifest(moved)
    assert all(not Path(p).is_absolute() for p in built.files())
    assert all(built.path(p).is_file() for p in built.files())


@slow
def test_one_word_edit_rerenders_one_chapter(video, tmp_path):
    root = copy_of(video[0], tmp_path)
    before = mtimes(root)
    path = root / "script/02-middle.md"
    path.write_text(path.read_text().replace("as well", "too"))
    cache = set((root / "audio/cache/espeak").rglob("*.wav"))
    result = render(root)
    assert result.returncode == 0, result.stderr
    assert rendered_count(result) == 1
    after = mtimes(root)
    assert after["build/low/01-opening.mp4"] == before["build/low/01-opening.mp4"]
    assert after["build/low/03-closing.mp4"] == before["build/low/03-closing.mp4"]
    assert after["build/low/02-middle.mp4"] != before["build/low/02-middle.mp4"]
    assert len(set((root / "audio/cache/espeak").rglob("*.wav")) - cache) == 1
    assert "too" in (root / "subtitles/nanochat-explained.srt").read_text()


@slow
def test_subtitles_command_without_rendering(video, tmp_path):
    root = copy_of(video[0], tmp_path)
    path = root / "script/03-closing.md"
    path.write_text(path.read_text().replace("real captions", "honest captions"))
    before = mtimes(root)
    cache = set((root / "audio/cache/espeak").rglob("*.wav"))
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak")
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "subtitles", "--quality", "low"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    # one synthesis (the edited beat), no chapter rendered
    assert len(set((root / "audio/cache/espeak").rglob("*.wav")) - cache) == 1
    assert mtimes(root) == before
    assert "honest captions" in (root / "subtitles/03-closing.srt").read_text()
    assert "honest captions" in (root / "subtitles/nanochat-explained.srt").read_text()
    cues = captions.parse_srt((root / "subtitles/nanochat-explained.srt").read_text())
    assert captions.problems(cues) == []


@slow
def test_deleted_chapter_leaves_the_manifest(video, tmp_path):
    root = copy_of(video[0], tmp_path)
    (root / "script/03-closing.md").unlink()
    (root / "scenes/03_test.py").unlink()
    result = render(root)
    assert result.returncode == 0, result.stderr
    assert rendered_count(result) == 0
    assert sorted(manifest(root).chapters) == ["01-opening", "02-middle"]
    assert [c["key"] for c in manifest(root).full.chapters] == ["01-opening", "02-middle"]


@slow
def test_keep_going_finishes_other_chapters(tmp_path):
    root = make_project(tmp_path)
    (root / "scenes/02_test.py").write_text(
        (root / "scenes/02_test.py").read_text().replace("square = Square()", "square = 1 / 0")
    )
    result = render(root, "--keep-going", "--jobs", "1")
    assert result.returncode == 1
    assert "02-middle" in result.stderr and "beat 'one' failed: ZeroDivisionError" in result.stderr
    assert (root / "build/low/01-opening.mp4").exists()
    assert (root / "build/low/03-closing.mp4").exists()
    assert not (root / "build/low/02-middle.mp4").exists()
    assert not (root / "build/low/nanochat-explained.mp4").exists()
    assert sorted(manifest(root).chapters) == ["01-opening", "03-closing"]


@slow
def test_interrupt_keeps_last_good_outputs_and_resumes(tmp_path):
    root = make_project(tmp_path)
    assert render(root, "1").returncode == 0
    good = (root / "build/low/01-opening.mp4").read_bytes()
    path = root / "script/01-opening.md"
    path.write_text(path.read_text().replace("small test", "tiny test"))
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low", "1"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    for line in proc.stderr:
        if "rendering beat" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert (root / "build/low/01-opening.mp4").read_bytes() == good
    leftovers = [p for p in (root / "audio").rglob("*") if ".part" in p.name]
    assert leftovers == []
    result = render(root, "1")
    assert result.returncode == 0, result.stderr
    assert "tiny test" in (root / "subtitles/01-opening.srt").read_text()


def test_missing_ffmpeg_is_named(tmp_path):
    root = make_project(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak", PATH=str(bin_dir))
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: ffmpeg is missing; install it: sudo apt-get install ffmpeg"
    )


def test_missing_latex_is_named(tmp_path):
    root = make_project(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("ffmpeg", "ffprobe"):
        (bin_dir / tool).symlink_to(f"/usr/bin/{tool}")
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak", PATH=str(bin_dir))
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert "latex is missing; install it: sudo apt-get install texlive-latex-base" in result.stderr


def test_disk_full_while_caching_leaves_no_partial_entry(tmp_path, monkeypatch):
    from explainer.errors import UserError
    from explainer.narration import Narrator
    from explainer.script import parse_chapter
    from explainer.voices import EspeakVoice

    path = tmp_path / "01-d.md"
    path.write_text("# D\n## a\nSome words to voice.\n")
    beat = parse_chapter(path).beats[0]

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("explainer.narration.write_wav", full_disk)
    with pytest.raises(UserError, match="the disk is full"):
        Narrator(EspeakVoice(), tmp_path / "cache").speak(beat)
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


def test_not_utf8_script_is_one_line(tmp_path):
    root = make_project(tmp_path)
    (root / "script/02-middle.md").write_bytes("# M\n## one\nCaf\xe9\n".encode("latin-1"))
    result = render(root)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: script/02-middle.md:3: is not UTF-8; re-save the file as UTF-8"
    )


@slow
def test_uncaptionable_beat_names_the_sentence(tmp_path):
    root = make_project(tmp_path)
    path = root / "script/01-opening.md"
    path.write_text(path.read_text().replace("real frames", "x" * 90))
    result = render(root, "1")
    assert result.returncode == 1
    assert "script/01-opening.md:2: beat 'one': cannot caption" in result.stderr
    assert "split that sentence" in result.stderr
    # found while the scene ran (the voice works ahead of it): no video, no captions
    assert not list((root / "build/low").glob("01-opening*.mp4"))
    assert not (root / "subtitles/01-opening.srt").exists()


def test_merged_cues_never_flicker_at_chapter_joins(tmp_path):
    one, two = tmp_path / "1.srt", tmp_path / "2.srt"
    one.write_text(captions.to_srt([captions.Cue(8.0, 10.0, "end of one")]))
    two.write_text(captions.to_srt([captions.Cue(0.019, 2.0, "start of two")]))
    parts = [
        assemble.Part("01-a", "A", 10.0, Path(), Path(), one),
        assemble.Part("02-b", "B", 10.0, Path(), Path(), two),
    ]
    cues = assemble.merged_cues(parts)
    assert captions.problems(cues) == []
    assert cues[0].end <= 10.0 + 0.02


def test_pure_helpers():
    parts = [
        assemble.Part(f"0{i}-x", f"T{i}", d, Path(), Path(), Path())
        for i, d in enumerate([61.5, 12.0, 30.0], start=1)
    ]
    assert assemble.starts(parts) == [0.0, 61.5, 73.5]
    assert assemble.youtube_chapters(parts) == "0:00 T1\n1:01 T2\n1:13 T3\n"
    meta = assemble.ffmetadata(parts)
    assert "START=61500" in meta and "END=103500" in meta and "title=T3" in meta
    with pytest.raises(Exception, match=">= 10 s"):
        assemble.youtube_chapters(
            [*parts, assemble.Part("04-y", "T4", 5.0, Path(), Path(), Path())]
        )


def test_narration_already_on_target_is_kept_as_it_is(tmp_path):
    # voice-like bursts (a 140 Hz buzz with harmonics), normalised once; normalising the
    # result again must keep it byte for byte (so the full video reuses its chapters' audio)
    rate = media.AUDIO_RATE
    t = np.arange(rate // 2) / rate
    buzz = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 8)) * 0.05
    bursts = [buzz * np.hanning(len(t)) * (0.6 + 0.4 * (i % 3) / 2) for i in range(40)]
    quiet = np.zeros(rate // 4)
    samples = np.concatenate([x for b in bursts for x in (b, quiet)]).astype(np.float32)
    raw, once, twice = tmp_path / "raw.wav", tmp_path / "once.wav", tmp_path / "twice.wav"
    media.write_wav(raw, samples, rate)
    first = media.normalise_wav(raw, once, -14.0, -1.5)
    assert abs(first["integrated"] + 14.0) <= media.LOUDNESS_SLACK and first["true_peak"] <= -1.0
    second = media.normalise_wav(once, twice, -14.0, -1.5)
    assert twice.read_bytes() == once.read_bytes()
    assert abs(second["integrated"] - first["integrated"]) < 0.05
