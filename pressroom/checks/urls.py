"""A URL in → what is wrong with its syntax (or None), without any network access."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

ELIDED_SEGMENTS = frozenset({"...", "…"})
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)", re.IGNORECASE)  # "_" occurs in real hosts
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def url_problem(url: str) -> str | None:
    """Check a URL's syntax without any network access: None if well formed, else a short reason.

    Refused: whitespace or control/format characters (a zero-width space pasted along), unbalanced
    () [] {}, no scheme or one other than http/https, no host, an elided path segment ('...', '…'),
    a host with an invalid label, a bad port.
    """
    bad_char = next((ch for ch in url if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")), None)
    if bad_char is not None:
        return "contains a space" if bad_char == " " else f"contains character U+{ord(bad_char):04X}"
    if not _brackets_balanced(url):
        return "unbalanced brackets"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- reading it raises ValueError for a port out of range
    except ValueError as exc:
        return f"unparseable ({exc})"
    if not parts.scheme:
        return "no scheme (http:// or https://)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"unsupported scheme '{parts.scheme}'"
    if not parts.hostname:
        return "no host"
    if any(seg in ELIDED_SEGMENTS or "…" in seg for seg in parts.path.split("/")):
        return "elided path ('...' or '…'): the full URL is needed"
    return _host_problem(parts.hostname)


def _brackets_balanced(text: str) -> bool:
    """True if every (), [] and {} in text opens and closes in order."""
    stack: list[str] = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in _CLOSERS and (not stack or stack.pop() != _CLOSERS[ch]):
            return False
    return not stack


def _host_problem(host: str) -> str | None:
    """Check a host name (or IP literal, brackets removed) label by label; None if valid."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"invalid IPv6 host '{host}'"
        return None
    for label in host.removesuffix(".").split("."):  # a trailing dot is a fully qualified name
        try:
            ascii_label = label if label.isascii() else label.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_label = ""
        if not _LABEL.fullmatch(ascii_label):
            return f"invalid host label '{label}' in '{host}'"
    return None
