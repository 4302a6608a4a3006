"""ffmpeg argument lists: built only in media.py, by pure functions."""

from __future__ import annotations

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
    assert media.concat_list([Path("a.mp4"), Path("it's.mp4")]) == (
        "file 'a.mp4'\nfile 'it'\\''s.mp4'\n"
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
