"""The one pagination of the API: the guide's envelope {items, total, page, limit, pages} with ?page=&limit=."""

import math

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class PagePagination(PageNumberPagination):
    page_size = 20
    page_query_param = "page"
    page_size_query_param = "limit"
    max_page_size = 100

    def get_paginated_response(self, data):
        total = self.page.paginator.count
        limit = self.page.paginator.per_page
        return Response(
            {
                "items": data,
                "total": total,
                "page": self.page.number,
                "limit": limit,
                "pages": math.ceil(total / limit) if limit else 0,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["items", "total", "page", "limit", "pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "limit": {"type": "integer"},
                "pages": {"type": "integer"},
            },
        }
