"""Many check-ins at once: from the bulk form of My work, or from a CSV file.

All or nothing: every entry goes through ``services.kpi_record_value`` (the one check-in
service) inside one transaction, and one bad entry rolls back all of them, with the reason on
each entry that failed. The preview of an upload runs exactly the same calls and rolls back, so
what the preview accepts is what confirming stores.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from kernel.validators import parse_id

from . import services
from .forms import CheckInForm
from .models import CheckIn, Kpi

if TYPE_CHECKING:
    import datetime as dt

    from kernel.types import User

MAX_UPLOAD_BYTES = 1_000_000
MAX_ROWS = 1_000
REQUIRED_COLUMNS = ("kpi", "value")
OPTIONAL_COLUMNS = ("date", "comment", "confidence")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_CONFIDENCE: int = CheckIn._meta.get_field("confidence").default


@dataclass
class Entry:
    """One check-in to record: a KPI of the bulk form, or a line of a CSV file."""

    kpi: Kpi | None
    value: Decimal | None = None
    confidence: int = DEFAULT_CONFIDENCE
    comment: str = ""
    recorded_on: dt.date | None = None
    line: int | None = None  # the CSV line, counting the header as line 1
    written: dict[str, str] = field(default_factory=dict)  # the row as written, for the preview
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_ins_record_all(*, entries: Sequence[Entry], by: User, dry_run: bool = False) -> int:
    """Record a check-in for every entry, or for none of them.

    Entries that already carry errors are not tried; any error, found before or raised by the
    service, rolls back the whole batch and stays on its entry. ``dry_run`` rolls back even
    when every entry passes. Returns how many check-ins were stored (0 unless all were).
    """
    stored = 0
    with transaction.atomic():
        for entry in entries:
            if not entry.ok or entry.kpi is None or entry.value is None:
                continue
            try:
                # A savepoint per entry: a refused entry leaves the transaction usable, so
                # every entry's error is found in one pass.
                with transaction.atomic():
                    services.kpi_record_value(
                        kpi=entry.kpi,
                        value=entry.value,
                        confidence=entry.confidence,
                        comment=entry.comment,
                        recorded_on=entry.recorded_on,
                        by=by,
                    )
            except ValidationError as error:
                entry.errors.extend(error.messages)
            else:
                stored += 1
        failed = any(not entry.ok for entry in entries)
        if failed or dry_run:
            transaction.set_rollback(True)
    return 0 if failed or dry_run else stored


def form_errors(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences naming the field: "Value: Enter a number."."""
    lines: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return lines


def entry_from_form(form: CheckInForm, kpi: Kpi | None, line: int | None = None) -> Entry:
    """An entry from a bound check-in form; the form's errors become the entry's."""
    if not form.is_valid():
        return Entry(kpi=kpi, line=line, errors=form_errors(form))
    data = form.cleaned_data
    return Entry(
        kpi=kpi,
        value=data["value"],
        confidence=data["confidence"],
        comment=data.get("comment") or "",
        recorded_on=data.get("recorded_on"),
        line=line,
    )


def _resolve(written: str, kpis: Sequence[Kpi]) -> tuple[Kpi | None, str]:
    """The KPI a CSV row means, by id or exact name among ``kpis``, or why none."""
    written = written.strip()
    if not written:
        return None, "KPI: write the KPI's id or name."
    pk = parse_id(written)  # not str.isdigit(): "²" is a digit that int() refuses
    if pk is not None:
        by_id = next((k for k in kpis if k.pk == pk), None)
        if by_id is not None:
            return by_id, ""
    named = [k for k in kpis if k.name == written]
    active = [k for k in named if k.status == Kpi.Status.ACTIVE]
    named = active or named
    if len(named) == 1:
        return named[0], ""
    if named:
        return None, f"KPI: several of your KPIs are called “{written}”; use its id."
    return None, f"KPI: none of your KPIs has the id or name “{written}”."


def entries_from_csv(*, text: str, kpis: Sequence[Kpi]) -> list[Entry]:
    """One entry per data line of a CSV file with the columns ``kpi`` (id or exact name),
    ``value``, and optionally ``date`` (YYYY-MM-DD), ``comment`` and ``confidence``.

    Raises ``ValidationError`` when the file as a whole is unusable (no header, missing
    columns, no rows, too many rows); a bad line is an entry with errors instead.
    """
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            "The first line must name the columns: kpi, value, and optionally date, comment "
            f"and confidence. Missing: {', '.join(missing)}."
        )
    entries: list[Entry] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(entries) == MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS} rows; split it.")
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        entries.append(_entry_from_row(row, reader.line_num, kpis))
    if not entries:
        raise ValidationError("The file has no rows under its header.")
    return entries


def _entry_from_row(row: dict[str, str], line: int, kpis: Sequence[Kpi]) -> Entry:
    written = {name: row.get(name, "") for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    kpi, kpi_error = _resolve(written["kpi"], kpis)
    errors = [kpi_error] if kpi_error else []
    if written["date"] and not ISO_DATE.match(written["date"]):
        errors.append("Date: write it as YYYY-MM-DD.")
        written_date = ""
    else:
        written_date = written["date"]
    form = CheckInForm(
        data={
            "value": written["value"],
            "confidence": written["confidence"] or str(DEFAULT_CONFIDENCE),
            "comment": written["comment"],
            "recorded_on": written_date,
        }
    )
    entry = entry_from_form(form, kpi, line)
    entry.errors[:0] = errors
    entry.written = written
    return entry


class CheckInUploadForm(forms.Form):
    """A CSV file to preview, or the previewed text to confirm."""

    file = forms.FileField(
        label="CSV file",
        help_text="Columns: kpi (id or name), value, date (YYYY-MM-DD, optional), comment.",
        error_messages={"required": "Choose a CSV file."},
    )
    text = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get("text"):
            self.fields["file"].required = False  # confirming the previewed text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError({"file": "The file is larger than 1 MB; split it."})
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ValidationError(
                    {"file": "The file is not UTF-8 text; save it as “CSV UTF-8”."}
                ) from error
            data["confirm"] = False  # a new file is always previewed first
        return data
