"""Check constraints validated in Python, with the database's own rules for NULL.

Django validates a model's ``CheckConstraint`` by asking the database (one query,
inside a savepoint when in a transaction: three round trips each). A session log
has nine of them, a template week eight. The conditions this app writes are
plain comparisons of fields and numbers, so this module evaluates them here with
SQL's three-valued logic: a comparison with NULL is unknown, and a check passes
unless its condition is false. Anything it does not understand (a transform, a
function, values it cannot compare) goes to the database as before, and the
database's constraints still guard every write.
"""

from __future__ import annotations

import operator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual

_COMPARE = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_PLAIN = (str, int, float, Decimal, bool, date, datetime, time, timedelta)
_LOOKUPS = (Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual)


class Unsupported(Exception):
    """A condition this evaluator leaves to the database."""


class Excluded(Exception):
    """The condition reads a field left out of validation (Django skips such a constraint too)."""


def _field_value(name: str, instance, exclude):
    if "__" in name:
        raise Unsupported(name)
    if name in exclude:
        raise Excluded(name)
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    if not field.concrete or field.many_to_many:
        raise Unsupported(name)
    return getattr(instance, field.attname)


def _value(expression, instance, exclude):
    if isinstance(expression, F):
        return _field_value(expression.name, instance, exclude)
    if isinstance(expression, Value):
        return expression.value
    if isinstance(expression, CombinedExpression) and expression.connector in _ARITHMETIC:
        left = _value(expression.lhs, instance, exclude)
        right = _value(expression.rhs, instance, exclude)
        if left is None or right is None:
            return None
        return _ARITHMETIC[expression.connector](left, right)
    if expression is None or isinstance(expression, _PLAIN):
        return expression
    if isinstance(expression, list | tuple | set | frozenset):
        return [_value(item, instance, exclude) for item in expression]
    raise Unsupported(type(expression).__name__)


def _compare(lookup: str, left, right) -> bool | None:
    if lookup == "isnull":
        return (left is None) == bool(right)
    if left is None:
        return None
    if lookup == "in":
        if left in [v for v in right if v is not None]:
            return True
        return None if None in right else False
    if right is None:
        return None
    try:
        return _COMPARE[lookup](left, right)
    except TypeError:
        raise Unsupported(lookup) from None


def _evaluate(node, instance, exclude) -> bool | None:
    """True, False or None (unknown), as the database would answer."""
    if isinstance(node, Q):
        results = [_evaluate(child, instance, exclude) for child in node.children]
        if node.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        elif node.connector == Q.OR:
            result = True if True in results else (None if None in results else False)
        else:
            raise Unsupported(node.connector)
        return (None if result is None else not result) if node.negated else result
    if isinstance(node, tuple):
        path, right = node
        name, _, lookup = path.partition("__")
        lookup = lookup or "exact"
        if lookup not in _COMPARE and lookup not in ("in", "isnull"):
            raise Unsupported(path)
        return _compare(lookup, _field_value(name, instance, exclude), _value(right, instance, exclude))
    if isinstance(node, _LOOKUPS):
        return _compare(node.lookup_name, _value(node.lhs, instance, exclude), _value(node.rhs, instance, exclude))
    raise Unsupported(type(node).__name__)


def holds(constraint: CheckConstraint, instance, exclude=()) -> bool | None:
    """Whether the instance passes the check: None when only the database can tell."""
    try:
        return _evaluate(constraint.condition, instance, set(exclude or ())) is not False
    except Excluded:
        return True
    except Unsupported:
        return None


class ChecksInPython:
    """Model mixin: ``validate_constraints`` evaluates check constraints in Python (no queries).

    Other constraints (unique ones) and conditions the evaluator does not know are
    validated by Django as usual; the error messages and codes are the constraints' own.
    """

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            for constraint in model_constraints:
                try:
                    verdict = holds(constraint, self, exclude) if isinstance(constraint, CheckConstraint) else None
                    if verdict is None:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                    elif not verdict:
                        raise ValidationError(
                            constraint.get_violation_error_message(), code=constraint.violation_error_code
                        )
                except ValidationError as e:
                    if getattr(e, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(constraint.fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
