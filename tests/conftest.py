"""Shared fixtures: a disposable copy of the project, and one English build per test session.

Tests never touch the repository's own output/: they build inside a copy under tmp_path.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("content", "templates", "references.bib", "tasks.py")


def copy_project(target: Path) -> Path:
    """The pack's inputs (content, templates, bibliography, tasks) copied to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy2(source, target / part)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the project to break and build."""
    return copy_project(tmp_path / "pack")


@pytest.fixture(scope="session")
def built_en(tmp_path_factory) -> Path:
    """The English pack built once (all documents, both editions, PDF and DOCX); returns the root."""
    from pressroom.build import build

    root = copy_project(tmp_path_factory.mktemp("built") / "pack")
    build(root, locales=["en"], editions=["screen", "print"])
    return root


def invoke(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``invoke ARGS`` in a project copy, as a user would."""
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, capture_output=True, text=True,
                          timeout=600)


def append(root: Path, fragment: str, text: str) -> int:
    """Append ``text`` to a fragment; returns the file line number of its first line."""
    path = root / fragment
    old = path.read_text(encoding="utf-8")
    assert old.endswith("\n")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under output/ (but the lock) with its bytes, to prove a failed build wrote nothing."""
    out = root / "output"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"}


def needs(tool: str):
    """Skip a test, saying why, when a program it relies on is not installed."""
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed (CI installs it)")
