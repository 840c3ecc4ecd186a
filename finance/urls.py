from django.urls import path

from finance import reward_views, views

app_name = "finance"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("products/", views.product_list, name="product_list"),
    path("products/compare/", views.product_compare, name="product_compare"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/transition/", views.product_transition, name="product_transition"),
    path("products/<int:pk>/apply/", views.application_create, name="application_create"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/transition/",
        views.application_transition,
        name="application_transition",
    ),
    path(
        "applications/<int:pk>/documents/",
        views.application_document_upload,
        name="application_document_upload",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_id>/",
        views.application_document,
        name="application_document",
    ),
    path("valuations/", views.valuation_list, name="valuation_list"),
    path("valuations/new/", views.valuation_create, name="valuation_create"),
    path("valuations/<int:pk>/", views.valuation_detail, name="valuation_detail"),
    path("vouchers/", views.voucher_list, name="voucher_list"),
    path("vouchers/<int:pk>/redeem/", views.voucher_redeem, name="voucher_redeem"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/budget/", views.programme_budget, name="programme_budget"),
    path("programmes/<int:pk>/fund/", views.programme_fund, name="programme_fund"),
    path("programmes/<int:pk>/issue/", views.programme_issue, name="programme_issue"),
    path("programmes/<int:pk>/subsidy/", views.programme_subsidy, name="programme_subsidy"),
    path("money-requests/", views.money_requests, name="money_requests"),
    path(
        "money-requests/<int:pk>/transition/",
        views.money_request_transition,
        name="money_request_transition",
    ),
]

# --- reward ---
urlpatterns += [
    path("rewards/", reward_views.reward_splits, name="reward_splits"),
    path(
        "rewards/export.<str:file_format>",
        reward_views.reward_splits_export,
        name="reward_splits_export",
    ),
    path("rewards/policy/", reward_views.reward_policy, name="reward_policy"),
]
