"""Decision letters for the tests: one LetterContent of each kind of decision, and veraPDF run the project's way
(tools/verapdf/verapdf.sh: the jars from Maven Central into the git-ignored cache)."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from shared.infra.letters import (
    DECISION_KINDS,
    AmountLine,
    DecisionKind,
    Dispatch,
    LetterContent,
    Remedy,
    StaffMember,
    SupportLine,
)

ROOT = Path(__file__).resolve().parent.parent
VERAPDF = ROOT / "tools" / "verapdf" / "verapdf.sh"
CLIENT = UUID("7d0b1d2e-3f41-4a5b-8c6d-7e8f9a0b1c2d")

# Per letter language: what the authority, bodies and acts are called (the wiring takes these from the acts
# fixture and the directory; here they are fixed values).
_WORDS = {
    "fi": dict(authority="Avainmaan hyvinvointialue", body="yksilöasiainjaosto", court="Helsingin hallinto-oikeus",
               act="hallintolaki (434/2003) 49 a §", appeal_act="laki oikeudenkäynnistä hallintoasioissa (808/2019)",
               bases=["vammaispalvelulaki (675/2023) 9 §", "sosiaalihuoltolaki (1301/2014) 45 §"],
               task="Vammaispalvelut", category="Henkilökohtainen apu", reason="Tuen tarve on päättynyt."),
    "sv": dict(authority="Välfärdsområdet Avainmaa", body="sektionen för individärenden",
               court="Helsingfors förvaltningsdomstol", act="förvaltningslagen (434/2003) 49 a §",
               appeal_act="lagen om rättegång i förvaltningsärenden (808/2019)",
               bases=["lagen om funktionshinderservice (675/2023) 9 §", "socialvårdslagen (1301/2014) 45 §"],
               task="Funktionshinderservice", category="Personlig assistans", reason="Behovet av stöd har upphört."),
    "en": dict(authority="Avainmaa Wellbeing Services County", body="the individual matters section",
               court="Helsinki Administrative Court", act="Administrative Procedure Act (434/2003) section 49 a",
               appeal_act="Administrative Judicial Procedure Act (808/2019)",
               bases=["Disability Services Act (675/2023) section 9", "Social Welfare Act (1301/2014) section 45"],
               task="Disability services", category="Personal assistance", reason="The need for support has ended."),
}

NUMBERS: dict[DecisionKind, str] = {"budget": "HB-2026-000042", "revision": "HB-2026-000043",
                                    "intake_decline": "HB-2026-000044", "support_closure": "HB-2026-000045",
                                    "rectification": "HB-2026-000046"}
AMOUNT_CENTS = 1_190_000
DEADLINE = date(2026, 12, 31)


def letter_content(kind: DecisionKind = "budget", language: str = "fi", decision_language: str | None = None,
                   **changes: object) -> LetterContent:
    words = _WORDS[language]
    appeal = kind == "rectification"
    money = kind in ("budget", "revision")
    content = LetterContent(
        kind=kind, decision_id=UUID(int=DECISION_KINDS.index(kind) + 1), decision_number=NUMBERS[kind],
        client_id=CLIENT, language=language,
        decision_language=decision_language or (language if language in ("fi", "sv") else "fi"),
        authority=str(words["authority"]), issued_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        decided_on=date(2026, 11, 30), recipient="Aino Asiakas-Virtanen", service_task=str(words["task"]),
        amount_cents=AMOUNT_CENTS if money else None,
        previous_amount_cents=980_000 if kind == "revision" else None,
        period_start=date(2027, 1, 1) if money else None, period_end=date(2027, 12, 31) if money else None,
        breakdown=[AmountLine(label=str(words["category"]), amount_cents=AMOUNT_CENTS)] if money else [],
        goals=["Käyn itse kaupassa kerran viikossa", "Harrastan uintia ystäväni kanssa"] if money else [],
        supports=[SupportLine(description="Avustaja kauppareissuille", category=str(words["category"]),
                              estimated_cost_cents=AMOUNT_CENTS)] if money else [],
        reason=str(words["reason"]) if kind in ("support_closure", "intake_decline") else None,
        reasoning="Suunnitelman tavoitteet edellyttävät avustajaa.\n\nKustannus on kohtuullinen." if money else None,
        legal_bases=list(words["bases"]),  # type: ignore[call-overload]
        decided_by=StaffMember(name="Paula Päättäjä", title="palvelupäällikkö"),
        decided_by_body=str(words["body"]) if appeal else None,
        prepared_by=StaffMember(name="Ville Valmistelija", title="sosiaalityöntekijä"),
        coordinator=StaffMember(name="Olli Omatyöntekijä", title="sosiaaliohjaaja", phone="+358 40 123 4567",
                                email="olli.omatyontekija@avainmaa.example"),
        remedy=Remedy(kind="appeal" if appeal else "rectification",
                      body=str(words["court" if appeal else "body"]),
                      act=str(words["appeal_act" if appeal else "act"]), days=30, deadline=DEADLINE),
        dispatch=Dispatch(method="letter", sent_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
                          presumed_received_on=date(2026, 12, 7)),
        replaces=NUMBERS["budget"] if kind in ("revision", "rectification") else None,
    )
    return content.model_copy(update=changes) if changes else content


def verapdf(paths: list[Path], flavour: str) -> dict[str, str]:
    """veraPDF's verdict on each file for one profile (3a, ua1, ...): {file name: "PASS" or "FAIL ..."}."""
    run = subprocess.run([str(VERAPDF), "--format", "text", "-v", "--flavour", flavour, *map(str, paths)],
                         capture_output=True, text=True, timeout=600)
    verdicts: dict[str, str] = {}
    current = None
    for line in run.stdout.splitlines():
        match = re.match(r"^(PASS|FAIL) (\S+)", line)
        if match:
            current = Path(match.group(2)).name
            verdicts[current] = match.group(1)
        elif current and line.strip().startswith("FAIL"):
            verdicts[current] += " " + line.strip()
    if not verdicts:
        raise AssertionError(f"veraPDF gave no verdict (exit {run.returncode}): {run.stderr[-2000:]}")
    return verdicts
