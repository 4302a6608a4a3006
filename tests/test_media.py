"""ffmpeg argument lists: built only in media.py, by pure functions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from explainer import media

PACKAGE = Path(media.__file__).parent


def test_only_media_builds_ffmpeg_commands():
    options = ('"-i"', '"-vf"', '"-af"', '"-map"', '"-c:v"', '"-f"')
    for module in sorted(PACKAGE.glob("*.py")):
        if module.name != "media.py":
            text = module.read_text("utf-8")
            assert not any(option in text for option in options), module.name


def test_argument_lists():
    assert media.concat_args(Path("list.txt"), Path("out.mp4"))[-5:] == [
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "out.mp4",
    ]
    assert media.concat_list([(Path("a.mp4"), 2.5), (Path("it's.mp4"), 1 / 3)]) == (
        "file 'a.mp4'\nduration 2.500000\nfile 'it'\\''s.mp4'\nduration 0.333333\n"
    )
    freeze = media.detect_args(Path("v.mp4"), "v", "freezedetect=d=4")
    assert freeze[freeze.index("-map") + 1] == "0:v:0" and "-vf" in freeze
    silence = media.detect_args(Path("v.mp4"), "a", "silencedetect=d=1.5")
    assert silence[silence.index("-map") + 1] == "0:a:0" and "-af" in silence
    frame = media.frame_args(Path("v.mp4"), 2.5, (384, 216))
    assert frame[frame.index("-ss") + 1] == "2.500" and "scale=384:216" in frame
    burn = media.burn_args(Path("in.mp4"), Path("/tmp/a:b's.srt"), Path("out.mp4"))
    assert "subtitles='/tmp/a\\:b\\'s.srt'" in burn[burn.index("-vf") + 1]


def test_measure_loudness_with_and_without_a_filter(tmp_path):
    rate = media.AUDIO_RATE
    t = np.arange(rate * 3) / rate
    path = tmp_path / "tone.wav"
    media.write_wav(path, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    plain = media.measure_loudness(path)
    louder = media.measure_loudness(path, "volume=6dB")
    assert set(plain) == {"integrated", "true_peak", "range", "threshold"}
    assert abs(louder["integrated"] - plain["integrated"] - 6.0) < 0.3


def test_filter_and_measure_reports_exactly_what_it_wrote(tmp_path):
    rate = media.AUDIO_RATE
    t = np.arange(rate * 3) / rate
    path = tmp_path / "tone.wav"
    media.write_wav(path, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    out = tmp_path / "out.wav"
    measured = media.filter_and_measure(path, "volume=6dB", out)
    samples, out_rate = media.read_wav(out)
    assert out_rate == rate and len(samples) == len(t)
    # one pass measures the 16-bit samples it wrote: a second look agrees to the digit
    assert measured == media.measure_loudness(out)
    assert abs(measured["integrated"] - media.measure_loudness(path)["integrated"] - 6.0) < 0.3


def encoded_tone(folder: Path, seconds: float, pad: float) -> Path:
    """A 440 Hz narration of ``seconds``, encoded ahead with ``pad`` s of silence."""
    rate = media.AUDIO_RATE
    t = np.arange(int(rate * seconds)) / rate
    wav = folder / "narration.wav"
    media.write_wav(wav, (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    aac = folder / "narration.m4a"
    media.run(media.encode_narration_args(wav, aac, pad, preview=True), "encoding")
    return aac


def make_test_video(path: Path, frames: int, fps: int) -> Path:
    """``frames`` frames of ffmpeg's test pattern, H.264."""
    media.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size=64x36:rate={fps}",
         "-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        "making a test video",
    )  # fmt: skip
    return path


def test_narration_encoded_ahead_is_cut_to_the_video_within_a_preview_frame(tmp_path):
    """A preview's narration is encoded (padded) before its video's length is known, then
    copied into the MP4 and cut where the video ends: the streams end within one frame,
    the audio is the narration, and the video is copied untouched."""
    from explainer.chapter_render import encodes_early

    # an AAC frame (21.3 ms) fits in a frame at 15 and 30 fps, not at 60
    assert encodes_early("low") and encodes_early("medium") and not encodes_early("high")
    rate, fps = media.AUDIO_RATE, 15
    aac = encoded_tone(tmp_path, 2.2, 3.0)
    assert abs(media.stream_durations(aac)["audio"] - 5.2) < 0.05  # the narration, then silence
    video = make_test_video(tmp_path / "video.mp4", 43, fps)
    frames, _ = media.video_frames(video)
    out = tmp_path / "out.mp4"
    media.run(media.mux_args(video, aac, out, audio_encoded=frames / fps), "muxing")
    lengths = media.stream_durations(out)
    assert abs(lengths["audio"] - lengths["video"]) <= 1 / fps + 1e-3, lengths
    assert media.frame_checksums(out) == media.frame_checksums(video)
    decoded = media.decode_audio(out.read_bytes(), rate)
    assert abs(len(decoded) / rate - frames / fps) < 1 / fps
    # the tone is there (AAC is lossy: compare its level, not its samples)
    assert 0.1 < float(np.abs(decoded[: int(rate * 2)]).max()) < 0.3


def test_joined_chapters_start_where_the_last_video_ended(tmp_path):
    """Chapters whose narration was cut at an AAC frame (up to 21 ms past the video) are
    joined where each video ends, not where its audio does: no drift across the join."""
    fps = 15
    aac = encoded_tone(tmp_path, 1.0, 3.0)
    parts = []
    for index, count in enumerate((31, 29, 37)):  # lengths that end mid AAC frame
        video = make_test_video(tmp_path / f"video{index}.mp4", count, fps)
        chapter = tmp_path / f"chapter{index}.mp4"
        media.run(media.mux_args(video, aac, chapter, audio_encoded=count / fps), "muxing")
        lengths = media.stream_durations(chapter)
        assert lengths["audio"] > lengths["video"]  # the overhang the join must ignore
        parts.append((chapter, count / fps))
    listing = tmp_path / "concat.txt"
    listing.write_text(media.concat_list(parts), "utf-8")
    joined = tmp_path / "joined.mp4"
    media.run(media.concat_args(listing, joined), "joining")
    frames, _ = media.video_frames(joined)
    assert frames == 31 + 29 + 37
    shown = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "frame=pts_time", "-of", "csv=p=0", str(joined)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    times = [float(line.strip(",")) for line in shown.split()]  # a keyframe: "t,"
    expected = [n / fps for n in range(frames)]
    assert max(abs(a - b) for a, b in zip(times, expected, strict=True)) < 1e-3


def test_narration_levelled_beat_by_beat_meets_the_standard(tmp_path):
    """Beats levelled one by one, placed, make a track at -14 LUFS +- 1 with true peak
    <= -1 dBTP, also with a beat too short for the meter (it reads -70 LUFS)."""
    from explainer.chapter_render import level_narration
    from explainer.settings import Settings

    rng = np.random.default_rng(7)
    rate = 22050  # Piper's rate: levelling resamples before it limits
    log, start = [], 0.0
    for index, seconds in enumerate((3.0, 0.3, 2.5)):
        n = int(rate * seconds)
        syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * np.arange(n) / rate) ** 2
        voice = (0.05 * rng.standard_normal(n) * syllables).astype(np.float32)
        path = tmp_path / f"beat{index}.wav"
        media.write_wav(path, voice, rate)
        log.append({"id": f"b{index}", "start": start, "audio": str(path)})
        start += seconds + 0.4
    settings = Settings()
    loud = level_narration(log, tmp_path / "work", settings)
    again = media.measure_loudness(tmp_path / "work/narration.levelled.wav")
    assert abs(again["integrated"] - settings.loudness) <= 1, again
    assert again["true_peak"] <= -1, again
    assert loud["integrated"] == again["integrated"]
    # an edit levels again only the beat it changed
    kept = {p.name: p.stat().st_ino for p in (tmp_path / "work/levelled").iterdir()}
    media.write_wav(tmp_path / "beat2.wav", np.zeros(int(rate * 2.5), np.float32) + 0.01, rate)
    level_narration(log, tmp_path / "work", settings)
    now = {p.name: p.stat().st_ino for p in (tmp_path / "work/levelled").iterdir()}
    assert len(set(kept) & set(now)) == 2 and len(now) == 3
