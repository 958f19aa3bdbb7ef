"""One response's answers, as every reader of a filled form gives them: compared loosely with
the form's labels and options, cleaned of line-end differences; and what a reader raises when a
file is not a response."""

from __future__ import annotations

from dataclasses import dataclass

from pressroom.model import heard
from pressroom.read.form import Field

YES = "yes"


@dataclass(frozen=True)
class Response:
    source: str  # file name
    values: dict[str, str]  # field name → value ('' if empty); checkbox → 'yes' or ''
    problems: tuple[str, ...]  # e.g. "required field 'full_name' is empty"


class FormError(ValueError):
    """The file cannot be read as a response: the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def answer_key(text: str) -> str:
    """A label or value, compared loosely: as a reader hears it, required mark dropped, case folded."""
    return heard(text).removesuffix("*").rstrip().casefold()


def choice_value(field: Field, text: str) -> str:
    """A choice answer → the option's value (from its value or its label in any locale)."""
    key = answer_key(text)
    if not key:
        return ""
    for option in field.options:
        if key in (answer_key(option.value), answer_key(option.label)):
            return option.value
    return text


def cleaned(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
