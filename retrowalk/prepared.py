"""Querysets built and compiled once per database connection, then run again with new values.

Building a queryset with many annotations and compiling it to SQL costs the ORM
more than the database takes to answer it: the dashboard's facts query spent
about twice as long in Python before it reached PostgreSQL as PostgreSQL spent
planning and running it. A query whose SQL stays the same from one request to
the next, and whose values alone change (the user, today's date), is built once
per connection with stand-in values, and each request only fills in its own.
The rows come back as the queryset itself would give them: model instances
(with ``select_related`` filled in), tuples or flat values.

Only the values named as parameters may change between requests, and each must
reach the SQL as a parameter, never as part of its text. ``PreparedQuery``
checks this when it compiles: the query is compiled with two different sets of
stand-ins, and the SQL must be the same and the parameters must differ exactly
where a stand-in went in. Anything else is a ``PreparedQueryError``.

On PostgreSQL the query is also a server-side prepared statement: Django binds
its values on the client, so PostgreSQL would parse and plan the same SQL again
on every request (for a read joining two or three tables, longer than running
it). Its cursor is still Django's, so it is counted, logged and its errors
translated like any other query. The ``prepare_threshold`` database option turns
this off (``?prepare_threshold=none`` in DATABASE_URL, see retrowalk.env).
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators
from django.db.transaction import TransactionManagementError


class PreparedQueryError(RuntimeError):
    """The query's SQL depends on a parameter's value, or a parameter does not reach the SQL."""


# Stand-ins no real row or request has: two sets, so a slot is where the two differ.
_STAND_INS = {
    int: (-987_654_321, -123_456_789),
    date: (date(1001, 1, 1), date(1002, 2, 2)),
    uuid.UUID: (uuid.UUID(int=1 << 100), uuid.UUID(int=1 << 101)),
}


def _adapt(connection, value):
    """The value as the ORM hands it to the driver (dates and UUIDs per database, as their fields do)."""
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    return value


@dataclass(frozen=True)
class _Compiled:
    compiler: object
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    kind: type  # the queryset's iterable class
    locks: bool  # SELECT ... FOR UPDATE: only inside a transaction
    converters: dict  # each column's conversions from the database's values, as results_iter finds them
    models: tuple = ()  # for model rows: the model, its fields' names and span, the related rows' populators


def _model_rows(compiler, connection) -> tuple:
    """What Django's ModelIterable works out from a compiled query before its first row."""
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, connection.alias)
    return (klass_info["model"], init_list, start, end, populators, compiler.annotation_col_map)


@cache
def _server_prepared_cursor_class():
    import psycopg  # only on PostgreSQL

    class ServerPrepared(psycopg.Cursor):
        """Binds on the server and prepares the statement: PostgreSQL plans it once per connection."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return ServerPrepared


class _LoggedPrepared(CursorDebugWrapper):
    """Logs a server-bound query as Django does when it binds on the server: its SQL with the values."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _cursor(connection):
    """A cursor of Django's (counted, logged, errors wrapped) over one that prepares on PostgreSQL.

    Django binds values on the client, so PostgreSQL plans every query again. A prepared query's
    SQL is the same for every request, so on PostgreSQL with prepared statements allowed (the
    ``prepare_threshold`` option, see retrowalk.env) it is a server-side prepared statement.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "prepare_threshold", None) is None:
        return connection.cursor()
    cursor = _server_prepared_cursor_class()(raw)
    return _LoggedPrepared(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


def _converted(compiled: _Compiled, fetched: list) -> list:
    """What ``results_iter`` gives for the rows, with the converters found once."""
    if not compiled.converters:
        return fetched
    return list(compiled.compiler.apply_converters(fetched, compiled.converters))


class PreparedQuery:
    """``build(**values)``, compiled once per connection and run with each request's values.

    ``build`` returns a queryset of model instances or of ``values_list`` rows;
    ``parameters`` names its keyword arguments and their types (``int``, ``date`` or ``uuid.UUID``).
    """

    def __init__(self, build: Callable[..., QuerySet], **parameters: type):
        unknown = {name: kind for name, kind in parameters.items() if kind not in _STAND_INS}
        if unknown:
            raise TypeError(f"Prepared parameters may be int, date or UUID: {unknown}")
        self.build = build
        self.parameters = parameters
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _stand_ins(self, which: int) -> dict:
        # Each parameter gets its own stand-in: the type's base value moved by the parameter's position.
        values = {}
        for offset, (name, kind) in enumerate(self.parameters.items()):
            base = _STAND_INS[kind][which]
            if kind is date:
                values[name] = base + timedelta(days=offset)
            elif kind is uuid.UUID:
                values[name] = uuid.UUID(int=base.int + offset)
            else:
                values[name] = base - offset
        return values

    def _compile(self, connection) -> _Compiled:
        first, second = self._stand_ins(0), self._stand_ins(1)
        queryset = self.build(**first)
        kind = queryset._iterable_class
        if kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise PreparedQueryError(f"Rows of {kind.__name__} are not prepared: use model rows or values_list.")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise PreparedQueryError("A prepared query reads one query's rows: no prefetch_related or related manager.")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise PreparedQueryError("Composite primary keys are not prepared.")
        other_sql, other_params = self.build(**second).query.get_compiler(connection=connection).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            raise PreparedQueryError("The query's SQL changes with its parameters' values.")
        adapted = {_adapt(connection, value): name for name, value in first.items()}
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one == two:
                continue
            if one not in adapted:
                raise PreparedQueryError(f"Parameter {position} changes but is not a prepared parameter.")
            slots.append((position, adapted[one]))
        missing = set(self.parameters) - {name for _, name in slots}
        if missing:
            raise PreparedQueryError(f"These parameters never reach the SQL: {sorted(missing)}.")
        return _Compiled(
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            kind=kind,
            locks=bool(queryset.query.select_for_update and connection.features.has_select_for_update),
            converters=compiler.get_converters(columns),
            models=_model_rows(compiler, connection) if kind is ModelIterable else (),
        )

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        connection = connections[using]
        found = self._compiled.get(connection)
        if found is None:
            with self._lock:
                found = self._compiled.get(connection)
                if found is None:
                    found = self._compiled[connection] = self._compile(connection)
        return found

    def run(self, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """What ``list(build(**values))`` would return: model instances, tuples or flat values."""
        if set(values) != set(self.parameters):
            raise TypeError(f"Expected the parameters {sorted(self.parameters)}, got {sorted(values)}.")
        compiled = self.compiled(using)
        connection = connections[using]
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = _adapt(connection, values[name])
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.kind is ValuesListIterable:
            return [tuple(row) for row in _converted(compiled, fetched)]
        rows = _converted(compiled, fetched)
        if compiled.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        model, init_list, start, end, populators, annotations = compiled.models
        objects = []
        for row in rows:
            obj = model.from_db(connection.alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
