"""Loads a demo client through the running services' HTTP APIs and prints where to look.

A demo person with a temporary hetu (individual number 900–999, never issued to a real person) walks
through intake with worker-aino: registration, consent, self-assessment, coordinator, needs, completion.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta

import httpx
from tokens import issuer

from shared.identifiers import make_hetu

INTAKE = "http://127.0.0.1:8001"
BUDGETING = "http://127.0.0.1:8002"
PERIOD = {"start": date.today().isoformat(), "end": (date.today() + timedelta(days=364)).isoformat()}


def wait_for_budget(http: httpx.Client, cid: str) -> dict[str, object]:
    """Budgeting opens the budget when it consumes IntakeCompleted from Kafka."""
    for _ in range(100):
        r = http.get(f"/budgets/{cid}")
        if r.status_code == 200:
            return r.json()  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise SystemExit("budgeting did not open the demo budget: see .data/logs/budgeting.log")


def plan_and_decide(http: httpx.Client, cid: str) -> None:
    budget = wait_for_budget(http, cid)
    if budget["status"] != "draft":
        return
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
        plan_and_decide(http, cid)
        budget = http.get(f"/budgets/{cid}").json()
    print(f"""
Avain is running.
  API docs:          {INTAKE}/docs (intake), {BUDGETING}/docs (budgeting)
  demo client:       {cid}
                     intake {case['status']}; budget {budget['status']}, {budget['funds']['decided_cents'] / 100:.2f} €
                     (decision {budget['decision']['decision_number'] if budget['decision'] else '-'})
  tokens:            eval "$(./avain tokens --client {cid})"
  follow the case:   curl -H "Authorization: Bearer $TOKEN_AINO" {INTAKE}/clients/{cid}
                     curl -H "Authorization: Bearer $TOKEN_CLIENT" {BUDGETING}/budgets/{cid}/advice
  stop everything:   ./avain down
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
