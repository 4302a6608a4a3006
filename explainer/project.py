"""Where things live in a project: scripts, scenes, audio, subtitles, build outputs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError
from .script import Chapter, discover, load_lexicon, parse_chapter
from .settings import ROOT

VIDEO_NAME = "nanochat-explained"


@dataclass(frozen=True)
class Project:
    # EXPLAINER_ROOT points the command line at another project (the tests use one)
    root: Path = field(default_factory=lambda: Path(os.environ.get("EXPLAINER_ROOT") or ROOT))

    @property
    def script_dir(self) -> Path:
        return self.root / "script"

    @property
    def scenes_dir(self) -> Path:
        return self.root / "scenes"

    @property
    def audio_cache(self) -> Path:
        return self.root / "audio" / "cache"

    @property
    def subtitles_dir(self) -> Path:
        return self.root / "subtitles"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    def build_dir(self, quality: str) -> Path:
        return self.root / "build" / quality

    def chapters(self) -> list[Chapter]:
        lexicon = load_lexicon(self.script_dir / "lexicon.md")
        return [parse_chapter(path, lexicon) for path in discover(self.script_dir)]

    def scene_file(self, chapter: Chapter) -> Path:
        matches = sorted(self.scenes_dir.glob(f"{chapter.number:02d}_*.py"))
        if not matches:
            raise UserError(
                f"{chapter.path.name}: no scene for chapter {chapter.number:02d}; "
                f"create scenes/{chapter.number:02d}_{chapter.slug.replace('-', '_')}.py"
            )
        if len(matches) > 1:
            names = ", ".join(m.name for m in matches)
            raise UserError(f"scenes/: chapter {chapter.number:02d} has several scenes ({names})")
        return matches[0]

    def select(self, wanted: list[str]) -> list[Chapter]:
        """Chapters by number (``3``, ``03``) or slug (``tokenizer``, ``03-tokenizer``)."""
        chapters = self.chapters()
        if not chapters:
            raise UserError(f"{self.script_dir}: no chapter files (NN-slug.md)")
        if not wanted:
            return chapters
        out: list[Chapter] = []
        for name in wanted:
            found = [
                c
                for c in chapters
                if name in (c.key, c.slug) or (name.isdigit() and int(name) == c.number)
            ]
            if not found:
                known = ", ".join(f"{c.number} ({c.slug})" for c in chapters)
                raise UserError(f"chapter '{name}' is unknown; choose from {known}")
            if found[0] not in out:
                out.append(found[0])
        return sorted(out, key=lambda c: c.number)
