"""A pack locale → its language tags, writing direction, date format and gettext catalogue (Babel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import babel
from babel.dates import format_date
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
        return Translations.load(str(root / CATALOGUES), [self.code])


def is_known(code: str) -> bool:
    try:
        babel.Locale.parse(code)
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True
