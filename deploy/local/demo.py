"""Loads a demo client through the running services' HTTP APIs and prints where to look.

A demo person with a temporary hetu (individual number 900–999, never issued to a real person) walks
through intake with worker-aino: registration, consent, self-assessment, coordinator, needs, completion.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta

import httpx
from tokens import issuer

from shared.infra.auth import TokenIssuer
from shared.kernel.identifiers import make_hetu


def url(service: str, default_port: int) -> str:
    """Where ./avain started the service: AVAIN_<SERVICE>_PORT, else the default port."""
    return f"http://127.0.0.1:{os.environ.get(f'AVAIN_{service.upper()}_PORT', default_port)}"


INTAKE = url("intake", 8001)
BUDGETING = url("budgeting", 8002)
MARKETPLACE = url("marketplace", 8003)
FOLLOWUP = url("followup", 8004)
HISTORY = url("history", 8005)
PERIOD = {"start": date.today().isoformat(), "end": (date.today() + timedelta(days=364)).isoformat()}


def wait_for_budget(http: httpx.Client, cid: str) -> dict[str, object]:
    """Budgeting opens the budget when it consumes IntakeCompleted from Kafka."""
    for _ in range(100):
        r = http.get(f"/budgets/{cid}")
        if r.status_code == 200:
            return r.json()  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise SystemExit("budgeting did not open the demo budget: see its log in .data/logs (AVAIN_DATA_DIR)")


def plan_and_decide(http: httpx.Client, cid: str) -> bool:
    """True when the budget was decided now (a fresh demo), False when it had been before."""
    budget = wait_for_budget(http, cid)
    if budget["status"] != "draft":
        return False
    http.post(f"/budgets/{cid}/goals", json={
        "title": "Jaksan arjessa lasten kanssa", "baseline_level": -1,
        "levels": {"much_less_than_expected": "En jaksa lainkaan", "less_than_expected": "Jaksan huonosti",
                   "expected": "Jaksan useimpina päivinä", "more_than_expected": "Jaksan hyvin",
                   "much_more_than_expected": "Jaksan ja ehdin harrastaa"}}).raise_for_status()
    goals = http.get(f"/budgets/{cid}").json()["goals"]
    for support in [
        {"category": "cleaning", "description": "Kotisiivous kahdesti kuukaudessa", "estimated_cost_cents": 240_000,
         "provider_type": "firm"},
        {"category": "recreation", "description": "Huvipuistoliput koko perheelle", "estimated_cost_cents": 30_000,
         "provider_type": "firm"},
        {"category": "coaching", "description": "Psykososiaalinen valmennus", "estimated_cost_cents": 130_000,
         "provider_type": "ngo"},
    ]:
        http.post(f"/budgets/{cid}/supports", json={**support, "goal_ids": [goals[0]["goal_id"]]}).raise_for_status()
    http.post(f"/budgets/{cid}/wishes", json={"text": "Toivon, että siivooja voisi tulla iltaisin."}).raise_for_status()
    http.post(f"/budgets/{cid}/proposal", json={
        "amount_cents": 400_000, "period": PERIOD,
        "breakdown": {"cleaning": 240_000, "recreation": 30_000, "coaching": 130_000}}).raise_for_status()
    http.post(f"/budgets/{cid}/decision", json={
        "reasoning": "Budjetti vastaa kotipalvelun ja perhetyön kustannuksia (kustannusneutraali)."}).raise_for_status()
    return True


def order_cleaning(tokens: TokenIssuer, worker: dict[str, str], cid: str) -> str:
    """A verified cleaning firm, its offering, and the demo client's order confirmed by budgeting."""
    provider = {"Authorization": f"Bearer {tokens.issue('prov-siisti', 'provider')}"}
    region = {"Authorization": f"Bearer {tokens.issue('manager-helmi', 'manager')}"}
    with httpx.Client(base_url=MARKETPLACE, timeout=10) as http:
        registered = http.post("/providers", headers=provider, json={
            "y_tunnus": "0112038-9", "name": "Siisti Koti Oy", "kind": "firm", "service_areas": ["Tampere", "Pori"],
            "languages": ["fi", "sv"], "accessibility": "Kotikäynnit", "evening_availability": True,
            "contact_email": "info@siistikoti.example"})
        registered.raise_for_status()
        pid = registered.json()["provider_id"]
        http.post(f"/providers/{pid}/verification", headers=region, json={"checklist": {
            "soteri_register": True, "self_monitoring_plan": True, "liability_insurance": True,
            "tax_debt_certificate": True, "accessibility_described": True}}).raise_for_status()
        published = http.post(f"/providers/{pid}/offerings", headers=provider, json={
            "category": "cleaning", "title": "Kotisiivous", "description": "Perussiivous 3 h",
            "unit_price_cents": 12_000, "vat_rate_bp": 2550, "unit": "visit", "availability": "ma-pe, myös iltaisin"})
        published.raise_for_status()
        order = {"client_id": cid, "offering_id": published.json()["offering_id"], "quantity": 2}
        placed = http.post("/orders", headers=worker, json=order)
        for _ in range(100):  # 404 until the marketplace has heard of the client from intake's event
            if placed.status_code != 404:
                break
            time.sleep(0.2)
            placed = http.post("/orders", headers=worker, json=order)
        placed.raise_for_status()
        order_id: str = placed.json()["order_id"]
        for _ in range(100):  # budgeting reserves the funds, then the order is confirmed
            if http.get(f"/orders/{order_id}", headers=worker).json()["status"] != "awaiting_funds":
                break
            time.sleep(0.2)
        return order_id


def existing_order(worker: dict[str, str], cid: str) -> str | None:
    """On a repeated `./avain up`: the order the first run placed for the demo client, if any."""
    with httpx.Client(base_url=MARKETPLACE, headers=worker, timeout=10) as http:
        r = http.get("/orders", params={"client_id": cid})
        return str(r.json()[0]["order_id"]) if r.status_code == 200 and r.json() else None


def main() -> int:
    tokens = issuer()
    worker = {"Authorization": f"Bearer {tokens.issue('worker-aino', 'worker')}"}
    with httpx.Client(base_url=INTAKE, headers=worker, timeout=10) as http:
        r = http.post("/clients", json={
            "hetu": make_hetu(date(1988, 5, 17), 901, "-"), "first_name": "Demo", "last_name": "Asiakas",
            "phone": "+358 40 000 0000", "municipality": "Tampere", "preferred_language": "fi"})
        r.raise_for_status()
        cid = r.json()["client_id"]
        if r.json()["created"]:
            steps = [
                ("POST", "consent", {"given_by": "client"}),
                ("PUT", "coordinator", {"worker_id": "worker-aino"}),
                ("POST", "self-assessments", {
                    "scores": {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3,
                               "physical_functioning": 7, "competence": 6, "everyday_life": 3},
                    "own_words": "Arki kahden pienen lapsen kanssa on uuvuttavaa.",
                    "wishes": "Siivousapua kotiin ja tukea jaksamiseen."}),
                ("POST", "needs-assessment", {"service_task": "families_with_children",
                                              "support_needs": ["everyday_life", "recreation"],
                                              "summary": "Perhe tarvitsee arjen tukea ja virkistystä."}),
                ("POST", "completion", None),
            ]
            for method, path, body in steps:
                http.request(method, f"/clients/{cid}/{path}", json=body).raise_for_status()
        case = http.get(f"/clients/{cid}").json()
    with httpx.Client(base_url=BUDGETING, headers=worker, timeout=10) as http:
        fresh = plan_and_decide(http, cid)
        order_id = order_cleaning(tokens, worker, cid) if fresh else existing_order(worker, cid)
        budget = http.get(f"/budgets/{cid}").json()
    print(f"""
Avain is running.
  API docs:          {INTAKE}/docs (intake), {BUDGETING}/docs (budgeting), {MARKETPLACE}/docs (marketplace),
                     {FOLLOWUP}/docs (follow-up), {HISTORY}/docs (history)
  demo client:       {cid}
                     intake {case['status']}; budget {budget['status']}, {budget['funds']['decided_cents'] / 100:.2f} €
                     (decision {budget['decision']['decision_number'] if budget['decision'] else '-'}),
                     reserved {budget['funds']['reserved_cents'] / 100:.2f} € for order {order_id or '(none)'}
  tokens:            eval "$(./avain tokens --client {cid})"
  follow the case:   curl -H "Authorization: Bearer $TOKEN_AINO" {INTAKE}/clients/{cid}
                     curl -H "Authorization: Bearer $TOKEN_CLIENT" {BUDGETING}/budgets/{cid}/advice
                     curl -H "Authorization: Bearer $TOKEN_AINO" {FOLLOWUP}/followups/{cid}
  stop everything:   ./avain down
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
