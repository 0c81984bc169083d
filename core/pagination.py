"""Pagination that refuses, instead of clamping, a page size out of bounds.

Lists use page numbers with a total count; the stock-level feed, which shops walk
end to end to sync availability, uses a cursor instead: each page is an index
range scan from where the last one stopped, with no COUNT and no OFFSET, so a
page costs the same at row 30,000 as at row 0 and a row cannot be skipped or
repeated while other rows change.
"""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class BoundedPageSizeMixin:
    """`?page_size=` from 1 to max_page_size (default page_size); anything else,
    a non-number too, is a 400 naming the bounds."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    "page_size": [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size


class StandardPagination(BoundedPageSizeMixin, PageNumberPagination):
    """The API's default (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]): numbered
    pages with `count`, `next`, `previous` and `results`; a page past the end
    is a 404."""

    def get_schema_operation_parameters(self, view):
        # The bounds the API enforces, so clients (and fuzzers) can keep them.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


# The last key seen, as "<a>.<b>": not secret (a shop may only page through
# what it may read anyway), and every string of this form is a valid cursor,
# so the schema can say exactly what is accepted.
CURSOR = re.compile(r"^([1-9][0-9]{0,17})\.([1-9][0-9]{0,17})$")


class KeysetPagination(BoundedPageSizeMixin, BasePagination):
    """Forward pages over a unique (a, b) key: `?cursor=` names the last pair
    seen, `next` is the link to the page after it (null at the end)."""

    cursor_query_param = "cursor"

    def decode_cursor(self, request) -> tuple[int, int] | None:
        """The last pair the client saw, or None for the first page; a cursor
        not of the CURSOR form is a 400."""
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:  # absent or empty: the first page, as `?page=` is elsewhere
            return None
        match = CURSOR.fullmatch(raw)
        if match is None:
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: use the next link."]}
            )
        return int(match[1]), int(match[2])

    @staticmethod
    def encode_cursor(pair: tuple[int, int]) -> str:
        return f"{pair[0]}.{pair[1]}"

    def get_paginated_response(self, request, results: list, last: tuple | None):
        """`{"next", "results"}`: `next` resumes after `last`, null when None."""
        next_link = None
        if last is not None:
            next_link = replace_query_param(
                request.build_absolute_uri(),
                self.cursor_query_param,
                self.encode_cursor(last),
            )
        return Response({"next": next_link, "results": results})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from `next`.",
                "schema": {"type": "string", "pattern": CURSOR.pattern},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Rows per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                },
            },
        ]
