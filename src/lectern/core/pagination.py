"""Pages of API lists: `?page=` and `?page_size=` (up to 500)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Beyond any real list (500 million rows at the largest page size), and small enough that
# the offset stays a 64-bit integer in every database: a larger page is a 422, not a 500.
LAST_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=LAST_PAGE)
        page_size: int | None = Field(None, ge=1)
