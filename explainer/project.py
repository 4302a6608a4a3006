"""Where things live in a project: scripts, scenes, audio, subtitles, build outputs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError, display
from .script import Chapter, Lexicon, discover, load_lexicon, parse_chapter
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

    def chapter_files(self) -> list[Path]:
        """``script/NN-slug.md`` files in chapter order (not parsed)."""
        return discover(self.script_dir)

    def lexicon(self) -> Lexicon:
        return load_lexicon(self.script_dir / "lexicon.md")

    def chapters(self) -> list[Chapter]:
        """Every chapter, parsed."""
        return self.parse(self.chapter_files())

    def parse(self, paths: list[Path]) -> list[Chapter]:
        """Parse these chapter files (the lexicon is read once)."""
        lexicon = self.lexicon() if paths else Lexicon()
        return [parse_chapter(path, lexicon) for path in paths]

    def scene_file(self, chapter: Chapter) -> Path:
        matches = sorted(self.scenes_dir.glob(f"{chapter.number:02d}_*.py"))
        if not matches:
            raise UserError(
                f"{display(chapter.path)}: no scene for chapter {chapter.number:02d}; "
                f"create scenes/{chapter.number:02d}_{chapter.slug.replace('-', '_')}.py"
            )
        if len(matches) > 1:
            names = ", ".join(m.name for m in matches)
            raise UserError(f"scenes/: chapter {chapter.number:02d} has several scenes ({names})")
        return matches[0]

    def select_files(self, wanted: list[str]) -> list[Path]:
        """Chapter files by number (``3``, ``03``) or slug (``tokenizer``, ``03-tokenizer``).

        Chosen by file name alone, so only the chapters asked for are parsed.
        """
        files = self.chapter_files()
        if not files:
            raise UserError(f"{display(self.script_dir)}: no chapter files (NN-slug.md)")
        if not wanted:
            return files
        out: list[Path] = []
        for name in wanted:
            found = [
                path
                for path in files
                if name in (path.stem, path.stem[3:])
                or (name.isdigit() and int(name) == int(path.name[:2]))
            ]
            if not found:
                known = ", ".join(f"{int(p.name[:2])} ({p.stem[3:]})" for p in files)
                raise UserError(f"chapter '{name}' is unknown; choose from {known}")
            if found[0] not in out:
                out.append(found[0])
        return sorted(out)

    def select(self, wanted: list[str]) -> list[Chapter]:
        """The chapters asked for (all when ``wanted`` is empty), parsed."""
        return self.parse(self.select_files(wanted))
