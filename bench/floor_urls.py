"""The product's URLs plus two floor pages for bench/pages.py (served only by the benchmark):

- /bench/bare/: signed in (session, user, every middleware), a one-word response, no template;
- /bench/layout/: the same with the site layout (navigation, notifications count) and no content.

Every product page costs at least as much as the layout floor.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("signed in", content_type="text/plain")


@login_required
def layout(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/layout/", layout),
    path("", include("qiportal.urls")),
]
