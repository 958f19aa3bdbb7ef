"""A pack locale → its language tags, writing direction, date format and gettext catalogue (Babel)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import babel
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

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
        return babel.Locale.parse(f"{self.code}_{region}" if region else self.code)

    @property
    def bcp47(self) -> str:
        region = REGIONS.get(self.code)
        return f"{self.code}-{region}" if region else self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.babel.character_order == "right-to-left" else "ltr"

    def date(self, value: dt.date) -> str:
        return format_date(value, DATE_PATTERN, locale=self.babel)

    def translations(self, root: Path) -> NullTranslations:
        """The locale's catalogue compiled in memory from its .po (fuzzy entries left out)."""
        po = root / CATALOGUES / self.code / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            return NullTranslations()
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=self.code)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        return Translations(fp=compiled)


def is_known(code: str) -> bool:
    try:
        babel.Locale.parse(code)
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True
