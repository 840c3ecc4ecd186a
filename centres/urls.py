from django.urls import path

from centres import views

app_name = "centres"

urlpatterns = [
    path("", views.network, name="network"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/transition/", views.referral_transition, name="referral_transition"),
    path("centres/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
]
