from django.urls import path

from licensing import views

app_name = "licensing"

urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("mine/", views.my_licences, name="my_licences"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:pk>/evaluation-report/", views.evaluation_report, name="evaluation_report"),
    path("<int:pk>/", views.licence_detail, name="licence_detail"),
    path("<int:pk>/transition/", views.licence_transition, name="licence_transition"),
]
