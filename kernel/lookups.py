"""``field__any_of=ids``: the rows whose field is one of many ids, the ids sent as a single
array parameter on PostgreSQL (``= ANY(%s)``), which tests each row by hash.

Django's ``__in`` with a list builds, adapts and sends one placeholder per id: for the 21,437
missions of a large team's subtree that cost about 0.2 s of Python per query, more than the
query. Two more costs are avoided here:

- the array goes as one text literal (``'{1,2,…}'``), not as the ``ARRAY[1, 2, …]`` the driver
  makes of a list: PostgreSQL parses and folds that expression element by element, about 60 ms
  for those 21,437 ids against 5 ms for the literal;
- the ids are wrapped once in ``Ids``, not passed as a list: Django walks a list given to
  ``filter()`` element by element looking for expressions (about 20 ms per filter for those
  ids), and the literal is written once for all the queries that use it.

Elsewhere (SQLite) it is the plain ``IN`` list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

from django.db.models import Field, ForeignObject, Lookup


class Ids:
    """Ids read once and filtered by in several queries (``field__any_of=Ids(…)``)."""

    def __init__(self, ids: Iterable[Any]) -> None:
        self.ids: tuple[int, ...] = tuple(int(pk) for pk in ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    @cached_property
    def array_literal(self) -> str:
        """The ids as a PostgreSQL array literal."""
        return "{" + ",".join(map(str, self.ids)) + "}"


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False  # a list of ids, not one value of the field

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, ids.array_literal)
        if not ids:
            return "1 = 0", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*lhs_params, *ids)


# Every field, and foreign keys (which look their lookups up apart from other fields).
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
