from django.urls import path

from facilities import views

app_name = "facilities"

urlpatterns = [
    path("", views.facility_list, name="facility_list"),
    path("mine/", views.my_facilities, name="my_facilities"),
    path("new/", views.facility_create, name="facility_create"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("provider/bookings/", views.provider_bookings, name="provider_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/transition/", views.booking_transition, name="booking_transition"),
    path("bookings/<int:pk>/pay/", views.booking_pay, name="booking_pay"),
    path("<int:pk>/", views.facility_detail, name="facility_detail"),
    path("<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("<int:pk>/transition/", views.facility_transition, name="facility_transition"),
    path("<int:pk>/periods/", views.period_add, name="period_add"),
    path("<int:pk>/periods/<int:period_pk>/remove/", views.period_remove, name="period_remove"),
    path("<int:pk>/book/", views.booking_create, name="booking_create"),
]
