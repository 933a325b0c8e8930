from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("organisation/", views.directory, name="directory"),
    path("organisation/<slug:slug>/", views.directorate, name="directorate"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/search/", views.people_search, name="people_search"),
    path("teams/search/", views.team_search, name="team_search"),
    path("directorates/search/", views.directorate_search, name="directorate_search"),
]
