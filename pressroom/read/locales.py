"""A pack locale → its language tags, writing direction, date format and gettext catalogue (Babel)."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import babel  # Babel's dates, catalogues and translations load when used: a no-op build needs none

from pressroom.diagnostics import Diagnostic, Report, with_suggestion
from pressroom.model import invisible, link_problem
from pressroom.read.files import OUTSIDE_HINT, inside

CATALOGUES = Path("templates") / "locales"
# The region each content language is written for (the pack's English is British).
REGIONS = {"en": "GB", "fr": "FR"}
DATE_PATTERN = "EEEE d MMMM y"  # "Friday 21 March 2014", "vendredi 21 mars 2014"


@dataclass(frozen=True)
class Locale:
    code: str  # as in pack.yaml and content/<code>/

    @property
    def babel(self) -> babel.Locale:
        region = REGIONS.get(self.code)
        return babel.Locale.parse(f"{self.code}_{region}" if region else self.code.replace("-", "_"))

    @property
    def bcp47(self) -> str:
        region = REGIONS.get(self.code)
        return f"{self.code}-{region}" if region else self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.babel.character_order == "right-to-left" else "ltr"

    def date(self, value: dt.date) -> str:
        from babel.dates import format_date

        return format_date(value, DATE_PATTERN, locale=self.babel)

    def translations(self, root: Path):
        """The locale's catalogue compiled in memory from its .po (fuzzy entries left out): a
        babel.support.Translations, or NullTranslations without one."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        from babel.support import NullTranslations, Translations

        po = root / CATALOGUES / self.code / "LC_MESSAGES" / "messages.po"
        if not po.is_file() or not inside(root, po):  # a catalogue linked out of the project: catalogue_problems
            return NullTranslations()
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=self.code)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        return Translations(fp=compiled)


# BCP 47 as a folder name may hold it: a language, then subtags (region, script), by '-'.
LOCALE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}\Z")


def is_known(code: str) -> bool:
    if not LOCALE_CODE.match(code or ""):
        return False
    try:
        babel.Locale.parse(code, sep="-")
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return False
    return True


def locale_problem(code: str) -> str | None:
    """Why ``code`` cannot be a locale of the pack (it names folders: content/<code>/), or None."""
    if not LOCALE_CODE.match(code or ""):
        return f"unknown locale {code!r}: not a BCP 47 language code (letters, digits and '-' only)"
    return None if is_known(code) else f"unknown locale {code!r}"


# What a msgstr must keep of its msgid: %(name)s and {name} placeholders.
# A conversion with a width or a precision ('%9s', '%(x).5s', '%*s'): no template string needs one,
# and '%999999999s' would make a string of a gigabyte.
PADDED = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:[1-9*]|\.[0-9*])")
PLACEHOLDER = re.compile(r"%\((\w{1,40})\)[sdifr]|\{(\w{1,40})\}")
# What in a msgstr would be taken for an address: a scheme and what follows it.
URL_LIKE = re.compile(r"\b([a-z][a-z0-9+.-]{1,20}:(?://)?[^\s<>\"']{0,2000})", re.IGNORECASE)
URL_SCHEMES = ("http", "https", "mailto", "javascript", "file", "data", "ftp", "vbscript", "doc", "tel", "sms")


def catalogue_problems(root: Path, code: str) -> list[Diagnostic]:
    """What is wrong with a locale's .po, each at its msgstr line: a placeholder of the msgid
    lost or added, an address the link allow-list refuses, an invisible control character."""
    po = root / CATALOGUES / code / "LC_MESSAGES" / "messages.po"
    shown = po.relative_to(root).as_posix()
    report = Report()
    if not po.is_file():
        return []
    if not inside(root, po):
        report.error(shown, None, "the catalogue is a link that leads outside the project", OUTSIDE_HINT)
        return report.items
    from babel.messages.pofile import read_po

    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=code.replace("-", "_"))
    lines = po.read_bytes().decode("utf-8", errors="replace").splitlines()
    known = template_strings(root)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        if known is not None and ids[0] not in known:
            report.warning(shown, message.lineno, f"msgid {ids[0]!r} is no template string: its translation is "
                           "never used", with_suggestion("correct the msgid to a template's words as "
                                                         "templates/locales/messages.pot has them (a template "
                                                         "changed: invoke i18n.extract, then invoke i18n.update)",
                                                         repr(ids[0]), [repr(k) for k in known]))
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        line = _msgstr_line(lines, message.lineno)
        wanted = sorted(_placeholders(ids[0]))
        for text in (s for s in strings if s):
            problem = _msgstr_problem(text, wanted)
            if problem:
                report.error(shown, line, f"msgstr for {ids[0]!r} {problem}",
                             "translate the words only: keep every {name} and %(name)s of the msgid, no addresses")
    return report.items


def template_strings(root: Path) -> set[str] | None:
    """The msgids of templates/locales/messages.pot (what the templates ask gettext for), or None
    when the pack has no such file."""
    from babel.messages.pofile import read_po

    pot = root / CATALOGUES / "messages.pot"
    if not pot.is_file() or not inside(root, pot):
        return None
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def _msgstr_problem(text: str, wanted: list[str]) -> str | None:
    padded = PADDED.search(text)
    if padded:
        return f"has a formatting width or precision {padded.group()!r}…, which no template string needs"
    found = sorted(_placeholders(text))
    if found != wanted:
        return f"has placeholders {found or 'none'} where the msgid has {wanted or 'none'}"
    return words_problem(text)


def words_problem(text: str) -> str | None:
    """Why a translated string (a msgstr, a title of titles.yaml) is not words only: an invisible
    character, or an address no link may have."""
    hidden = invisible(text)
    if hidden:
        return f"holds the invisible character {hidden}"
    for match in URL_LIKE.finditer(text):
        scheme = match.group(1).split(":", 1)[0].lower()
        if scheme in URL_SCHEMES:
            if link_problem(match.group(1)):
                return f"holds the address {match.group(1)!r}, which no link may have"
    return None


def _msgstr_line(lines: list[str], msgid_line: int | None) -> int | None:
    """The line of the msgstr after the msgid at ``msgid_line`` (Babel gives the msgid's)."""
    if not msgid_line:
        return None
    for number in range(msgid_line - 1, min(len(lines), msgid_line + 200)):
        if lines[number].startswith("msgstr"):
            return number + 1
    return msgid_line
