from django.urls import path

from currencies import views

app_name = "currencies"

urlpatterns = [
    path("", views.rate_list, name="rate_list"),
]
