"""Writing rows fast: ``COPY`` batches on PostgreSQL, ``bulk_create`` elsewhere, with a
progress bar per table and ids reserved up front so rows can point at each other before they are
written."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models

if TYPE_CHECKING:
    from missions.generate.generator import Generator

NOT_PROVIDED = models.NOT_PROVIDED


def _escape(text: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _column(field: models.Field[Any, Any]) -> str:
    """A concrete field's column: only the fields that are not concrete have none."""
    assert field.column is not None, f"{field} is not a concrete field"
    return field.column


def _null(_value: None) -> str:
    return "\\N"


def _boolean(value: bool) -> str:
    return "t" if value else "f"


# The COPY text of the commonest types, found by the exact type: the generator renders tens
# of millions of values at 100,000 missions. Others (and subclasses: choices) below.
_AS_TEXT: dict[type, Callable[[Any], str]] = {
    str: _escape,
    int: str,
    float: str,
    Decimal: str,
    dt.date: str,
    dt.datetime: str,
    bool: _boolean,
    type(None): _null,
}


def copy_value(value: Any) -> str:
    convert = _AS_TEXT.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, dict | list):
        return _escape(json.dumps(value))
    return str(value)


class Progress:
    """``missions 40000/100000 [#####.....]`` on stderr; a new line per quarter off a terminal."""

    def __init__(self, stream: Any, label: str, total: int, enabled: bool = True) -> None:
        self.stream, self.label, self.total, self.enabled = stream, label, total, enabled
        self.tty = enabled and stream.isatty()
        self.done, self.shown, self.started = 0, -1, time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        step = 50 if self.tty else 4
        tick = self.done * step // max(self.total, 1)
        if self.enabled and tick != self.shown:
            self.shown = tick
            self._show("\r" if self.tty else "", "" if self.tty else "\n")

    def _show(self, start: str, end: str) -> None:
        filled = min(10, self.done * 10 // max(self.total, 1))
        bar = "#" * filled + "." * (10 - filled)
        line = f"{start}{self.label:<18} {self.done}/{self.total} [{bar}]{end}"
        self.stream.write(line, style_func=str, ending="")
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.started
        if self.tty:
            self._show("\r", f" {elapsed:.1f} s\n")
        return elapsed


class TableWriter:
    """Rows for one table: ``COPY`` batches on PostgreSQL, ``bulk_create`` elsewhere.

    Rows give the ``columns`` (attribute names) in order; every other concrete column gets its
    model default (timestamps: now), so fields added to the models later need no change here.
    """

    def __init__(
        self,
        generator: Generator,
        model: type[models.Model],
        columns: Sequence[str],
        total: int,
        label: str,
    ) -> None:
        self.generator, self.model, self.columns = generator, model, list(columns)
        self.batch_size = generator.batch_size
        self.progress = Progress(generator.progress_stream, label, total, generator.show_progress)
        self.copy = connection.vendor == "postgresql"
        self.rows: list[Any] = []
        self.written = 0
        now = generator.now
        given = set(self.columns)
        tail_columns, tail_values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.db_default is not NOT_PROVIDED or f.primary_key:
                continue  # the database fills it
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            else:
                value = f.get_default()
            tail_columns.append(f)
            tail_values.append(value)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        column_names = [_column(fields[name]) for name in self.columns]
        column_names += [_column(f) for f in tail_columns]
        self.sql = (
            f"COPY {connection.ops.quote_name(model._meta.db_table)} "
            f"({', '.join(connection.ops.quote_name(c) for c in column_names)}) FROM STDIN"
        )
        self.tail = "".join("\t" + copy_value(v) for v in tail_values) + "\n"
        # The same values for bulk_create, so both paths write the same rows.
        self.tail_values = {f.attname: v for f, v in zip(tail_columns, tail_values, strict=True)}

    def add(self, row: Sequence[Any]) -> None:
        """A row of Python values, in ``columns`` order."""
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def add_lines(self, lines: list[str]) -> None:
        """Rows already rendered for COPY (no newline; ``copy`` must be on)."""
        assert self.copy, "rendered lines are for COPY only"
        self.rows.extend(lines)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            buffer = io.StringIO()
            tail = self.tail
            for row in self.rows:
                if isinstance(row, str):
                    buffer.write(row + tail)
                else:
                    buffer.write("\t".join(map(copy_value, row)) + tail)
            buffer.seek(0)
            with connection.cursor() as cursor, connection.wrap_database_errors:
                cursor.copy_expert(self.sql, buffer, 1 << 20)
        else:
            names, defaults = self.columns, self.tail_values
            objs = [
                self.model(**defaults, **dict(zip(names, row, strict=True))) for row in self.rows
            ]
            self.model._default_manager.bulk_create(objs, batch_size=1000)
        self.written += len(self.rows)
        self.progress.add(len(self.rows))
        self.rows = []

    def close(self) -> float:
        self.flush()
        if self.copy:
            # Fresh statistics before the children's COPY: the foreign-key checks plan their
            # look-ups once, and on a table the planner believes empty they may pick the
            # (organisation_id, id) index for "id = $1" and scan all of it for every row.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")
        elapsed = self.progress.finish()
        self.generator.timings.append((self.progress.label, self.written, elapsed))
        return elapsed


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys for ``model``, reserved now so rows can point at each other."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # Inside the transaction (SQLite holds the write lock): continue after the highest id.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {quoted}")
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return list(range(start + 1, start + n + 1))


@contextmanager
def foreign_keys_checked_after_load(*models_: type[models.Model]) -> Iterator[None]:
    """Inside the loader's transaction: the foreign keys of ``models_``' tables dropped while
    the block loads them, then added back exactly as declared, which checks every row at once.

    A foreign key checked row by row costs a look-up and a row lock per row and key (most of
    the time a COPY of millions of check-ins took); added back, PostgreSQL checks each key
    with one join. The tables are locked until the commit already (the loader lifts their
    row-level security), and a failure rolls the drop back with the rest. Rows may then go
    in before the rows they point at. Elsewhere (SQLite) keys are checked at the commit.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Drop foreign keys only inside the loader's transaction.")
    tables = [model._meta.db_table for model in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(%s) ORDER BY t.relname, c.conname",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table in tables:
            added = [
                f"ADD CONSTRAINT {quote(name)} {definition}"
                for owner, name, definition in keys
                if owner == table
            ]
            if added:
                cursor.execute(f"ALTER TABLE {quote(table)} {', '.join(added)}")
