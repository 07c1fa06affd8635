"""Row-level security: the database's own guard that one organisation never sees another's rows.

Every query of the product already filters by organisation (selectors, ``org_view``, the API's
scoped querysets). As a second line, PostgreSQL row-level security policies on every tenant table
(migration ``missions/0008_row_level_security``) show only the rows of the organisations named in
the setting ``missionlead.organisations`` of the current transaction. A page of an organisation
and an API request set it (``tenant_scope``); a query that forgets its organisation filter there
then returns nothing of another organisation, instead of its rows.

Where no tenant is set — background sweeps across organisations, the Django admin, management
commands, migrations — the policies let every row through: those paths work across tenants by
design. The setting is transaction-local (``set_config(…, true)``), so it can never leak from one
request into the next on a pooled connection.

The policies read the setting once per statement (a scalar sub-select, which PostgreSQL runs once
as an InitPlan; migration ``missions/0013_tenant_policies_read_the_setting_once``), not once per
row: per row, a count of 100,000 missions took 4 to 6 times as long as the count itself.

SQLite (the embedded default of ``make run``) has no row-level security; there this is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.views import APIView

if TYPE_CHECKING:
    from .types import User

SETTING = "missionlead.organisations"
# The scope of the current transaction rides on Django's connection (one per thread), under
# this attribute: Django's connection has no slot of ours to declare.
_SCOPE_ATTRIBUTE = "missionlead_scope"


class Scope:
    """The organisations the current transaction may see; ``limit`` and ``limit_to_user``
    narrow it (an API request learns who calls only once it has authenticated them)."""

    def __init__(self) -> None:
        self.value = ""  # not set: every row (until ``limit`` or ``limit_to_user``)

    def limit(self, organisation_ids: Iterable[int]) -> None:
        self.value = ",".join(str(int(pk)) for pk in organisation_ids) or "0"
        _set(self.value)

    def lift(self) -> None:
        """Every organisation's rows: for a look-up that must cross them all (a coalition's
        invitation finds an organisation by its address). What it reads is the caller's to
        guard."""
        self.value = ""
        _set(self.value)

    def limit_to_user(self, user: User) -> None:
        """The organisations ``user`` is a member of, read by the statement that sets them."""
        self.value = f"user:{int(user.pk)}"
        _set(self.value)


def _set(value: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if value.startswith("user:"):
            cursor.execute(
                # A deactivated membership (SCIM deprovisioning) opens nothing.
                "SELECT set_config(%s, coalesce((SELECT string_agg(organisation_id::text, ',') "
                "FROM missions_membership WHERE user_id = %s AND deactivated_at IS NULL), '0'), "
                "true)",
                [SETTING, int(value.removeprefix("user:"))],
            )
        else:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])


@contextmanager
def tenant_scope(
    organisation_ids: Iterable[int] | None = None,
    *,
    user: User | None = None,
    deferred: bool = False,
) -> Iterator[Scope]:
    """A transaction limited to some organisations (none given: to nothing, until the scope is
    narrowed with ``limit`` or ``limit_to_user``), or to the organisations ``user`` belongs to.
    ``deferred``: the caller sets the scope itself before its first query of tenant data.

    The setting lives as long as the transaction. Nested in an outer transaction (a test's, or
    a task's), it would outlive this block, so on the way out the outer scope is put back; when
    the block fails, rolling back its savepoint does that.
    """
    nested = connection.in_atomic_block
    outer: Scope | None = getattr(connection, _SCOPE_ATTRIBUTE, None)
    scope = Scope()
    with transaction.atomic():
        if user is not None:
            scope.limit_to_user(user)
        elif not deferred:
            scope.limit(organisation_ids or [])
        setattr(connection, _SCOPE_ATTRIBUTE, scope)
        try:
            yield scope
        finally:
            setattr(connection, _SCOPE_ATTRIBUTE, outer)
        if nested and connection.vendor == "postgresql" and not connection.needs_rollback:
            _set(outer.value if outer is not None else "")


class TenantScopedAPIMixin(APIView):
    """For every API view: the request runs in one transaction limited, once DRF has
    authenticated the caller, to the organisations they belong to; an anonymous caller's to
    none. ``tests/tenancy`` checks that every API view of the URL configuration has it.

    Put it first among a view's bases (``class V(TenantScopedAPIMixin, ModelViewSet)``): its
    ``dispatch`` and ``initial`` wrap the view's, and its own base, ``APIView``, stays last in
    the method resolution order."""

    tenant: Scope

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with tenant_scope(deferred=True) as scope:
            self.tenant = scope
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates
        if request.user.is_authenticated:
            self.tenant.limit_to_user(request.user)
        else:
            self.tenant.limit([])


@contextmanager
def policies_lifted_for_bulk_load() -> Iterator[None]:
    """For a bulk loader (``generate_org``) inside its transaction: PostgreSQL refuses ``COPY
    FROM`` into a table whose policies apply to the loader, so the owner's ``FORCE`` is lifted
    for this transaction and put back before it commits (a rollback puts it back too).

    ``ALTER TABLE`` locks each table until the commit: meant for loaders, never for requests.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Lift the policies inside the loader's transaction.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = tablename || '_tenant' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} NO FORCE ROW LEVEL SECURITY"
            )
    yield
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} FORCE ROW LEVEL SECURITY"
            )
