"""Fonts as WeasyPrint embeds them: subsets dated by the document, not by the clock."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def fixed_font_dates(epoch: int) -> Iterator[None]:
    """Subset fonts dated ``epoch`` (or SOURCE_DATE_EPOCH when set), not now: reproducible bytes.

    WeasyPrint subsets fonts with fontTools, which stamps each subset's ``head.modified`` with the
    current time unless SOURCE_DATE_EPOCH is set — the same PDF rendered a second later differs.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or str(epoch)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
