"""The API's pages: ``{"count", "next", "previous", "results"}``, 50 a page (``?page=``), whose
``count`` costs the same for a list of 20 and one of 300,000.

Django's paginator counts every row of the list on every page: ``COUNT(*)`` over 300,000 KPIs
took longer than everything else the request did together, and grew with the organisation. Here
the count is exact up to ``EXACT_COUNT_UP_TO`` rows (a count that stops there, an index-only
scan of at most that many entries); beyond, it is PostgreSQL's estimate of the filtered list
(the planner's, from the table's statistics: within a few per cent for an organisation, a
status or a level), never less than the rows the pages so far prove. ``next`` is exact either
way (the page reads one row more than it shows), and the last page's count is exact (it is
what the pages before it hold plus its own: a list of one page needs no count query at all).
The header ``X-Count-Exact`` says which the count is; the OpenAPI schema says so on ``count``.
``?page=last`` counts every row (the one request that pays the count, to find the last page).

A client that walks a whole list may ask for keyset pages instead, on the lists that offer them
(``cursor_pagination = True`` on the view: missions and KPIs): ``?cursor=`` (empty) starts, and
each page's ``next`` and ``previous`` carry the cursor on. A page then reads the 50 rows after
(or before) an id through the index, so the last page of 300,000 KPIs costs what the first
does, where ``?page=6000`` reads and skips 300,000 rows first. The document is the same four
keys; the rows come in id order (``?ordering=`` does not apply); the count is made as above.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Lists of up to this many rows are counted exactly, however they are filtered.
EXACT_COUNT_UP_TO = 10_000
# PostgreSQL's OFFSET is a bigint; a page number beyond it is a page that does not exist.
_MAX_OFFSET = 2**62

# A cursor: after (``a``) or before (``b``) an id; empty for the first page.
_CURSOR = re.compile(r"(?:([ab])([0-9]{1,18}))?")
CURSOR_PATTERN = r"^([ab][0-9]{1,18})?$"
CURSOR_DESCRIPTION = (
    "Keyset pages for walking the whole list: leave empty to start, then follow `next`. Rows "
    "come in id order (`ordering` and `page` do not apply); each page costs the same however "
    "far into the list it is."
)

COUNT_DESCRIPTION = (
    f"How many objects the list holds: exact up to {EXACT_COUNT_UP_TO:,}; above, the "
    "database's estimate (the response's `X-Count-Exact` header is then `false`), exact again "
    "on the last page. `next` is null on the last page either way."
)


def planner_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of how many rows ``queryset`` returns (its plan's, no rows read);
    None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that leaves JSON as text
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(DjangoPaginator):
    """A paginator whose count is exact up to ``exact_up_to`` rows and estimated above."""

    def __init__(self, object_list: Any, per_page: int, exact_up_to: int = EXACT_COUNT_UP_TO):
        super().__init__(object_list, per_page)
        self.exact_up_to = exact_up_to
        self.exact = True

    def _count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        counted = rows.order_by()
        if not counted.query.distinct and counted.query.group_by is None:
            # Only the key: the count can read an index alone (values() lists name columns).
            counted = counted.values("pk")
        capped = counted[: self.exact_up_to + 1].count()
        if capped <= self.exact_up_to:
            return capped
        self.exact = False
        estimate = planner_estimate(rows)
        if estimate is None:  # no estimate on this database: count them
            self.exact = True
            return rows.count()
        return max(estimate, capped)

    @property
    def count(self) -> int:
        if "_counted" not in self.__dict__:
            self.__dict__["_counted"] = self._count()
        return int(self.__dict__["_counted"])

    @property
    def num_pages(self) -> int:  # follows count, which a page narrows
        hits = max(1, self.count - self.orphans)
        return -(-hits // self.per_page)

    def validate_number(self, number: Any) -> int:
        """A whole number from 1, without counting: ``page`` finds a page beyond the last."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > _MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number: Any) -> Page:
        """The page, read with one row more than it shows: when that row is not there, this
        is the last page and the count is what it and the pages before it hold (no count
        query: a list of one page costs one query); when it is, ``next`` exists and the count
        is counted (or estimated), never less than the rows seen."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        seen = bottom + len(rows)
        if more:
            self.__dict__["_counted"] = max(self.count, seen + 1)
        else:
            self.__dict__["_counted"] = seen
            self.exact = True
        return Page(rows, number, self)

    def count_exactly(self) -> None:
        """Count every row (``?page=last`` needs the true number of pages)."""
        rows = self.object_list
        self.__dict__["_counted"] = rows.count() if isinstance(rows, QuerySet) else len(rows)
        self.exact = True

    def knows(self, count: int) -> None:
        """The count is known already (a first page that holds the whole list)."""
        self.__dict__["_counted"] = count
        self.exact = True


def _key(row: Any) -> int:
    return int(row["id"] if isinstance(row, dict) else row.pk)


class Pagination(PageNumberPagination):
    """``?page=``, 50 a page (``PAGE_SIZE``), counted by ``EstimatingPaginator``; and
    ``?cursor=`` on the views that offer it (``cursor_pagination = True``)."""

    exact_count_up_to = EXACT_COUNT_UP_TO
    cursor_query_param = "cursor"
    cursor: tuple[str | None, str | None] | None = None  # next and previous, in cursor mode
    counter: EstimatingPaginator  # what counts the list, in cursor mode

    def django_paginator_class(self, object_list: Any, per_page: int) -> EstimatingPaginator:  # type: ignore[override]  # a class attribute in DRF; a factory serves the same call
        return EstimatingPaginator(object_list, per_page, self.exact_count_up_to)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            # An estimate may be long or short of the truth: the last page is counted to.
            paginator.count_exactly()
            return paginator.num_pages
        return number

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.cursor = None
        if getattr(view, "cursor_pagination", False) and (
            self.cursor_query_param in request.query_params
        ):
            return self._paginate_by_cursor(queryset, request)
        return super().paginate_queryset(queryset, request, view)

    def _paginate_by_cursor(self, queryset: QuerySet[Any], request: Request) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        found = _CURSOR.fullmatch(request.query_params[self.cursor_query_param])
        if found is None:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "Not a cursor: give the one a page's next or previous link holds, "
                        "or none to start."
                    ]
                }
            )
        backwards = found.group(1) == "b"
        key = int(found.group(2)) if found.group(2) else None
        rows = queryset.order_by("pk")
        chunk = rows
        if backwards:
            chunk = rows.filter(pk__lt=key).order_by("-pk")
        elif key is not None:
            chunk = rows.filter(pk__gt=key)
        items = list(chunk[: size + 1])
        more = len(items) > size
        items = items[:size]
        if backwards:
            items.reverse()
        first = _key(items[0]) if items else None
        last = _key(items[-1]) if items else None
        after: str | None
        if backwards:  # rows follow (the page the cursor came from); more may precede
            after = f"a{last}" if last is not None else ""
            before = f"b{first}" if more and first is not None else None
        else:
            after = f"a{last}" if more else None
            before = f"b{first}" if key is not None and first is not None else None
        self.cursor = (after, before)
        self.counter = EstimatingPaginator(rows, size, self.exact_count_up_to)
        if key is None and not more:  # the whole list is this first page
            self.counter.knows(len(items))
        self.display_page_controls = False
        return items

    def _cursor_link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        assert self.request is not None, "links follow paginate_queryset"
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        if self.cursor is not None:
            return self._cursor_link(self.cursor[0])
        return super().get_next_link()

    def get_previous_link(self) -> str | None:
        if self.cursor is not None:
            return self._cursor_link(self.cursor[1])
        return super().get_previous_link()

    def get_paginated_response(self, data: Any) -> Response:
        counter: Any
        if self.cursor is not None:
            counter = self.counter
            response = Response(
                {
                    "count": counter.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                    "results": data,
                }
            )
        else:
            response = super().get_paginated_response(data)
            assert self.page is not None, "a paginated response follows paginate_queryset"
            counter = self.page.paginator
        exact = getattr(counter, "exact", True)
        response["X-Count-Exact"] = "true" if exact else "false"
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = COUNT_DESCRIPTION
        return described

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "cursor_pagination", False):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": CURSOR_DESCRIPTION,
                    "schema": {"type": "string", "pattern": CURSOR_PATTERN},
                }
            )
        return parameters
