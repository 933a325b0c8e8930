from django.urls import path

from . import views
from .api import api

app_name = "ingest"

urlpatterns = [
    path("docs/", views.api_docs, name="api_docs"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", api.urls),
]
