"""What a chapter's render depends on, hashed, so unchanged chapters are not rendered again.

A chapter's fingerprint covers its script, the lexicon, its scene file, the shared
scene code (every non-chapter module in ``scenes/``: style, mobjects), the pipeline
package's own source, the voice and its settings, the quality, loudness targets, and
the Manim / manim-voiceover versions.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from .project import Project
from .script import Chapter
from .settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
# the pipeline modules whose code shapes a chapter's files (its audio, frames, mux and
# captions); the command line, assembly, checks and review tools are left out, so
# changing them re-renders nothing
CHAPTER_MODULES = (
    "captions.py",
    "chapter_render.py",
    "errors.py",
    "fingerprint.py",
    "manifest.py",
    "media.py",
    "narration.py",
    "project.py",
    "scene.py",
    "script.py",
    "segments.py",
    "settings.py",
    "speed.py",
    "voices.py",
)


def _hash_files(paths: list[Path], digest) -> None:
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def shared_scene_files(project: Project) -> list[Path]:
    """Scene modules that are not chapters (e.g. style.py, mobjects.py)."""
    return [p for p in project.scenes_dir.glob("*.py") if not p.name[:2].isdigit()]


def _versions() -> dict[str, str]:
    out = {}
    for name in ("manim", "manim-voiceover", "piper-tts"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def chapter_fingerprint(
    project: Project, chapter: Chapter, settings: Settings, voice_settings: dict
) -> str:
    digest = hashlib.sha256()
    files = [chapter.path, project.scene_file(chapter), *shared_scene_files(project)]
    lexicon = project.script_dir / "lexicon.md"
    if lexicon.exists():
        files.append(lexicon)
    files += [PACKAGE_DIR / name for name in CHAPTER_MODULES]
    _hash_files(files, digest)
    digest.update(
        json.dumps(
            {
                "voice": settings.voice,
                "voice_settings": voice_settings,
                "quality": settings.quality,
                "loudness": settings.loudness,
                "true_peak": settings.true_peak,
                "versions": _versions(),
            },
            sort_keys=True,
        ).encode()
    )
    return digest.hexdigest()


def source_hash(*modules: str) -> str:
    """A hash of some of the pipeline's own modules (e.g. the assembly code)."""
    digest = hashlib.sha256()
    _hash_files([PACKAGE_DIR / name for name in modules], digest)
    return digest.hexdigest()


def combine(parts: list[str], extra: dict) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    digest.update(json.dumps(extra, sort_keys=True).encode())
    return digest.hexdigest()


def segment_base(project: Project, settings: Settings) -> str:
    """What every beat segment of a render depends on besides its own chapter's code:
    the shared scene modules, the pipeline's scene code, the quality and Manim's version.
    """
    digest = hashlib.sha256()
    _hash_files(
        [
            *shared_scene_files(project),
            *(PACKAGE_DIR / name for name in ("scene.py", "segments.py", "speed.py")),
        ],
        digest,
    )
    digest.update(json.dumps({"quality": settings.quality, "versions": _versions()}).encode())
    return digest.hexdigest()
