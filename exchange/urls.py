from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.need_list, name="index"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/mine/", views.my_needs, name="my_needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/translations/", views.need_translations, name="need_translations"),
    path("needs/<int:pk>/transition/", views.need_transition, name="need_transition"),
    path("needs/<int:pk>/confirm/", views.need_confirm, name="need_confirm"),
    path("demand-lists/", views.demand_list_index, name="demand_list_index"),
    path("demand-lists/new/", views.demand_list_create, name="demand_list_create"),
    path("demand-lists/<int:pk>/", views.demand_list_detail, name="demand_list_detail"),
    path(
        "demand-lists/<int:pk>/download/<str:file_format>/",
        views.demand_list_download,
        name="demand_list_download",
    ),
]

urlpatterns += [
    path("proposals/<int:pk>/transition/", views.proposal_transition, name="proposal_transition"),
    path("proposals/<int:pk>/messages/", views.proposal_message, name="proposal_message"),
    path("needs/<int:pk>/proposals/", views.proposal_create, name="proposal_create"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/transition/", views.deal_transition, name="deal_transition"),
    path("deals/<int:pk>/terms/", views.deal_terms, name="deal_terms"),
    path("deals/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "deals/<int:pk>/milestones/<int:milestone_id>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("deals/<int:pk>/messages/", views.deal_message, name="deal_message"),
    path(
        "deals/<int:pk>/documents/<int:document_id>/",
        views.deal_document_download,
        name="deal_document_download",
    ),
    path("deals/<int:pk>/ratings/", views.deal_rate, name="deal_rate"),
    path(
        "deals/<int:pk>/licence-checks/<int:document_id>/",
        views.deal_licence_check,
        name="deal_licence_check",
    ),
    path(
        "deals/<int:pk>/contract-registration/",
        views.deal_contract_registration,
        name="deal_contract_registration",
    ),
    path("deals/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("deals/<int:pk>/contract-draft.pdf", views.contract_draft, name="contract_draft"),
    path("review/", views.deal_review_queue, name="deal_review_queue"),
    path("introductions/", views.introduction_list, name="introduction_list"),
    path(
        "introductions/<int:pk>/transition/",
        views.introduction_transition,
        name="introduction_transition",
    ),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
    path("credit/<int:organization_id>/", views.credit_profile, name="credit_profile"),
]
