from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ops.views import health
from sso import views as sso_views

urlpatterns = [
    path("", include("home.urls")),
    path("health/", health, name="health"),
    path("login/", sso_views.login, name="login"),
    path("logout/", sso_views.logout, name="logout"),
    path("sso/", include("sso.urls")),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("settings/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("workspace/", include("workspace.urls")),
    path("measures/", include("measures.urls")),
    path("forums/", include("forums.urls")),
    path("coaching/", include("coaching.urls")),
    path("training/", include("capability.urls")),
    path("programmes/", include("programmes.urls")),
    path("assurance/", include("assurance.urls")),
    path("board/", include("board.urls")),
    path("notifications/", include("notifications.urls")),
    path("discussions/", include("discussions.urls")),
    path("api/", include("ingest.urls")),
    path("portfolio-import/", include("ingest.import_urls")),
    path("audit/", include("audit.urls")),
    path("", include("organisation.urls")),
]
