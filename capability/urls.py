from django.urls import path

from . import views

app_name = "capability"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard_export"),
    path("courses/<slug:slug>/", views.course, name="course"),
    path("courses/<slug:slug>/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("courses/<slug:slug>/import/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_batch, name="import_batch"),
    path("cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("cohorts/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("cohorts/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("coach-pool/", views.proposals, name="proposals"),
    path("coach-pool/<int:pk>/", views.proposal_decide, name="proposal_decide"),
    path("enrolments/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("enrolments/<int:pk>/project/", views.link_project, name="link_project"),
]
