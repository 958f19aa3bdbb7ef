"""A translated fragment in → what it records of its source: the fingerprint of the source text
it was translated from (``translated-from``), and the tokens that must survive translation.

When the source changes, its hash no longer matches the recorded one and the translation is
outdated; a translation that lost or gained a note label, citation key, link target or heading
id no longer fits its source.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import yaml

from pressroom.diagnostics import Report
from pressroom.read.fragments import split_front_matter

# What must survive translation: note labels, citation keys, link targets, heading ids.
TOKENS = re.compile(r"\[\^[^\]\s]+\]|(?<![\w.])@[\w][\w:.#$%&\-+?<>~/]*[\w]|\]\([^)\s]+\)|\{#[^}\s]+\}")



def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_hash(path: Path) -> str | None:
    """The ``translated-from`` hash a translated fragment carries."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text)
        return data.get("translated-from") if isinstance(data, dict) else None
    meta, _, _ = split_front_matter(text.replace("\r\n", "\n"), str(path), Report())
    return meta.get("translated-from")


def token_differences(source_text: str, translated_text: str) -> tuple[list[str], list[str]]:
    """Tokens the translation lost, and tokens it added (each as often as it differs)."""
    source, translated = Counter(TOKENS.findall(source_text)), Counter(TOKENS.findall(translated_text))
    return sorted((source - translated).elements()), sorted((translated - source).elements())
