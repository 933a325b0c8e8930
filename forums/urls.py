from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.forum, name="forum"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("items/<int:item_pk>/decide/", views.decide_item, name="decide"),
]
