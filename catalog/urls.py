from django.urls import path

from catalog import views
from catalog.inventor_views import technology_inventors

app_name = "catalog"

urlpatterns = [
    path("", views.technology_list, name="technology_list"),
    path("export.<str:file_format>", views.technology_export, name="technology_export"),
    path("mine/", views.my_technologies, name="my_technologies"),
    path("new/", views.technology_create, name="technology_create"),
    path("import/", views.technology_import, name="technology_import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("review/", views.review_queue, name="review_queue"),
    path("duplicates/", views.duplicate_queue, name="duplicate_queue"),
    path("duplicates/<int:pk>/", views.duplicate_compare, name="duplicate_compare"),
    path("duplicates/<int:pk>/decide/", views.duplicate_decide, name="duplicate_decide"),
    path("favourites/", views.favourite_list, name="favourite_list"),
    path("saved-searches/", views.saved_search_create, name="saved_search_create"),
    path("saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("trl-assessments/", views.trl_assessment_queue, name="trl_assessment_queue"),
    path(
        "trl-assessments/<int:pk>/decide/",
        views.trl_assessment_decide,
        name="trl_assessment_decide",
    ),
    path("trl-evidence/<int:pk>/", views.trl_evidence_download, name="trl_evidence_download"),
    path("<int:pk>/trl-assessments/", views.trl_claim, name="trl_claim"),
    path("<int:pk>/", views.technology_detail, name="technology_detail"),
    path("<int:pk>/manage/", views.technology_manage, name="technology_manage"),
    path("<int:pk>/edit/", views.technology_edit, name="technology_edit"),
    path("<int:pk>/inventors/", technology_inventors, name="technology_inventors"),
    path("<int:pk>/translations/", views.technology_translations, name="technology_translations"),
    path("<int:pk>/transition/", views.technology_transition, name="technology_transition"),
    path("<int:pk>/confirm/", views.technology_confirm, name="technology_confirm"),
    path("<int:pk>/review/", views.technology_review, name="technology_review"),
    path("<int:pk>/inquiry/", views.inquiry_create, name="inquiry_create"),
    path("<int:pk>/access/", views.access_request_create, name="access_request_create"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("access/<int:pk>/decide/", views.access_request_decide, name="access_request_decide"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path(
        "attachments/<int:pk>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path("<int:pk>/sheet.pdf", views.technology_sheet, name="technology_sheet"),
    path("<int:pk>/favourite/", views.favourite_toggle, name="favourite_toggle"),
]
