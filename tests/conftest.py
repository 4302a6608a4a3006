"""Shared fixtures: a throw-away project (script/, scenes/) the pipeline can run on."""

from __future__ import annotations

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
