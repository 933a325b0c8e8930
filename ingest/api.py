"""The data API (v1): systems list the measures their token may use and send data points by period.

Authentication is a bearer token (ApiToken) and nothing else: a browser's session cookie is ignored, so the
API needs no CSRF token and a logged-in person cannot use it without one. A measure outside the token's
scope answers 404, exactly like a measure that does not exist, so a token cannot probe for measures.
"""

# No `from __future__ import annotations`: ninja reads the endpoint annotations as real types.
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from measures.models import DataPoint, Measure

from .models import ApiToken
from .rows import MAX_COMMENT, takes
from .services import BatchOutcome, upsert_many, upsert_points
from .services import delete_point as remove_one

MAX_ROWS = 5000
MAX_ID = 2**63 - 1  # the database's largest integer: a larger id is simply not found


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # Not HttpBearer's own __call__: that logs the whole header (a secret, perhaps) when DEBUG is on.
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return ApiToken.authenticate(token)


api = NinjaAPI(
    title="QI Portal data API",
    version="1",
    description="Send measure data from a data warehouse or BI tool. Authenticate with "
                "`Authorization: Bearer <token>`; QI admins issue tokens. Human-readable guide: /api/docs/.",
    urls_namespace="ingest:ingest-api",  # nested in the ingest app's namespace
    docs_url=None,  # ninja's Swagger page loads from a CDN; /api/docs/ is the guide instead
    auth=TokenAuth(),
)


# --------------------------------------------------------------------------- schemas


class Problem(Schema):
    row: int | None = Field(None, description="Position of the row in `points`, counting from 0.")
    field: str | None = None
    reason: str
    measure_id: int | None = None


class ErrorOut(Schema):
    detail: str
    errors: list[Problem] = []


class BatchOut(Schema):
    detail: str
    saved: bool = Field(description="False when nothing was saved because some rows had problems.")
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows not saved because of their problems.")
    errors: list[Problem]
    notes: list[Problem] = Field(description="Rows saved with an adjustment, e.g. a date moved to the start "
                                             "of its period.")
    warnings: list[Problem] = Field(description="Rows saved whose value lies far outside the measure's history "
                                                "(beyond ten times its process limits): check them at the "
                                                "source; one wrong point changes how every other point reads.")


class DeletedOut(Schema):
    detail: str
    period: dt.date


class MeasureOut(Schema):
    id: int
    name: str
    scope: str = Field(description="project, team or system (a Whole System Measure).")
    scope_name: str
    period: str = Field(description="day, week (starting Monday) or month.")
    chart_type: str
    takes: str = Field(description="What each point needs: value, ratio (numerator and denominator) or "
                                   "observations (a list of numbers).")
    unit: str
    multiplier: float
    active: bool

    @staticmethod
    def resolve_scope(obj: Measure) -> str:
        return str(obj.scope)

    @staticmethod
    def resolve_scope_name(obj: Measure) -> str:
        return obj.scope_label

    @staticmethod
    def resolve_takes(obj: Measure) -> str:
        return takes(obj.chart_type)


class PointOut(Schema):
    period: dt.date = Field(description="The first day of the period.")
    value: float | None
    numerator: float | None
    denominator: float | None
    observations: list[float] | None
    comment: str
    excluded: bool = Field(description="Left out of the calculations (set in the portal, kept by the API).")
    exclusion_reason: str

    @staticmethod
    def resolve_period(obj: DataPoint) -> dt.date:
        return obj.period_start


# The row fields are checked by ingest.rows, one row at a time, so that a bad row is reported with the
# others (and can be rejected alone with partial=true) instead of failing the whole request: here they
# accept anything and only document what is expected.
def _loose(schema: dict[str, Any]) -> Any:
    return Annotated[Any, WithJsonSchema(schema)]


NUMBER = {"anyOf": [{"type": "number"}, {"type": "null"}]}


# A plain pydantic model, not a ninja Schema: ninja's reads attributes, which would drop unknown keys
# (a misspelt "valeu" must be reported, not silently ignored).
class PointIn(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["period"]})

    period: _loose({"type": "string", "format": "date", "description": "Any day in the period (YYYY-MM-DD); "
                    "it counts for the period that holds it."}) = None
    value: _loose(NUMBER) = None
    numerator: _loose(NUMBER) = None
    denominator: _loose(NUMBER) = None
    observations: _loose({"anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "null"}]}) = None
    comment: _loose({"anyOf": [{"type": "string", "maxLength": MAX_COMMENT}, {"type": "null"}],
                     "description": "Left out or null: an existing point keeps its comment."}) = None


class MeasurePointIn(PointIn):
    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["measure_id", "period"]})

    measure_id: _loose({"type": "integer", "minimum": 1}) = None


class PointsIn(Schema):
    points: list[PointIn] = Field(max_length=MAX_ROWS)


class MeasurePointsIn(Schema):
    points: list[MeasurePointIn] = Field(max_length=MAX_ROWS)


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10**9)


MeasureId = Annotated[int, Path(ge=1, le=MAX_ID)]
Partial = Annotated[bool, Query(description="Save the good rows and report the bad ones, instead of saving "
                                            "nothing when any row has a problem.")]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --------------------------------------------------------------------------- errors


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Send a valid API token: Authorization: Bearer <token>. "
                                                       "It may be mistyped or revoked.", "errors": []}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="qiportal"'
    return response


@api.exception_handler(ValidationError)
def malformed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for e in exc.errors:
        loc = [str(part) for part in e.get("loc", ())]
        after = loc[loc.index("points") + 1:] if loc[:1] == ["body"] and "points" in loc else []
        row = int(after[0]) if after and after[0].isdigit() else None
        where = [part for part in loc if part not in ("body", "query", "path", "payload")]
        errors.append({"row": row, "field": ".".join(where) or None, "reason": e.get("msg", "Invalid.")})
    return api.create_response(request, {"detail": "The request is not in the expected shape: nothing was saved.",
                                         "errors": errors}, status=422)


def _token(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined]


def _measure(request: HttpRequest, measure_id: int) -> Measure:
    measure = (_token(request).scope_measures().select_related("project", "team")
               .filter(pk=measure_id).first())
    if measure is None:
        raise HttpError(404, f"There is no measure {measure_id} that this token may use.")
    return measure


def _writer(request: HttpRequest) -> ApiToken:
    token = _token(request)
    if not token.can_write:
        raise HttpError(403, "This token may only read: ask the QI department for one that may send data.")
    return token


def _result(outcome: BatchOutcome) -> Status:
    if outcome.saved and not outcome.errors:
        detail = "Saved."
    elif outcome.saved:
        detail = f"Saved the good rows; {outcome.rejected} row(s) were rejected."
    else:
        detail = f"Nothing was saved: {outcome.rejected} row(s) have problems. Fix them and send the batch " \
                 "again, or send partial=true to save the good rows."
    body = {"detail": detail, "saved": outcome.saved, "created": outcome.created, "updated": outcome.updated,
            "unchanged": outcome.unchanged, "rejected": outcome.rejected, "errors": outcome.errors,
            "notes": outcome.notes, "warnings": outcome.warnings}
    return Status(200 if outcome.saved else 422, body)


# --------------------------------------------------------------------------- endpoints


@api.get("/measures", response={200: list[MeasureOut], **ERRORS}, tags=["measures"],
         summary="The measures this token may use")
@paginate(Page)
def list_measures(request: HttpRequest, active: bool | None = None):
    measures = _token(request).scope_measures().select_related("project", "team").order_by("pk")
    if active is not None:
        measures = measures.filter(active=active)
    return measures


@api.get("/measures/{measure_id}", response={200: MeasureOut, **ERRORS}, tags=["measures"],
         summary="One measure")
def get_measure(request: HttpRequest, measure_id: MeasureId):
    return _measure(request, measure_id)


@api.get("/measures/{measure_id}/points", response={200: list[PointOut], **ERRORS}, tags=["points"],
         summary="A measure's data points, oldest first")
@paginate(Page)
def list_points(request: HttpRequest, measure_id: MeasureId, since: dt.date | None = None,
                until: dt.date | None = None):
    points = _measure(request, measure_id).points.order_by("period_start")
    if since is not None:
        points = points.filter(period_start__gte=since)
    if until is not None:
        points = points.filter(period_start__lte=until)
    return points


@api.put("/measures/{measure_id}/points", response={200: BatchOut, 422: BatchOut, 401: ErrorOut, 403: ErrorOut,
                                                    404: ErrorOut}, tags=["points"],
         summary="Create or correct a measure's points, one row per period")
def put_points(request: HttpRequest, measure_id: MeasureId, payload: PointsIn, partial: Partial = False):
    token = _writer(request)
    measure = _measure(request, measure_id)
    rows = [p.model_dump(exclude_unset=True) for p in payload.points]
    return _result(upsert_points(token, measure, rows, partial=partial))


@api.post("/points", response={200: BatchOut, 422: BatchOut, 401: ErrorOut, 403: ErrorOut}, tags=["points"],
          summary="Create or correct points of several measures in one batch")
def post_points(request: HttpRequest, payload: MeasurePointsIn, partial: Partial = False):
    token = _writer(request)
    rows = [p.model_dump(exclude_unset=True) for p in payload.points]
    return _result(upsert_many(token, rows, partial=partial))


@api.delete("/measures/{measure_id}/points/{period}", response={200: DeletedOut, **ERRORS}, tags=["points"],
            summary="Remove the point of one period (its values stay in the portal's history)")
def delete_point(request: HttpRequest, measure_id: MeasureId, period: dt.date,
                 reason: Annotated[str, Query(max_length=300, description="Why it is removed; kept in the "
                                                                          "history.")] = ""):
    token = _writer(request)
    measure = _measure(request, measure_id)
    point = remove_one(token, measure, period, reason.strip())
    if point is None:
        raise HttpError(404, f"Measure {measure_id} has no point for the period holding {period.isoformat()}.")
    return Status(200, {"detail": "Removed. The portal keeps its values in the point's history.",
                        "period": point.period_start})
