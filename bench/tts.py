"""Print each voice's real-time factor and the cache hit time on chapter 1's narration.

uv run python bench/tts.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from explainer.narration import Narrator  # noqa: E402
from explainer.project import Project  # noqa: E402
from explainer.voices import EspeakVoice, GttsVoice, PiperVoice  # noqa: E402


def main() -> None:
    chapter = Project().chapters()[0]
    print(
        f"machine: {os.cpu_count()} cores; text: chapter {chapter.key}, {chapter.word_count} words"
    )
    from gtts_standin import StandIn

    with StandIn() as url, tempfile.TemporaryDirectory() as cache:
        for voice in (PiperVoice(), EspeakVoice(), GttsVoice(endpoint=url)):
            narrator = Narrator(voice, Path(cache))
            started = time.perf_counter()
            audio = narrator.speak_all(chapter.beats)
            synth = time.perf_counter() - started
            seconds = sum(a.duration for a in audio)
            started = time.perf_counter()
            Narrator(voice, Path(cache)).speak_all(chapter.beats)
            hit = time.perf_counter() - started
            wpm = chapter.word_count / seconds * 60
            label = voice.name + (" (local stand-in)" if voice.name == "gtts" else "")
            print(
                f"{label:24} {seconds:6.1f} s of speech in {synth:5.2f} s: RTF {synth / seconds:.3f};"
                f" {wpm:.0f} words/min; cache hit {hit * 1000:.0f} ms for {len(audio)} beats"
            )


if __name__ == "__main__":
    main()
