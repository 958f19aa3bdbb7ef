"""External link checking over the network: polite HTTP checks with a JSON cache.

(``checks/urls.py`` checks a URL's syntax without the network.) ``check_urls(urls)`` checks each
distinct URL over HTTP and returns ``{url: LinkResult}``: HEAD first, GET when the server refuses HEAD,
redirects followed by hand (so loops can be named), retries with backoff, per-host limits, and a cache
so that a second run within ``cache_ttl`` sends no request at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import fnmatch
import json
import os
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from pressroom.checks.urls import url_problem

__all__ = ["LinkPolicy", "LinkResult", "check_urls"]

# Statuses some servers give to HEAD (or to bots) while GET works: worth a second look with GET.
FALLBACK_TO_GET = frozenset({400, 403, 404, 405, 501})
# Results that say more about the moment than about the link: never cached.
UNCACHEABLE_STATUSES = frozenset({429, 503})
CACHEABLE_OUTCOMES = frozenset({"ok", "redirected", "broken"})

_TIMEOUTS = (httpx.TimeoutException, TimeoutError)  # httpx's own, and asyncio.timeout's


@dataclass(frozen=True)
class LinkPolicy:
    """How hard and how politely to check."""

    timeout: float = 10.0  # per request, from sending to the response headers
    retries: int = 3  # on timeouts, 5xx (but 501) and 429
    backoff: float = 0.5  # exponential: backoff * 2**attempt
    retry_after_cap: float = 30.0  # cap on Retry-After seconds honoured
    max_redirects: int = 10
    concurrency: int = 16  # overall
    per_host: int = 4  # concurrent requests per host
    per_host_interval: float = 0.0  # minimum seconds between request starts to one host
    cache_ttl: float = 7 * 24 * 3600  # seconds
    user_agent: str = "Mozilla/5.0 (compatible; pressroom-linkcheck/1.0; +https://www.amnesty.org.uk)"

    def __post_init__(self) -> None:
        # A zero limit would leave every request waiting forever.
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("LinkPolicy: concurrency and per_host must be at least 1")
        if self.retries < 0 or self.max_redirects < 0:
            raise ValueError("LinkPolicy: retries and max_redirects cannot be negative")


@dataclass(frozen=True)
class LinkResult:
    """What became of one URL."""

    url: str
    outcome: str  # "ok" | "redirected" | "broken" | "timeout" | "unknown"
    status: int | None  # last HTTP status; None when the last request got no response
    final_url: str | None  # last URL requested (after redirects); None when nothing was requested
    detail: str  # short human reason: "404 Not Found", "HEAD 405, GET 200", "connection refused"
    from_cache: bool = False


# --- entry point ------------------------------------------------------------------------------


def check_urls(
    urls: Iterable[str],
    *,
    cache_file: Path | None = None,
    policy: LinkPolicy = LinkPolicy(),
    ignore: Sequence[str] = (),
) -> dict[str, LinkResult]:
    """Check each distinct URL; returns {url: LinkResult} in first-seen order.

    URLs matching an fnmatch pattern of `ignore` are "unknown" ("ignored"); malformed ones are "broken"
    without a request; fresh cache entries are reused; the rest go over HTTP, and the cache file (if
    any) is then rewritten with the new cacheable results.
    """
    ordered = list(dict.fromkeys(urls))
    cache = _load_cache(cache_file) if cache_file is not None else {}
    results: dict[str, LinkResult] = {}
    pending: list[str] = []
    for url in ordered:
        known = _result_without_request(url, ignore, cache, policy.cache_ttl)
        if known is None:
            pending.append(url)
        else:
            results[url] = known
    if pending:
        fresh = asyncio.run(_check_all(pending, policy))
        results.update(fresh)
        if cache_file is not None:
            _save_cache(cache_file, cache, fresh.values(), policy.cache_ttl)
    return {url: results[url] for url in ordered}


def _result_without_request(
    url: str, ignore: Sequence[str], cache: dict[str, dict[str, Any]], ttl: float
) -> LinkResult | None:
    """The result for url if it needs no request (ignored, malformed or freshly cached), else None."""
    if any(fnmatch.fnmatchcase(url, pattern) for pattern in ignore):
        return LinkResult(url, "unknown", None, None, "ignored")
    problem = url_problem(url)
    if problem is not None:
        return LinkResult(url, "broken", None, None, problem)
    entry = cache.get(url)
    if entry is not None and time.time() - entry["checked_at"] < ttl:
        return LinkResult(
            url, entry["outcome"], entry["status"], entry["final_url"], entry["detail"], from_cache=True
        )
    return None


# --- cache ------------------------------------------------------------------------------------

_ENTRY_TYPES: dict[str, Any] = {
    "outcome": str,
    "status": (int, type(None)),
    "final_url": (str, type(None)),
    "detail": str,
    "checked_at": (int, float),
}


def _load_cache(path: Path) -> dict[str, dict[str, Any]]:
    """Read {url: entry} from path; a missing or unreadable file, or a malformed entry, is skipped."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {url: entry for url, entry in data.items() if _valid_entry(entry)}


def _valid_entry(entry: object) -> bool:
    """True if entry has every cache field with the right type."""
    return isinstance(entry, dict) and all(
        key in entry and isinstance(entry[key], kind) for key, kind in _ENTRY_TYPES.items()
    )


def _cacheable(result: LinkResult) -> bool:
    """Only answers an HTTP server gave about the link itself are kept.

    Timeouts, 429/503 and "unknown" depend on the moment; connection failures (refused, DNS) too,
    and they are cheap to redo, while caching them would poison the cache after one offline run.
    """
    return (
        result.outcome in CACHEABLE_OUTCOMES
        and result.status is not None
        and result.status not in UNCACHEABLE_STATUSES
    )


def _save_cache(
    path: Path, cache: dict[str, dict[str, Any]], fresh: Iterable[LinkResult], ttl: float
) -> None:
    """Write the unexpired old entries plus the cacheable fresh results to path, atomically."""
    now = time.time()
    entries = {url: entry for url, entry in cache.items() if now - entry["checked_at"] < ttl}
    for result in fresh:
        if _cacheable(result):
            entries[result.url] = {
                "outcome": result.outcome,
                "status": result.status,
                "final_url": result.final_url,
                "detail": result.detail,
                "checked_at": now,
            }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Temp file in the same directory + os.replace: readers see the old file or the new, never half.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entries, handle, indent=1, sort_keys=True, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --- HTTP -------------------------------------------------------------------------------------


async def _check_all(urls: list[str], policy: LinkPolicy) -> dict[str, LinkResult]:
    """Check well-formed URLs concurrently within the policy's limits; returns {url: LinkResult}."""
    limits = httpx.Limits(max_connections=policy.concurrency, max_keepalive_connections=policy.concurrency)
    async with httpx.AsyncClient(
        headers={"User-Agent": policy.user_agent},
        timeout=policy.timeout,
        limits=limits,
        follow_redirects=False,  # followed by hand, to detect loops and report the chain
    ) as client:
        checker = _Checker(client, policy)
        results = await asyncio.gather(*(checker.check(url) for url in urls))
    return {result.url: result for result in results}


@dataclass
class _HostGate:
    """Per-host politeness: a cap on requests in flight and a minimum gap between their starts."""

    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0

    async def wait_turn(self, interval: float) -> None:
        """Return once at least `interval` seconds have passed since the previous start to this host."""
        async with self.lock:
            delay = self.next_start - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next_start = time.monotonic() + interval


class _Checker:
    """Checks URLs with one shared client, one overall limit and one gate per host."""

    def __init__(self, client: httpx.AsyncClient, policy: LinkPolicy) -> None:
        self.client = client
        self.policy = policy
        self.overall = asyncio.Semaphore(policy.concurrency)
        self.gates: dict[str, _HostGate] = {}

    async def check(self, url: str) -> LinkResult:
        """Follow url's redirects hop by hop and classify where they end."""
        hops = [url]
        redirects: list[int] = []
        while True:
            current = hops[-1]
            try:
                response, detail = await self._probe(current)
            except _TIMEOUTS:
                waited = f"no response within {self.policy.timeout:g}s ({self.policy.retries + 1} attempts)"
                return LinkResult(url, "timeout", None, current, waited)
            except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
                outcome, detail = _failure(exc)
                return LinkResult(url, outcome, None, current, detail)
            status = response.status_code
            if not 300 <= status < 400:
                return _settled(url, current, status, redirects, detail)
            location = response.headers.get("location")
            if not location:
                return LinkResult(url, "unknown", status, current, f"{detail} without a Location")
            target = urljoin(current, location)
            problem = self._redirect_problem(hops, target)
            if problem is not None:
                return LinkResult(url, "broken", status, current, problem)
            redirects.append(status)
            hops.append(target)

    def _redirect_problem(self, hops: list[str], target: str) -> str | None:
        """Why the redirect from hops[-1] to target must not be followed (loop, too many, bad URL)."""
        if target in hops:
            return "redirect loop via " + " → ".join([*hops[hops.index(target) :], target])
        if len(hops) > self.policy.max_redirects:
            return f"more than {self.policy.max_redirects} redirects"
        problem = url_problem(target)
        return None if problem is None else f"redirect to a bad URL: {problem}"

    async def _probe(self, url: str) -> tuple[httpx.Response, str]:
        """HEAD url, then GET if the server refused the HEAD; returns the response and a description."""
        head = await self._fetch("HEAD", url)
        if head.status_code not in FALLBACK_TO_GET:
            return head, _status_text(head.status_code)
        get = await self._fetch("GET", url)
        if get.status_code == head.status_code:
            return get, _status_text(get.status_code)
        return get, f"HEAD {head.status_code}, GET {get.status_code}"

    async def _fetch(self, method: str, url: str) -> httpx.Response:
        """Send one request, retrying timeouts, 429 and 5xx; the last attempt's response or error wins."""
        for attempt in range(self.policy.retries):
            try:
                response = await self._send(method, url)
            except _TIMEOUTS:
                await asyncio.sleep(self.policy.backoff * 2**attempt)
                continue
            if not _retryable(response.status_code):
                return response
            await asyncio.sleep(self._retry_delay(response, attempt))
        return await self._send(method, url)

    async def _send(self, method: str, url: str) -> httpx.Response:
        """Send one request within the limits; returns the closed response (status and headers only)."""
        gate = self._gate(url)
        # Host slot first: a task waiting on a busy host must not hold an overall slot.
        async with gate.slots, self.overall:
            await gate.wait_turn(self.policy.per_host_interval)
            # httpx's timeout is per phase; this one bounds the whole wait for the headers.
            async with asyncio.timeout(self.policy.timeout):
                response = await self.client.send(self.client.build_request(method, url), stream=True)
                await response.aclose()  # the body is never needed
        return response

    def _gate(self, url: str) -> _HostGate:
        """The gate of url's host, created on first use."""
        host = urlsplit(url).hostname or ""
        if host not in self.gates:
            self.gates[host] = _HostGate(asyncio.Semaphore(self.policy.per_host))
        return self.gates[host]

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        """Seconds to wait before retrying: the server's Retry-After (capped) if given, else backoff."""
        asked = _retry_after_seconds(response.headers.get("retry-after"))
        if asked is None:
            return self.policy.backoff * 2**attempt
        return min(asked, self.policy.retry_after_cap)


def _retryable(status: int) -> bool:
    """429 and 5xx may pass; 501 (method not implemented) will not."""
    return status == 429 or (status >= 500 and status != 501)


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After value (delta-seconds or HTTP date); None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _settled(url: str, final_url: str, status: int, redirects: list[int], detail: str) -> LinkResult:
    """The result of a check whose redirects (statuses in order) ended on a non-redirect status."""
    outcome = _classify(status)
    if outcome == "ok" and redirects:
        outcome = "redirected"
    chain = "".join(f"{code} → " for code in redirects)
    return LinkResult(url, outcome, status, final_url, chain + detail)


def _classify(status: int) -> str:
    """Outcome of a final, non-redirect status."""
    if 200 <= status < 300:
        return "ok"
    if 400 <= status < 600 and status != 429:
        return "broken"
    return "unknown"  # 1xx, or still 429 after the retries: nothing known about the link


def _status_text(status: int) -> str:
    """'404 Not Found', or just the number for a status outside the standard list."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _failure(exc: BaseException) -> tuple[str, str]:
    """Outcome and detail for a request that got no response."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "broken", "connection refused"
        if isinstance(cause, socket.gaierror):
            return "broken", f"DNS lookup failed ({cause.strerror})"
    return "unknown", f"{type(exc).__name__}: {exc}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """exc and everything behind it: causes, contexts, and the members of exception groups."""
    todo, seen = [exc], set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
