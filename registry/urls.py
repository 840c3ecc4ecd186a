from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("export/<str:file_format>/", views.records_export, name="records_export"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("<int:pk>/transition/", views.record_transition, name="record_transition"),
    path("<int:pk>/export/<str:file_format>/", views.record_export, name="record_export"),
]
