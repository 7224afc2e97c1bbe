"""Decision letters on the real stack (issue 18): a budget decided in budgeting reaches the register, a recorded
dispatch writes its letter, and the client reads it on their own page: the PDF as served (its hash as recorded,
PDF/A-3a and PDF/UA-1 by veraPDF, with the number, the amount, the deadline and the instructions in the decision's
language) and its accessible HTML twin rendered again to the same hash; nobody else's client reads it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from services.decisions.domain.serving import time_limit_ends
from shared.i18n import catalogue
from shared.infra.letters import sha256
from shared.kernel.calendar import county_day
from tests.journeys import WORKER, decided_budget
from tests.letters import verapdf
from tests.support import eventually

pytestmark = pytest.mark.integration
NBSP = "\u00a0"


async def test_a_dispatched_budget_decision_is_served_as_a_letter_on_the_clients_own_page(
        intake: Any, budgeting: Any, decisions: Any, tokens: Any, tmp_path: Path) -> None:
    cid = await decided_budget(intake, budgeting, tokens, 300_000)
    w, me = tokens(*WORKER), tokens(cid, "client")

    async def register() -> Any:
        return (await decisions.get(f"/clients/{cid}/decisions", headers=w)).json()

    [row] = await eventually(register, timeout=30)
    path = f"/clients/{cid}/decisions/{row['decision_id']}"
    sent_at = datetime.now(UTC)
    sent = await decisions.post(f"{path}/dispatches", headers=w, json={"method": "letter",
                                                                       "sent_at": sent_at.isoformat()})
    assert sent.status_code == 200, sent.text

    async def letters() -> Any:
        r = await decisions.get(f"{path}/letters", headers=me)
        assert r.status_code == 200, r.text
        return r.json()

    [letter] = await eventually(letters, timeout=60)
    assert (letter["kind"], letter["recipient"], letter["pdf_variant"]) == ("budget", "client", "pdf/a-3a")
    language = letter["language"]

    pdf = await decisions.get(f"{path}/letters/{letter['letter_id']}/pdf", headers=me)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert sha256(pdf.content) == letter["content_hash"]
    t = catalogue().translator("letters", language)
    deadline = time_limit_ends(county_day(sent_at) + timedelta(days=7), 30)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
                    .replace(NBSP, " ").split())
    assert row["decision_number"] in text and t.money(300_000).replace(NBSP, " ") in text
    assert t.date(deadline) in text
    assert t("letter.section.rectification") in text

    twin = await decisions.get(f"{path}/letters/{letter['letter_id']}/html", headers=me)
    assert twin.status_code == 200 and f'<html lang="{language}">' in twin.text
    assert sha256(twin.text.encode()) == letter["html_hash"]

    for who in (tokens("someone-else", "client"),):
        assert (await decisions.get(f"{path}/letters", headers=who)).status_code == 403
        assert (await decisions.get(f"{path}/letters/{letter['letter_id']}/pdf", headers=who)).status_code == 403

    served = tmp_path / "served.pdf"
    served.write_bytes(pdf.content)
    for flavour in ("3a", "ua1"):
        assert verapdf([served], flavour) == {"served.pdf": "PASS"}, flavour
