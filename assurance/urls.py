from django.urls import path

from . import views

app_name = "assurance"

urlpatterns = [
    path("", views.index, name="index"),
    path("walkrounds/<int:pk>/", views.walkround, name="walkround"),
    path("walkrounds/<int:pk>/idea/", views.idea_new, name="idea_new"),
    path("teams/<int:team_pk>/walkrounds/new/", views.walkround_new, name="walkround_new"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("coverage/", views.coverage_view, name="coverage"),
]
