"""End to end: a real low-quality render, checked with ffprobe and against the script."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, write_chapter

from explainer import captions, media
from explainer.manifest import Manifest
from explainer.project import Project

slow = pytest.mark.slow  # renders real video; the rest of this file is fast

SCRIPT = """
# Render test
## first
A small test chapter {@box}with a square.
## second
Then the {$100|hundred dollar} circle {@circle}appears, and we stop.
"""

BODY = """
with self.beat("first") as beat:
    square = Square()
    self.play(FadeIn(square), run_time=beat.time_until("box"))
    self.play(square.animate.rotate(1.0), run_time=beat.remaining)
with self.beat("second") as beat:
    beat.wait_until("circle")
    self.play(Transform(square, Circle()), run_time=beat.remaining)
"""


def render(root, *args, voice="espeak", **extra):
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE=voice, **extra)
    return subprocess.run(
        [sys.executable, str(ROOT / "render.py"), *args, "--quality", "low", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )


def onset_near(samples: np.ndarray, rate: int, t: float) -> float:
    """Distance from ``t`` to the nearest rise of sound after silence."""
    hop = rate // 200
    n = len(samples) // hop
    level = np.sqrt((samples[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
    loud = level > level.max() * 0.05
    rises = [i / 200 for i in range(n) if loud[i] and not loud[max(0, i - 20) : i].any()]
    return min(abs(r - t) for r in rises)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    (root / "script").mkdir()
    write_chapter(root, "01-test", SCRIPT, BODY)
    result = render(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result


@slow
def test_outputs_exist_and_manifest_lists_them(rendered):
    root, result = rendered
    built = Manifest.load(root / "build/low")
    chapter = built.chapters["01-test"]
    assert chapter.title == "Render test" and chapter.voice == "espeak"
    assert [b.id for b in chapter.beats] == ["first", "second"]
    assert set(chapter.outputs) == {"video", "srt", "vtt", "srt_beside_video", "vtt_beside_video"}
    assert built.files() and all(built.path(p).is_file() for p in built.files())
    assert built.path(chapter.narration).is_file()
    assert "video: build/low/01-test.mp4" in result.stdout


@slow
def test_streams_and_lengths(rendered):
    root, _ = rendered
    video = root / "build/low/01-test.mp4"
    info = media.probe(video)
    kinds = {s["codec_type"]: s for s in info["streams"]}
    assert kinds["video"]["codec_name"] == "h264" and kinds["video"]["pix_fmt"] == "yuv420p"
    assert kinds["audio"]["codec_name"] == "aac" and kinds["audio"]["sample_rate"] == "48000"
    assert kinds["audio"]["channels"] == 2
    lengths = media.stream_durations(video)
    assert abs(lengths["audio"] - lengths["video"]) <= 1 / 15 + 1e-3
    with open(video, "rb") as handle:  # faststart: moov before mdat
        head = handle.read(200_000)
    assert head.find(b"moov") < head.find(b"mdat")


@slow
def test_captions_match_script_and_voice(rendered):
    root, _ = rendered
    chapter = Project(root).chapters()[0]
    srt = (root / "subtitles/01-test.srt").read_text()
    cues = captions.parse_srt(srt)
    assert " ".join(c.flat for c in cues) == chapter.caption_text
    assert "$100" in srt and "hundred dollar" not in srt
    assert captions.problems(cues) == []
    vtt = (root / "subtitles/01-test.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    # every beat's first cue starts when its first word is heard in the final MP4
    audio = media.decode_audio((root / "build/low/01-test.mp4").read_bytes(), 16000)
    for beat in Manifest.load(root / "build/low").chapters["01-test"].beats:
        first = min((c for c in cues if c.start >= beat.start - 1e-3), key=lambda c: c.start)
        assert onset_near(audio, 16000, first.start) <= 0.1


@slow
def test_edit_one_beat_changes_only_its_audio_and_captions(rendered, tmp_path):
    root = shutil.copytree(rendered[0], tmp_path / "copy")
    before_srt = (root / "subtitles/01-test.srt").read_text()
    cache = sorted(p.name for p in (root / "audio/cache/espeak").rglob("*.wav"))
    script = root / "script/01-test.md"
    script.write_text(script.read_text().replace("and we stop", "and then we stop"))
    result = render(root)
    assert result.returncode == 0, result.stderr
    after = sorted(p.name for p in (root / "audio/cache/espeak").rglob("*.wav"))
    assert len(set(after) - set(cache)) == 1  # only the edited beat was synthesised
    after_srt = (root / "subtitles/01-test.srt").read_text()
    assert after_srt != before_srt and "and then we stop" in after_srt
    first_cue = before_srt.split("\n\n")[0]
    assert after_srt.startswith(first_cue)  # the untouched beat keeps its captions


@slow
def test_gtts_voice_renders_through_the_standin(tmp_path):
    from gtts_standin import StandIn

    (tmp_path / "script").mkdir()
    write_chapter(tmp_path, "01-test", SCRIPT, BODY)
    with StandIn() as url:
        result = render(tmp_path, voice="gtts", EXPLAINER_GTTS_ENDPOINT=url)
    assert result.returncode == 0, result.stderr
    assert Manifest.load(tmp_path / "build/low").chapters["01-test"].voice == "gtts"
    cues = captions.parse_srt((tmp_path / "subtitles/01-test.srt").read_text())
    assert " ".join(c.flat for c in cues) == Project(tmp_path).chapters()[0].caption_text


def test_gtts_offline_render_fails_fast_and_clearly(tmp_path):
    (tmp_path / "script").mkdir()
    write_chapter(tmp_path, "01-test", SCRIPT, BODY)
    result = render(tmp_path, voice="gtts")
    assert result.returncode == 2
    assert "use --voice piper" in result.stderr
    assert not (tmp_path / "build").exists()


@slow
def test_scene_error_names_chapter_and_beat(tmp_path):
    (tmp_path / "script").mkdir()
    write_chapter(tmp_path, "01-test", SCRIPT, 'with self.beat("first"):\n    1 / 0')
    result = render(tmp_path)
    assert result.returncode != 0
    assert "beat 'first' failed: ZeroDivisionError" in result.stderr
    assert not (tmp_path / "build/low/01-test.mp4").exists()


def test_unknown_chapter_quality_and_voice_fail_clearly(project, monkeypatch, capsys):
    from explainer import cli

    write_chapter(project, "01-test", SCRIPT, BODY)
    monkeypatch.setenv("EXPLAINER_ROOT", str(project))
    for args, voice, fragment in (
        (["7"], "espeak", "chapter '7' is unknown; choose from 1 (test)"),
        (["1"], "nope", "voice 'nope' is unknown"),
        (["1", "--quality", "huge"], "espeak", "quality 'huge' is unknown"),
    ):
        monkeypatch.setenv("EXPLAINER_VOICE", voice)
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert fragment in err and len(err.strip().splitlines()) == 1, err
    assert not (project / "build").exists()


@slow
def test_plain_manim_cli_renders_with_narration(rendered):
    root, _ = rendered
    env = dict(os.environ, EXPLAINER_VOICE="espeak")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "-ql",
            "--media_dir",
            str(root / "media"),
            str(root / "scenes/01_test.py"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    movie = next((root / "media").rglob("TestChapter.mp4"))
    kinds = {s["codec_type"] for s in media.probe(movie)["streams"]}
    assert kinds == {"video", "audio"}


@slow
def test_whole_video_preview(real_project):
    """Every chapter with the default voice at 480p15, assembled, as a viewer would get it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    env["EXPLAINER_ROOT"] = str(real_project)  # a copy: nothing is written into the repository
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--quality", "low", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    built = Manifest.load(real_project / "build/low")
    chapters = Project(real_project).chapters()
    assert sorted(built.chapters) == [c.key for c in chapters]
    from explainer.pacing import check_chapter

    for entry in built.chapters.values():
        assert entry.voice == "piper"
        assert abs(entry.loudness["integrated"] - (-14)) <= 1
        assert entry.loudness["true_peak"] <= -1
        cues = captions.parse_srt(built.path(entry.outputs["srt"]).read_text())
        assert captions.problems(cues, entry.duration) == []
        # no frozen picture while talking, no long silence
        assert check_chapter(entry, built.video(entry)) == []
    full = built.full
    assert abs(full.loudness["integrated"] - (-14)) <= 1
    merged = captions.parse_srt((real_project / "subtitles/nanochat-explained.srt").read_text())
    assert captions.problems(merged, full.duration) == []
    assert " ".join(c.flat for c in merged) == " ".join(c.caption_text for c in chapters)
