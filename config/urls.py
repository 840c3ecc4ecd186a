from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.signup import SignupView
from core import views as core_views
from insight.home import home, site_search

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("exchange.api.urls")),
    path("", include("exportcontrol.api.urls")),
    path("", include("imports.api.urls")),
    path("", include("matching.api.urls")),
    path("finance/", include("finance.api.urls")),
    path("", include("finance.api.rewards")),
    path("", include("facilities.api.urls")),
    path("", include("insight.api.urls")),
    path("", include("programmes.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("licensing.api.urls")),
    path("", include("registry.api.urls")),
    path("", include("currencies.api.urls")),
    path("", include("centres.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("search/", site_search, name="site_search"),
    path("healthz", core_views.healthz, name="healthz"),
    path("status/", core_views.service_status, name="service_status"),
    path("favicon.ico", core_views.favicon),
    # Before Django's own: the switcher also records a signed-in user's preferred language.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Before allauth's own: sign-up that answers alike for new and registered addresses.
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("technologies/", include("catalog.urls")),
    path("exchange/", include("exchange.urls")),
    path("export-control/", include("exportcontrol.urls")),
    path("imports/", include("imports.urls")),
    path("matching/", include("matching.urls")),
    path("finance/", include("finance.urls")),
    path("facilities/", include("facilities.urls")),
    path("insight/", include("insight.urls")),
    path("programmes/", include("programmes.urls")),
    path("licences/", include("licensing.urls")),
    path("registry/", include("registry.urls")),
    path("exchange-rates/", include("currencies.urls")),
    path("network/", include("centres.urls")),
    path("scenarios/", include("programmes.scenario_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
