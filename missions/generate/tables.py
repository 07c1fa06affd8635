"""Writing rows fast: ``COPY`` batches on PostgreSQL (sent by a thread while the next batch is
rendered), ``bulk_create`` elsewhere, with a progress bar per table and ids reserved up front so
rows can point at each other before they are written; foreign keys and most indexes dropped for
the load and restored after it."""

from __future__ import annotations

import datetime as dt
import io
import json
import queue
import threading
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
    return _other_as_text(value)


def _other_as_text(value: Any) -> str:
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


def copy_line(row: Sequence[Any]) -> str:
    """A row in COPY's text format, without its newline. ``copy_value`` of each value, with
    the commonest case inline: a string with nothing to escape is itself."""
    as_text = _AS_TEXT.get
    return "\t".join(
        [
            value
            if type(value) is str and value.isprintable() and "\\" not in value
            else as_text(type(value), _other_as_text)(value)
            for value in row
        ]
    )


class _Sender:
    """COPY batches sent by a thread of their own: psycopg2 lets go of the GIL while the
    server reads a batch, so this process renders the next one meanwhile (the server's work
    and the generator's overlap instead of taking turns). One batch waits at most."""

    def __init__(self, sql: str) -> None:
        connection.ensure_connection()
        self.sql = sql
        self.raw = connection.connection  # psycopg2's connections may be shared by threads
        self.batches: queue.Queue[io.StringIO | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._send, name="copy", daemon=True)
        self.thread.start()

    def _send(self) -> None:
        with self.raw.cursor() as cursor:
            while (buffer := self.batches.get()) is not None:
                try:
                    cursor.copy_expert(self.sql, buffer, 1 << 20)
                except BaseException as error:  # raised in the generator's thread
                    self.error = error
                    return

    def send(self, buffer: io.StringIO) -> None:
        self._raise()
        self._put(buffer)

    def finish(self) -> None:
        """Once every batch sent is in the table."""
        self._put(None)
        self.thread.join()
        self._raise()

    def _put(self, item: io.StringIO | None) -> None:
        while self.thread.is_alive():
            try:
                self.batches.put(item, timeout=0.1)
                return
            except queue.Full:
                pass
        self._raise()  # the thread stopped on a failure

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            with connection.wrap_database_errors:
                raise error


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
        self.sender: _Sender | None = None
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
            lines = [row if isinstance(row, str) else copy_line(row) for row in self.rows]
            if self.sender is None:
                self.sender = _Sender(self.sql)
            self.sender.send(io.StringIO(self.tail.join(lines) + self.tail))
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
        if self.sender is not None:
            self.sender.finish()
        elapsed = self.progress.finish()
        self.generator.timings.append((self.progress.label, self.written, elapsed))
        return elapsed


def allocate_ids(model: type[models.Model], n: int) -> range:
    """``n`` fresh primary keys for ``model``, reserved now so rows can point at each other.

    One block from the table's sequence: the table is locked against other writers until the
    commit first, so no one else draws from the sequence meanwhile (the loader locks the
    tables it loads anyway)."""
    if n == 0:
        return range(0)
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quoted} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, %s) s",
                [n, table, model._meta.pk.column],
            )
            last = cursor.fetchone()[0]
            return range(last - n + 1, last + 1)
        # Inside the transaction (SQLite holds the write lock): continue after the highest id.
        cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {quoted}")
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return range(start + 1, start + n + 1)


def _tables_loaded(what: str, models_: Sequence[type[models.Model]]) -> list[str] | None:
    """The tables of ``models_`` whose ``what`` a loader may drop: on PostgreSQL only (None
    elsewhere), and only inside the loader's transaction, which restores them or rolls back."""
    if connection.vendor != "postgresql":
        return None
    if not connection.in_atomic_block:
        raise RuntimeError(f"Drop {what} only inside the loader's transaction.")
    return [model._meta.db_table for model in models_]


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
    tables = _tables_loaded("foreign keys", models_)
    if tables is None:
        yield
        return
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


@contextmanager
def indexes_built_after_load(*models_: type[models.Model]) -> Iterator[None]:
    """Inside the loader's transaction: the indexes of ``models_``' tables that back no
    constraint dropped while the block loads them, then built again exactly as declared, and
    the tables analysed.

    Kept up to date row by row, the four secondary indexes of 3 million check-ins made their
    COPY take 20 s instead of 7; built once from the loaded rows, they take 5. The primary
    keys and the unique constraints stay (other tables' keys point at them), and so do the
    partial and expression indexes (see below). Elsewhere (SQLite) nothing is dropped.
    """
    tables = _tables_loaded("indexes", models_)
    if tables is None:
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Not an index that a constraint stands on (its own, primary key or unique, or another
        # table's foreign key referencing it), nor one with a condition or an expression: read
        # back, those may not give the same definition again (a varchar IN list does not).
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
            "AND x.indpred IS NULL AND x.indexprs IS NULL "
            "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.oid) "
            "ORDER BY t.relname, i.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
    analyse(*models_)


def analyse(*models_: type[models.Model]) -> None:
    """Fresh statistics of the tables loaded, for what follows (the foreign keys' checks, the
    benchmark's first queries): inside the loader's transaction, its own rows count."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(m._meta.db_table) for m in models_)}")
