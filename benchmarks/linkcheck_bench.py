"""Benchmark of pressroom.checks.linkcheck: 50 distinct URLs answering after 200 ms, cold then from the cache.

    python benchmarks/linkcheck_bench.py

Targets: cold ≤ 2 s, cached ≤ 0.2 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # pressroom, and the test server, when run as a script

from linkserver import LinkServer  # noqa: E402

from pressroom.checks.linkcheck import LinkPolicy, LinkResult, check_urls  # noqa: E402

URL_COUNT = 50
# One local host answering in 200 ms: 10 at a time gives 5 waves, about 1 s. The default of 4 per host
# (13 waves, about 2.6 s) stays the polite choice for real sites.
POLICY = LinkPolicy(per_host=10)


def run() -> dict[str, float]:
    """Time a cold check of URL_COUNT URLs and a second, cached one; returns {"cold_s", "cached_s"}."""
    with LinkServer(delay=0.2) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(f"/delay/0?i={i}") for i in range(URL_COUNT)]
        cache = Path(tmp) / "links.json"
        cold_s, cold = _timed(urls, cache)
        cached_s, cached = _timed(urls, cache)
    if any(r.outcome != "ok" for r in cold.values()) or not all(r.from_cache for r in cached.values()):
        raise RuntimeError("benchmark invalid: not every URL was ok, or not every one came from the cache")
    return {"cold_s": cold_s, "cached_s": cached_s}


def _timed(urls: list[str], cache: Path) -> tuple[float, dict[str, LinkResult]]:
    """Seconds taken by check_urls on urls with cache, and its results."""
    started = time.perf_counter()
    results = check_urls(urls, cache_file=cache, policy=POLICY)
    return time.perf_counter() - started, results


if __name__ == "__main__":
    figures = run()
    print(f"{URL_COUNT} URLs at 200 ms each: cold {figures['cold_s']:.3f} s (target ≤ 2), "
          f"cached {figures['cached_s']:.3f} s (target ≤ 0.2)")
