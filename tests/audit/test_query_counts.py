"""The audit log costs the busy pages nothing: reading pages write no audited rows, and the middleware reads
only the person the page has loaded anyway. (Each audited save costs two queries: the row before, the entry.)"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

WITHOUT_AUDIT = [m for m in settings.MIDDLEWARE if m != "audit.middleware.AuditMiddleware"]


def queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (navigation, figures) first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["qiadmin", "staff"])
def test_busy_pages_ask_no_more_queries_with_the_audit_log_on(client, request, who, project):
    client.force_login(request.getfixturevalue(who))
    for url in [reverse("home"), reverse("projects:list"), project.get_absolute_url(),
                reverse("workspace:project", args=[project.pk]), reverse("board:portfolio")]:
        with_audit = queries(client, url)
        with override_settings(MIDDLEWARE=WITHOUT_AUDIT):
            without = queries(client, url)
        assert with_audit == without, url
