"""An interrupted build leaves only complete files; two builds never write output/ at once.

A build is killed with SIGKILL (no clean-up code runs: a power cut, an OOM kill, a closed
laptop lid) in the middle of rendering. Every file in output/en must then be the previous version,
byte for byte, or a complete new one — never a truncated PDF or DOCX — and the next build must
succeed and sweep away the temporary files the killed one left.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import copy_project, invoke
from pressroom.build import build, build_lock
from pressroom.diagnostics import UsageError

SCREEN = {"locales": ["en"], "editions": ["screen"]}


def digests(folder: Path) -> dict[str, str]:
    """The output files (not the hidden temporary files a build writes before renaming)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def temp_files(out: Path) -> list[Path]:
    return sorted(out.rglob(".*.tmp-*"))


def assert_complete(path: Path) -> None:
    """A whole PDF or DOCX: it opens, has its parts, and ends where its format ends."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.rstrip().endswith(b"%%EOF"), f"{path.name} does not end with %%EOF"
        reader = PdfReader(io.BytesIO(data), strict=True)
        assert len(reader.pages) > 1, f"{path.name} has {len(reader.pages)} page(s)"
    elif path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert package.testzip() is None, f"{path.name} has a damaged member"
            etree.fromstring(package.read("word/document.xml"))
    else:
        pytest.fail(f"unexpected file in output/en: {path.name}")


def wait_for_the_lock(out: Path, seconds: float = 15) -> None:
    """The killed build's workers inherit its lock and die a moment after it: wait until it is free."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with build_lock(out):
                return
        except UsageError:
            if time.monotonic() > deadline:
                raise AssertionError(f"output/.lock still held {seconds} s after the build was killed") from None
            time.sleep(0.05)


@pytest.fixture
def built_screen(tmp_path: Path) -> Path:
    """The English pack (screen edition and DOCX) built in a project copy."""
    root = copy_project(tmp_path / "pack")
    build(root, **SCREEN)
    return root


def test_a_killed_build_leaves_only_complete_files(built_screen: Path) -> None:
    root = built_screen
    out = root / "output" / "en"
    before = digests(out)
    assert before and all(name.endswith((".pdf", ".docx")) for name in before)

    stderr_path = root.parent / "build.stderr"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "build", "--force", "--locale", "en", "--edition", "screen"],
            cwd=root, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if b"built output/" in stderr_path.read_bytes() or temp_files(root / "output"):
                break
            time.sleep(0.02)
        else:
            pytest.fail("the build neither wrote a file within 60 s nor kept running:\n"
                        + stderr_path.read_text(errors="replace"))
        os.killpg(process.pid, signal.SIGKILL)  # the build and its rendering workers
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be interrupted"

    after = digests(out)
    assert set(before) <= set(after), f"files disappeared: {sorted(set(before) - set(after))}"
    replaced = [name for name in after if after[name] != before.get(name)]
    for name in after:
        if name in replaced:
            assert_complete(out / name)
    # what the killed build left half-done is only ever a hidden temporary file, never under the real name
    leftovers = temp_files(root / "output")

    wait_for_the_lock(root / "output")
    result = build(root, **SCREEN)
    assert not result.report.errors
    assert temp_files(root / "output") == [], f"left over from the killed build: {leftovers}"
    for name in digests(out):
        assert_complete(out / name)


def test_a_second_build_is_refused_while_one_is_running(project: Path) -> None:
    with build_lock(project / "output"):
        done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert done.returncode == 2, done.stderr
    assert "another build" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (project / "output" / "en" / "qa.docx").exists()


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    """The disk fills up (or the process is stopped) after half the bytes: the printer still finds
    the previous, complete PDF, and nothing else beside it."""
    from pressroom.build import output

    target = tmp_path / "output" / "en" / "guidance.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-1.7 the previous, complete file")

    class HalfWritten(OSError):
        pass

    real_write = io.BufferedWriter.write

    def fail_half_way(self, data):
        real_write(self, bytes(data)[: len(data) // 2])
        raise HalfWritten(28, "No space left on device")

    monkeypatch.setattr(output, "open", lambda path, mode: _FailingFile(path, mode, fail_half_way), raising=False)
    from pressroom.diagnostics import ContentError

    with pytest.raises(ContentError) as raised:  # a full disk is the user's to fix: exit 1, naming the file
        output.write_atomic(target, b"%PDF-1.7 " + b"x" * 10_000)
    assert "No space left on device" in str(raised.value.report.sorted()[0])
    assert target.read_bytes() == b"%PDF-1.7 the previous, complete file"
    assert sorted(p.name for p in target.parent.iterdir()) == ["guidance.pdf"]


class _FailingFile(io.BufferedWriter):
    """A real file whose ``write`` is replaced (io.BufferedWriter.write cannot be patched in place)."""

    def __init__(self, path, mode, write):
        super().__init__(io.FileIO(path, mode.replace("b", "")))
        self._write = write

    def write(self, data):
        return self._write(self, data)
