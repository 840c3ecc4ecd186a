from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("<int:pk>/report.csv", views.run_report, name="run_report"),
]
