from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse

from .context import origin


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the person making the request becomes the actor of every change it
    writes), plus the request itself as the change's origin."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with origin(f"web {request.method} {request.path}"):
            return super().__call__(request)
