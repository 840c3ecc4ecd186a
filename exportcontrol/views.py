from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import technologies_visible_to
from core.forms import error_text
from core.workflow import TransitionNotAllowed
from exportcontrol import selectors, services
from exportcontrol.choices import ControlCatalogue, ControlLevel
from exportcontrol.forms import DeclareForm, ReviewForm

PAGE_SIZE = 50


@login_required
def entry_list(request):
    """The catalogues as loaded (entries in force), searchable, for signed-in users."""
    catalogue = request.GET.get("catalogue", "")
    level = request.GET.get("level", "")
    q = request.GET.get("q", "")[:100]
    entries = selectors.control_entries(
        catalogue=catalogue if catalogue in ControlCatalogue.values else "",
        level=level if level in ControlLevel.values else "",
        q=q,
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exportcontrol/entry_list.html",
        {
            "page": page,
            "catalogue": catalogue,
            "level": level,
            "q": q,
            "catalogues": ControlCatalogue.choices,
            "levels": ControlLevel.choices,
            "query_string": urlencode(
                {
                    name: value
                    for name, value in (("q", q), ("catalogue", catalogue), ("level", level))
                    if value
                }
            ),
        },
    )


def _technology(request, pk: int):
    technology = get_object_or_404(technologies_visible_to(user=request.user), pk=pk)
    if not selectors.classification_visible_to(user=request.user, technology=technology):
        raise Http404
    return technology


def _back(pk: int):
    return redirect("catalog:technology_detail", pk=pk)


def _act(request, technology, form, call) -> None:
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return
    try:
        call(**form.cleaned_data)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The export-control classification has been recorded."))


@login_required
@require_POST
def classification_declare(request, pk: int):
    technology = _technology(request, pk)
    form = DeclareForm(
        request.POST, catalogue=selectors.technology_control_catalogue(technology=technology)
    )
    _act(
        request,
        technology,
        form,
        lambda **data: services.classification_declare(
            technology=technology, user=request.user, **data
        ),
    )
    return _back(pk)


@login_required
@require_POST
def classification_review(request, pk: int):
    technology = _technology(request, pk)
    form = ReviewForm(
        request.POST, catalogue=selectors.technology_control_catalogue(technology=technology)
    )
    _act(
        request,
        technology,
        form,
        lambda **data: services.classification_review(
            technology=technology, user=request.user, **data
        ),
    )
    return _back(pk)
