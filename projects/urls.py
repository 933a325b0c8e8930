from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("mine/", views.my_projects, name="mine"),
    path("new/", views.idea_new, name="idea_new"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("<int:pk>/submit/", views.idea_submit, name="idea_submit"),
]
