from django.urls import path

from . import views

app_name = "coaching"

urlpatterns = [
    path("", views.index, name="index"),
    path("coaches/<int:user_pk>/supervision/", views.supervision_new, name="supervision_new"),
    path("projects/<int:project_pk>/allocation/", views.reallocate, name="reallocate"),
]
