from django.urls import path

from exportcontrol import views

app_name = "exportcontrol"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path(
        "technologies/<int:pk>/declare/",
        views.classification_declare,
        name="classification_declare",
    ),
    path(
        "technologies/<int:pk>/review/", views.classification_review, name="classification_review"
    ),
]
