"""The home page: the catalogue's industries (it lives here, not in core, which knows no app)."""

from django.shortcuts import render

from catalog.models import Category


def home(request):
    industries = Category.objects.filter(parent__isnull=True).prefetch_related("children")
    return render(request, "core/home.html", {"industries": industries})
