from django.urls import path

from . import views

app_name = "portfolio_import"

urlpatterns = [
    path("", views.start, name="start"),
    path("sample.xlsx", views.sample, name="sample"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/columns/", views.columns, name="columns"),
]
