"""What a chapter's fingerprint covers: every pipeline module that shapes its files."""

from __future__ import annotations

import ast

from explainer import fingerprint

PACKAGE = fingerprint.PACKAGE_DIR


def _package_imports(module: str) -> set[str]:
    """The package's own modules that ``module`` imports (``from . import x``, ``from .x``)."""
    tree = ast.parse((PACKAGE / module).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0] + ".py")
            else:
                found.update(alias.name + ".py" for alias in node.names)
    return found


def test_every_module_a_chapter_render_runs_is_fingerprinted():
    # everything chapter_render and the scene base class import, transitively, except
    # the layout audit (active only in `render.py audit`, never in a render)
    todo, seen = ["chapter_render.py", "scene.py"], set()
    while todo:
        module = todo.pop()
        if module in seen or module == "audit.py":
            continue
        seen.add(module)
        todo.extend(_package_imports(module))
    missing = seen - set(fingerprint.CHAPTER_MODULES)
    assert not missing, f"add {sorted(missing)} to fingerprint.CHAPTER_MODULES"
    assert all((PACKAGE / name).exists() for name in fingerprint.CHAPTER_MODULES)


def test_command_line_and_assembly_code_are_not_fingerprinted():
    # editing the CLI, assembly or review tools must not re-render every chapter
    for module in ("cli.py", "assemble.py", "export.py", "check.py", "sheet.py", "pacing.py"):
        assert module not in fingerprint.CHAPTER_MODULES
