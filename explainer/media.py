"""ffmpeg and ffprobe, called with argument lists, failures turned into one line.

Argument lists are built by small pure functions (tested on their own); the
``run`` helper executes them.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .errors import UserError

AUDIO_RATE = 48000


def require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise UserError(f"{tool} is missing; install it: apt-get install {package}")
    return path


def run(args: list[str], what: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run a command; on failure raise one line naming ``what`` and ffmpeg's last words."""
    require(args[0], "ffmpeg")
    try:
        result = subprocess.run(args, input=input, capture_output=True)
    except OSError as error:
        raise UserError(f"{what}: {error}") from None
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        if "No space left" in result.stderr.decode("utf-8", "replace"):
            raise UserError(f"{what}: the disk is full; free some space and run again")
        raise UserError(f"{what} failed: {tail[0]}")
    return result


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` under a temporary name, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- WAV io


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples as 16-bit PCM."""
    write_pcm(path, (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2"), rate)


def write_pcm(path: Path, pcm: np.ndarray, rate: int) -> None:
    """Write 16-bit mono samples as they are."""
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.asarray(pcm, dtype="<i2").tobytes())


def pad_wav(source: Path, dest: Path, frames: int) -> None:
    """Copy a 16-bit mono WAV's samples, cut or padded with silence to ``frames``."""
    with wave.open(str(source), "rb") as handle:
        rate, width = handle.getframerate(), handle.getsampwidth()
        data = handle.readframes(handle.getnframes())[: frames * width]
    with wave.open(str(dest), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(width)
        handle.setframerate(rate)
        handle.writeframes(data + bytes(frames * width - len(data)))


def wav_duration(path: Path) -> float:
    """A WAV's length in seconds, from its header."""
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    pcm, rate = read_pcm(path)
    return pcm.astype(np.float32) / 32767.0, rate


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit mono WAV's samples as they are, and its rate."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono WAV")
        rate = handle.getframerate()
        frames = handle.readframes(handle.getnframes())
    return np.frombuffer(frames, dtype="<i2"), rate


def decode_audio(data: bytes, rate: int) -> np.ndarray:
    """Decode any audio (e.g. MP3 bytes) to mono float32 at ``rate``."""
    result = run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            "pipe:0",
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "pipe:1",
        ],
        "decoding audio",
        input=data,
    )
    return np.frombuffer(result.stdout, dtype="<f4").copy()


def resample(samples: np.ndarray, rate: int, target: int = AUDIO_RATE) -> np.ndarray:
    if rate == target:
        return samples
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, target)
    return resample_poly(samples, target // g, rate // g).astype(np.float32)


# --------------------------------------------------------------------------- probing


def probe(path: Path) -> dict:
    require("ffprobe", "ffmpeg")
    result = run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            str(path),
        ],
        f"reading {path.name}",
    )
    return json.loads(result.stdout)


def stream_durations(path: Path) -> dict[str, float]:
    """Duration of the first video and audio stream (seconds), from packet timing."""
    info = probe(path)
    out = {}
    for stream in info["streams"]:
        kind = stream["codec_type"]
        if kind in out:
            continue
        if "duration" in stream:
            out[kind] = float(stream["duration"])
    return out


def video_frames(path: Path) -> tuple[int, float]:
    """(frame count, fps) of the first video stream."""
    info = probe(path)
    for stream in info["streams"]:
        if stream["codec_type"] == "video":
            num, den = stream["r_frame_rate"].split("/")
            fps = float(num) / float(den)
            frames = int(stream.get("nb_frames") or round(float(stream["duration"]) * fps))
            return frames, fps
    raise UserError(f"{path}: has no video stream; delete it and render again")


# --------------------------------------------------------------------------- loudness

_R128_VALUE = re.compile(r"^lavfi\.r128\.(I|LRA|true_peak)=(-?[0-9.]+|-?inf|nan)$", re.M)
_R128_THRESHOLD = re.compile(
    r"Integrated loudness:\s*I:\s*\S+ LUFS\s*Threshold:\s*(-?[0-9.]+) LUFS"
)


METER = "ebur128=peak=true:metadata=1,ametadata=mode=print:file=pipe\\\\:1"
METER_NO_PEAK = METER.replace("peak=true:", "")  # 1.5x faster: no 4x oversampling


def _parse_meter(result: subprocess.CompletedProcess, name: str) -> dict[str, float]:
    """The whole track's values from a run of ``METER`` (its last frame's, and the gate)."""
    last: dict[str, str] = {}
    for key, value in _R128_VALUE.findall(result.stdout.decode("utf-8", "replace")):
        last[key] = value
    # the last summary: a filter graph configured twice prints an empty one first
    thresholds = _R128_THRESHOLD.findall(result.stderr.decode("utf-8", "replace"))
    if "I" not in last or "LRA" not in last or not thresholds:
        raise UserError(f"measuring loudness of {name}: ffmpeg printed no measurement")
    if "true_peak" not in last:
        true_peak = float("nan")  # not measured (METER_NO_PEAK)
    else:
        peak = float(last["true_peak"])
        true_peak = round(20 * math.log10(peak), 3) if peak > 0 else float("-inf")
    return {
        "integrated": float(last["I"]),
        "true_peak": true_peak,
        "range": float(last["LRA"]),
        "threshold": float(thresholds[-1]),
    }


def measure_loudness(
    path: Path, audio_filter: str | None = None, *, true_peak: bool = True
) -> dict[str, float]:
    """Integrated loudness (LUFS), true peak (dBTP), range (LU) and gate threshold.

    With ``audio_filter``, of the audio after that filter (nothing is written); without
    ``true_peak``, the peak is not measured (``nan``).
    ffmpeg's ``ebur128`` meter (ITU-R BS.1770, true peak by 4x oversampling) reports
    its running values per frame; the last frame's are the whole track's, to three
    decimals. (``loudnorm``'s measuring pass reads the same values 3.5x slower: it
    resamples everything to 192 kHz first.)
    """
    meter = METER if true_peak else METER_NO_PEAK
    chain = f"{audio_filter},{meter}" if audio_filter else meter
    result = run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", chain, "-f", "null", "-"],
        f"measuring loudness of {path.name}",
    )
    return _parse_meter(result, path.name)


def filter_and_measure(source: Path, audio_filter: str, out: Path) -> dict[str, float]:
    """Run ``audio_filter`` over ``source`` into a 16-bit mono WAV at ``AUDIO_RATE`` and
    measure what it wrote, in one pass (the meter reads the same 16-bit samples)."""
    fmt = f"aformat=sample_fmts=s16:sample_rates={AUDIO_RATE}:channel_layouts=mono"
    graph = f"[0:a]{audio_filter},{fmt},asplit=2[out][meter];[meter]{METER},anullsink"
    args = [
        "ffmpeg", "-hide_banner", "-nostats", "-y", "-i", str(source),
        "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s16le", str(out),
    ]  # fmt: skip
    return _parse_meter(run(args, f"normalising loudness of {source.name}"), source.name)


def level_filter(gain_db: float, peak: float) -> str:
    """Gentle compression, make-up gain, then a limiter below the true-peak ceiling.

    Narration from TTS has a high crest factor (peaks ~20 dB over its loudness):
    reaching -14 LUFS with peaks under -1 dBTP needs its peaks tamed, not just gain.
    """
    ceiling = 10 ** ((peak - 1.0) / 20)  # sample-peak limit 1 dB under the true-peak target
    return (
        # at the output's rate first: a voice limited at 22,050 Hz and resampled after
        # gains inter-sample peaks (0.7 dB over the ceiling, measured on Piper's beats)
        f"aresample={AUDIO_RATE},"
        "acompressor=threshold=-26dB:ratio=3:attack=5:release=120,"
        f"volume={gain_db:.2f}dB,"
        f"alimiter=limit={ceiling:.4f}:attack=3:release=60:level=false"
    )


LOUDNESS_SLACK = 0.5  # LU a result may miss the target by (the standard allows 1)
# dB of make-up gain the limiter takes back on narration (measured on Piper's voice: the
# gain that reaches -14 LUFS is about 2 dB more than the compressed track's distance to it)
LIMITER_ALLOWANCE = 2.0
UNMEASURED = -69.9  # LUFS: what ebur128 reports for audio too short or quiet to gate
PEAK_SLACK = 0.3  # dB a measured true peak may sit above the limiter's ceiling


def normalise_wav(
    source: Path, dest: Path, target: float, peak: float, *, maybe_on_target: bool = True
) -> dict[str, float]:
    """Bring a WAV to ``target`` LUFS integrated, true peak under ``peak`` dBTP.

    A track already on target (e.g. chapters normalised alike, joined) is copied
    as it is. Otherwise: measure, process, measure again and correct the gain (the
    limiter gives back less than the gain added, so corrections overshoot a little);
    returns the final measurement, with the make-up gain used under ``"gain"``.
    The result depends on the source alone (a chapter after an edit gets exactly what
    a render from scratch gets); the two first measurements run side by side.
    ``maybe_on_target=False`` (a chapter's raw voice, never levelled) skips measuring
    the track as it is: that measurement competes for a core with the frames being drawn.
    """

    def on_target(measured: dict[str, float]) -> bool:
        # ``peak`` sits below the standard's -1 dBTP, so PEAK_SLACK still keeps it under
        return (
            abs(measured["integrated"] - target) <= LOUDNESS_SLACK
            and measured["true_peak"] <= peak + PEAK_SLACK
        )

    tmp = dest.with_name(dest.name + ".part.wav")
    compressed = level_filter(0.0, 0.0)
    if maybe_on_target:
        with ThreadPoolExecutor(max_workers=2) as pool:  # two ffmpeg processes, two cores
            as_is = pool.submit(measure_loudness, source)
            levelling = pool.submit(measure_loudness, source, compressed, true_peak=False)
            first, levelled = as_is.result(), levelling.result()
    else:
        first, levelled = None, measure_loudness(source, compressed, true_peak=False)
    if first is not None and on_target(first):
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
        return {**first, "gain": 0.0}
    # the first try allows for the limiter, so it usually lands within the slack
    gain = target - levelled["integrated"] + LIMITER_ALLOWANCE
    # silence, or under the meter's 400 ms block (it reads -70 LUFS): left as it is
    if not math.isfinite(gain) or levelled["integrated"] <= UNMEASURED:
        gain = 0.0
    result: dict[str, float] = {}
    for _ in range(4):
        result = filter_and_measure(source, level_filter(gain, peak), tmp)
        if on_target(result):
            break
        gain += (target - result["integrated"]) * 1.6
    os.replace(tmp, dest)
    return {**result, "gain": round(gain, 4)}


# --------------------------------------------------------------------------- muxing


def _aac(preview: bool) -> list[str]:
    """The narration's encoder options: AAC-LC 48 kHz stereo (mono voices, played as both)."""
    return [
        "-c:a",
        "aac",
        "-aac_coder",  # 3x faster than the default "twoloop"; measured closer to the source
        "fast",  # (SNR 50 dB vs 31 dB on chapter 1's narration at 192 kb/s)
        *(["-aac_ms", "0"] if preview else []),
        "-profile:a",
        "aac_low",
        "-b:a",
        "192k",
        "-ar",
        str(AUDIO_RATE),
        "-ac",
        "2",
    ]


def encode_narration_args(wav: Path, out: Path, pad: float, preview: bool) -> list[str]:
    """Encode a narration WAV, with ``pad`` seconds of silence after it, as an M4A that
    :func:`mux_args` can copy (``audio_encoded``) while cutting it to the video's length."""
    return [
        "ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af", f"apad=pad_dur={pad:.3f}",
        *_aac(preview), "-f", "mp4", str(out),
    ]  # fmt: skip


def mux_args(
    video: Path,
    audio: Path,
    out: Path,
    *,
    title: str | None = None,
    subtitles: Path | None = None,
    metadata: Path | None = None,
    language: str = "eng",
    preview: bool = False,
    audio_encoded: float | None = None,
) -> list[str]:
    """Copy the video stream, encode narration as AAC-LC 48 kHz stereo, faststart.

    ``preview`` (480p15 renders) skips the encoder's mid/side search: 1.5x faster, at a
    signal-to-noise ratio of 40 dB instead of 50 dB on chapter 1's narration.
    ``audio_encoded`` (the video's duration): ``audio`` is already AAC (from
    :func:`encode_narration_args`, longer than the video) and is copied, cut where the
    video ends (at an AAC frame, so up to 21 ms past it).
    """
    args = ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-i", str(audio)]
    if subtitles:
        args += ["-i", str(subtitles)]
    if metadata:  # an ffmetadata file: title and chapter markers
        args += ["-i", str(metadata)]
    args += ["-map", "0:v:0", "-map", "1:a:0"]
    if subtitles:
        args += ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", f"language={language}"]
    if metadata:
        index = str(3 if subtitles else 2)
        args += ["-map_metadata", index, "-map_chapters", index]
    args += ["-c:v", "copy"]
    if audio_encoded is not None:
        args += ["-c:a", "copy", "-t", f"{audio_encoded:.6f}"]
    else:
        args += _aac(preview)
    args += ["-metadata:s:a:0", f"language={language}", "-movflags", "+faststart"]
    if title:
        args += ["-metadata", f"title={title}"]
    args += ["-f", "mp4", str(out)]
    return args


def concat_args(list_file: Path, out: Path) -> list[str]:
    """Join the videos named in an ffconcat list by stream copy (video only, no re-encode).

    ``-copyts``: the pictures keep the times the list gives them, from 0. Without it
    ffmpeg starts the output where the earliest stream of the first file starts, the
    AAC narration's priming (-21 ms), and every picture would come 21 ms late.
    """
    return [
        "ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(list_file),
        "-copyts", "-map", "0:v:0", "-c", "copy", str(out),
    ]  # fmt: skip


def concat_list(videos: list[tuple[Path, float]]) -> str:
    """The ffconcat list for :func:`concat_args`: each video with its length in seconds
    (quotes in names escaped).

    The length is stated because the concat demuxer otherwise starts the next file where
    the longest stream of this one ends, even a stream it does not copy: a chapter whose
    AAC narration runs a few milliseconds past its last frame would push every later
    chapter's pictures that much behind their narration.
    """
    return "".join(
        f"file '{str(v).replace(chr(39), chr(39) + chr(92) + chr(39) * 2)}'\n"
        f"duration {seconds:.6f}\n"
        for v, seconds in videos
    )


BURN_STYLE = (
    "FontName=CMU Serif,FontSize=18,PrimaryColour=&H00FFFFFF,"
    "BorderStyle=3,OutlineColour=&H80000000,BackColour=&H80000000,"
    "Outline=6,Shadow=0,MarginV=20,Alignment=2"
)


def burn_args(source: Path, srt: Path, out: Path) -> list[str]:
    """Re-encode with captions drawn in: bottom-centred, readable, on a translucent box."""
    path = str(srt).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
    return [
        "ffmpeg", "-v", "error", "-y", "-i", str(source),
        "-vf", f"subtitles='{path}':force_style='{BURN_STYLE}'",
        "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "18",
        "-preset", "medium", "-c:a", "copy", "-sn", "-movflags", "+faststart",
        "-f", "mp4", str(out),
    ]  # fmt: skip


# --------------------------------------------------------------------------- analysis


def frame_checksums(video: Path) -> list[str]:
    """The MD5 of every decoded video frame, in order (``ffmpeg -f framemd5``): two files
    with equal lists show the same pictures, whatever their containers or timestamps."""
    result = run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:v", "-f", "framemd5", "-"],
        f"checksumming the frames of {video.name}",
    )
    lines = result.stdout.decode("utf-8").splitlines()
    return [line.split(",")[-1].strip() for line in lines if not line.startswith("#")]


def detect_args(video: Path, stream: str, detect_filter: str) -> list[str]:
    """Run a detection filter (``freezedetect``, ``silencedetect``) over one stream.

    ``stream``: ``v`` or ``a``; the filter reports on stderr, nothing is written.
    """
    flag = "-vf" if stream == "v" else "-af"
    return [
        "ffmpeg", "-hide_banner", "-nostats", "-i", str(video), "-map", f"0:{stream}:0",
        flag, detect_filter, "-f", "null", "-",
    ]  # fmt: skip


def frame_args(video: Path, t: float, size: tuple[int, int]) -> list[str]:
    """One frame at ``t`` seconds, scaled to ``size``, as raw RGB on stdout."""
    return [
        "ffmpeg", "-v", "error", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
        "-vf", f"scale={size[0]}:{size[1]}", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip


def frames_args(
    video: Path, times: list[float], work: Path, thumb: tuple[int, int] = (160, 90)
) -> list[str]:
    """One ffmpeg call that saves, for each time, the frame as ``work/N.jpg`` and a tiny
    RGB copy (``thumb`` sized) as ``work/N.rgb`` (fast input seeks, no full decode)."""
    args = ["ffmpeg", "-v", "error", "-y"]
    for seconds in times:
        args += ["-ss", f"{seconds:.3f}", "-i", str(video)]
    width, height = thumb
    for index in range(len(times)):
        args += ["-map", f"{index}:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1"]
        args.append(str(work / f"{index}.jpg"))
        args += ["-map", f"{index}:v:0", "-frames:v", "1", "-vf", f"scale={width}:{height}"]
        args += ["-pix_fmt", "rgb24", "-f", "rawvideo", str(work / f"{index}.rgb")]
    return args
