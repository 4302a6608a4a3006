"""Voicing beats, with a content-addressed audio cache.

Each beat's audio is cached under ``audio/cache/<voice>/`` by a hash of the
voice, its settings and the beat's spoken text, as a WAV plus a JSON sidecar
with the word timings and the WAV's checksum. There is no shared index file:
nothing grows when a chapter is rendered again. Writes go to a temporary name
and are renamed into place, and the sidecar is written last, so a render that
is killed leaves no entry that looks complete. An entry whose WAV does not
match its checksum is treated as missing and synthesised again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import UserError
from .media import write_wav
from .script import Beat
from .voices import Speech, Voice, trim_silence

CACHE_VERSION = 2  # bump when synthesis or trimming changes what a cached entry means


@dataclass
class BeatAudio:
    """A voiced beat: its WAV and when each word is spoken (seconds from beat start)."""

    beat: Beat
    path: Path
    duration: float
    words: list[tuple[float, float]]  # per spoken word
    synthesised: bool = False  # False when it came from the cache

    def mark_time(self, name: str) -> float:
        index = self.beat.bookmarks[name]
        if index >= len(self.words):
            return self.duration
        return self.words[index][0]

    def caption_words(self) -> list[tuple[str, float, float]]:
        """``(caption word, start, end)`` for every caption word of the beat."""
        out = []
        for word in self.beat.words:
            start = self.words[word.first][0]
            end = self.words[word.last][1]
            out.append((word.text, start, max(start, end)))
        return out


def cache_key(voice: Voice, spoken: str, breaks: list[int]) -> str:
    payload = json.dumps(
        {
            "version": CACHE_VERSION,
            "voice": voice.name,
            "settings": voice.settings(),
            "spoken": spoken,
            "breaks": breaks,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Narrator:
    """Turns beats into cached audio with word timings.

    It remembers what it voiced or read, so one render reads each cache entry (and
    checks its checksum) once however often the pipeline and the scene ask for a beat.
    """

    def __init__(self, voice: Voice, cache_dir: Path) -> None:
        self.voice = voice
        self.dir = cache_dir / voice.name
        self.hits = 0
        self.misses = 0
        self.repaired = 0
        self._known: dict[str, BeatAudio] = {}  # cache key -> audio, this process
        self._pending: dict[str, threading.Event] = {}  # keys being synthesised ahead
        self._failed: BaseException | None = None  # what synthesis ahead raised
        self._cancel = threading.Event()

    def paths(self, key: str) -> tuple[Path, Path]:
        folder = self.dir / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def _load(self, key: str, beat: Beat) -> BeatAudio | None:
        wav, meta = self.paths(key)
        if not meta.exists():
            return None
        try:
            data = json.loads(meta.read_text("utf-8"))
            ok = (
                wav.exists()
                and wav.stat().st_size == data["bytes"]
                and _sha256(wav) == data["sha256"]
                and len(data["words"]) == len(beat.spoken_words)
            )
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            self.repaired += 1
            for path in (meta, wav):
                path.unlink(missing_ok=True)
            return None
        words = [(float(a), float(b)) for a, b in data["words"]]
        return BeatAudio(beat, wav, float(data["duration"]), words)

    def _store(self, key: str, beat: Beat, speech: Speech) -> BeatAudio:
        wav, meta = self.paths(key)
        wav.parent.mkdir(parents=True, exist_ok=True)
        tmp_wav = wav.with_name(f"{wav.stem}.{os.getpid()}.part.wav")
        tmp_meta = meta.with_name(f"{meta.stem}.{os.getpid()}.part.json")
        try:
            write_wav(tmp_wav, speech.samples, speech.rate)
            os.replace(tmp_wav, wav)
            record = {
                "voice": self.voice.name,
                "settings": self.voice.settings(),
                "spoken": beat.spoken,
                "rate": speech.rate,
                "duration": speech.duration,
                "words": [[round(a, 4), round(b, 4)] for a, b in speech.words],
                "bytes": wav.stat().st_size,
                "sha256": _sha256(wav),
            }
            tmp_meta.write_text(json.dumps(record, indent=1), "utf-8")
            os.replace(tmp_meta, meta)
        except BaseException as error:  # Ctrl-C too: a render here writes into the project
            for path in (tmp_wav, tmp_meta):
                path.unlink(missing_ok=True)
            if isinstance(error, OSError) and error.errno == 28:
                raise UserError(
                    f"{self.dir}: the disk is full; free some space and run again"
                ) from None
            raise
        # exactly what reading the entry back gives (rounded word times): a beat voiced now
        # and the same beat read from the cache later time the picture alike
        words = [(float(a), float(b)) for a, b in record["words"]]
        return BeatAudio(beat, wav, float(record["duration"]), words, synthesised=True)

    def _key(self, beat: Beat) -> str:
        return cache_key(self.voice, beat.spoken, sorted(set(beat.bookmarks.values())))

    def _synthesise(self, key: str, beat: Beat) -> BeatAudio:
        self.misses += 1
        speech = trim_silence(
            self.voice.synthesize(beat.spoken, sorted(set(beat.bookmarks.values())))
        )
        if len(speech.words) != len(beat.spoken_words):
            raise RuntimeError(
                f"voice {self.voice.name} timed {len(speech.words)} words of "
                f"{len(beat.spoken_words)} in beat '{beat.id}'"
            )
        return self._store(key, beat, speech)

    def ready(self, beat: Beat) -> bool:
        """Whether :meth:`speak` would answer without waiting for the voice."""
        waiting = self._pending.get(self._key(beat))
        return waiting is None or waiting.is_set()

    def speak(self, beat: Beat) -> BeatAudio:
        key = self._key(beat)
        waiting = self._pending.get(key)
        if waiting is not None:  # being synthesised ahead (speak_ahead): wait for it
            waiting.wait()
        if self._failed is not None:  # voicing ahead failed, or the check after it did
            raise self._failed
        known = self._known.get(key)
        if known is not None:  # the same spoken text may carry other captions: this beat's
            return replace(known, beat=beat)
        audio = self._load(key, beat)
        if audio is not None:
            self.hits += 1
        else:
            audio = self._synthesise(key, beat)
        self._known[key] = audio
        return audio

    def speak_all(
        self, beats: list[Beat], progress: Callable[[int, int, Beat], None] | None = None
    ) -> list[BeatAudio]:
        out = []
        for index, beat in enumerate(beats):
            if progress:
                progress(index, len(beats), beat)
            out.append(self.speak(beat))
        return out

    def speak_ahead(
        self,
        beats: list[Beat],
        progress: Callable[[int, int, Beat], None] | None = None,
        then: Callable[[list[BeatAudio]], None] | None = None,
    ) -> Callable[[], list[BeatAudio]]:
        """Voice ``beats`` without making the caller wait for the voice.

        Cached beats are read now; the others are synthesised in order on a thread while
        the caller goes on (a render runs through the unchanged beats before an edited
        one meanwhile); ``speak`` of a beat still being synthesised waits for it. ``then``
        runs on that thread once every beat is voiced (a check that should fail the
        render early). Returns ``finish()``: it waits, raises what the thread raised and
        returns every beat's audio in order. ``cancel()`` stops the thread after the beat
        it is voicing (its files are written whole or not at all).
        """
        todo = []
        for index, beat in enumerate(beats):
            key = self._key(beat)
            if key in self._known or key in self._pending:
                continue
            audio = self._load(key, beat)
            if audio is not None:
                self.hits += 1
                self._known[key] = audio
            else:
                self._pending[key] = threading.Event()
                todo.append((index, beat, key))

        def work() -> None:
            try:
                for index, beat, key in todo:
                    if self._cancel.is_set():
                        raise RuntimeError("voicing cancelled")
                    if progress:
                        progress(index, len(beats), beat)
                    self._known[key] = self._synthesise(key, beat)
                    self._pending.pop(key).set()
                if then is not None:
                    then([replace(self._known[self._key(b)], beat=b) for b in beats])
            except BaseException as error:  # handed to whoever waits
                self._failed = error
            finally:
                for key in list(self._pending):
                    self._pending.pop(key).set()

        thread = threading.Thread(target=work, name="voice-ahead", daemon=True)
        thread.start()

        def finish() -> list[BeatAudio]:
            thread.join()
            if self._failed is not None:
                raise self._failed
            return [self.speak(beat) for beat in beats]

        finish.thread = thread  # type: ignore[attr-defined]
        return finish

    def cancel(self) -> None:
        """Stop voicing ahead after the current beat (see ``speak_ahead``)."""
        self._cancel.set()
