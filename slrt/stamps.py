"""Version stamps in the shared cache, read together once a request (issue 17).

A process keeps copies of what changes seldom (reference dropdowns, households.choices; the
navigation's counts, referrals.navigation) and must drop them when another process changes
the rows. Each kind of copy names a stamp here: a random token in the shared cache that a
change moves (`move`). A process compares the token its copy was made under with the
current one.

What this module buys: every stamp the project registered is read in one cache round trip,
at the first use in a request, and reused for the rest of it (`current`); a page reading two
kinds of copies pays one Redis GET, not one per copy or one per use. Outside a request (a
worker, a command, a shell) every call reads the cache again.

`move` sets a new token at once and again when the surrounding transaction commits: a
request in another process that read the old rows before the commit and kept them under the
first new token is then out of date too. Without a cache (down, or an error), each call
answers a fresh token: no copy is ever reused.
"""

import threading
import uuid
from contextlib import suppress

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

_registered: set[str] = set()
# The stamps read in the request this thread is serving ({} until read; None outside one).
_request = threading.local()


def register(key: str) -> str:
    """Name a stamp read with the others at the first use in a request; returns the key."""
    _registered.add(key)
    return key


def current(key: str) -> str:
    """The stamp's token: read with every registered stamp once a request, each call outside."""
    seen = getattr(_request, "stamps", None)
    if seen is None:  # outside a request
        return _read({key})[key]
    if key not in seen:
        seen.update(_read(_registered | {key}))
    return seen[key]


def read_along(key: str):
    """The cache's value of `key` (None if absent), read in the same round trip as this
    request's stamps when they are not read yet: the session's read (slrt.sessions). Outside
    a request, or once they are read, a plain get."""
    seen = getattr(_request, "stamps", None)
    if seen is None or seen:
        return cache.get(key)
    found = _read(_registered, along=key)
    value = found.pop(key, None)
    seen.update(found)
    return value


def move(key: str) -> None:
    """Something the stamp covers changed: every process's copy is out of date, now and when
    the transaction commits (the module docstring)."""
    _set_new(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_new(key))


def move_for(model: type[models.Model]) -> None:
    """Raw SQL (a COPY, a set-wise UPDATE or DELETE) wrote rows of `model`: move the stamp of
    its StampedQuerySet, if it has one, as the ORM's writes would have."""
    key = getattr(model._default_manager.get_queryset(), "stamp_key", "")
    if key:
        move(key)


def _set_new(key: str) -> None:
    with suppress(Exception):  # cache down: `current` answers fresh tokens anyway
        cache.set(key, uuid.uuid4().hex, timeout=None)
    seen = getattr(_request, "stamps", None)
    if seen is not None:
        seen.pop(key, None)  # the request that changed it reads the new token


def _read(keys: set[str], along: str | None = None) -> dict[str, str]:
    """The stamps `keys`, and the value of the key `along` if the cache holds it."""
    try:
        found = cache.get_many(keys | {along} if along else keys)
        for key in keys - found.keys():  # a new or emptied cache: a token all will share
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key) or uuid.uuid4().hex  # a cache that keeps nothing
    except Exception:  # noqa: BLE001 (cache down: nothing kept is reused)
        return {key: uuid.uuid4().hex for key in keys}
    return found


def _request_starts(**kwargs) -> None:
    _request.stamps = {}


def _request_ends(**kwargs) -> None:
    _request.stamps = None


request_started.connect(_request_starts, dispatch_uid="slrt-stamps-request-started")
request_finished.connect(_request_ends, dispatch_uid="slrt-stamps-request-finished")


class StampedQuerySet(models.QuerySet):
    """A model's queryset whose writes in bulk move the stamp named by its class's `stamp_key`:
    `update`, `bulk_create`, `bulk_update` and `delete`. With the post_save and post_delete
    receivers `watch` connects (in the app's ready()), every write through the ORM moves it;
    raw SQL must call `move` itself."""

    stamp_key: str = ""

    def update(self, **kwargs) -> int:
        changed = super().update(**kwargs)
        if changed:
            move(self.stamp_key)
        return changed

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            move(self.stamp_key)
        return created

    def bulk_update(self, objs, *args, **kwargs) -> int:
        changed = super().bulk_update(objs, *args, **kwargs)
        if changed:
            move(self.stamp_key)
        return changed

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            move(self.stamp_key)
        return deleted


def watch(*watched: type[models.Model]) -> None:
    """Move each model's stamp (its StampedQuerySet's `stamp_key`) on every save and delete
    of its rows; its querysets move it on their bulk writes."""
    for model in watched:
        queryset = model._default_manager.get_queryset()
        key = getattr(queryset, "stamp_key", "")
        if not key:
            raise TypeError(f"{model.__name__}'s manager must build a StampedQuerySet")
        register(key)
        receiver = _Mover(key)
        uid = f"slrt-stamp-{key}-{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + "-del")


def move_on_changes(
    key: str, *senders: type[models.Model], deleted: tuple[type[models.Model], ...] = ()
) -> None:
    """Move the stamp `key` on every save and delete of the `senders`' rows, on m2m_changed
    of those that are many-to-many tables (`Model.field.through`), and on every delete of the
    `deleted` models' rows. Bulk writes through their querysets (update, bulk_create) are not
    seen: a model written that way needs `watch`."""
    register(key)
    receiver = _Mover(key)
    for sender in senders:
        uid = f"slrt-stamp-{key}-{sender._meta.label}"
        post_save.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
        m2m_changed.connect(receiver, sender=sender, weak=False, dispatch_uid=uid + "-m2m")
    for sender in senders + deleted:
        uid = f"slrt-stamp-{key}-{sender._meta.label}-del"
        post_delete.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)


class _Mover:
    def __init__(self, key: str):
        self.key = key

    def __call__(self, **kwargs) -> None:
        if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed: once, after
            move(self.key)
