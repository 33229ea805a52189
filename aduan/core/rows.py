"""Build an unsaved model instance the way `Model(**values)` does, with less Python.

The group commit of the intake API (aduan/intake/groupcommit.py) builds five or six instances
per report (reporter, report, event, confirmation, Idempotency-Key answer), hundreds of reports
a second. Django's `Model.__init__` is general: for each of a report's 45 fields it pops the
keyword, looks for a related object, computes the default, and it sends pre_init and
post_init; under the benchmark's load (bench/intake.py) that was 12 % of the CPU of a
submission. `build` fills the instance's attributes from a per-model layout computed once:
each field's default (a callable one called per instance, as Django does), then the values
given, a related object for a foreign key by its field name as the descriptor sets it (its id,
the cached object, the database it is on). A model with pre_init or post_init receivers, or a value that is not a
concrete field, goes through `Model(**values)` itself. tests/foundation/test_rows.py compares
the two for the models intake builds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.db import router
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.dispatch import Signal
from django.dispatch.dispatcher import NO_RECEIVERS

M = TypeVar("M", bound=Model)


@cache
def _layout(
    model: type[Model],
) -> tuple[
    dict[str, Any],
    list[tuple[str, Callable[[], Any]]],
    dict[str, tuple[str, str, type[Model]]],
    frozenset[str],
]:
    """(constant defaults by attname, callable defaults, foreign keys by name -> (attname, target
    attname, related model), the names build() takes)."""
    constants: dict[str, Any] = {}
    callables: list[tuple[str, Callable[[], Any]]] = []
    relations: dict[str, tuple[str, str, type[Model]]] = {}
    field: Any
    for field in model._meta.concrete_fields:
        if (field.has_default() and callable(field.default)) or field.has_db_default():
            callables.append((field.attname, field.get_default))
        else:
            constants[field.attname] = field.get_default()
        if field.is_relation and field.many_to_one:
            relations[field.name] = (field.attname, field.target_field.attname, field.related_model)
    names = frozenset(constants) | {a for a, _ in callables} | frozenset(relations)
    return constants, callables, relations, names


def _silent(signal: Signal, sender: type[Model]) -> bool:
    """No receiver for `sender`: Signal.send's own quick test first (the per-sender cache of a
    caching signal, as pre_init and post_init are), has_listeners (which fills it) otherwise."""
    return (
        not signal.receivers
        or signal.sender_receivers_cache.get(sender) is NO_RECEIVERS
        or not signal.has_listeners(sender)
    )


def build(model: type[M], **values: Any) -> M:
    """An unsaved instance of `model`, as `model(**values)` builds it (attnames, field names,
    related objects for foreign keys)."""
    constants, callables, relations, names = _layout(model)
    if not names.issuperset(values) or not (_silent(pre_init, model) and _silent(post_init, model)):
        return model(**values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    attributes = obj.__dict__
    attributes.update(constants)
    for attname, default in callables:
        if attname not in values:
            attributes[attname] = default()
    for name, value in values.items():
        relation = relations.get(name)
        if relation is None:
            attributes[name] = value
            continue
        attname, target, related = relation
        if value is None:
            attributes[attname] = None
        elif not isinstance(value, related):
            return model(**values)  # which says what is wrong
        else:
            # As the foreign key's descriptor does: the instance and the related object take the
            # other's database (routers asked), the relation must be allowed.
            if state.db is None:
                state.db = router.db_for_write(model, instance=value)
            if value._state.db is None:
                value._state.db = router.db_for_write(related, instance=obj)
            if not router.allow_relation(value, obj):
                return model(**values)
            attributes[attname] = getattr(value, target)
        state.fields_cache[name] = value
    return obj
