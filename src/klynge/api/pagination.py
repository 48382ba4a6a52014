"""Pages of a list: `page` and `page_size` within bounds, the total, and the items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
MAX_PAGE = 100_000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Sidenummer, fra 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Rækker pr. side (1-500)."
    )


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a page of `item` (a named component of the OpenAPI)."""
    name = item.__name__.removesuffix("Out") + "Page"
    model: type[Schema] = create_model(
        name,
        __base__=Schema,
        count=(int, Field(..., description="Rækker i alt efter filtrering.")),
        page=(int, ...),
        page_size=(int, ...),
        items=(list[item], ...),  # type: ignore[valid-type]
    )
    return model


def paginate(
    rows: QuerySet[Any] | Sequence[Any],
    query: PageQuery,
    convert: Callable[[list[Any]], list[Any]] | None = None,
) -> dict[str, Any]:
    """One page of `rows` (a queryset is sliced in the database), converted if asked."""
    start = (query.page - 1) * query.page_size
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    items = list(rows[start : start + query.page_size])
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "items": convert(items) if convert else items,
    }
