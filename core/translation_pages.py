"""The page where an object's holder (or a broker drafting) manages its translations: one form
per language written, one to add a language. Each app's view finds the object through its own
visibility rule and passes its TranslationRules (core.content_translations)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.content_translations import (
    COLUMN_SUFFIX,
    ContentLanguage,
    TranslationOrigin,
    has_column_text,
    language_label,
    text_direction,
)


def translation_form_class(model):
    text_areas = {
        name: forms.Textarea(attrs={"rows": 3})
        for name in model.TEXT_FIELDS
        if isinstance(model._meta.get_field(name), models.TextField)
    }
    return forms.modelform_factory(model, fields=list(model.TEXT_FIELDS), widgets=text_areas)


def _written_in(form, language: str):
    """The inputs carry the language and its direction (the labels stay in the page's)."""
    for field in form.fields.values():
        field.widget.attrs.update({"lang": language, "dir": text_direction(language)})
    return form


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _free_languages(instance, taken: set[str]) -> list[tuple[str, str]]:
    return [
        (code, label)
        for code, label in ContentLanguage.choices
        if code not in taken
        and not (code == instance.original_language and code in COLUMN_SUFFIX)
        and not has_column_text(instance, code)
    ]


def translations_page(request, *, instance, rules, back_url: str, title: str):
    """GET: the forms; POST (`action` save / delete / confirm, `language`): the service, then
    back here, or the page again with the form's errors and what was typed."""
    roles = rules.roles(instance=instance, user=request.user)
    if not (roles["owner"] or roles["drafter"]):
        raise Http404
    form_class = translation_form_class(rules.model)
    rows = list(instance.translations.all())
    taken = {row.language for row in rows}
    bound_language, bound_form, bound_is_new, status = None, None, False, 200
    if request.method == "POST":
        language = request.POST.get("language", "")
        action = request.POST.get("action", "save")
        if language not in ContentLanguage.values:
            messages.error(request, _("Choose one of the languages offered."))
            return redirect(request.path)
        bound_is_new = bool(request.POST.get("new"))
        bound_form = form_class(request.POST, prefix="t-new" if bound_is_new else f"t-{language}")
        bound_language = language
        try:
            if action == "delete":
                rules.delete(user=request.user, instance=instance, language=language)
                done = _("Translation deleted.")
            elif action == "confirm":
                rules.confirm(user=request.user, instance=instance, language=language)
                done = _("The draft translation is now your own.")
            elif bound_form.is_valid():
                rules.save(
                    user=request.user,
                    instance=instance,
                    language=language,
                    texts=bound_form.cleaned_data,
                )
                done = _("Translation saved.")
            else:
                done = None
        except ValidationError as error:
            _add_errors(bound_form, error)
            done = None
        except PermissionDenied as error:
            bound_form.add_error(None, str(error) or _("You may not change this translation."))
            done = None
        if done:
            messages.success(request, done)
            return redirect(request.path)
        status = 400
    entries = []
    for row in rows:
        form = _written_in(
            bound_form
            if row.language == bound_language and not bound_is_new
            else form_class(instance=row, prefix=f"t-{row.language}"),
            row.language,
        )
        entries.append(
            {
                "row": row,
                "form": form,
                "is_original": row.language == instance.original_language,
                "is_draft": row.origin == TranslationOrigin.DRAFT,
            }
        )
    new_form = bound_form if bound_is_new else form_class(prefix="t-new")
    for field in new_form.fields.values():
        field.widget.attrs["dir"] = "auto"
    return render(
        request,
        "core/translations_manage.html",
        {
            "object": instance,
            "object_title": title,
            "back_url": back_url,
            "entries": entries,
            "new_form": new_form,
            "new_language": bound_language if bound_is_new else "",
            "free_languages": _free_languages(instance, taken),
            "original_language_label": language_label(instance.original_language),
            "is_owner": roles["owner"],
        },
        status=status,
    )
