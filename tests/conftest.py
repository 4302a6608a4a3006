"""Shared fixtures: a throw-away project (script/, scenes/) the pipeline can run on."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

SCENE_HEADER = """
from manim import FadeIn, Square, Circle, Create, Transform
from explainer.scene import NarratedScene


class TestChapter(NarratedScene):
    def construct(self):
"""


def write_chapter(root: Path, name: str, script: str, body: str) -> None:
    """Write script/<name>.md and scenes/<NN>_test.py with ``body`` as construct()."""
    (root / "script").mkdir(parents=True, exist_ok=True)
    (root / "scenes").mkdir(parents=True, exist_ok=True)
    (root / "script" / f"{name}.md").write_text(textwrap.dedent(script).lstrip(), "utf-8")
    code = SCENE_HEADER + textwrap.indent(textwrap.dedent(body).strip() + "\n", " " * 8)
    (root / "scenes" / f"{name[:2]}_test.py").write_text(code, "utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project root with a lexicon."""
    (tmp_path / "script").mkdir()
    (tmp_path / "scenes").mkdir()
    (tmp_path / "script" / "lexicon.md").write_text("- d20 -> d twenty\n", "utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def manim_media(request, tmp_path_factory) -> Path:
    """A Manim media folder kept between test runs (pytest's cache), for its LaTeX and text.

    Compiling the real chapters' LaTeX from nothing takes most of a minute; the cached
    SVGs are keyed by their content, so reusing them changes no result.
    """
    cache = getattr(request.config, "cache", None)
    if cache is None:  # run with -p no:cacheprovider
        return tmp_path_factory.mktemp("media")
    return cache.mkdir("manim-media")


@pytest.fixture(scope="session")
def real_project(tmp_path_factory, manim_media) -> Path:
    """A copy of this repository's scripts, scenes and settings, shared by the session.

    Tests read the real chapters here, so nothing they do writes into the repository
    (its build/, audio/ or subtitles/). Tests must not edit it; copy it to edit.
    """
    root = tmp_path_factory.mktemp("real")
    for name in ("script", "scenes"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "build").mkdir()
    (root / "build" / "check").symlink_to(manim_media, target_is_directory=True)
    return root
