"""The API's pages: ``{"count", "next", "previous", "results"}``, 50 a page (``?page=``), whose
``count`` costs the same for a list of 20 and one of 300,000.

Django's paginator counts every row of the list on every page: ``COUNT(*)`` over 300,000 KPIs
took longer than everything else the request did together, and grew with the organisation. Here
the count is exact up to ``EXACT_COUNT_UP_TO`` rows (a count that stops there, an index-only
scan of at most that many entries); beyond, it is PostgreSQL's estimate of the filtered list
(the planner's, from the table's statistics: within a few per cent for an organisation, a
status or a level), never less than the rows the pages so far prove. ``next`` is exact either
way (the page reads one row more than it shows), and the last page's count is exact (it is
what the pages before it hold plus its own). The header ``X-Count-Exact`` says which the count
is; the OpenAPI schema says so on ``count``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Lists of up to this many rows are counted exactly, however they are filtered.
EXACT_COUNT_UP_TO = 10_000
# PostgreSQL's OFFSET is a bigint; a page number beyond it is a page that does not exist.
_MAX_OFFSET = 2**62

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
        self.count  # noqa: B018  # counting first tells whether the count is exact
        if self.exact:
            return int(super().validate_number(number))
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
        number = self.validate_number(number)
        if self.exact:
            return super().page(number)
        # An estimated count may be short or long of the truth: read one row more than the
        # page shows, so that ``next`` is exact, and narrow the count to what the rows prove.
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        seen = bottom + len(rows)
        if more:
            self.__dict__["_counted"] = max(self.count, seen + 1)
        else:  # the last page: every row before it and its own
            self.__dict__["_counted"] = seen
            self.exact = True
        return Page(rows, number, self)


class Pagination(PageNumberPagination):
    """``?page=``, 50 a page (``PAGE_SIZE``), counted by ``EstimatingPaginator``."""

    exact_count_up_to = EXACT_COUNT_UP_TO

    def django_paginator_class(self, object_list: Any, per_page: int) -> EstimatingPaginator:  # type: ignore[override]  # a class attribute in DRF; a factory serves the same call
        return EstimatingPaginator(object_list, per_page, self.exact_count_up_to)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        assert self.page is not None, "a paginated response follows paginate_queryset"
        paginator = self.page.paginator
        exact = getattr(paginator, "exact", True)
        response["X-Count-Exact"] = "true" if exact else "false"
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = COUNT_DESCRIPTION
        return described
