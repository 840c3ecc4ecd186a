"""Pages of a catalogue search: `count` is the number of matches, exact up to
catalog.selectors.EXACT_COUNT_LIMIT and estimated beyond (`count_is_estimate`); an estimated
search can be paged through its ranked head only, and a page past it is a 404 that says so.
Like every search (core.api.pagination.SearchPagination), no page deeper than
core.paging.REACHABLE_RESULTS is read at all."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.pagination import SearchPagination as ReachableSearchPagination


class SearchPagination(ReachableSearchPagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.results = getattr(queryset, "_results", None)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            if self.results is not None and self.results.is_estimate:
                raise NotFound(
                    _(
                        "Only the first %(limit)d results of a search matching about %(count)d "
                        "listings can be paged through; add a word or a filter to narrow it."
                    )
                    % {"limit": self.results.count(), "count": self.results.total()}
                ) from None
            raise

    def get_paginated_response(self, data):
        estimated = self.results is not None and self.results.is_estimate
        total = self.results.total() if self.results is not None else self.page.paginator.count
        return Response(
            {
                "count": total,
                "count_is_estimate": estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            "The number of matches: exact up to 5,000, estimated from a sample beyond."
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_is_estimate": {
                "type": "boolean",
                "description": "True when `count` is an estimate (then only the first pages "
                "of the ranked results can be read).",
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        response["required"] = [*response.get("required", []), "count_is_estimate"]
        return response
