"""Tests of pressroom.checks.linkcheck against the local server of linkserver.py (no internet needed)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from linkserver import LinkServer, closed_port

from pressroom.checks.linkcheck import LinkPolicy, LinkResult, check_urls
from pressroom.checks.urls import url_problem

# Small timeouts and backoff keep the file fast; /slow answers after 2 s, well past the timeout.
FAST = LinkPolicy(timeout=0.5, retries=2, backoff=0.05)
ELIDED = "elided path ('...' or '…'): the full URL is needed"


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with LinkServer() as srv:
        yield srv


def check_one(url: str, policy: LinkPolicy = FAST, **kwargs: object) -> LinkResult:
    """check_urls for a single URL; returns its result."""
    return check_urls([url], policy=policy, **kwargs)[url]  # type: ignore[arg-type]


# --- url_problem ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.amnesty.org.uk/issues/sex-work",
        "http://127.0.0.1:8080/x?a=1#b",
        "https://en.wikipedia.org/wiki/Sex_work_(disambiguation)",
        "https://[::1]/path",
        "https://bücher.example/",
        "https://example.org./fully-qualified",
    ],
)
def test_url_problem_accepts_well_formed(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("www.example.org/x", "no scheme (http:// or https://)"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("ftp://example.org/file", "unsupported scheme 'ftp'"),
        ("https://example.org/download/Documents/.../file.pdf", ELIDED),
        ("https://example.org/docs/…/file.pdf", ELIDED),
        ("https://example.org/docs/file-na…", ELIDED),
        ("https://example.org/a file.pdf", "contains a space"),
        ("https://example.org/a\u200bb", "contains character U+200B"),
        ("https://example.org/x\n", "contains character U+000A"),
        ("https://example.org/page)", "unbalanced brackets"),
        ("https://example.org/(page", "unbalanced brackets"),
        ("https:///path-only", "no host"),
        ("https://-bad.example.org/", "invalid host label '-bad' in '-bad.example.org'"),
        ("https://exa!mple.org/", "invalid host label 'exa!mple' in 'exa!mple.org'"),
        ("https://a..b.org/", "invalid host label '' in 'a..b.org'"),
        ("https://example.org:99999/", "unparseable (Port out of range 0-65535)"),
    ],
)
def test_url_problem_refuses(url: str, reason: str) -> None:
    assert url_problem(url) == reason


def test_malformed_url_is_broken_without_a_request() -> None:
    result = check_one("www.example.org/x")
    assert result == LinkResult("www.example.org/x", "broken", None, None, "no scheme (http:// or https://)")


@pytest.mark.parametrize(
    "change", [{"per_host": 0}, {"concurrency": 0}, {"retries": -1}, {"max_redirects": -1}]
)
def test_policy_refuses_limits_that_would_hang_or_make_no_sense(change: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        replace(FAST, **change)


# --- one test per outcome ---------------------------------------------------------------------


def test_ok(server: LinkServer) -> None:
    url = server.url("/ok")
    assert check_one(url) == LinkResult(url, "ok", 200, url, "200 OK")
    assert server.count("/ok") == 1  # HEAD only


def test_redirect_is_followed_to_its_end(server: LinkServer) -> None:
    result = check_one(server.url("/moved"))
    assert (result.outcome, result.status, result.final_url) == ("redirected", 200, server.url("/ok"))
    assert result.detail == "301 → 200 OK"


def test_redirect_chain_within_max_redirects(server: LinkServer) -> None:
    result = check_one(server.url("/chain/3"), replace(FAST, max_redirects=3))
    assert (result.outcome, result.status) == ("redirected", 200)
    assert result.detail == "302 → 302 → 302 → 200 OK"


def test_too_many_redirects_is_broken(server: LinkServer) -> None:
    result = check_one(server.url("/chain/3"), replace(FAST, max_redirects=2))
    assert (result.outcome, result.status, result.detail) == ("broken", 302, "more than 2 redirects")


def test_redirect_loop_is_broken_and_named(server: LinkServer) -> None:
    result = check_one(server.url("/loop-a"))
    a, b = server.url("/loop-a"), server.url("/loop-b")
    assert (result.outcome, result.status) == ("broken", 302)
    assert result.detail == f"redirect loop via {a} → {b} → {a}"


def test_missing_is_broken_after_get_fallback(server: LinkServer) -> None:
    result = check_one(server.url("/missing"))
    assert (result.outcome, result.status, result.detail) == ("broken", 404, "404 Not Found")
    assert server.count("/missing", "HEAD") == 1
    assert server.count("/missing", "GET") == 1


def test_gone_is_broken_without_fallback(server: LinkServer) -> None:
    result = check_one(server.url("/gone"))
    assert (result.outcome, result.status, result.detail) == ("broken", 410, "410 Gone")
    assert server.count("/gone") == 1


def test_server_error_is_retried_then_broken(server: LinkServer) -> None:
    result = check_one(server.url("/error"))
    assert (result.outcome, result.status, result.detail) == ("broken", 500, "500 Internal Server Error")
    assert server.count("/error") == FAST.retries + 1


def test_429_honours_retry_after(server: LinkServer) -> None:
    started = time.monotonic()
    result = check_one(server.url("/flaky-429"))
    assert (result.outcome, result.status, result.detail) == ("ok", 200, "200 OK")
    assert time.monotonic() - started >= 0.95  # Retry-After: 1, not the 0.05 s backoff
    assert server.count("/flaky-429") == 2


def test_retry_after_is_capped(server: LinkServer) -> None:
    started = time.monotonic()
    result = check_one(server.url("/flaky-429"), replace(FAST, retry_after_cap=0.1))
    assert result.outcome == "ok"
    assert time.monotonic() - started < 0.8


def test_429_after_retries_is_unknown(server: LinkServer) -> None:
    result = check_one(server.url("/flaky-429"), replace(FAST, retries=0))
    assert (result.outcome, result.status, result.detail) == ("unknown", 429, "429 Too Many Requests")


def test_head_refused_falls_back_to_get(server: LinkServer) -> None:
    url = server.url("/no-head")
    assert check_one(url) == LinkResult(url, "ok", 200, url, "HEAD 405, GET 200")


def test_timeout_after_retries(server: LinkServer) -> None:
    policy = replace(FAST, timeout=0.3, retries=1)
    result = check_one(server.url("/slow"), policy)
    assert (result.outcome, result.status) == ("timeout", None)
    assert result.detail == "no response within 0.3s (2 attempts)"
    assert server.count("/slow") == 2


def test_connection_refused_is_broken() -> None:
    url = f"http://127.0.0.1:{closed_port()}/ok"
    assert check_one(url) == LinkResult(url, "broken", None, url, "connection refused")


def test_dns_failure_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    url = "https://no-such-host.invalid/page"
    detail = "DNS lookup failed (Name or service not known)"
    assert check_one(url) == LinkResult(url, "broken", None, url, detail)


def test_unexpected_failure_is_unknown(server: LinkServer) -> None:
    result = check_one(server.url("/hangup"))
    assert (result.outcome, result.status) == ("unknown", None)
    assert result.detail == "RemoteProtocolError: Server disconnected without sending a response."


# --- ignore, distinct URLs, User-Agent --------------------------------------------------------


def test_ignored_urls_are_not_requested(server: LinkServer) -> None:
    missing, ok = server.url("/missing"), server.url("/ok")
    results = check_urls([missing, ok], policy=FAST, ignore=["*/missing", "https://example.org/*"])
    assert results[missing] == LinkResult(missing, "unknown", None, None, "ignored")
    assert results[ok].outcome == "ok"
    assert server.count("/missing") == 0


def test_each_distinct_url_is_checked_once_in_input_order(server: LinkServer) -> None:
    ok, gone = server.url("/ok"), server.url("/gone")
    results = check_urls([gone, ok, gone, ok], policy=FAST)
    assert list(results) == [gone, ok]
    assert (server.count("/ok"), server.count("/gone")) == (1, 1)


def test_policy_user_agent_is_sent(server: LinkServer) -> None:
    for path in ("/ua-check", "/no-head", "/moved"):
        check_one(server.url(path))
    assert {r.user_agent for r in server.requests} == {FAST.user_agent}
    assert check_one(server.url("/ua-check")).outcome == "ok"


def test_library_user_agent_gets_refused(server: LinkServer) -> None:
    result = check_one(server.url("/ua-check"), replace(FAST, user_agent="python-httpx/0.28.1"))
    assert (result.outcome, result.status, result.detail) == ("broken", 403, "403 Forbidden")


# --- politeness -------------------------------------------------------------------------------


@pytest.mark.parametrize(("per_host", "concurrency", "expected"), [(2, 16, 2), (4, 1, 1)])
def test_concurrency_limits(server: LinkServer, per_host: int, concurrency: int, expected: int) -> None:
    urls = [server.url(f"/in-flight?i={i}") for i in range(6)]
    results = check_urls(urls, policy=replace(FAST, per_host=per_host, concurrency=concurrency))
    assert {r.outcome for r in results.values()} == {"ok"}
    assert server.max_in_flight == expected  # reached, never exceeded


def test_per_host_interval_spaces_request_starts(server: LinkServer) -> None:
    urls = [server.url(f"/ok?i={i}") for i in range(4)]
    check_urls(urls, policy=replace(FAST, per_host_interval=0.1))
    starts = [r.started for r in server.requests]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    assert len(gaps) == 3
    assert min(gaps) >= 0.09  # small allowance: measured on arrival at the server


# --- cache ------------------------------------------------------------------------------------


def test_second_run_is_served_from_cache(server: LinkServer, tmp_path: Path) -> None:
    cache = tmp_path / "links.json"
    urls = [server.url(p) for p in ("/ok", "/moved", "/gone", "/no-head")]
    first = check_urls(urls, cache_file=cache, policy=FAST)
    requests_made = len(server.requests)
    second = check_urls(urls, cache_file=cache, policy=FAST)
    assert len(server.requests) == requests_made  # not one request
    assert all(r.from_cache for r in second.values())
    assert {u: replace(r, from_cache=False) for u, r in second.items()} == first
    entry = json.loads(cache.read_text(encoding="utf-8"))[server.url("/gone")]
    assert set(entry) == {"outcome", "status", "final_url", "detail", "checked_at"}
    assert list(tmp_path.iterdir()) == [cache]  # no temp file left behind


def test_expired_entry_is_checked_again(
    server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, url = tmp_path / "links.json", server.url("/ok")
    check_one(url, cache_file=cache)
    later = time.time() + FAST.cache_ttl + 1
    monkeypatch.setattr(time, "time", lambda: later)
    result = check_one(url, cache_file=cache)
    assert (result.outcome, result.from_cache) == ("ok", False)
    assert server.count("/ok") == 2
    assert json.loads(cache.read_text(encoding="utf-8"))[url]["checked_at"] == later


@pytest.mark.parametrize(
    ("path", "policy"),
    [("/slow", replace(FAST, timeout=0.3, retries=0)), ("/flaky-429", replace(FAST, retries=0))],
    ids=["timeout", "429"],
)
def test_timeouts_and_429_are_not_cached(
    server: LinkServer, tmp_path: Path, path: str, policy: LinkPolicy
) -> None:
    cache, url = tmp_path / "links.json", server.url(path)
    first = check_one(url, policy, cache_file=cache)
    assert first.outcome in ("timeout", "unknown")
    assert url not in json.loads(cache.read_text(encoding="utf-8"))
    assert not check_one(url, policy, cache_file=cache).from_cache
    assert server.count(path) == 2


def test_connection_failures_are_not_cached(tmp_path: Path) -> None:
    cache, url = tmp_path / "links.json", f"http://127.0.0.1:{closed_port()}/ok"
    assert check_one(url, cache_file=cache).detail == "connection refused"
    assert json.loads(cache.read_text(encoding="utf-8")) == {}


def test_unreadable_cache_is_ignored_and_replaced(server: LinkServer, tmp_path: Path) -> None:
    cache, url = tmp_path / "links.json", server.url("/ok")
    cache.write_text("{not json", encoding="utf-8")
    assert check_one(url, cache_file=cache).outcome == "ok"
    assert json.loads(cache.read_text(encoding="utf-8"))[url]["outcome"] == "ok"
