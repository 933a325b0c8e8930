from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("start/", views.StartView.as_view(), name="start"),
    path("callback/", views.CallbackView.as_view(), name="callback"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("welcome/", views.welcome, name="welcome"),
]
