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
