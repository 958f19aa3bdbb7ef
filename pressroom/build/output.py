"""Bytes in → files in output/: atomic writes (temp file + rename), the build lock, and the
record of what each file was built from (``output/.state.json``).

``write_atomic`` is the one function that writes a file for any command: it resolves the
destination (links included) and refuses, as an internal error naming the path, anything that
is not inside the folder it was given (``output/`` unless a command's user named another).
An ``output`` that is a file, a target that is a folder, a folder that cannot be written: each is
a ContentError naming the path (exit 1), and no temp file is left behind."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.model import OUTPUT

STATE_FILE = ".state.json"


class OutsideOutput(RuntimeError):
    """An engine bug: a destination outside the folder the command may write (exit 3)."""


def destination(path: Path, inside: Path | None = None) -> Path:
    """``path`` when it resolves inside ``inside`` (default: the ``output`` folder it lies in)."""
    lexical = Path(os.path.normpath(os.path.abspath(path)))
    if inside is None:
        inside = next((p for p in lexical.parents if p.name == OUTPUT.name), None)
    if inside is None:
        raise OutsideOutput(f"refused to write {path}: it is not inside an output/ folder")
    folder = Path(os.path.normpath(os.path.abspath(inside)))
    real = folder.resolve()
    if lexical == folder or not lexical.is_relative_to(folder) or lexical.resolve() == real \
            or not lexical.resolve().is_relative_to(real):
        raise OutsideOutput(f"refused to write {path}: it resolves outside {inside}")
    return lexical


def check_destinations(paths: list[Path], inside: Path | None = None) -> None:
    """Before anything is written: each destination may be written (a ContentError naming every
    one that may not: a folder in the file's place, a file in a folder's place, no permission)."""
    report = Report()
    for path in paths:
        link = _link_out(path, inside)
        if link is not None:  # the user's link, not an engine bug: a message, exit 1
            report.error(_shown(link), None, "is a link that leads outside output/",
                         "remove the link: a build writes only inside output/ (run invoke clean)")
            continue
        path = destination(path, inside)
        try:
            if path.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(path))
            for parent in reversed(path.parents):
                if parent.exists() and not parent.is_dir():
                    raise NotADirectoryError(20, "Not a directory", str(parent))
            existing = next(p for p in path.parents if p.exists())
            if not os.access(existing, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied", str(existing))
        except OSError as exc:
            report.extend(_cannot_write(path, exc))
    if report.errors:
        raise ContentError(report)


def _link_out(path: Path, inside: Path | None) -> Path | None:
    """The first folder or file on the way to ``path`` (below ``inside``) that is a link
    resolving outside ``inside``, if any."""
    lexical = Path(os.path.normpath(os.path.abspath(path)))
    folder = Path(os.path.normpath(os.path.abspath(inside))) if inside is not None else None
    if folder is None or not lexical.is_relative_to(folder):
        return None
    real = folder.resolve()
    for step in [*reversed(lexical.parents), lexical]:
        if step.is_relative_to(folder) and step != folder and step.is_symlink() \
                and not step.resolve().is_relative_to(real):
            return step
    return None


def write_atomic(path: Path, data: bytes, inside: Path | None = None) -> None:
    """Write to a temp file beside the target, then rename over it: never a half-written file.
    A write that fails leaves the previous file as it was and takes its temp file with it.
    ``inside``: the folder the write must stay in (default: the output/ folder of ``path``)."""
    path = destination(path, inside)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        _make_folder(path.parent)
        destination(path, inside)  # again, now that the folders exist: none of them is a link out
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ContentError(_cannot_write(path, exc)) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _make_folder(folder: Path) -> None:
    for parent in [*reversed(folder.parents), folder]:
        if parent.exists() and not parent.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(parent))
    folder.mkdir(parents=True, exist_ok=True)


def _cannot_write(path: Path, exc: OSError) -> Report:
    report = Report()
    where = Path(exc.filename) if exc.filename else path
    if isinstance(exc, IsADirectoryError):
        message, hint = "is a folder where a file is to be written", "move the folder away or delete it"
    elif isinstance(exc, (NotADirectoryError, FileExistsError)):
        message, hint = "is a file where a folder is needed", "move the file away or delete it"
    elif isinstance(exc, PermissionError):
        message, hint = "cannot be written (permission denied)", "make the folder writable, or build elsewhere"
    else:
        message, hint = f"cannot be written: {exc.strerror or exc}", "free some space or fix the folder"
    report.error(_shown(where), None, message, hint)
    return report


def _shown(path: Path) -> str:
    """``output/en/qa.docx`` (from the output folder on) when the path has one, else the path."""
    parts = path.parts
    return str(Path(*parts[len(parts) - 1 - parts[::-1].index(OUTPUT.name):])) if OUTPUT.name in parts else str(path)


def remove_stale_temp_files(out: Path) -> None:
    for temp in out.rglob(".*.tmp-*"):
        if temp.is_file() or temp.is_symlink():
            temp.unlink(missing_ok=True)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build (or clean) at a time writes to output/."""
    project = Path(os.path.abspath(out)).parent
    for path in (out, out / ".lock"):  # output/ is the project's own: never a link to elsewhere
        if path.is_symlink() and not path.resolve().is_relative_to(project.resolve()):
            report = Report()
            report.error(_shown(path), None, "is a link that leads outside the project",
                         "remove the link: output/ is a folder of the project, written only there")
            raise ContentError(report)
    try:
        _make_folder(out)
        handle = open(out / ".lock", "a")
    except OSError as exc:
        raise ContentError(_cannot_write(out, exc)) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError("another build is writing to output/ — wait for it to finish") from None
        yield


def clean(out: Path) -> None:
    """Remove everything in output/ under the build lock (the lock file itself stays, so that a
    build started meanwhile waits on the same lock)."""
    import shutil

    if not out.exists():
        return
    with build_lock(out):
        for entry in out.iterdir():
            if entry.name == ".lock":
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def read_state(out: Path) -> dict[str, dict]:
    """Target key → what it was built from: ``{"inputs": its input hash}``, and for a PDF the font
    ``"subsetter"`` that made it (a reproducibility claim holds for one subsetter)."""
    try:
        state = json.loads((out / STATE_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def built_from(state: dict[str, dict], key: str) -> str | None:
    """The input hash a target was last built from (None: never, or by an older engine)."""
    entry = state.get(key)
    return entry.get("inputs") if isinstance(entry, dict) else None


def write_state(out: Path, state: dict[str, dict]) -> None:
    write_atomic(out / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())
