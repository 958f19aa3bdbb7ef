"""``invoke bench``: the pipeline against its anchors, measured side by side in one run.

Every figure is the median wall time of several runs of a separate process on a fresh copy of
the project (so caches and imports count as a user sees them); peak memory is the largest sum
of RSS over the build's process tree. Anchors: pandoc (pypandoc-binary) rendering the same
fragments to DOCX and to PDF with WeasyPrint and citeproc; WeasyPrint alone rendering our
final HTML (the floor for PDF).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import copy_project  # noqa: E402

PY = sys.executable
BUILD_EN = ["-m", "invoke", "build", "--locale", "en", "--edition", "screen"]


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """Run a command; return (seconds, peak MiB of its whole process tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    watcher = threading.Thread(target=_watch_memory, args=(process, peak), daemon=True)
    watcher.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode()[-2000:]}")
    watcher.join(1)
    return seconds, peak[0] / 1024


def _watch_memory(process: subprocess.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], _tree_rss_kib(process.pid))
        time.sleep(0.05)


def _tree_rss_kib(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError, ValueError):
            continue
    return total


def median_of(runs: int, make) -> tuple[float, float]:
    """``make()`` returns (seconds, MiB); the median time and the largest memory of ``runs`` runs."""
    results = [make() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def fresh_copy(tmp: Path, name: str, locales: list[str] | None = None) -> Path:
    root = copy_project(tmp / name)
    if locales:
        pack = root / "content" / "pack.yaml"
        text = pack.read_text()
        start = text.index("  locales:")
        end = text.index("\n", start)
        pack.write_text(text[:start] + f"  locales: [{', '.join(locales)}]" + text[end:])
    return root


def cold_build(tmp: Path, runs: int) -> tuple[float, float]:
    counter = iter(range(100))
    return median_of(runs, lambda: timed([PY, *BUILD_EN], fresh_copy(tmp, f"cold-{next(counter)}")))


def noop_and_edit(tmp: Path, runs: int) -> dict[str, float]:
    root = fresh_copy(tmp, "incremental")
    timed([PY, *BUILD_EN], root)
    noop, _ = median_of(runs, lambda: timed([PY, *BUILD_EN], root))
    fragment = root / "content" / "en" / "qa" / "02-the-proposed-policy.md"
    original = fragment.read_text()

    def edit() -> tuple[float, float]:
        fragment.write_text(original + f"\nAn edited paragraph {time.time_ns()}.\n")
        return timed([PY, *BUILD_EN], root)
    edited, _ = median_of(runs, edit)
    affected, _ = median_of(runs, lambda: timed([PY, *BUILD_EN, "--doc", "qa", "--force", "--no-check"], root))
    return {"noop_s": noop, "edit_s": edited, "affected_only_s": affected}


def pandoc_anchor(tmp: Path, runs: int) -> float:
    """pandoc renders the same fragments: each document to DOCX and to PDF (WeasyPrint, citeproc)."""
    import pypandoc
    import yaml

    pandoc = pypandoc.get_pandoc_path()
    pack = yaml.safe_load((ROOT / "content" / "pack.yaml").read_text())
    work = tmp / "pandoc"
    work.mkdir(exist_ok=True)
    sources = []
    for doc_id, doc in pack["documents"].items():
        parts = [(ROOT / "content" / "en" / doc_id / name) for name in doc["fragments"] if name.endswith(".md")]
        source = work / f"{doc_id}.md"
        source.write_text("\n\n".join(p.read_text() for p in parts))
        sources.append(source)
    env = {**os.environ, "PATH": f"{Path(PY).parent}:{os.environ['PATH']}"}
    common = ["--citeproc", f"--bibliography={ROOT / 'references.bib'}",
              f"--csl={ROOT / 'templates/csl/chicago-notes-bibliography.csl'}", "--resource-path", str(work)]

    def render() -> tuple[float, float]:
        started = time.perf_counter()
        for source in sources:
            subprocess.run([pandoc, str(source), *common, "-o", str(source.with_suffix(".docx"))], check=True, env=env)
            subprocess.run([pandoc, str(source), *common, "--pdf-engine=weasyprint", "-o", str(source.with_suffix(".pdf"))],
                           check=True, env=env, capture_output=True)
        return time.perf_counter() - started, 0.0
    return median_of(runs, render)[0]


def weasyprint_floor(tmp: Path, runs: int) -> tuple[float, float]:
    """WeasyPrint alone rendering our four assembled documents, serially, in one process;
    against our serial PDF build of the same (one process, jobs=1, checks on)."""
    root = fresh_copy(tmp, "floor")
    script = (
        "import sys, time; from pathlib import Path\n"
        "from pressroom.config import load_pack; from pressroom.build import assemble_all\n"
        "from pressroom.diagnostics import Report; from weasyprint import HTML\n"
        "root = Path(sys.argv[1]); pack = load_pack(root)\n"
        "_, docs = assemble_all(pack, {'en'}, Report())\n"
        "start = time.perf_counter()\n"
        "for d in docs.values(): HTML(string=d.html, base_url=str(root / 'templates') + '/').write_pdf(pdf_variant='pdf/ua-1')\n"
        "print(time.perf_counter() - start)\n")
    floor = []
    for _ in range(runs):
        out = subprocess.run([PY, "-c", script, str(root)], capture_output=True, text=True, check=True)
        floor.append(float(out.stdout.strip().splitlines()[-1]))
    ours, _ = median_of(runs, lambda: timed([PY, *BUILD_EN, "--format", "pdf", "--jobs", "1", "--force"], root))
    return statistics.median(floor), ours


def scaling(tmp: Path, runs: int) -> tuple[float, float]:
    """1 locale against 5 (extra locales fall back to English where not translated)."""
    one = median_of(runs, lambda: timed([PY, *BUILD_EN], fresh_copy(tmp, f"one-{time.time_ns()}")))[0]
    five_locales = ["en", "fr", "ar", "de", "es"]
    command = [PY, "-m", "invoke", "build", "--edition", "screen"]
    five = median_of(runs, lambda: timed(command, fresh_copy(tmp, f"five-{time.time_ns()}", five_locales)))[0]
    return one, five


def run(runs: int = 3) -> list[tuple[str, str, str]]:
    """Measure everything; rows of (figure, value, target and verdict)."""
    from linkcheck_bench import run as linkcheck_run

    rows = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cold, memory = cold_build(tmp, runs)
        pandoc = pandoc_anchor(tmp, runs)
        incremental = noop_and_edit(tmp, runs)
        floor, ours_serial = weasyprint_floor(tmp, runs)
        one, five = scaling(tmp, runs)
        links = linkcheck_run()
    rows.append(("cold full build, en, 4 docs PDF+DOCX", f"{cold:.2f} s", _verdict(cold / pandoc, 1.0, "× pandoc")))
    rows.append(("pandoc, same docs, DOCX + PDF (weasyprint, citeproc)", f"{pandoc:.2f} s", "anchor"))
    rows.append(("no-op rebuild", f"{incremental['noop_s']:.2f} s", _verdict(incremental["noop_s"], 0.5, "s")))
    ratio = incremental["edit_s"] / incremental["affected_only_s"]
    rows.append(("one-fragment edit (qa)", f"{incremental['edit_s']:.2f} s", _verdict(ratio, 1.15, "× affected-only")))
    rows.append(("affected document alone (qa, forced)", f"{incremental['affected_only_s']:.2f} s", "anchor"))
    rows.append(("our serial PDF build (jobs=1)", f"{ours_serial:.2f} s",
                 _verdict(ours_serial / floor - 1, 0.10, "overhead over WeasyPrint")))
    rows.append(("WeasyPrint alone, our final HTML", f"{floor:.2f} s", "anchor"))
    rows.append(("peak memory, full build", f"{memory:.0f} MiB", _verdict(memory, 400, "MiB")))
    rows.append(("5 locales vs 1", f"{five:.2f} s vs {one:.2f} s", _verdict(five / one, 3.0, "×")))
    rows.append(("link check, 50 URLs at 200 ms: cold", f"{links['cold_s']:.2f} s", _verdict(links["cold_s"], 2.0, "s")))
    rows.append(("link check, second run from cache", f"{links['cached_s']:.3f} s", _verdict(links["cached_s"], 0.2, "s")))
    return rows


def _verdict(value: float, limit: float, unit: str) -> str:
    return f"{value:.2f} {unit} (target ≤ {limit}) {'OK' if value <= limit else 'MISSED'}"


def main(runs: int = 3) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "measured", "ratio / target", title=f"pressroom bench ({os.cpu_count()} cores, median of {runs})")
    for row in run(runs):
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
