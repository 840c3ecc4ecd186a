import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

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
