"""An unfinished intake's answers (a hetu among them) come back only to the worker who typed them, within the hour:
the next person on a shared workstation, or a copied cookie replayed later, finds none."""

from __future__ import annotations

import base64
import time
from types import SimpleNamespace
from typing import Any

from fastapi.responses import Response

from services.console.entrypoints.intake_wizard import DRAFT_PURPOSE, _draft, _keep
from services.console.session import INTAKE_DRAFT_COOKIE, Sealer

SEALER = Sealer(base64.b64encode(b"k" * 32).decode())


def page(user: str | None, cookie: str | None = None) -> Any:
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(sealer=SEALER)),
                              cookies={INTAKE_DRAFT_COOKIE: cookie} if cookie else {})
    return SimpleNamespace(request=request, session=SimpleNamespace(user_id=user) if user else None,
                           settings=SimpleNamespace(development=True))


def kept_by(user: str, answers: dict[str, Any]) -> str:
    response = _keep(page(user), Response(), answers)
    cookie = response.headers["set-cookie"]
    return cookie.split(f"{INTAKE_DRAFT_COOKIE}=", 1)[1].split(";", 1)[0].strip('"')


def test_the_worker_who_typed_the_answers_gets_them_back() -> None:
    sealed = kept_by("worker-aino", {"register": {"hetu": "131052-308T"}})
    assert _draft(page("worker-aino", sealed)) == {"register": {"hetu": "131052-308T"}}


def test_another_worker_or_nobody_signed_in_finds_no_draft() -> None:
    sealed = kept_by("worker-aino", {"register": {"hetu": "131052-308T"}})
    assert _draft(page("worker-eero", sealed)) == {}
    assert _draft(page(None, sealed)) == {}


def test_a_draft_older_than_an_hour_is_gone_even_if_the_cookie_is_replayed() -> None:
    stale = SEALER.seal(DRAFT_PURPOSE, {"by": "worker-aino", "until": time.time() - 1, "answers": {"register": {}}})
    assert _draft(page("worker-aino", stale)) == {}
    unowned = SEALER.seal(DRAFT_PURPOSE, {"register": {"hetu": "131052-308T"}})  # the shape before owners
    assert _draft(page("worker-aino", unowned)) == {}
