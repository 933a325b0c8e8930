from django.urls import path

from . import views

app_name = "board"

urlpatterns = [
    path("", views.index, name="index"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("early-warning/", views.early_warning, name="early_warning"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.edit, name="edit"),
    path("reports/<int:pk>/narratives/<int:measure_pk>/", views.narrative, name="narrative"),
    path("reports/<int:pk>/publish/", views.publish, name="publish"),
    path("reports/<int:pk>/correct/", views.correct, name="correct"),
    path("reports/<int:pk>/discard/", views.discard, name="discard"),
    path("reports/<int:pk>/pdf/", views.pdf_request, name="pdf_request"),
    path("reports/<int:pk>/pdf/status/", views.pdf_status, name="pdf_status"),
    path("reports/<int:pk>/pdf/download/", views.pdf_download, name="pdf_download"),
]
