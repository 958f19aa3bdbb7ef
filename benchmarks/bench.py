"""``invoke bench``: the pipeline against its anchors, whole processes in interleaved rounds.

Every figure is a separate process started as a user starts it, on a fresh copy of the project
(copying is not timed). Each round runs ours, then each anchor, then the next round ours again,
so that a slow moment of this shared machine hits every side alike; a ratio is taken within a
round, and the median of the rounds' ratios is shown with their spread (min–max). CPU is user +
system of the process and of every process it waited for (``os.wait4``); memory is the largest
single process (the kernel's high-water mark of the tree, ``ru_maxrss``) and the largest sum of
the tree's proportional set size (PSS, ``/proc/<pid>/smaps_rollup``, sampled every 0.1 s): forked
workers share pages, which summed RSS would count again for each.

Anchors:
- pandoc + WeasyPrint: pandoc (pypandoc-binary, --citeproc with the pack's .bib and CSL style)
  turns the same English fragments, the response form's fields included (as HTML inputs), into
  each document's DOCX and HTML; one Python process then renders every HTML file with WeasyPrint
  (``pdf_forms``): the same PDF and DOCX count as our default English build.
- pandoc + typst: the same, with pandoc's typst writer and the ``typst`` package (PyPI) compiling
  every .typ file in one process: the fast peer, shown for information (skipped, saying so, when
  ``typst`` is not installed: ``pip install typst``).
- WeasyPrint alone on our final HTML, in a process of its own, with our screen edition's options:
  the floor for our PDF work, against ``invoke build --format pdf --jobs 1 --force``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import copy_project  # noqa: E402

PY = sys.executable
INVOKE = [PY, "-m", "invoke"]
REAL_WORLD_BIB = Path("/work/shared/testdata/real-world.bib")
# 19 languages Babel and pyphen know, for the synthetic locales of the scaling figure
MORE_LOCALES = ("de", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "nb", "cs", "sk", "hu", "ro", "hr", "sl",
                "et", "lv", "lt")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float  # the largest single process
    pss_mib: float  # the largest sum of PSS over the process tree


def measure(command: list[str], cwd: Path) -> Run:
    """Run ``command`` to its end; its wall and CPU time and memory (see the module's docstring)."""
    # as a user's shell runs it: Python caches bytecode (this machine's environment turns that off,
    # which would compile the package from source in every process: ~50 ms of a no-op)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PATH"] = f"{Path(PY).parent}:{os.environ['PATH']}"
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        pss = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_pss, args=(process.pid, pss, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        if process.returncode:
            err.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed in {cwd}: {err.read().decode()[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, pss[0] / 1024)


def _sample_pss(pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.wait(0.1):
        peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(pid)))


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass
    return 0


# --- project copies -------------------------------------------------------------------------------


def fresh_copy(tmp: Path, name: str, locales: list[str] | None = None) -> Path:
    root = copy_project(tmp / name)
    if locales:
        pack = root / "content" / "pack.yaml"
        text = pack.read_text()
        start = text.index("  locales:")
        end = text.index("\n", start)
        pack.write_text(text[:start] + f"  locales: [{', '.join(locales)}]" + text[end:])
    return root


def add_locales(root: Path, codes: tuple[str, ...]) -> list[str]:
    """Locales with content of their own: each a copy of fr (fragments, titles, catalogue) with a
    marker of its own in every fragment, so that each renders its own documents."""
    for code in codes:
        shutil.copytree(root / "content" / "fr", root / "content" / code)
        for fragment in (root / "content" / code).rglob("*.md"):
            fragment.write_text(fragment.read_text(encoding="utf-8") + f"\nÉdition {code}.\n", encoding="utf-8")
        catalogue = root / "templates" / "locales" / "fr"
        if catalogue.is_dir():
            shutil.copytree(catalogue, root / "templates" / "locales" / code)
    pack = root / "content" / "pack.yaml"
    locales = ["en", "fr", "ar", *codes]
    text = pack.read_text()
    start = text.index("  locales:")
    pack.write_text(text[:start] + f"  locales: [{', '.join(locales)}]" + text[text.index(chr(10), start):])
    return locales


def mended_real_world_bib() -> str:
    """shared/testdata/real-world.bib (1,658 entries) with its two faults mended — a duplicate key
    renamed, the undefined @string defined — so that a build with it succeeds; the pack's own
    entries appended, so that its citations resolve."""
    text = REAL_WORLD_BIB.read_text(encoding="utf-8")
    first = text.index("@ARTICLE{Bastounis-crp24,")
    second = text.index("@ARTICLE{Bastounis-crp24,", first + 1)
    text = text[:second] + "@ARTICLE{Bastounis-crp24-again," + text[second + len("@ARTICLE{Bastounis-crp24,"):]
    return "@string{advimmunol = {Advances in Immunology}}\n\n" + text + "\n" + (ROOT / "references.bib").read_text()


# --- anchors ---------------------------------------------------------------------------------------

PANDOC_RENDER = """
import json, subprocess, sys
job = json.load(open(sys.argv[1]))
for doc in job["documents"]:
    subprocess.run([job["pandoc"], doc["md"], *job["common"], "-o", doc["docx"]], check=True)
    subprocess.run([job["pandoc"], doc["md"], *job["common"], *job["to"], "-o", doc["out"]], check=True)
if job["engine"] == "weasyprint":
    from weasyprint import HTML
    for doc in job["documents"]:
        HTML(filename=doc["out"], base_url=job["base"]).write_pdf(doc["pdf"], pdf_forms=True)
else:
    import typst
    for doc in job["documents"]:
        typst.compile(doc["out"], output=doc["pdf"], root=job["base"])
"""


def prepare_pandoc(root: Path, engine: str) -> list[str]:
    """Untimed: each document's English fragments as one Markdown file (the form's fields as HTML
    inputs), and the job for the timed process; returns its command."""
    import pypandoc
    import yaml

    pack = yaml.safe_load((root / "content" / "pack.yaml").read_text())
    work = root / f"pandoc-{engine}"
    work.mkdir()
    documents = []
    for doc_id, doc in pack["documents"].items():
        parts = []
        for name in doc["fragments"]:
            path = root / "content" / "en" / doc_id / name
            parts.append(_form_html(path) if name.endswith(".yaml") else path.read_text(encoding="utf-8"))
        source = work / f"{doc_id}.md"
        source.write_text(f"---\ntitle: {json.dumps(doc['title'])}\n---\n\n" + "\n\n".join(parts), encoding="utf-8")
        out = source.with_suffix(".html" if engine == "weasyprint" else ".typ")
        documents.append({"md": str(source), "docx": str(source.with_suffix(".docx")), "out": str(out),
                          "pdf": str(source.with_suffix(".pdf"))})
    job = {"pandoc": pypandoc.get_pandoc_path(), "engine": engine, "base": str(work) + "/", "documents": documents,
           "common": ["--citeproc", f"--bibliography={root / 'references.bib'}",
                      f"--csl={root / 'templates/csl/chicago-notes-bibliography.csl'}", "--resource-path", str(work)],
           "to": ["--standalone", "--to=html5" if engine == "weasyprint" else "--to=typst"]}
    (work / "job.json").write_text(json.dumps(job))
    return [PY, "-c", PANDOC_RENDER, str(work / "job.json")]


def _form_html(path: Path) -> str:
    """form.yaml's fields as the HTML inputs pandoc passes through: WeasyPrint makes them fields."""
    import yaml

    html = ["<form>"]
    for section in yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]:
        html.append(f"<h2>{section['title']}</h2>")
        for field in section["fields"]:
            name, kind = field["name"], field["type"]
            html.append(f"<p><label for='{name}'>{field['label']}</label></p>")
            if kind == "textarea":
                html.append(f"<textarea id='{name}' name='{name}' rows='{field.get('lines', 4)}'></textarea>")
            elif kind == "choice":
                html += [f"<input type='radio' name='{name}' value='{o['value']}'> {o['label']}" for o in field["options"]]
            elif kind == "checkbox":
                html.append(f"<input type='checkbox' id='{name}' name='{name}' value='yes'>")
            else:
                html.append(f"<input type='text' id='{name}' name='{name}'>")
    return "\n".join(html + ["</form>"])


def typst_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("typst") is not None


# The floor's timed process: import WeasyPrint, render the prepared HTML files with the options
# our screen edition gives it, write the PDFs. Nothing of ours is imported. "tuned" renders as our
# build does (build/render.py): what is alive after the import frozen out of the cyclic collector,
# the renders called through a frame with room on CPython's frame stack (shown for information).
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
    type(call)(call.__code__.replace(co_stacksize=call.__code__.co_stacksize + 33_000), globals())(render_all, None)
else:
    render_all(None)
"""


def prepare_floor(root: Path) -> list[str]:
    """Untimed: our four English documents as WeasyPrint receives them (assembled, sibling links
    made .pdf), written to files, and a job file with the screen edition's CSS and options."""
    from pressroom.build import assemble_all
    from pressroom.diagnostics import Report
    from pressroom.read.pack import load_pack
    from pressroom.write.pdf.writer import _link_siblings

    pack = load_pack(root)
    edition, first = pack.editions[0], pack.editions[0].name
    _, documents = assemble_all(pack, {"en"}, Report())
    folder = root / "floor"
    folder.mkdir()
    items = []
    for (doc_id, locale), document in sorted(documents.items()):
        if doc_id not in pack.documents:  # the web edition's landing page has no PDF
            continue
        html = folder / f"{doc_id}.html"
        html.write_text(_link_siblings(document.html, edition.name, first), encoding="utf-8")
        items.append({"html": str(html), "pdf": str(html.with_suffix(".pdf")),
                      "identifier": f"{doc_id}-{locale}-{edition.name}"})
    page = " ".join(f"{name}: {value};" for name, value in (("bleed", edition.bleed), ("marks", edition.marks)) if value)
    extra = root / "templates" / f"edition-{edition.name}.css"
    job = {"documents": items, "base_url": str(root / "templates") + "/",
           "css": [f"@page {{ {page} }}"] if page else [], "css_files": [str(extra)] if extra.is_file() else [],
           "options": {"pdf_variant": edition.pdf_variant, "pdf_forms": edition.forms, "custom_metadata": True}}
    (folder / "job.json").write_text(json.dumps(job))
    return [PY, "-c", FLOOR_SCRIPT, str(folder / "job.json")]


# --- figures ---------------------------------------------------------------------------------------


@dataclass
class Figure:
    """A figure's runs and, for a ratio, the per-round ratios."""

    name: str
    runs: list[Run]

    def median(self, what: str = "wall") -> float:
        return statistics.median(getattr(r, what) for r in self.runs)

    def spread(self, what: str = "wall") -> tuple[float, float]:
        values = [getattr(r, what) for r in self.runs]
        return min(values), max(values)


def ratios(a: Figure, b: Figure, what: str) -> list[float]:
    return [getattr(x, what) / getattr(y, what) for x, y in zip(a.runs, b.runs)]


def bib_edit_rebuild(tmp: Path) -> tuple[str, str, str]:
    """One .bib entry edited (grover2010, cited only by guidance): how many of the English
    screen-edition files are rebuilt, and how long that takes (before: every file)."""
    from pressroom.build import build

    root = fresh_copy(tmp, "bib-edit")
    first = build(root, locales=["en"], editions=["screen"])
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("{Grover, Anand}", "{Grover, Anand K.}", 1))
    started = time.perf_counter()
    again = build(root, locales=["en"], editions=["screen"])
    seconds = time.perf_counter() - started
    rebuilt = len(again.built)
    return ("one .bib entry edited: files rebuilt (en, screen)", f"{rebuilt} of {len(first.built)} in {seconds:.1f} s",
            f"{', '.join(sorted(t.key for t in again.built))} (only the documents citing it)")


def rounds(commands: dict[str, tuple[list[str], callable]], count: int) -> dict[str, Figure]:
    """``count`` rounds, each running every command once in the order given; a command's callable
    gives the folder it runs in (a fresh copy for a cold build, the same one otherwise)."""
    figures = {name: Figure(name, []) for name in commands}
    for _ in range(count):
        for name, (command, folder) in commands.items():
            figures[name].runs.append(measure(command, folder()))
    return figures


def cold_english(tmp: Path, count: int) -> dict[str, Figure]:
    """Our default English build from an empty output/ against the anchors, and our serial PDF
    build against WeasyPrint alone on the same HTML, in interleaved rounds."""
    anchors = fresh_copy(tmp, "anchors")
    numbered = iter(range(10_000))
    built = fresh_copy(tmp, "serial")
    measure([*INVOKE, "build", "--locale", "en", "--format", "pdf"], built)  # the floor's files exist too
    commands = {
        "ours": ([*INVOKE, "build", "--locale", "en"], lambda: fresh_copy(tmp, f"cold-{next(numbered)}")),
        "pandoc+weasyprint": (prepare_pandoc(anchors, "weasyprint"), lambda: anchors),
    }
    if typst_available():
        commands["pandoc+typst"] = (prepare_pandoc(anchors, "typst"), lambda: anchors)
    commands["ours, PDF only, serial"] = ([*INVOKE, "build", "--locale", "en", "--format", "pdf", "--jobs", "1",
                                          "--force"], lambda: built)
    floor = prepare_floor(built)
    commands["weasyprint alone"] = (floor, lambda: built)
    commands["weasyprint alone, tuned as ours"] = ([*floor, "tuned"], lambda: built)
    return rounds(commands, count)


def whole_pack(tmp: Path, count: int) -> dict[str, Figure]:
    """The whole pack (every locale, the default editions) cold, then rebuilt with nothing changed;
    a one-fragment edit against building the affected document alone."""
    numbered = iter(range(10_000))
    cold = rounds({"whole pack, cold": ([*INVOKE, "build"], lambda: fresh_copy(tmp, f"pack-{next(numbered)}"))}, count)
    root = fresh_copy(tmp, "incremental")
    measure([*INVOKE, "build"], root)
    fragment = root / "content" / "en" / "qa" / "02-the-proposed-policy.md"
    original = fragment.read_text(encoding="utf-8")

    def edited() -> Path:
        fragment.write_text(original + f"\nAn edited paragraph {time.time_ns()}.\n", encoding="utf-8")
        return root
    def up_to_date() -> Path:  # untimed: the English edit of the round before left fr and ar stale
        measure([*INVOKE, "build"], root)
        return root
    figures = rounds({
        "no-op": ([*INVOKE, "build"], up_to_date),
        "one-fragment edit (en qa)": ([*INVOKE, "build", "--locale", "en"], edited),
        "the affected document alone": ([*INVOKE, "build", "--doc", "qa", "--locale", "en", "--force", "--no-check"],
                                        lambda: root),
    }, count)
    return {**cold, **figures}


def large_bibliography(tmp: Path, count: int) -> dict[str, Figure]:
    """The guidance with the real-world .bib (1,658 entries more) against the pack's own: cold,
    and a one-fragment edit, in interleaved rounds."""
    if not REAL_WORLD_BIB.is_file():
        return {}
    big_text = mended_real_world_bib()
    numbered = iter(range(10_000))

    def copy(big: bool) -> Path:
        root = fresh_copy(tmp, f"bib-{next(numbered)}")
        if big:
            (root / "references.bib").write_text(big_text, encoding="utf-8")
        return root
    command = [*INVOKE, "build", "--doc", "guidance", "--locale", "en"]
    cold = rounds({"guidance, own .bib, cold": (command, lambda: copy(False)),
                   "guidance, real-world .bib, cold": (command, lambda: copy(True))}, count)
    roots = {big: copy(big) for big in (False, True)}
    for root in roots.values():
        measure(command, root)

    def edited(big: bool) -> Path:
        fragment = roots[big] / "content" / "en" / "guidance" / "02-questions.md"
        fragment.write_text(fragment.read_text(encoding="utf-8") + f"\nEdited {time.time_ns()}.\n", encoding="utf-8")
        return roots[big]
    edit = rounds({"guidance, own .bib, one edit": (command, lambda: edited(False)),
                   "guidance, real-world .bib, one edit": (command, lambda: edited(True))}, count)
    return {**cold, **edit}


def locale_scaling(tmp: Path, count: int) -> dict[str, Figure]:
    """1 locale against 20 with content of their own (en, fr, ar and 17 copies of fr, each marked),
    cold with the default editions; and a no-op at 20."""
    many = fresh_copy(tmp, "many-template")
    locales = add_locales(many, MORE_LOCALES[:17])
    numbered = iter(range(10_000))

    def copy_many() -> Path:
        target = tmp / f"many-{next(numbered)}"
        shutil.copytree(many, target, ignore=shutil.ignore_patterns("output"))
        return target
    figures = rounds({"1 locale (en), cold": ([*INVOKE, "build"], lambda: fresh_copy(tmp, f"one-{next(numbered)}", ["en"])),
                      f"{len(locales)} locales, cold": ([*INVOKE, "build"], copy_many)}, count)
    built = copy_many()
    measure([*INVOKE, "build"], built)
    figures.update(rounds({f"{len(locales)} locales, no-op": ([*INVOKE, "build"], lambda: built)}, max(count, 3)))
    return figures


# --- the table ---------------------------------------------------------------------------------------


def _median_spread(values: list[float], unit: str = "×", digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f}{unit} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def _seconds(figure: Figure) -> str:
    low, high = figure.spread("wall")
    return (f"{figure.median('wall'):.2f} s wall [{low:.2f}–{high:.2f}], {figure.median('cpu'):.2f} s CPU")


def _verdict(value: float, limit: float) -> str:
    return f"≤ {limit:g}: {'OK' if value <= limit else 'MISSED'}"


def table(figures: dict[str, Figure], links: dict[str, float]) -> list[tuple[str, str, str]]:
    """Rows of (figure, measured, target and verdict)."""
    f = figures
    rows = []
    ours, pandoc = f["ours"], f["pandoc+weasyprint"]
    cpu = ratios(ours, pandoc, "cpu")
    rows.append(("cold default English build (4 screen PDFs + 4 DOCX) ÷ pandoc + WeasyPrint, CPU",
                 _median_spread(cpu), _verdict(statistics.median(cpu), 0.7)))
    rows.append(("the same, wall", _median_spread(ratios(ours, pandoc, "wall")), "information"))
    rows.append(("  ours", _seconds(ours), ""))
    rows.append(("  pandoc + WeasyPrint, same PDF and DOCX count", _seconds(pandoc), "anchor"))
    bound = ratios(f["weasyprint alone"], pandoc, "cpu")
    rows.append(("  WeasyPrint alone on our 4 documents' HTML ÷ pandoc + WeasyPrint, CPU", _median_spread(bound),
                 "the floor of the ratio above: none of our code runs"))
    if "pandoc+typst" in f:
        rows.append(("  pandoc + typst (the fast peer)", _seconds(f["pandoc+typst"]),
                     f"ours ÷ it: {_median_spread(ratios(ours, f['pandoc+typst'], 'cpu'))} CPU"))
    else:
        rows.append(("  pandoc + typst", "skipped: `pip install typst` to show it", ""))
    serial, floor = f["ours, PDF only, serial"], f["weasyprint alone"]
    over = [r - 1 for r in ratios(serial, floor, "cpu")]
    rows.append(("our serial PDF build over WeasyPrint alone on our HTML, CPU", _median_spread(over, "", 3),
                 _verdict(statistics.median(over), 0.05)))
    rows.append(("  the same, wall", _median_spread([r - 1 for r in ratios(serial, floor, "wall")], "", 3), "information"))
    rows.append(("  ours, PDF only, --jobs 1", _seconds(serial), ""))
    rows.append(("  WeasyPrint alone, 4 PDFs, one process", _seconds(floor), "floor"))
    tuned = [r - 1 for r in ratios(serial, f["weasyprint alone, tuned as ours"], "cpu")]
    rows.append(("  over WeasyPrint alone tuned as our build renders, CPU", _median_spread(tuned, "", 3), "information"))
    rows.append(("whole pack (3 locales), cold", _seconds(f["whole pack, cold"]), "information"))
    noop = f["no-op"].median("wall")
    rows.append(("no-op, whole pack", _seconds(f["no-op"]), _verdict(noop, 0.3)))
    edit = ratios(f["one-fragment edit (en qa)"], f["the affected document alone"], "wall")
    rows.append(("one-fragment edit, English (every document assembled and checked) ÷ rendering that document "
                 "alone", _median_spread(edit), _verdict(statistics.median(edit), 1.15)))
    if "guidance, real-world .bib, cold" in f:
        cold = ratios(f["guidance, real-world .bib, cold"], f["guidance, own .bib, cold"], "wall")
        rows.append(("guidance with real-world.bib (1,658 entries more) ÷ own .bib, cold", _median_spread(cold),
                     _verdict(statistics.median(cold), 1.2)))
        one = ratios(f["guidance, real-world .bib, one edit"], f["guidance, own .bib, one edit"], "wall")
        rows.append(("  the same, one-fragment edit", _median_spread(one), _verdict(statistics.median(one), 1.1)))
        rows.append(("  real-world .bib, cold / edit", f"{_seconds(f['guidance, real-world .bib, cold'])} / "
                     f"{_seconds(f['guidance, real-world .bib, one edit'])}", ""))
    many = next(name for name in f if name.endswith("locales, cold") and not name.startswith("1 "))
    scale = ratios(f[many], f["1 locale (en), cold"], "wall")
    rows.append((f"{many.split(',')[0]} ÷ 1 locale, cold", _median_spread(scale), _verdict(statistics.median(scale), 21)))
    rows.append((f"  {many}", _seconds(f[many]), ""))
    many_noop = f[many.replace("cold", "no-op")]
    rows.append((f"no-op, {many.split(',')[0]}", _seconds(many_noop), _verdict(many_noop.median("wall"), 0.6)))
    whole = f["whole pack, cold"].runs
    peak = max(r.peak_mib for r in whole)
    rows.append(("memory, whole pack cold: largest process / whole tree's PSS",
                 f"{peak:.0f} MiB / {max(r.pss_mib for r in whole):.0f} MiB", _verdict(peak, 400)))
    rows.append(("link check, 50 URLs at 200 ms: cold / from the cache", f"{links['cold_s']:.2f} s / {links['cached_s']:.3f} s",
                 f"≤ 2 / ≤ 0.2: {'OK' if links['cold_s'] <= 2 and links['cached_s'] <= 0.2 else 'MISSED'}"))
    return rows


def run(count: int = 5) -> list[tuple[str, str, str]]:
    from linkcheck_bench import run as linkcheck_run

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        figures = {**cold_english(tmp, count), **whole_pack(tmp, count), **large_bibliography(tmp, count),
                   **locale_scaling(tmp, max(2, count // 2))}
        links = linkcheck_run()
        bib_row = bib_edit_rebuild(tmp)
    return [*table(figures, links), bib_row]


def main(count: int = 5, markdown: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = run(count)
    title = (f"pressroom bench, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores: median [min–max] of "
             f"{count} interleaved rounds")
    if markdown:
        print(f"{title}\n\n| figure | measured | target |\n|---|---|---|")
        for row in rows:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        return
    view = Table("figure", "measured", "target", title=title)
    for row in rows:
        view.add_row(*row)
    Console().print(view)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, "--markdown" in sys.argv)
