from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/my-funnel/", views.broker_funnel, name="broker_funnel"),
    path("review-desk/", views.review_desk, name="review_desk"),
    path("regional-report/", views.regional_report, name="regional_report"),
    path("regional-report.xlsx", views.regional_report_excel, name="regional_report_excel"),
    path("regional-report.pdf", views.regional_report_pdf, name="regional_report_pdf"),
]
