from django.urls import path  # noqa: F401

app_name = "coaching"

urlpatterns: list = []
