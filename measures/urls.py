from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.index, name="index"),
    path("summary/", views.summary, name="summary"),
    path("settings/", views.spc_config, name="config"),
    path("runs/", views.render_runs, name="render_runs"),
    path("new/", views.measure_create, name="create"),
    path("project/<int:pk>/", views.project_measures, name="project_measures"),
    path("<int:pk>/", views.measure_detail, name="detail"),
    path("<int:pk>/edit/", views.measure_edit, name="edit"),
    path("points/<int:pk>/", views.point_fix, name="point"),
    path("<int:pk>/phases/", views.phase_add, name="phase_add"),
    path("phases/<int:pk>/delete/", views.phase_delete, name="phase_delete"),
    path("<int:pk>/annotations/", views.annotation_add, name="annotation_add"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="annotation_delete"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_batch, name="upload_batch"),
    path("<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
