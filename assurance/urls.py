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

urlpatterns += [
    path("accreditation/", views.accreditation_index, name="accreditation"),
    path("accreditation/trust/", views.accreditation_trust, name="accreditation_trust"),
    path("accreditation/teams/<int:team_pk>/new/", views.assessment_new, name="assessment_new"),
    path("accreditation/<int:pk>/", views.assessment, name="assessment"),
    path("accreditation/<int:pk>/judgements/", views.assessment_judge, name="assessment_judge"),
    path("accreditation/<int:pk>/publish/", views.assessment_publish, name="assessment_publish"),
    path("accreditation/<int:pk>/actions/", views.assessment_action, name="assessment_action"),
    path("accreditation/judgements/<int:pk>/idea/", views.judgement_idea, name="judgement_idea"),
]

urlpatterns += [
    path("teams/<int:team_pk>/huddles/", views.team_huddles, name="team_huddles"),
    path("teams/<int:team_pk>/board-links/", views.board_link_new, name="board_link_new"),
    path("board-links/<int:pk>/revoke/", views.board_link_revoke, name="board_link_revoke"),
    path("wall/<str:secret>/", views.wall_board, name="wall_board"),
    path("escalations/<int:pk>/", views.escalation_update, name="escalation_update"),
    path("directorates/<slug:slug>/", views.directorate, name="directorate"),
]

urlpatterns += [
    path("teams/<int:team_pk>/", views.team, name="team"),
]
urlpatterns += [path("my-team/", views.my_team, name="my_team")]
