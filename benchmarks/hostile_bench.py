"""Pathological fragments, timed: ``invoke bench --hostile`` (or ``python benchmarks/hostile_bench.py``).

Each shape is a fragment of about 1 MiB (under the 2 MiB limit) that once made a regex or a
parser backtrack: a heading followed by spaces, an unclosed citation bracket full of @keys,
unclosed note calls, brackets, emphasis, links, tables… Each replaces a fragment of the Q&A in
a copy of the project; the engine reads, parses, assembles and checks the document (what every
build does before any writer), and the time is printed with its ratio to a normal fragment of the
same size — the pack's own English fragments repeated to 1 MiB (plain prose with one link a
paragraph, far lighter, is printed too). A refusal (nesting too deep, too many notes) counts: it must come as fast. The
claim: the worst shape within 10× of the normal one. ``--render`` adds the Word writer.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SIZE = 1024 * 1024
FRAGMENT = "content/en/qa/03-violence-and-numbers.md"


def _repeat(unit: str, size: int = SIZE) -> str:
    return unit * (size // len(unit))


def _fill(head: str) -> str:
    """``head``, then plain prose (one long paragraph: no mark, one line) up to 1 MiB."""
    return head + _repeat("Sex workers face violence, and the law often fails them. ", SIZE - len(head)) + "\n"


def _pack_content() -> str:
    """The pack's own English fragments (front matter dropped), repeated to 1 MiB; each copy's
    note labels and heading ids renamed, so that the copies do not collide: a normal fragment."""
    import re

    bodies = []
    for path in sorted((ROOT / "content" / "en").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
    unit, copies, number = "\n\n".join(bodies), [], 0
    while sum(map(len, copies)) < SIZE:
        number += 1
        copy = re.sub(r"\[\^([^\]\s]+)\]", rf"[^\1-{number}]", unit)
        copies.append(re.sub(r"\{#([\w-]+)", rf"{{#\1-{number}", copy))
    return "".join(copies)[:SIZE]


SHAPES = {
    "the pack's own fragments": _pack_content,
    "normal prose": lambda: _repeat("Sex workers face violence, and the law often fails them, as the research "
                                    "shows in [the summary](https://www.amnesty.org/).\n\n"),
    "heading + spaces": lambda: "## A heading" + " " * SIZE + "\n",
    "heading + spaces + {": lambda: "## A heading {" + " " * SIZE + "\n",
    "heading {#id .c .c …": lambda: "## H {#a" + _repeat(" .c") + "\n",
    "unclosed [ @x @x …": lambda: "[ " + _repeat("@x "),
    "closed [see @x @x …]": lambda: "[see " + _repeat("@x ", SIZE // 64) + "]\n\n" * 1 + _repeat("[see @x] text.\n\n"),
    "unclosed [^a[^a …": lambda: _repeat("[^a"),
    "[[[[ …": lambda: "[" * SIZE,
    "]]]] …": lambda: "]" * SIZE,
    "*a*a*a …": lambda: _repeat("*a"),
    "_a _a _a …": lambda: _repeat("_a "),
    "`a`a`a …": lambda: _repeat("`a"),
    "[a]( [a]( …": lambda: _repeat("[a]("),
    "<<<< …": lambda: "<" * SIZE,
    "&&&& …": lambda: "&" * SIZE,
    "@@@@ …": lambda: "@" * SIZE,
    "@x:x:x:x …": lambda: "@" + _repeat("x:"),
    "> > > > … (deep quotes)": lambda: _repeat("> ") + "x\n",
    "nested lists": lambda: "".join("  " * (i % 40) + "- x\n" for i in range(SIZE // 44)),
    "note definitions": lambda: _repeat("[^a]: x\n"),
    "table rows": lambda: "|a|b|\n|-|-|\n" + _repeat("|x|y|\n"),
    "::: lead ::: lead …": lambda: _repeat("::: lead\n"),
    "one long line": lambda: "x" * SIZE + "\n",
    "blank lines": lambda: "x\n" + "\n" * SIZE,
    "spaces then text": lambda: "x" + " " * SIZE + "y\n",
    "many short notes": lambda: _repeat("Word.[^n]\n\n") + "[^n]: A note.\n",
    # more shapes: what the parser, the checks or the structure pass each do per element
    "many links": lambda: _repeat("See [the summary](https://www.amnesty.org/a). "),
    "|||| … (one table row)": lambda: "|a|b|\n|-|-|\n" + "|" * (SIZE - 12) + "\n",
    "same heading again": lambda: _repeat("## Same\n\nText.\n\n"),
    "headings with ids": lambda: "".join(f"## H {{#h{i}}}\n\n" for i in range(SIZE // 14)),
    "flat list": lambda: _repeat("- x\n"),
    "thematic breaks": lambda: _repeat("---\n\n"),
    "hard breaks": lambda: _repeat("x  \n"),
    "backslashes": lambda: "\\" * SIZE,
    "entities &amp; …": lambda: _repeat("&amp; "),
    "combining accents": lambda: _repeat("a\u0301"),
    "e-mail addresses": lambda: _repeat("a@b.org "),
    "indented code": lambda: "x\n\n" + _repeat("    code\n"),
    "fences": lambda: _repeat("```\nx\n```\n"),
    "<a@b> autolinks": lambda: _repeat("<a@b.org> "),
    "one long URL": lambda: "[a](https://www.amnesty.org/" + "x" * (SIZE - 40) + ")\n",
    "one long link text": lambda: "[a@" + "." * (SIZE - 40) + "](https://www.amnesty.org/)\n",
    "one long word with @": lambda: "x" * (SIZE // 2) + "@" + "x" * (SIZE // 2) + "\n",
    # just under the limits on marks and lines (read.markdown), the rest plain prose: the dearest
    # input that is not refused
    "20,000 '[' then prose": lambda: _fill("[" * 19_990 + "\n\n"),
    "20,000 '*a' then prose": lambda: _fill("*a" * 19_990 + "\n\n"),
    "20,000 table cells then prose": lambda: _fill("|a|b|\n|-|-|\n" + "|x|y|\n" * 6_600 + "\n"),
    "20,000 list items then prose": lambda: _fill("- x\n" * 19_990 + "\n"),
    "10,000 same headings then prose": lambda: _fill("## Same\n\nText.\n\n" * 9_990),
}


def run_one(root: Path, text: str, render: bool) -> tuple[float, int]:
    from pressroom import checks
    from pressroom.build import assemble_all
    from pressroom.diagnostics import Report
    from pressroom.read.pack import load_pack

    (root / FRAGMENT).write_text(text, encoding="utf-8")
    pack = load_pack(root)
    pack = type(pack)(**{**pack.__dict__, "documents": {"qa": pack.documents["qa"]}})
    report = Report()
    started = time.perf_counter()
    bib, documents = assemble_all(pack, {"en"}, report)
    checks.run(pack, documents, report, bibliography=bib)
    if render and documents.get(("qa", "en")) is not None:
        from pressroom.write.docx.writer import write_docx
        write_docx(documents[("qa", "en")], root)
    return time.perf_counter() - started, len(report.errors)


def main(render: bool = False, only: list[str] | None = None) -> float:
    from conftest import copy_project

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "pack")
        run_one(root, "Warm up.\n", render)  # imports, pandoc's first start
        baseline = None
        worst = 0.0
        print(f"{'shape':28s} {'bytes':>9s} {'seconds':>8s} {'× normal':>9s} errors")
        for name, make in SHAPES.items():
            if only and name not in only and name != "the pack's own fragments":
                continue
            text = make()
            seconds, errors = run_one(root, text, render)
            baseline = baseline or seconds
            ratio = seconds / baseline
            worst = max(worst, ratio)
            print(f"{name:28s} {len(text.encode()):9d} {seconds:8.2f} {ratio:9.1f} {errors}", flush=True)
        print(f"worst: {worst:.1f}× a normal fragment of the same size (the claim: within 10×)")
        shutil.rmtree(root, ignore_errors=True)
    return worst


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="also write the DOCX")
    parser.add_argument("shapes", nargs="*", help="only these shapes (by name)")
    arguments = parser.parse_args()
    main(arguments.render, arguments.shapes or None)
