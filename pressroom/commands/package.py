"""The printer's package: one locale's print-edition PDFs, a MANIFEST, and a reproducible zip.

``package(root, pack, "en")`` writes ``output/print/<pack id>-<locale>-<deadline>/`` holding each
document's print PDF as ``<doc>.pdf`` and a ``MANIFEST`` (per file: PDF/X version, output intent,
colour spaces, pages and binding, trim and bleed in mm, font families and fonts, sha256), and ``output/print/<same name>.zip`` beside it. The date in the name is the
pack's consultation deadline (pack.yaml ``deadline``): fixed by the content, so packaging the
same outputs twice gives the same folder and a byte-identical zip (entries are stored in a fixed
order with the deadline as their date). Nothing is packaged when a print PDF is missing, out of
date with its sources, or fails preflight.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

import pikepdf

from pressroom.build.output import build_lock, built_from, destination, read_state
from pressroom.build.plan import build_command, input_hash, plan
from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.inspect.preflight import check_pdf
from pressroom.inspect.preflight.findings import UNITS_PT
from pressroom.inspect.preflight.fonts import font_info, iter_fonts
from pressroom.inspect.preflight.pdfx import font_program, program_identity
from pressroom.model import OUTPUT, TEMPLATES, Pack
from pressroom.pdfobjects import page_boxes, page_resources

PRINT_DIR = OUTPUT / "print"
MANIFEST = "MANIFEST"


def package_name(pack: Pack, locale: str) -> str:
    return f"{pack.id}-{locale}-{pack.deadline.isoformat()}"


def package(root: Path, pack: Pack, locale: str, *, edition: str = "print", check_fresh: bool = True) -> Path:
    """Write the printer's folder and zip for ``locale``; returns the folder (the zip is beside it).

    Raises UsageError for an unknown locale or edition, ContentError (listing every problem)
    when a print PDF is missing or fails preflight, or (``check_fresh``) when it is older than its
    sources by the build's own input hash (output/.state.json) — which covers the engine's code
    too, so any change to pressroom/*.py asks for a rebuild before packaging.
    """

    editions = {e.name: e for e in pack.editions}
    if edition not in editions:
        raise UsageError(f"pack.yaml has no {edition!r} edition: choose from {', '.join(editions)}")
    targets = plan(pack, None, [locale], ["pdf"], [edition])
    out = root / OUTPUT
    report = Report()
    with build_lock(out):  # no build may rewrite the PDFs while they are packaged
        state = read_state(out)
        for target in targets:
            shown = (OUTPUT / target.key).as_posix()
            path = out / target.key
            if not path.is_file():
                report.error(shown, None, f"the {edition} PDF is not built", f"run `{build_command(pack, target)}` first")
                continue
            if check_fresh and built_from(state, target.key) != input_hash(pack, target):
                report.error(shown, None, "out of date: its sources changed after it was built",
                             f"run `{build_command(pack, target)}` first")
            check_pdf(path, editions[edition], report, shown=shown, locale=locale,
                      binding=pack.document(target.doc_id).binding, fonts=root / TEMPLATES / "fonts")
        if report.errors:
            raise ContentError(report)
        name = package_name(pack, locale)
        files = [(f"{t.doc_id}.pdf", (out / t.key).read_bytes()) for t in targets]
        bindings = {f"{t.doc_id}.pdf": pack.document(t.doc_id).binding for t in targets}
        manifest = _manifest(pack, locale, edition, files, bindings).encode()
        folder = root / PRINT_DIR / name
        for written in (folder / MANIFEST, *(folder / n for n, _ in files), folder.parent / f"{name}.zip"):
            destination(written, out)  # nothing is written outside output/, whatever the names say
        _write_folder(folder, files + [(MANIFEST, manifest)])
        _write_zip(folder.parent / f"{name}.zip", name, [(MANIFEST, manifest)] + files, pack.deadline)
    return folder


def describe_pdf(data: bytes) -> dict:
    """What a printer asks of a PDF, for the MANIFEST: pages, trim and bleed (mm, from the first
    page), PDF/X version and output intent, the colour spaces its pages paint in, and its fonts
    (as the PDF names them, embedded or not, and by the family their own name tables give)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        boxes = page_boxes(pdf.pages[0].obj)
        trim, bleed = boxes["TrimBox"], boxes["BleedBox"]
        mm = UNITS_PT["mm"]
        fonts, families, spaces = {}, set(), set()
        for page in pdf.pages:
            for font in iter_fonts(page_resources(page.obj), page.obj.get("/Annots")):
                info = font_info(font)
                fonts[info.name] = fonts.get(info.name, True) and info.embedded
                program = font_program(font)
                identity = program_identity(program) if program else None
                families.add(identity[1] if identity else info.name.split("+")[-1])
            spaces |= colour_spaces(page, page_resources(page.obj))
        return {
            "pages": len(pdf.pages),
            "trim": ((trim[2] - trim[0]) / mm, (trim[3] - trim[1]) / mm),
            "bleed": max(0.0, min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])) / mm,
            "fonts": dict(sorted(fonts.items())),
            "families": sorted(families),
            "pdfx": _pdfx_version(pdf),
            "intent": _output_intent(pdf),
            "colour": sorted(spaces),
        }


def _pdfx_version(pdf: pikepdf.Pdf) -> str:
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        return str(meta.get("pdfxid:GTS_PDFXVersion", "")) or "none (not PDF/X)"
    except Exception:  # a broken XMP packet: said, not fatal
        return "unknown (unreadable XMP)"


def _output_intent(pdf: pikepdf.Pdf) -> str:
    for intent in pdf.Root.get("/OutputIntents") or []:
        identifier = str(intent.get("/OutputConditionIdentifier", ""))
        info = str(intent.get("/Info", ""))
        registry = str(intent.get("/RegistryName", ""))
        return f"{identifier} ({info}{', registry ' + registry if registry else ''})"
    return "none"


def colour_spaces(stream, resources, depth: int = 0) -> set[str]:
    """The colour spaces a content stream (and the forms it draws) paints in, by name."""
    named = {"k": "DeviceCMYK", "K": "DeviceCMYK", "g": "DeviceGray", "G": "DeviceGray", "rg": "DeviceRGB", "RG": "DeviceRGB"}
    found: set[str] = set()
    if depth > 8:
        return found
    for instruction in pikepdf.parse_content_stream(stream):
        op = str(getattr(instruction, "operator", ""))
        operands = getattr(instruction, "operands", [])
        if op in named:
            found.add(named[op])
        elif op in ("cs", "CS") and operands:
            found.add(_space_name(operands[0], resources))
        elif op == "Do" and operands:
            xobject = (resources.get("/XObject") or {}).get(str(operands[0]))
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form:
                found |= colour_spaces(xobject, xobject.get("/Resources", resources), depth + 1)
            elif isinstance(xobject, pikepdf.Stream):
                found.add(_space_name(xobject.get("/ColorSpace", pikepdf.Name("/DeviceGray")), resources))
    return found


def _space_name(space, resources) -> str:
    if isinstance(space, pikepdf.Name) and str(space) in (resources.get("/ColorSpace") or {}):
        space = resources.ColorSpace[str(space)]
    if isinstance(space, pikepdf.Array) and len(space) >= 2:
        kind = str(space[0])[1:]
        if kind == "ICCBased":
            return f"ICCBased ({ {1: 'grey', 3: 'RGB', 4: 'CMYK'}.get(int(space[1].get('/N', 0)), '?') })"
        return f"{kind} {str(space[1])[1:]}" if kind == "Separation" else kind
    return str(space)[1:]


def _manifest(pack: Pack, locale: str, edition: str, files: list[tuple[str, bytes]],
              bindings: dict[str, str]) -> str:
    lines = [f"# {pack.title} — {pack.organisation}",
             f"# pack {pack.id}, locale {locale}, {edition} edition, deadline {pack.deadline.isoformat()}",
             f"# {len(files)} file(s); sizes in millimetres; sha256 of each file as delivered", ""]
    for name, data in files:
        facts = describe_pdf(data)
        fonts = ", ".join(f"{font} ({'embedded' if embedded else 'NOT embedded'})"
                          for font, embedded in facts["fonts"].items())
        lines += [f"file: {name}",
                  f"pdf/x: {facts['pdfx']}",
                  f"output intent: {facts['intent']}",
                  f"colour: {', '.join(facts['colour']) or 'none'}",
                  f"pages: {facts['pages']}",
                  f"binding: {bindings.get(name, 'loose')}",
                  f"trim: {facts['trim'][0]:.1f} x {facts['trim'][1]:.1f} mm",
                  f"bleed: {facts['bleed']:.1f} mm",
                  f"font families: {', '.join(facts['families']) or 'none'}",
                  f"fonts: {fonts or 'none'}",
                  f"sha256: {hashlib.sha256(data).hexdigest()}",
                  ""]
    return "\n".join(lines)


def _write_folder(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Write into a temp folder, then swap it in: the folder is complete or absent.

    The temp folder is ``.<name>.partial-<pid>``, not ``.tmp-``: the build removes stray
    ``.*.tmp-*`` *files* under output/ and would stop at a directory.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stray in folder.parent.glob(f".{folder.name}.partial-*"):  # left by an interrupted run
        shutil.rmtree(stray, ignore_errors=True)
    temp = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    temp.mkdir()
    for name, data in files:
        (temp / name).write_bytes(data)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(temp, folder)


def _write_zip(path: Path, folder: str, files: list[tuple[str, bytes]], date: dt.date) -> None:
    """Entries under ``folder/``, in the given order, all dated ``date`` (≥ 1980) and mode 0644."""
    stamp = (date.year, date.month, date.day, 0, 0, 0) if date.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with zipfile.ZipFile(temp, "w") as archive:
        for name, data in files:
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whatever the machine packaging it
            entry.external_attr = 0o100644 << 16
            archive.writestr(entry, data, compresslevel=9)
    os.replace(temp, path)
