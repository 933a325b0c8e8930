from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("projects/<int:pk>/", views.workspace, name="project"),
    path("projects/<int:pk>/storyboard/", views.storyboard_page, name="storyboard"),
    path("projects/<int:pk>/storyboard.pdf", views.storyboard_pdf, name="storyboard_pdf"),
    path("projects/<int:pk>/stage/", views.stage, name="stage"),
    path("projects/<int:pk>/aim/", views.aim_edit, name="aim_edit"),
    path("projects/<int:pk>/drivers/new/", views.driver_new, name="driver_new"),
    path("drivers/<int:pk>/edit/", views.driver_edit, name="driver_edit"),
    path("drivers/<int:pk>/move/", views.driver_move, name="driver_move"),
    path("drivers/<int:pk>/remove/", views.driver_remove, name="driver_remove"),
    path("projects/<int:pk>/ideas/new/", views.idea_new, name="idea_new"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/move/", views.idea_move, name="idea_move"),
    path("ideas/<int:pk>/remove/", views.idea_remove, name="idea_remove"),
    path("ideas/<int:pk>/cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("projects/<int:pk>/progress/", views.progress, name="progress"),
    path("projects/<int:pk>/team/", views.team, name="team"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("projects/<int:pk>/involvement/", views.involvement, name="involvement"),
    path("projects/<int:pk>/closure/", views.closure_request, name="closure_request"),
    path("closures/<int:pk>/", views.closure_review, name="closure_review"),
    path("projects/<int:pk>/stories/new/", views.story_new, name="story_new"),
    path("library/", views.library, name="library"),
    path("stories/", views.stories, name="stories"),
    path("stories/<int:pk>/", views.story, name="story"),
]
