from django.urls import path

from . import views

app_name = "discussions"

urlpatterns = [
    path("<str:kind>/<int:pk>/comments/", views.post_comment, name="post"),
]
