"""``invoke bench``: the pipeline against its anchors, measured side by side in one run.

Every figure is the median wall time of several runs of a separate process on a fresh copy of
the project (so caches and imports count as a user sees them); peak memory is the largest sum
of RSS over the build's process tree. Anchors: pandoc (pypandoc-binary) rendering the same
fragments to DOCX and to PDF with WeasyPrint and citeproc; WeasyPrint alone, in a process of
its own, rendering our final HTML (the floor for PDF: see ``weasyprint_floor``).
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
# PDF + DOCX, as the figures say (a plain build also writes the web edition: docs/web.md)
BUILD_EN = ["-m", "invoke", "build", "--locale", "en", "--edition", "screen", "--format", "pdf,docx"]


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


# The floor's timed process: import WeasyPrint, render the prepared HTML files with the options
# our screen edition gives it, write the PDFs. Nothing of ours is imported. "tuned" renders the
# way our build does (pressroom.build): the objects alive after the import frozen out of the
# cyclic collector, and the renders called through a frame with room on CPython's frame stack.
# Both speed WeasyPrint up on its own too, so the tuned floor is the stricter comparison.
FLOOR_SCRIPT = """
import gc, json, sys
from weasyprint import CSS, HTML
job = json.load(open(sys.argv[1]))
styles = [CSS(string=text) for text in job["css"]] + [CSS(filename=name) for name in job["css_files"]]
def render_all(_):
    for item in job["documents"]:
        HTML(filename=item["html"], base_url=job["base_url"], encoding="utf-8").write_pdf(
            item["pdf"], stylesheets=styles, pdf_identifier=item["identifier"].encode(), **job["options"])
if sys.argv[2:] == ["tuned"]:
    gc.freeze()
    def call(function, argument):
        return function(argument)
    code = call.__code__.replace(co_stacksize=call.__code__.co_stacksize + 33_000)
    type(call)(code, globals())(render_all, None)
else:
    render_all(None)
"""


def prepare_floor(root: Path) -> Path:
    """Untimed: our four English documents as WeasyPrint receives them (assembled, sibling links
    made .pdf), written to files, and a job file with the screen edition's CSS and options."""
    import json

    from pressroom.build import assemble_all
    from pressroom.read.pack import load_pack
    from pressroom.diagnostics import Report
    from pressroom.write.pdf.writer import _link_siblings

    pack = load_pack(root)
    edition, first = pack.editions[0], pack.editions[0].name
    _, documents = assemble_all(pack, {"en"}, Report())
    folder = root / "floor"
    folder.mkdir()
    items = []
    for (doc_id, locale), document in sorted(documents.items()):
        html = folder / f"{doc_id}.html"
        html.write_text(_link_siblings(document.html, edition.name, first), encoding="utf-8")
        items.append({"html": str(html), "pdf": str(html.with_suffix(".pdf")),
                      "identifier": f"{doc_id}-{locale}-{edition.name}"})
    page = " ".join(f"{name}: {value};" for name, value in (("bleed", edition.bleed), ("marks", edition.marks)) if value)
    extra = root / "templates" / f"edition-{edition.name}.css"
    job = {"documents": items, "base_url": str(root / "templates") + "/",
           "css": [f"@page {{ {page} }}"] if page else [], "css_files": [str(extra)] if extra.is_file() else [],
           "options": {"pdf_variant": edition.pdf_variant, "pdf_forms": edition.forms, "custom_metadata": True}}
    path = folder / "job.json"
    path.write_text(json.dumps(job))
    return path


def weasyprint_floor(tmp: Path, runs: int) -> dict[str, float]:
    """Both sides are whole processes timed by wall clock on the same fresh copy. Floor: Python
    starts, imports WeasyPrint, renders our four assembled English documents (read from files
    written beforehand, untimed) with the screen edition's base URL, CSS and options, and writes
    the PDFs. Ours: ``invoke build --locale en --edition screen --format pdf --jobs 1 --force``,
    i.e. invoke and our imports, reading and assembling (pandoc citeproc), the checks, the same
    renders plus our PDF finishing (pikepdf, the tagged structure), verifying every PDF, and
    atomic writes. Also timed: the floor tuned as our build renders ("tuned": see FLOOR_SCRIPT)."""
    root = fresh_copy(tmp, "floor")
    job = prepare_floor(root)
    ours_command = [PY, *BUILD_EN, "--format", "pdf", "--jobs", "1", "--force"]
    timed(ours_command, root)  # untimed: the first build writes output/, as the floor's files exist
    commands = {"floor": [PY, "-c", FLOOR_SCRIPT, str(job)], "ours": ours_command,
                "tuned": [PY, "-c", FLOOR_SCRIPT, str(job), "tuned"]}
    # alternated, so that a slow moment of the machine hits every side alike
    rounds = [{name: timed(command, root)[0] for name, command in commands.items()} for _ in range(runs)]
    return {name: statistics.median(r[name] for r in rounds) for name in commands}


def scaling(tmp: Path, runs: int) -> tuple[float, float]:
    """1 locale against 5: fr and ar are partly translated (English fragments where not), de and
    es have nothing of their own, so their documents are the English ones (built once, written twice)."""
    one = median_of(runs, lambda: timed([PY, *BUILD_EN], fresh_copy(tmp, f"one-{time.time_ns()}")))[0]
    five_locales = ["en", "fr", "ar", "de", "es"]
    command = [PY, "-m", "invoke", "build", "--edition", "screen", "--format", "pdf,docx"]
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
        serial = weasyprint_floor(tmp, runs)
        one, five = scaling(tmp, runs)
        links = linkcheck_run()
    rows.append(("cold full build, en, 4 docs PDF+DOCX", f"{cold:.2f} s", _verdict(cold / pandoc, 1.0, "× pandoc")))
    rows.append(("pandoc, same docs, DOCX + PDF (weasyprint, citeproc)", f"{pandoc:.2f} s", "anchor"))
    rows.append(("no-op rebuild", f"{incremental['noop_s']:.2f} s", _verdict(incremental["noop_s"], 0.5, "s")))
    ratio = incremental["edit_s"] / incremental["affected_only_s"]
    rows.append(("one-fragment edit (qa)", f"{incremental['edit_s']:.2f} s", _verdict(ratio, 1.15, "× affected-only")))
    rows.append(("affected document alone (qa, forced)", f"{incremental['affected_only_s']:.2f} s", "anchor"))
    rows.append(("our serial PDF build (jobs=1), whole process", f"{serial['ours']:.2f} s",
                 _verdict(serial["ours"] / serial["floor"] - 1, 0.10, "overhead over WeasyPrint")))
    rows.append(("WeasyPrint alone, our final HTML, whole process", f"{serial['floor']:.2f} s", "anchor"))
    rows.append(("the same, tuned as our build renders", f"{serial['tuned']:.2f} s",
                 f"ours {serial['ours'] / serial['tuned'] - 1:+.0%} over it (information)"))
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
