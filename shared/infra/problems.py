"""The one error format of every service: RFC 9457 problem details (``application/problem+json``).

Every error answer carries ``type``, ``title``, ``status``, ``detail``, a stable ``code``, the field errors
(``errors``: field, code, message) and the ``correlation_id``; some add extension members (a version conflict
its ``expected_version`` and ``actual_version``, a refused erasure its ``reasons``, /ready its ``checks``).

Codes are the contract: a caller branches on ``code``, never on ``title`` or ``detail``. Every code is registered
once, in ``CODES`` below, with its status and its English title; the message catalogue translates titles by
code (message id ``problem.<code>.title``, in the kernel's or the refusing service's domain) through
``use_localizer``, in the request's language: Accept-Language, then the person's stored preference
(``request.state.preferred_language``, when the service knows it), then Finnish. A rule's own reason (a
``DomainError`` raised with a specific code) is translated too, from ``problem.<code>.detail`` with the error's
``params`` filled in (``*_cents`` as money, dates as the language writes them); the params also become extension
members. A generic code (``rule``, ``not-found``, ...) keeps the specific English sentence as its detail.

How a service answers with a problem:
- the domain and application raise the kernel's errors (``shared.kernel.errors``): ``RuleViolation("...")`` is
  ``rule`` 409, or with a code of its own, ``RuleViolation("...", code="erasure-refused")``;
- HTTP-level code raises ``ProblemError(code, detail)``; anything built by hand uses ``problem_response``.
A code must be registered here (``register``); tests/unit/test_problems.py fails on a code used but not registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.i18n import catalogue
from shared.infra.crypto import KeyVaultUnavailable
from shared.infra.db import CONNECTION_ERRORS
from shared.infra.eventstore import ConcurrencyError
from shared.kernel.errors import DomainError

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:avain:problem:"  # a URI per code (RFC 9457 3.1.1); not meant to be dereferenced
RETRY_AFTER_SECONDS = 5
RESERVED = frozenset({"type", "title", "status", "detail", "code", "instance", "correlation_id", "errors"})


@dataclass(frozen=True)
class ProblemCode:
    code: str
    status: int
    title: str  # English; the catalogue's message id is problem.<code>.title

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.code


CODES: dict[str, ProblemCode] = {}


def register(code: str, status: int, title: str) -> ProblemCode:
    """Register a stable code once (at import); registering it again with another meaning is a bug."""
    known = CODES.get(code)
    if known is not None:
        if (known.status, known.title) != (status, title):
            raise ValueError(f"problem code {code!r} is already registered as {known}")
        return known
    CODES[code] = ProblemCode(code, status, title)
    return CODES[code]


# --- the registry: every code any service answers with ------------------------------------------------------
# Codes are kebab-case; their texts in the catalogue are problem.<code>.title (and .detail).
# Who is calling
UNAUTHENTICATED = register("unauthenticated", 401, "Authentication required")
INVALID_TOKEN = register("invalid-token", 401, "The bearer token is not valid")
FORBIDDEN = register("forbidden", 403, "Not allowed")
READ_ONLY_ROLE = register("read-only-role", 403, "This role only reads")
NOT_A_CLIENT = register("not-a-client", 403, "This person is not a client of personal budgeting")
NOT_A_REPRESENTATIVE = register("not-a-representative", 403, "This person represents no client here")
PROCESSING_RESTRICTED = register("processing-restricted", 403, "Processing of this client's data is restricted")
# Acting as or for a client (shared.kernel.representation)
REPRESENTATION_REFUSED = register("representation-refused", 403, "You cannot do this for the client")
DATA_PROHIBITED = register("data-prohibited", 403, "The client has forbidden giving their data")
ACTS_THROUGH_GUARDIAN = register("acts-through-guardian", 403, "Your guardian acts for you")
# What is asked for
NOT_FOUND = register("not-found", 404, "Not found")
METHOD_NOT_ALLOWED = register("method-not-allowed", 405, "Method not allowed")
NOT_ACCEPTABLE = register("not-acceptable", 406, "Not acceptable")
# The case's state
RULE = register("rule", 409, "The case's state does not allow this")
CONFLICT = register("conflict", 409, "The case has changed since you read it")
CLIENT_ERASED = register("client-erased", 409, "The client's data has been erased")
ERASURE_REFUSED = register("erasure-refused", 409, "Erasure refused")
CONSENT_WITHDRAWN = register("consent-withdrawn", 409, "Consent has been withdrawn")
MOVED_OUT_OF_COUNTY = register("moved-out-of-county", 409, "The client has moved to another county")
MOVE_OUT_OF_ORDER = register("move-out-of-order", 409, "A later move is already recorded")
CLIENT_OF_AGE = register("client-of-age", 409, "The client is of age")
ALREADY_REPRESENTS = register("already-represents", 409, "This person already represents the client")
# The request itself
BAD_REQUEST = register("bad-request", 400, "Bad request")
INVALID_SUBJECT_TOKEN = register("invalid-subject-token", 400, "The token to exchange is not one Avain accepts")
PAYLOAD_TOO_LARGE = register("payload-too-large", 413, "The request body is too large")
UNSUPPORTED_MEDIA_TYPE = register("unsupported-media-type", 415, "Unsupported media type")
VALIDATION = register("validation", 422, "The request is not valid")
INVALID_CHARACTERS = register("invalid-characters", 422, "The request contains characters that cannot be stored")
PURPOSE_REQUIRED = register("purpose-required", 422, "State the purpose of the read")
RATE_LIMITED = register("rate-limited", 429, "Too many requests")
# The service
INTERNAL = register("internal", 500, "Internal error")
UNAVAILABLE = register("unavailable", 503, "The service is not reachable right now: try again shortly")
ACCESS_LOG_UNAVAILABLE = register("access-log-unavailable", 503, "The read could not be logged, so it is not shown")
NOT_READY = register("not-ready", 503, "The service is not ready")
# The marketplace: vendors verified by what they sell, one-off purchases
CRITERIA_NOT_MET = register("criteria-not-met", 422, "The vendor does not meet every criterion of its kind")
UNKNOWN_VENDOR_KIND = register("unknown-vendor-kind", 422, "The region has no such kind of vendor")
VENDOR_NOT_VERIFIED = register("vendor-not-verified", 409, "The vendor is not verified")
Y_TUNNUS_REGISTERED = register("y-tunnus-registered", 422, "A provider with this Y-tunnus is already registered")
NO_OWN_PROVIDER = register("no-own-provider", 404, "You have not registered a provider yet")
CATEGORY_NOT_FOR_VENDOR_KIND = register("category-not-for-vendor-kind", 409,
                                        "This kind of vendor may not deliver this kind of support")
PROVIDER_NOT_VERIFIED = register("provider-not-verified", 409, "The provider is not verified: it accepts no new work")
ORDER_HELD = register("order-held", 409, "The order waits for the coordinating worker's decision")
ORDER_NOT_HELD = register("order-not-held", 409, "The order is not waiting for a decision")
ORDER_NOT_OPEN = register("order-not-open", 409, "The order is no longer open")
ALREADY_RATED = register("already-rated", 409, "The order has already been rated")
RATING_BEFORE_DELIVERY = register("rating-before-delivery", 409, "The service has not been delivered yet")
PURCHASE_HELD = register("purchase-held", 409, "The purchase waits for the coordinating worker's decision")
PURCHASE_NOT_HELD = register("purchase-not-held", 409, "The purchase is not waiting for a decision")
VENDOR_CHECKS_DUE = register("vendor-checks-due", 409, "The vendor needs further checks first")
PURCHASE_STATE = register("purchase-state", 409, "The purchase's state does not allow this")
PURCHASE_NOT_AWAITING_APPROVAL = register("purchase-not-awaiting-approval", 409,
                                          "The purchase is not waiting for approval")
PURCHASE_NOT_CANCELLABLE = register("purchase-not-cancellable", 409, "The purchase can no longer be cancelled")
PURCHASE_RECEIVED_IN_THE_FUTURE = register("purchase-received-in-the-future", 409,
                                          "A receipt cannot be confirmed in advance")
# Support persons and their agreements: a claim beyond its agreement says which limit it passed
SUPPORT_PERSON_CONSENT_MISSING = register("support-person-consent-missing", 409, "Support person's own consent is missing")
SUPPORT_PERSON_WITHDRAWN = register("support-person-withdrawn", 409, "The support person withdrew their consent")
SUPPORT_PERSON_UNKNOWN = register("support-person-unknown", 409, "The support person is not in this client's plan")
SUPPORT_PERSON_NOT_PAYABLE = register("support-person-not-payable", 409, "The support person's payment details are missing")
AGREEMENT_NOT_AWAITING_APPROVAL = register("agreement-not-awaiting-approval", 409, "The agreement is not waiting for approval")
AGREEMENT_NOT_ACTIVE = register("agreement-not-active", 409, "The agreement is not in force")
CLAIM_STATE = register("claim-state", 409, "The claim's state does not allow this")
CLAIM_OUTSIDE_PERIOD = register("claim-outside-period", 409, "The month is outside the agreement's period")
CLAIM_IN_THE_FUTURE = register("claim-in-the-future", 409, "The month has not begun")
CLAIM_MONTH_ALREADY_CLAIMED = register("claim-month-already-claimed", 409, "The month's fee is already claimed")
CLAIM_EXCEEDS_HOURS = register("claim-exceeds-hours", 409, "The hours exceed the agreement")
CLAIM_EXCEEDS_EXPENSES_CAP = register("claim-exceeds-expenses-cap", 409, "The expenses exceed the agreement's cap")

# Rules of the domains: a refusal with a reason of its own (its detail is translated too: problem.<code>.detail).
# Delegated authority and approvals (shared/kernel/approvals.py)
NO_DELEGATED_AUTHORITY = register("no-delegated-authority", 403, "You hold no delegated authority for this")
ABOVE_OWN_AUTHORITY = register("above-own-authority", 403, "The amount is above your own delegated authority")
APPROVER_TOOK_PART = register("approver-took-part", 409, "You cannot approve your own proposal")
# Intake
NO_CONSENT = register("no-consent", 409, "The client has not given consent")
INTAKE_FINAL = register("intake-final", 409, "Intake has already been decided")
ALREADY_REGISTERED = register("already-registered", 409, "The client is already registered")
INVALID_HETU = register("invalid-hetu", 422, "The personal identity code is not valid")
NOT_REGISTERED = register("not-registered", 409, "The client is not registered")
NO_CONSENT_IN_FORCE = register("no-consent-in-force", 409, "There is no consent in force")
INTAKE_DECLINED = register("intake-declined", 409, "Intake was declined")
INTAKE_INCOMPLETE = register("intake-incomplete", 409, "Intake is not complete yet")
CLAIMS_WITHOUT_NAME = register("claims-without-name", 422, "The sign-in states no name")
# Budgeting
NO_BUDGET = register("no-budget", 409, "The client has no budget")
BUDGET_CLOSED = register("budget-closed", 409, "The budget is closed")
BUDGET_FROZEN = register("budget-frozen", 409, "The budget is frozen")
NOT_IN_DRAFT = register("not-in-draft", 409, "The budget can no longer be proposed")
NO_PROPOSAL = register("no-proposal", 409, "There is no proposal to decide on")
AWAITING_APPROVAL = register("awaiting-approval", 409, "The budget is waiting for approval")
ALREADY_DECIDED = register("already-decided", 409, "The budget has already been decided")
NOTHING_TO_APPROVE = register("nothing-to-approve", 409, "Nothing is waiting for approval")
APPROVAL_PENDING = register("approval-pending", 409, "A revision is already waiting for approval")
BELOW_COMMITTED = register("below-committed", 409, "The budget cannot go below what is committed")
NOT_DECIDED = register("not-decided", 409, "The budget has not been decided yet")
PLAN_REVIEW_OPEN = register("plan-review-open", 409, "A review of the plan is open")
PLAN_WITHOUT_GOALS = register("plan-without-goals", 409, "The plan has no goal")
PLAN_WITHOUT_SUPPORTS = register("plan-without-supports", 409, "The plan has no planned support")
SUPPORT_WITHOUT_GOAL = register("support-without-goal", 409, "A support serves no goal of the plan")
BREAKDOWN_WITHOUT_SUPPORT = register("breakdown-without-support", 409, "Money is set where no support is planned")
BREAKDOWN_SUM = register("breakdown-sum", 422, "The breakdown does not add up to the amount")
# Follow-up (services/followup/domain/followup.py); plan-review-open is budgeting's, above
CASE_CLOSED = register("case-closed", 409, "The follow-up case is closed")
END_REQUEST_WAITING = register("end-request-waiting", 409, "An earlier request to end the case waits for an answer")
# Decisions: serving a decision (services/decisions/domain/register.py)
DISPATCH_IN_THE_FUTURE = register("dispatch-in-the-future", 422, "A dispatch is recorded once it has been sent")
DISPATCH_BEFORE_DECISION = register("dispatch-before-decision", 409, "The decision had not been made yet")
RECIPIENT_UNDER_15 = register("recipient-under-15", 409, "A child under 15 is served through their guardians")
RECIPIENT_NOT_ENTITLED = register("recipient-not-entitled", 409, "The recipient is not entitled to be served")
RECIPIENT_NOT_A_REFERENCE = register("recipient-not-a-reference", 422, "Name the recipient by reference, not by name")
ELECTRONIC_WITHOUT_CONSENT = register("electronic-service-without-consent", 409,
                                      "Electronic service needs the recipient's consent")
NOT_DISPATCHED = register("not-dispatched", 409, "The decision has not been sent to this recipient")
RECEIPT_BEFORE_DISPATCH = register("receipt-before-dispatch", 422, "The receipt is earlier than the dispatch")
RECEIPT_IN_THE_FUTURE = register("receipt-in-the-future", 422, "A receipt is recorded once it has happened")
# Decisions: requests for rectification (services/decisions/domain/rectification.py)
REQUEST_IN_THE_FUTURE = register("request-in-the-future", 422, "A request is recorded once it has been received")
REQUEST_BEFORE_DECISION = register("request-before-decision", 422, "The request is dated before the decision")
PARTY_NOT_SERVED = register("party-not-served", 422, "The decision was not served to this party")
REQUEST_DECIDED = register("request-decided", 409, "The request has already been decided")
PREPARER_TOOK_PART = register("preparer-took-part", 409, "You took part in the decision")
REQUEST_NOT_PREPARED = register("request-not-prepared", 409, "The request has not been prepared yet")
NOT_THE_DECIDING_BODY = register("not-the-deciding-body", 409, "Another body decides this request")
MEETING_IN_THE_FUTURE = register("meeting-in-the-future", 422, "A meeting is recorded once it has been held")
AMENDMENT_TERMS = register("amendment-terms", 422, "An amended budget decision needs its new amount")
# Decisions: letters (services/decisions/domain/letters.py, application/letters.py)
LETTER_WITHOUT_DISPATCH = register("letter-without-dispatch", 409, "A letter is written for a recorded dispatch")
LETTER_OF_ANOTHER_DECISION = register("letter-of-another-decision", 409, "The letter belongs to another decision")
LETTER_ERASED = register("letter-erased", 410, "The letter can no longer be opened")

BY_STATUS: dict[int, ProblemCode] = {
    400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 405: METHOD_NOT_ALLOWED,
    406: NOT_ACCEPTABLE, 409: RULE, 413: PAYLOAD_TOO_LARGE, 415: UNSUPPORTED_MEDIA_TYPE,
    422: VALIDATION, 429: RATE_LIMITED, 500: INTERNAL, 503: UNAVAILABLE,
}


def code_of(code: str | ProblemCode, status: int = 500) -> ProblemCode:
    """The registered code; an unregistered one falls back to the status's generic code (and a test fails)."""
    if isinstance(code, ProblemCode):
        return code
    return CODES.get(code) or BY_STATUS.get(status) or INTERNAL


# --- languages ----------------------------------------------------------------------------------------------
# (code, English title, Accept-Language, the person's stored language) -> (title, language).
Localizer = Callable[[str, str, str | None, str | None], tuple[str, str]]
RESERVED = frozenset({"type", "title", "status", "detail", "code", "instance", "correlation_id", "errors"})


def _domain_of(key: str, language: str) -> str | None:
    """The catalogue domain holding ``key``: the kernel's first, then the services' (codes are unique)."""
    texts = catalogue()
    return next((d for d in ("kernel", *sorted(texts.domains)) if texts.has(d, key, language)), None)


def from_catalogue(code: str, title: str, accept_language: str | None,
                   stored: str | None = None) -> tuple[str, str]:
    """The title in the negotiated language (Accept-Language, the stored preference, then Finnish) from the message
    catalogue; a code the catalogue does not know yet keeps its English title."""
    texts = catalogue()
    language = texts.negotiate(None, accept_language, stored)
    key = f"problem.{code}.title"
    domain = _domain_of(key, language)
    if domain is not None:
        return texts.text(domain, key, language), language
    return title, "en"


def localized_detail(code: str, language: str, params: Mapping[str, Any]) -> str | None:
    """A rule's reason in ``language`` from ``problem.<code>.detail``, or None when the catalogue has none."""
    key = f"problem.{code}.detail"
    domain = _domain_of(key, language)
    if domain is None:
        return None
    t = catalogue().translator(domain, language)
    return t(key, **{name: _param(t, name, value) for name, value in params.items()})


def _param(t: Any, name: str, value: Any) -> object:
    if name.endswith("_cents") and isinstance(value, int):
        return t.money(value)
    if isinstance(value, date | datetime):
        return t.date(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _json_safe(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


_localizer: Localizer = from_catalogue


def use_localizer(localizer: Localizer | None) -> None:
    """Replace how titles are chosen (tests; a service with texts of its own); None restores the catalogue."""
    global _localizer
    _localizer = localizer or from_catalogue


# --- the body -----------------------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    field: str = Field(description="Where: a body field path (scores.competence), a query parameter or a header")
    code: str = Field(description="Stable code of what is wrong, e.g. missing, string_too_long, invalid_characters")
    message: str = Field(description="What is wrong, in English; never echoes the value sent")


class Problem(BaseModel):
    """RFC 9457 problem details; extension members (e.g. ``expected_version``, ``reasons``) may follow."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(description="A URI naming the problem type: urn:avain:problem:<code>")
    title: str = Field(description="Short summary of the problem type, in the negotiated language")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What happened in this case")
    code: str = Field(description="Stable machine-readable code; branch on this")
    instance: str | None = Field(None, description="The route template the request matched")
    correlation_id: str | None = Field(None, description="The request's correlation id (X-Correlation-ID)")
    errors: list[FieldProblem] = Field(default_factory=list, description="Field errors, when fields were wrong")


class ProblemError(Exception):
    """Raised where a handler wants a specific problem answer (HTTP-level concerns: tokens, sizes, outages)."""

    def __init__(self, code: ProblemCode, detail: str, *, errors: Iterable[Mapping[str, str]] = (),
                 headers: Mapping[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.problem_code = code
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_body(code: ProblemCode, detail: str, *, accept_language: str | None = None, stored: str | None = None,
                 correlation_id: str | None = None, instance: str | None = None,
                 errors: Iterable[Mapping[str, str]] = (), reason: Mapping[str, Any] | None = None,
                 **extensions: Any) -> tuple[dict[str, Any], str]:
    """The body of a problem and its language. ``reason``: a rule's params, when ``detail`` is that rule's own
    reason: then the detail is the catalogue's, in the problem's language, if it has one."""
    title, language = _localizer(code.code, code.title, accept_language, stored)
    if reason is not None:
        detail = localized_detail(code.code, language, reason) or detail
    body: dict[str, Any] = {"type": code.type, "title": title, "status": code.status, "detail": detail,
                            "code": code.code, "instance": instance, "correlation_id": correlation_id,
                            "errors": [dict(e) for e in errors]}
    body.update(extensions)
    return body, language


def problem_response(request: Request | None, code: ProblemCode, detail: str, *,
                     errors: Iterable[Mapping[str, str]] = (), headers: Mapping[str, str] | None = None,
                     reason: Mapping[str, Any] | None = None, **extensions: Any) -> JSONResponse:
    """An ``application/problem+json`` answer; 503s carry Retry-After, 401s WWW-Authenticate."""
    state = request.scope.get("state", {}) if request is not None else {}
    route = request.scope.get("route") if request is not None else None
    body, language = problem_body(
        code, detail, accept_language=request.headers.get("accept-language") if request is not None else None,
        stored=state.get("preferred_language"), correlation_id=state.get("correlation_id"),
        instance=getattr(route, "path", None), errors=errors, reason=reason, **extensions)
    all_headers = {"Content-Language": language}
    if code.status == 503:
        all_headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if code.status == 401:
        all_headers["WWW-Authenticate"] = "Bearer"
    all_headers.update(headers or {})
    return JSONResponse(body, status_code=code.status, headers=all_headers, media_type=PROBLEM_JSON)


# --- exceptions → problems ----------------------------------------------------------------------------------


def from_exception(request: Request, exc: Exception) -> JSONResponse:
    """The problem answer for any exception a request can end in (handlers and the request gate share it)."""
    if isinstance(exc, ProblemError):
        return problem_response(request, exc.problem_code, exc.detail, errors=exc.errors, headers=exc.headers,
                                **exc.extensions)
    if isinstance(exc, DomainError):
        code = code_of(exc.code, exc.status_code)
        field = getattr(exc, "field", None)
        errors = [{"field": field, "code": "value_error", "message": str(exc)}] if field else []
        # A rule's own code: its reason is translated (the params fill it in, and are members of their own).
        specific = exc.code != type(exc).code
        extensions = {k: _json_safe(v) for k, v in exc.params.items() if k not in RESERVED}
        return problem_response(request, code, str(exc), errors=errors, reason=exc.params if specific else None,
                                **extensions)
    if isinstance(exc, ConcurrencyError):
        return problem_response(request, CONFLICT, str(exc) + "; reload the case and try again",
                                expected_version=exc.expected, actual_version=exc.actual)
    if isinstance(exc, RequestValidationError):
        # Field errors without the rejected input: it may be a hetu or a name.
        errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body") or "body", "code": e["type"],
                   "message": e["msg"]} for e in exc.errors()]
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return problem_response(request, VALIDATION, f"invalid request: {fields}", errors=errors)
    if isinstance(exc, StarletteHTTPException):
        code = BY_STATUS.get(exc.status_code, INTERNAL if exc.status_code >= 500 else BAD_REQUEST)
        detail = exc.detail if isinstance(exc.detail, str) else code.title
        return problem_response(request, code, detail, headers=exc.headers)
    if isinstance(exc, KeyVaultUnavailable):
        log.warning("key_vault_unavailable", error=type(exc.__cause__ or exc).__name__)
        return problem_response(request, UNAVAILABLE, "the key vault did not answer; nothing was changed")
    if isinstance(exc, CONNECTION_ERRORS):
        log.warning("database_unavailable", error=type(exc).__name__)
        return problem_response(request, UNAVAILABLE, "the database did not answer; nothing was changed")
    log.error("internal_error", error=type(exc).__name__, exc_info=exc)
    return problem_response(request, INTERNAL, "an unexpected error; it has been logged")


async def _note_stored_language(request: Request, exc: Exception) -> None:
    """The caller's stored language (a client's choice at registration, a staff member's first language), for a
    request that names none, from the service's copy of people (shared/infra/people.py), if it keeps one. Never
    when the database is what failed, and a failed lookup only leaves the answer in Finnish."""
    principal = getattr(request.state, "principal", None)
    application = getattr(request.app.state, "application", None)
    people = getattr(getattr(application, "deps", None), "people", None)
    if principal is None or people is None or isinstance(exc, (KeyVaultUnavailable, *CONNECTION_ERRORS)):
        return
    if request.headers.get("accept-language"):
        return  # the request's own language comes first
    try:
        request.state.preferred_language = await people.language(principal.user_id)
    except Exception as lookup:  # noqa: BLE001 - the answer goes out regardless, in the default language
        log.warning("stored_language_unavailable", error=type(lookup).__name__)


def install_handlers(app: FastAPI) -> None:
    """Every error a route can end in is answered as a problem; so are outages (503 + Retry-After)."""

    async def handle(request: Request, exc: Exception) -> Response:
        await _note_stored_language(request, exc)
        return from_exception(request, exc)

    for kind in (ProblemError, DomainError, ConcurrencyError, RequestValidationError, StarletteHTTPException,
                 KeyVaultUnavailable, *CONNECTION_ERRORS, Exception):
        app.add_exception_handler(kind, handle)


# --- OpenAPI: every operation documents its problems ----------------------------------------------------------

DOCUMENTED = {
    401: "No bearer token, or not a valid one (nothing else is checked first)",
    403: "The caller's role or relationship to the case does not allow this",
    404: "No such client, case or resource",
    409: "The case's state does not allow this (code rule), or it changed since the version in If-Match "
         "or was changed by a concurrent command (code conflict, with expected_version and actual_version)",
    413: "The request body is larger than the service accepts",
    422: "The request is not valid: see errors (field, code, message); also characters that cannot be stored",
    503: "A database or the key vault is not reachable: nothing was changed; retry after Retry-After seconds",
}


def document(app: FastAPI) -> None:
    """Add the problem answers to every operation of ``app``'s OpenAPI document, replacing FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(Problem.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs", {}))
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas["Problem"].pop("$defs", None)
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _document_operation(path, operation)
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_operation(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if operation.get("security"):
        statuses = [s for s in DOCUMENTED if s != 413 or "requestBody" in operation]
    elif "requestBody" in operation:  # a public operation that reads a body (the token exchange) can refuse it
        statuses = [413, 422, 503]
    else:
        statuses = [503] if path == "/ready" else [422] if "422" in responses else []
    for status in statuses:
        response: dict[str, Any] = {"description": DOCUMENTED[status],
                                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        if status == 503:
            response["headers"] = {"Retry-After": {"description": "Seconds to wait before retrying",
                                                   "schema": {"type": "integer"}}}
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        responses[str(status)] = response
    for status, response in responses.items():  # a route's own refusals (declared with responses=) are problems too
        if status >= "400" and PROBLEM_JSON not in response.get("content", {}):
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
