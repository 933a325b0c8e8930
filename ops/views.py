from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import services


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report = services.health()
    return JsonResponse(report, status=200 if report["ok"] else 503)
