"""Each voice gives audio and word timings that land on the spoken words; the audio cache."""

import json

import numpy as np
import pytest
from gtts_standin import StandIn

from explainer.errors import UserError
from explainer.narration import Narrator
from explainer.script import parse_chapter
from explainer.voices import EspeakVoice, GttsVoice, PiperVoice, phrases

TEXT = "Tokens flow in. Then the model predicts the next one. Finally, we sample a word."


def onsets(samples: np.ndarray, rate: int, quiet: float = 0.12) -> list[float]:
    """Times where sound starts after at least ``quiet`` seconds of silence."""
    hop = rate // 200
    n = len(samples) // hop
    level = np.sqrt((samples[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
    loud = level > level.max() * 0.05
    out, silent = [], int(quiet * 200)
    for i in range(silent, n):
        if loud[i] and not loud[i - silent : i].any():
            out.append(i / 200)
    return out


def sentence_starts(text: str) -> list[int]:
    words = text.split()
    return [0] + [i + 1 for i, w in enumerate(words[:-1]) if w[-1] in ".!?"]


def check_speech(speech, text: str) -> None:
    words = text.split()
    assert len(speech.words) == len(words)
    assert speech.duration > 1.0
    starts = [s for s, _ in speech.words]
    assert starts == sorted(starts), "word starts must not go backwards"
    assert all(s <= e for s, e in speech.words)
    heard = onsets(speech.samples, speech.rate)
    for index in sentence_starts(text)[1:]:
        nearest = min(heard, key=lambda t: abs(t - starts[index]))
        assert abs(nearest - starts[index]) <= 0.1, (words[index], starts[index], heard)


def test_piper_word_timings_land_on_the_words():
    voice = PiperVoice()
    check_speech(voice.synthesize(TEXT), TEXT)


def test_piper_rate_changes_duration():
    slow = PiperVoice(rate=0.8).synthesize("A sentence of moderate length to time.")
    fast = PiperVoice(rate=1.25).synthesize("A sentence of moderate length to time.")
    assert slow.duration > fast.duration * 1.2


def test_piper_bad_model_path_is_one_clear_line():
    with pytest.raises(UserError, match="piper model '/nope.onnx': not found"):
        PiperVoice("/nope.onnx")


def test_espeak_word_timings_land_on_the_words():
    check_speech(EspeakVoice().synthesize(TEXT), TEXT)


def test_gtts_through_local_standin():
    with StandIn() as url:
        voice = GttsVoice(endpoint=url)
        speech = voice.synthesize(TEXT, breaks=[5])
    check_speech(speech, TEXT)
    # one request per phrase: split at punctuation and at the forced break
    assert [" ".join(TEXT.split()[a:b]) for a, b in phrases(TEXT.split(), [5])][1] == "Then the"


def test_gtts_offline_fails_on_the_first_request_with_advice(monkeypatch):
    import gtts.tts

    requests = []
    real_send = gtts.tts.requests.Session.send

    def send(session, request, **kwargs):
        requests.append(kwargs.get("timeout"))
        return real_send(session, request, **kwargs)

    monkeypatch.setattr(gtts.tts.requests.Session, "send", send)
    voice = GttsVoice(endpoint="http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(UserError) as error:
        voice.synthesize("Hello. Two phrases, so a retry per phrase would show.")
    # one request, no retries, each bounded by the voice's (connect, read) timeouts
    assert requests == [GttsVoice.timeout] and sum(GttsVoice.timeout) <= 12
    assert "--voice piper" in str(error.value)
    assert "\n" not in str(error.value)


def test_gtts_unreachable_google_is_one_short_attempt(monkeypatch):
    import socket

    attempts = []
    real = socket.create_connection

    def connect(address, timeout=None, *args, **kwargs):
        attempts.append((address, timeout))
        return real(address, timeout, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    ok, why = GttsVoice().available()
    assert not ok and "offline" in why
    assert attempts == [(("translate.google.com", 443), 3)]


# ---------------------------------------------------------------- cache


def beats(tmp_path, second: str = "Second beat here."):
    path = tmp_path / "01-c.md"
    path.write_text(f"# C\n## one\nFirst beat {{@m}}words.\n## two\n{second}\n", "utf-8")
    return parse_chapter(path).beats


def test_cache_hit_miss_and_edit(tmp_path):
    narrator = Narrator(EspeakVoice(), tmp_path / "cache")
    first = narrator.speak_all(beats(tmp_path))
    assert narrator.misses == 2 and narrator.hits == 0
    again = Narrator(EspeakVoice(), tmp_path / "cache")
    second = again.speak_all(beats(tmp_path))
    assert again.misses == 0 and again.hits == 2
    assert [a.path for a in first] == [b.path for b in second]
    edited = Narrator(EspeakVoice(), tmp_path / "cache")
    third = edited.speak_all(beats(tmp_path, "Second beat, edited."))
    assert edited.misses == 1 and edited.hits == 1
    assert third[0].path == first[0].path and third[1].path != first[1].path
    assert first[0].mark_time("m") > 0.3


def test_cache_is_per_voice_and_settings(tmp_path):
    b = beats(tmp_path)[0]
    a = Narrator(EspeakVoice(wpm=165), tmp_path / "cache").speak(b)
    c = Narrator(EspeakVoice(wpm=200), tmp_path / "cache").speak(b)
    assert a.path != c.path
    assert Narrator(EspeakVoice(wpm=165), tmp_path / "cache").speak(b).path == a.path


def test_corrupt_or_truncated_entries_are_regenerated(tmp_path):
    narrator = Narrator(EspeakVoice(), tmp_path / "cache")
    audio = narrator.speak(beats(tmp_path)[0])
    data = audio.path.read_bytes()
    audio.path.write_bytes(data[: len(data) // 2])  # truncated WAV
    fresh = Narrator(EspeakVoice(), tmp_path / "cache")
    again = fresh.speak(beats(tmp_path)[0])
    assert fresh.repaired == 1 and fresh.misses == 1
    assert again.synthesised and len(again.words) == len(audio.words)
    assert abs(again.duration - audio.duration) < 0.05
    meta = again.path.with_suffix(".json")
    meta.write_text("{not json")
    third = Narrator(EspeakVoice(), tmp_path / "cache")
    third.speak(beats(tmp_path)[0])
    assert third.repaired == 1
    json.loads(meta.read_text())


def test_cache_does_not_grow_on_rerender(tmp_path):
    for _ in range(3):
        Narrator(EspeakVoice(), tmp_path / "cache").speak_all(beats(tmp_path))
    files = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert len(files) == 4  # a WAV and a JSON per beat, nothing else
    assert not any("part" in name for name in files)


def test_voicing_ahead_gives_what_speaking_in_order_gives(tmp_path):
    """speak_ahead: cached beats at once, the rest on a thread; speak() waits for a beat
    still being voiced; finish() returns every beat in order, the same files."""
    first = Narrator(EspeakVoice(), tmp_path / "cache")
    expected = first.speak_all(beats(tmp_path, "Second beat, voiced first."))
    edited = beats(tmp_path, "Second beat, voiced ahead.")
    narrator = Narrator(EspeakVoice(), tmp_path / "cache")
    checked = []
    finish = narrator.speak_ahead(edited, then=checked.append)
    assert narrator.hits == 1  # the unchanged beat was read before returning
    assert narrator.speak(edited[0]).path == expected[0].path  # no wait for the voice
    second = narrator.speak(edited[1])  # waits for the thread, does not voice it again
    voiced = finish()
    assert narrator.misses == 1 and second.synthesised
    assert [a.path for a in voiced] == [expected[0].path, second.path]
    assert second.path != expected[1].path and second.words
    assert [[a.beat.id for a in group] for group in checked] == [["one", "two"]]


def test_voicing_ahead_hands_its_failure_to_whoever_waits(tmp_path):
    class Broken(EspeakVoice):
        def synthesize(self, text, breaks):
            raise UserError("voice: broken on purpose")

    narrator = Narrator(Broken(), tmp_path / "cache")
    finish = narrator.speak_ahead(beats(tmp_path))
    with pytest.raises(UserError, match="broken on purpose"):
        narrator.speak(beats(tmp_path)[1])
    with pytest.raises(UserError, match="broken on purpose"):
        finish()
    assert not any((tmp_path / "cache").rglob("*.wav"))  # nothing half-written


def test_a_failing_check_after_voicing_ahead_stops_the_next_beat(tmp_path):
    def check(voiced):
        raise UserError("script/01.md:3: beat 'two': a caption too long")

    narrator = Narrator(EspeakVoice(), tmp_path / "cache")
    finish = narrator.speak_ahead(beats(tmp_path), then=check)
    finish.thread.join()
    with pytest.raises(UserError, match="caption too long"):
        narrator.speak(beats(tmp_path)[0])  # even a beat already voiced
    with pytest.raises(UserError, match="caption too long"):
        finish()


def test_a_beat_voiced_now_times_like_the_same_beat_read_back(tmp_path):
    """Word times are stored rounded: a fresh synthesis must hand the scene the same
    numbers a cache read will, or the next render's beat segments never match."""
    fresh = Narrator(EspeakVoice(), tmp_path / "cache").speak_all(beats(tmp_path))
    read = Narrator(EspeakVoice(), tmp_path / "cache").speak_all(beats(tmp_path))
    assert all(a.synthesised for a in fresh) and not any(b.synthesised for b in read)
    assert [(a.duration, a.words) for a in fresh] == [(b.duration, b.words) for b in read]
