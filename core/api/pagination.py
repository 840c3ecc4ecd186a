from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination whose responses carry `count`, `next`, `previous`, `results`."""

    page_size_query_param = "page_size"
    max_page_size = 100
