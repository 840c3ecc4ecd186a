"""How deep a reader may page through a search: the first REACHABLE_RESULTS results.

A page deep in a large result costs the database as much as ranking or skipping every result
before it (page 10,000 at 20 per page is an OFFSET of 199,980, every match ranked first), and
nobody reads that far: a search shows a bounded window and asks for more words or filters
instead. The pages (ReachablePaginator, search_page) and the API (core.api.pagination
SearchPagination) stop at the same depth; the total stays exact.
"""

from __future__ import annotations

from math import ceil

from django.core.paginator import Page, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

REACHABLE_RESULTS = 1000


def last_reachable_page(per_page: int) -> int:
    return max(1, ceil(REACHABLE_RESULTS / per_page))


def grouped(number: int) -> str:
    """A count as the reader's locale groups it (1,000 / 1 000)."""
    return number_format(number, force_grouping=True)


class ReachablePaginator(Paginator):
    """A Paginator whose pages end at REACHABLE_RESULTS results; `count` is still the total."""

    @cached_property
    def num_pages(self) -> int:
        return min(self.all_pages, last_reachable_page(self.per_page))

    @cached_property
    def all_pages(self) -> int:
        return Paginator.num_pages.func(self)

    @property
    def is_cut(self) -> bool:
        return self.all_pages > self.num_pages


def _asked_number(number) -> int | None:
    text = str(number or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def search_page(object_list, *, per_page: int, number) -> tuple[Page, list[str]]:
    """The page `number` of a search (the last reachable one when it is beyond) and what the
    reader is told about it: a page past the end, a result deeper than can be paged through."""
    paginator = ReachablePaginator(object_list, per_page)
    page = paginator.get_page(number)
    notices = []
    asked = _asked_number(number)
    if asked is not None and asked > page.number:
        notices.append(
            _("There is no page %(asked)s of this search: this is its last page, %(shown)s.")
            % {"asked": grouped(asked), "shown": grouped(page.number)}
        )
    if paginator.is_cut and page.number == paginator.num_pages:
        notices.append(
            _(
                "Only the first %(reachable)s of the %(total)s results can be paged through. "
                "Add words or filters to narrow the search."
            )
            % {"reachable": grouped(REACHABLE_RESULTS), "total": grouped(paginator.count)}
        )
    return page, notices
