"""Bytes in → files in output/: atomic writes (temp file + rename), the build lock, and the
record of what each file was built from (``output/.state.json``)."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pressroom.diagnostics import UsageError

STATE_FILE = ".state.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside the target, then rename over it: never a half-written file.
    A write that fails leaves the previous file as it was and takes its temp file with it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_stale_temp_files(out: Path) -> None:
    for temp in out.rglob(".*.tmp-*"):
        temp.unlink(missing_ok=True)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time writes to output/."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError("another build is writing to output/ — wait for it to finish") from None
        yield


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
