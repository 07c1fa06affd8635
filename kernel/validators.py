"""The bounds of what the product stores, declared once and used by every field that needs them.

Model fields carry these validators; model forms check them on ``full_clean`` and DRF's
``ModelSerializer`` copies them onto its fields, so a form, the API, the admin and a service's
``full_clean()`` refuse the same values with the same message. Hand-written serializer fields
read the bounds from the model field (``max_length``, the validators' attributes) rather than
repeating a number.

- **Dates** of plans (mission periods, deadlines, KPI and key-task due dates, reviews, the
  vision's horizon) lie in ``FIRST_DATE``–``LAST_DATE``: a year typed as 1 or 9999 is a typo,
  and date arithmetic near 9999-12-31 overflows (a review one cadence after such a start).
- **Text**: each text field has a ``max_length``; no text holds control characters, which make
  an email header, an SVG file or a CSV export invalid. Multi-line text keeps tab and line
  breaks (a browser sends a textarea's line breaks as CR LF); a single line keeps neither.
- **Ids** are integers: ``parse_id`` for values read from a URL or a form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.utils import timezone
from django.utils.deconstruct import deconstructible

FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
DATE_RANGE = [
    MinValueValidator(FIRST_DATE, message="Give a date from 1 Jan 2000 on."),
    MaxValueValidator(LAST_DATE, message="Give a date up to 31 Dec 2100."),
]
NOT_BEFORE_FIRST_DATE = DATE_RANGE[:1]

# Characters no stored text holds: C0 controls, DEL, C1 controls, lone surrogates (PostgreSQL
# cannot store them as UTF-8) and U+FFFE/U+FFFF, which XML refuses. Multi-line text keeps tab,
# line feed and carriage return. Written as escapes, so that the API schema states the same
# rule as a ``pattern`` a client can check.
_CONTROL_IN_LINE = r"\x00-\x1f\x7f-\x9f\ufffe\uffff"
_CONTROL_IN_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
# Apart from the patterns: a schema's regular expressions work on Unicode scalar values, where
# a surrogate cannot even be written (the pattern would be refused as invalid).
_SURROGATE = re.compile("[\ud800-\udfff]")
# What XML 1.0 itself refuses (C1 controls and DEL are allowed there).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@deconstructible
class NoControlCharacters(RegexValidator):
    """Text without the characters above. A ``RegexValidator`` whose pattern matches the whole
    of an allowed text, so that drf-spectacular writes it into the schema."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline
        forbidden = _CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE
        super().__init__(
            regex=rf"^[^{forbidden}]*\Z",
            message=(
                "Remove the control characters (invisible characters pasted with the text)."
                if multiline
                else "Write it on one line, without tabs or other invisible characters."
            ),
            code="control_characters",
        )

    def __call__(self, value: Any) -> None:
        super().__call__(value)
        if _SURROGATE.search(str(value)):
            raise ValidationError(self.message, code=self.code)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return ("kernel.validators.NoControlCharacters", (), {"multiline": self.multiline})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


# Multi-line text: tab and line breaks, but no other control character.
validate_text = NoControlCharacters(multiline=True)
# One line of text: no line break, tab or other control character.
validate_line = NoControlCharacters(multiline=False)


def text_bounds(max_length: int) -> dict[str, Any]:
    """The keyword arguments of a multi-line ``TextField`` of at most ``max_length``
    characters. ``max_length`` alone sizes the form's textarea and the API's field; the
    validator makes the model refuse a longer text too (a ``CharField`` adds it itself)."""
    return {"max_length": max_length, "validators": [MaxLengthValidator(max_length), validate_text]}


def validate_not_in_future(value: dt.date) -> None:
    """A date that has happened: today at the latest (in the current time zone)."""
    if value > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="future")


@deconstructible
class DecisionRightsValidator:
    """``{"free": […], "consult": […], "must_not": […]}``: each key optional, each a list of at
    most ``max_items`` lines of at most ``max_length`` characters."""

    keys = ("free", "consult", "must_not")

    def __init__(self, max_items: int, max_length: int) -> None:
        self.max_items = max_items
        self.max_length = max_length

    def __call__(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ValidationError("Decision rights are lists under free, consult and must_not.")
        unknown = sorted(set(value) - set(self.keys))
        if unknown:
            raise ValidationError(
                f"Unknown kind of decision right: {', '.join(map(str, unknown))[:100]}; "
                "use free, consult and must_not."
            )
        for key, lines in value.items():
            if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
                raise ValidationError(f"“{key}” must be a list of lines of text.")
            if len(lines) > self.max_items:
                raise ValidationError(f"“{key}” holds more than {self.max_items} lines.")
            for line in lines:
                if len(line) > self.max_length:
                    raise ValidationError(
                        f"A line of “{key}” is longer than {self.max_length} characters."
                    )
                validate_line(line)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DecisionRightsValidator)
            and other.max_items == self.max_items
            and other.max_length == self.max_length
        )


def xml_safe(text: str) -> str:
    """``text`` with what XML cannot hold replaced by U+FFFD, for SVG written from rows stored
    before these rules (escape it as well)."""
    return _NOT_XML.sub("\ufffd", text)


MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(raw: object) -> int | None:
    """An id from a URL, a form or a JSON body: a positive integer, or None.

    ``str.isdigit()`` is no test for this: it accepts "²" and "٣", which ``int()`` refuses or
    reads as another number; a JSON 1.5 or true is no id either.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_ID else None
