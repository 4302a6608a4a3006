"""The scene code's own examples (doctests) in the shared modules and every chapter."""

from __future__ import annotations

import doctest
import importlib.util
import logging
import sys
from pathlib import Path

import pytest

SCENES = Path(__file__).resolve().parent.parent / "scenes"
MODULES = sorted(p for p in SCENES.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_doctests(
    path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, manim_media: Path
) -> None:
    if ">>>" not in path.read_text("utf-8"):
        pytest.skip(f"scenes/{path.name} has no examples")
    monkeypatch.syspath_prepend(str(SCENES))
    monkeypatch.chdir(tmp_path)  # Manim writes LaTeX and text caches under ./media
    (tmp_path / "media").symlink_to(manim_media, target_is_directory=True)
    spec = importlib.util.spec_from_file_location(f"scene_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        logging.getLogger("manim").setLevel(logging.WARNING)  # after manim has set it up
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    finally:
        sys.modules.pop(spec.name, None)
    # a module whose source shows examples must run them: none attempted means doctest
    # could not find them (say, in a function it does not look into), not that they pass
    assert result.attempted > 0, f"scenes/{path.name} has '>>>' but doctest ran no example"
    assert result.failed == 0, f"{result.failed} doctest(s) failed in scenes/{path.name}"
