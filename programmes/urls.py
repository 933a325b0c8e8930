from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("themes/", views.themes, name="themes"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/stage/", views.move, name="move"),
    path("<int:pk>/drivers/", views.add_driver, name="add_driver"),
    path("<int:pk>/package/ideas/", views.add_package_idea, name="add_package_idea"),
    path("<int:pk>/waves/", views.add_wave, name="add_wave"),
    path("<int:pk>/measures/new/", views.add_template, name="add_template"),
    path("<int:pk>/recruitment/", views.recruitment, name="recruitment"),
    path("<int:pk>/recruitment/<int:candidacy_pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/recruitment/<int:candidacy_pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/sessions/", views.sessions, name="sessions"),
    path("<int:pk>/sessions/<int:session_pk>/", views.session, name="session"),
    path("<int:pk>/package/", views.package, name="package"),
    path("<int:pk>/spread/", views.spread, name="spread"),
    path("<int:pk>/evaluation/", views.evaluation, name="evaluation"),
]
