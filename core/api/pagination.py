import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from core.paging import REACHABLE_RESULTS, grouped, last_reachable_page

_POSITIVE_INTEGER = re.compile(r"[0-9]+")


class StandardPagination(PageNumberPagination):
    """Page-number pagination whose responses carry `count`, `next`, `previous`, `results`.

    `page` is a whole number from 1 and `page_size` one from 1 to `max_page_size`, as the
    schema says: anything else (empty, 0, negative, not a number, too large a size) is a 400
    naming the parameter. A page past the last one is a 404 ("Invalid page.")."""

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        return self._whole_number(request, self.page_query_param, default=1)

    def get_page_size(self, request):
        return self._whole_number(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    @staticmethod
    def _whole_number(request, name: str, *, default: int, maximum: int | None = None) -> int:
        if name not in request.query_params:
            return default
        value = request.query_params[name].strip()
        if not _POSITIVE_INTEGER.fullmatch(value):
            number = 0
        else:  # a huge number is just "very large" (and int() refuses thousands of digits)
            number = int(value) if len(value) <= 18 else 10**18
        if number < 1:
            raise ValidationError({name: [_("A whole number from 1 is required.")]})
        if maximum is not None and number > maximum:
            raise ValidationError(
                {name: [_("At most %(maximum)d is allowed.") % {"maximum": maximum}]}
            )
        return number

    def get_schema_operation_parameters(self, view):
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


class SearchPagination(StandardPagination):
    """The pages of a search end at core.paging.REACHABLE_RESULTS results: a page beyond is a
    400 naming `page` (before anything is counted or read), not a scan to reach it."""

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if (number - 1) * paginator.per_page >= REACHABLE_RESULTS:
            raise ValidationError({self.page_query_param: [self.too_deep_message(paginator)]})
        return number

    @staticmethod
    def too_deep_message(paginator) -> str:
        return _(
            "Only the first %(reachable)s results of a search can be paged through: at "
            "%(size)s per page, the last page is %(last)s. Narrow the search with q or the "
            "filters."
        ) % {
            "reachable": grouped(REACHABLE_RESULTS),
            "size": paginator.per_page,
            "last": last_reachable_page(paginator.per_page),
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    f"A page number from 1. Only the first {REACHABLE_RESULTS} results of a "
                    "search can be paged through: a deeper page is a 400."
                )
        return parameters
