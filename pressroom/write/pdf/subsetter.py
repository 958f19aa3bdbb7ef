"""This machine's native libraries → which font subsetter WeasyPrint will use (known without
importing it), and WeasyPrint imported without its slow library search.

WeasyPrint 70 subsets every font it embeds: with HarfBuzz's subsetter when it can load
``libharfbuzz-subset`` and HarfBuzz is 4.1.0 or later (``weasyprint/pdf/fonts.py``,
``Font.subset``; the library is loaded with ``allow_fail=True`` in ``weasyprint/text/ffi.py``),
else with fontTools, its slow fallback: fontTools parses the Noto fonts' layout tables again for
every subset (measured here: a PDF build took 1.73× the CPU), and the bytes it writes differ. So
which one runs is an input of every PDF, and a machine without the library is told how to get it.
"""

from __future__ import annotations

import ctypes
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

HARFBUZZ, FONTTOOLS = "harfbuzz", "fonttools"
# the names weasyprint/text/ffi.py tries, in its order
SUBSET_LIBRARY = ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0", "libharfbuzz-subset.so.0",
                  "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")
HARFBUZZ_LIBRARY = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
                    "libharfbuzz-0.dll")
NOTICE = ("note: PDF fonts are subset with fontTools, WeasyPrint's slow fallback, because HarfBuzz's subset "
          "library is not installed — `sudo apt-get install libharfbuzz-subset0` makes PDF builds about 1.7× "
          "faster and their bytes the same as on machines set up as the README says")
FALLBACK_WARNING = "Using fontTools instead of HarfBuzz-Subset"  # WeasyPrint's, once per font: NOTICE says it once


def _load(names: tuple[str, ...]):
    """A library by the first of ``names`` that loads, as cffi's ``dlopen`` finds one (the name
    as given, else through ``ctypes.util.find_library``); None when none does."""
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    from ctypes import util  # slower (it runs ldconfig, gcc, ld): only on a machine without the library

    for name in names:
        path = util.find_library(name)
        if path:
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    return None


@lru_cache(maxsize=1)
def font_subsetter() -> str:
    """HARFBUZZ or FONTTOOLS: the subsetter WeasyPrint will use here, decided as it decides."""
    if _load(SUBSET_LIBRARY) is None:
        return FONTTOOLS
    harfbuzz = _load(HARFBUZZ_LIBRARY)
    if harfbuzz is None:
        return FONTTOOLS
    harfbuzz.hb_version_atleast.restype = ctypes.c_int
    harfbuzz.hb_version_atleast.argtypes = (ctypes.c_uint, ctypes.c_uint, ctypes.c_uint)
    return HARFBUZZ if harfbuzz.hb_version_atleast(4, 1, 0) else FONTTOOLS


def weasyprint_subsetter() -> str:
    """The subsetter WeasyPrint has chosen, by its own test in ``Font.subset`` (imports it)."""
    from weasyprint.pdf import fonts

    return HARFBUZZ if fonts.harfbuzz_subset and fonts.harfbuzz.hb_version_atleast(4, 1, 0) else FONTTOOLS


@contextmanager
def quick_library_lookup() -> Iterator[None]:
    """While WeasyPrint is imported: ``ctypes.util.find_library`` answered from one reading of the
    dynamic linker's cache. WeasyPrint tries several names per library, the first ones for other
    systems; each miss costs ``find_library`` an ldconfig, a gcc and an ld process (22 lookups:
    0.17 s of CPU, 0.3 s here of a build's start). The answers are the ones ldconfig gives
    ``find_library`` first; with LD_LIBRARY_PATH set, or no ldconfig, nothing is changed."""
    from ctypes import util

    cache = _linker_cache() if "LD_LIBRARY_PATH" not in os.environ else ""
    if not cache:
        yield
        return
    original = util.find_library
    util.find_library = lambda name: _in_linker_cache(cache, name)
    try:
        yield
    finally:
        util.find_library = original


def _linker_cache() -> str:
    import subprocess

    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=False,
                              env={"LC_ALL": "C", "LANG": "C"}).stdout
    except OSError:
        return ""


def _in_linker_cache(cache: str, name: str) -> str | None:
    """As CPython's ``ctypes.util._findSoname_ldconfig`` reads ``ldconfig -p`` (this machine's ABI)."""
    import struct

    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}", cache)
    return found.group(1) if found else None
