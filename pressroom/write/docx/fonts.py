"""Fonts that travel with the DOCX, embedded as Word embeds them (ECMA-376 Part 1, §17.8.1).

Each face is a font part ``word/fonts/fontN.odttf`` related from ``word/fontTable.xml``: the
TrueType file with its first 32 bytes XORed with a key made from a GUID, that GUID given as
``w:fontKey`` on the ``w:embedRegular``/``w:embedBold``/``w:embedItalic``/``w:embedBoldItalic``
element that names the part. The key is the GUID's 16 bytes as its text reads, last byte first
(the text ``{62E79491-…-6B32631DEA5C}`` gives 0x5C, 0xEA, 0x1D, … 0x62), applied to bytes 0–15
and again to 16–31; LibreOffice reads the hex digits as capitals only.

Faces are subset to a fixed repertoire (Latin-1, Latin Extended-A, general punctuation; Arabic
for Noto Naskh Arabic) plus every other character the document uses. Not to the document's
characters alone: LibreOffice keeps the first copy of an embedded face it meets under a name
for the whole session (measured, 7.4), so a second pack document opened after the first would
be drawn with the first one's subset and fall back to DejaVu for what it lacks. With the fixed
repertoire every document of the pack carries the same bytes for each face.

HarfBuzz (``libharfbuzz-subset.so.0``, as WeasyPrint uses it) subsets a face in about a
millisecond; without it fontTools does, in about 0.3 s a face, with different bytes.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

LATIN = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x180)) | frozenset(range(0x2000, 0x2070)) | {
    0x20AC, 0x2116, 0x2122, 0x2190, 0x2192, 0x2212, 0x25CC}
ARABIC = frozenset(range(0x20, 0x7F)) | frozenset(range(0x600, 0x700)) | frozenset(range(0x200C, 0x2010)) | {
    0xA0, 0xAB, 0xBB, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0xFD3E, 0xFD3F}
BALLOT = frozenset({0x20, 0x2610, 0x2611, 0x2612})
KINDS = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "Bold Italic": "BoldItalic"}
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


@dataclass(frozen=True)
class Face:
    family: str  # as the styles name it ("Noto Serif")
    kind: str  # Regular, Bold, Italic, BoldItalic: the w:embedXxx it goes in
    path: Path


@functools.lru_cache(maxsize=4)
def faces(directory: Path) -> dict[str, dict[str, Face]]:
    """family → kind → face, from the name tables of the fonts in ``directory``."""
    from fontTools.ttLib import TTFont

    found: dict[str, dict[str, Face]] = {}
    for path in sorted(directory.glob("*.ttf")):
        if not re.search(r"-(Regular|Bold|Italic|BoldItalic)\.ttf$", path.name):
            continue  # a cut of its own (NotoSans-FormFields.ttf, for PDF form fields)
        names = TTFont(path, lazy=True)["name"]
        family, kind = names.getDebugName(1), KINDS.get(names.getDebugName(2) or "")
        if family and kind and kind not in found.get(family, {}):
            found.setdefault(family, {})[kind] = Face(family, kind, path)
    return found


def repertoire(family: str) -> frozenset[int]:
    if "Arabic" in family:
        return ARABIC
    if "Symbols" in family:
        return BALLOT
    return LATIN


def font_key(data: bytes) -> str:
    """A GUID derived from the face's bytes (same face, same key: reproducible), in capitals."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """§17.8.1: XOR bytes 0–31 with the GUID's bytes read from its last to its first (twice).
    The same call undoes it."""
    reversed_key = bytes(reversed(uuid.UUID(key.strip("{}")).bytes))
    head = bytes(byte ^ reversed_key[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


@functools.lru_cache(maxsize=64)
def subset(path: Path, codepoints: frozenset[int]) -> bytes:
    """The face cut down to ``codepoints`` (and what shaping them needs: GSUB/GPOS closure)."""
    data = path.read_bytes()
    try:
        return _harfbuzz_subset(data, codepoints)
    except OSError:  # no libharfbuzz-subset here
        return _fonttools_subset(data, codepoints)


def _fonttools_subset(data: bytes, codepoints: frozenset[int]) -> bytes:
    from fontTools import subset as fontsubset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = fontsubset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = fontsubset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _harfbuzz():
    hb, sub = ctypes.CDLL("libharfbuzz.so.0"), ctypes.CDLL("libharfbuzz-subset.so.0")
    pointer, unsigned = ctypes.c_void_p, ctypes.c_uint
    for function, restype, argtypes in (
            (hb.hb_blob_create, pointer, [ctypes.c_char_p, unsigned, ctypes.c_int, pointer, pointer]),
            (hb.hb_face_create, pointer, [pointer, unsigned]),
            (hb.hb_face_reference_blob, pointer, [pointer]),
            (hb.hb_blob_get_data, ctypes.POINTER(ctypes.c_char), [pointer, ctypes.POINTER(unsigned)]),
            (hb.hb_set_add, None, [pointer, ctypes.c_uint32]),
            (hb.hb_blob_destroy, None, [pointer]), (hb.hb_face_destroy, None, [pointer]),
            (sub.hb_subset_input_create_or_fail, pointer, []),
            (sub.hb_subset_input_unicode_set, pointer, [pointer]),
            (sub.hb_subset_input_destroy, None, [pointer]),
            (sub.hb_subset_or_fail, pointer, [pointer, pointer])):
        function.restype, function.argtypes = restype, argtypes
    return hb, sub


def _harfbuzz_subset(data: bytes, codepoints: frozenset[int]) -> bytes:
    hb, sub = _harfbuzz()
    blob = hb.hb_blob_create(data, len(data), 1, None, None)  # HB_MEMORY_MODE_READONLY
    face = hb.hb_face_create(blob, 0)
    request = sub.hb_subset_input_create_or_fail()
    result = None
    try:
        unicodes = sub.hb_subset_input_unicode_set(request)
        for codepoint in sorted(codepoints):
            hb.hb_set_add(unicodes, codepoint)
        result = sub.hb_subset_or_fail(face, request)
        if not result:
            raise OSError("HarfBuzz could not subset the face")
        out_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data_pointer = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
        out = ctypes.string_at(data_pointer, length.value)
        hb.hb_blob_destroy(out_blob)
        return out
    finally:
        if result:
            hb.hb_face_destroy(result)
        sub.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def embedded(directory: Path, families: list[str], used: set[int]) -> list[tuple[Face, bytes, str]]:
    """(face, obfuscated part bytes, font key) for every face of ``families`` found in
    ``directory``, each subset to its repertoire and the document's other characters it has."""
    available = faces(directory)
    out = []
    for family in families:
        for face in available.get(family, {}).values():
            data = subset(face.path, repertoire(family) | _covered(face.path, frozenset(used)))
            key = font_key(data)
            out.append((face, obfuscate(data, key), key))
    return out


def _covered(path: Path, used: frozenset[int]) -> frozenset[int]:
    """The characters of ``used`` outside every fixed repertoire that the face has."""
    return (used - LATIN - ARABIC) & _cmap(path)


def coverage(directory: Path, family: str) -> frozenset[int]:
    """The characters the family's regular face has (empty if the family is not vendored)."""
    face = faces(directory).get(family, {}).get("Regular")
    return _cmap(face.path) if face else frozenset()


@functools.lru_cache(maxsize=16)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())
