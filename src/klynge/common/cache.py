"""
An in-process cache backend for immutable computed objects.

Django's local-memory cache pickles every value on `set` and unpickles it on
every `get`, which for a national allocation table (thousands of lines) costs
more than a page may spend. `ObjectCache` keeps the object itself, so only
values that are never changed after they are cached may go in: the allocation
tables are frozen dataclasses whose keys are the fingerprints of their inputs.
Several processes each keep their own copy; a shared cache (Redis, database)
can be configured under the same alias instead, since the values pickle.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_stores: dict[str, tuple[OrderedDict[str, tuple[Any, float | None]], Lock]] = {}


class ObjectCache(BaseCache):
    """A local-memory cache that keeps the objects themselves: values must be immutable."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._data, self._lock = _stores.setdefault(name, (OrderedDict(), Lock()))

    def _live(self, key: str) -> bool:
        found = self._data.get(key)
        if found is None:
            return False
        expires = found[1]
        if expires is not None and expires <= time.time():
            del self._data[key]
            return False
        return True

    def _store(self, key: str, value: Any, timeout: Any) -> None:
        if key not in self._data and len(self._data) >= self._max_entries:
            for _ in range(max(1, len(self._data) // (self._cull_frequency or 1))):
                self._data.popitem(last=True)
        self._data[key] = (value, self.get_backend_timeout(timeout))
        self._data.move_to_end(key, last=False)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._live(key):
                return False
            self._store(key, value, timeout)
            return True

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if not self._live(key):
                return default
            self._data.move_to_end(key, last=False)
            return self._data[key][0]

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._store(key, value, timeout)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if not self._live(key):
                return False
            self._data[key] = (self._data[key][0], self.get_backend_timeout(timeout))
            return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._data.pop(key, None) is not None

    def has_key(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._live(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
