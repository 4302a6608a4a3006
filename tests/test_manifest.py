"""The manifest: typed records, paths relative to the build folder, merges under a lock."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from explainer import manifest
from explainer.manifest import BeatTime, ChapterRecord, FullRecord, Manifest


def record(build: Path, key: str, number: int) -> ChapterRecord:
    """A chapter record whose video exists (an empty file is enough here)."""
    video = build / f"{key}.mp4"
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"")
    return ChapterRecord(
        key=key,
        number=number,
        title=key.title(),
        quality="low",
        voice="espeak",
        voice_settings={"wpm": 165},
        duration=12.5,
        frames=188,
        fps=15.0,
        loudness={"integrated": -14.0, "true_peak": -1.6},
        words=30,
        beats=[BeatTime("a", 0.0, 5.0), BeatTime("b", 5.4, 6.0)],
        cues=4,
        outputs={"video": f"{key}.mp4", "srt": f"../../subtitles/{key}.srt"},
        narration=f"work/{key}/narration.wav",
        fingerprint="f" * 64,
    )


def test_records_round_trip_with_relative_paths(tmp_path):
    build = tmp_path / "build/low"
    saved = manifest.update(build, [record(build, "01-a", 1)], known=["01-a"])
    data = json.loads((build / "manifest.json").read_text())
    assert data["version"] == manifest.VERSION and data["quality"] == "low"
    assert data["files"] == ["01-a.mp4", "../../subtitles/01-a.srt"]
    loaded = Manifest.load(build)
    assert loaded.chapters == saved.chapters
    chapter = loaded.chapters["01-a"]
    assert chapter.beats[1] == BeatTime("b", 5.4, 6.0) and chapter.beat_at(6.0) == "b"
    assert loaded.video(chapter) == build / "01-a.mp4"
    assert loaded.path(chapter.outputs["srt"]) == build / "../../subtitles/01-a.srt"
    assert not list(build.glob("*.part"))  # written under a temporary name, then renamed


def test_a_moved_build_folder_keeps_its_records(tmp_path):
    build = tmp_path / "one/build/low"
    manifest.update(build, [record(build, "01-a", 1)], known=["01-a"])
    moved = tmp_path / "two/build/low"
    moved.parent.mkdir(parents=True)
    build.rename(moved)
    loaded = Manifest.load(moved)
    assert loaded.rendered(["01-a"]) == {"01-a": loaded.chapters["01-a"]}


def test_deleted_and_missing_chapters_are_dropped(tmp_path):
    build = tmp_path / "build/low"
    manifest.update(build, [record(build, "01-a", 1), record(build, "02-b", 2)])
    (build / "02-b.mp4").unlink()  # its video is gone
    manifest.update(build, [record(build, "03-c", 3)], known=["01-a", "02-b", "03-c"])
    assert sorted(Manifest.load(build).chapters) == ["01-a", "03-c"]
    manifest.update(build, known=["01-a"])  # 03-c's script was deleted
    assert sorted(Manifest.load(build).chapters) == ["01-a"]


def test_full_record_and_old_or_broken_manifests(tmp_path):
    build = tmp_path / "build/low"
    full = FullRecord({"video": "nanochat-explained.mp4"}, 60.0, {"integrated": -14.0}, [], 20)
    manifest.update(build, [record(build, "01-a", 1)], full)
    assert Manifest.load(build).full == full
    (build / "manifest.json").write_text(json.dumps({"quality": "low", "chapters": []}))
    assert Manifest.load(build).chapters == {}  # version 1 (absolute paths): rendered again
    (build / "manifest.json").write_text("{broken")
    assert Manifest.load(build).chapters == {} and Manifest.load(build).full is None


def _render_often(build: str, key: str, number: int, times: int) -> None:
    for _ in range(times):
        manifest.update(Path(build), [record(Path(build), key, number)])


def test_two_renders_at_once_keep_each_others_records(tmp_path):
    # two processes merging different chapters over and over: without the lock one
    # would often write back a manifest read before the other's record was in it
    build = tmp_path / "build/low"
    build.mkdir(parents=True)
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_render_often, args=(str(build), key, number, 40))
        for number, key in ((1, "01-a"), (2, "02-b"))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(Manifest.load(build).chapters) == ["01-a", "02-b"]
