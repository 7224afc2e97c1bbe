"""Loads the demo clients through the running services' HTTP APIs and prints where to look.

The demo people with temporary hetus (individual number 900–999, never issued to a real person; the same as in
deploy/local/oidc/people.json, so they can sign in) walk through intake with worker-aino: registration,
consent, self-assessment, coordinator, needs, completion; then a plan, a decided budget, an order and a first
follow-up with a re-assessment. ``load(urls, tokens)`` is also what the browser tests use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.infra.auth import TokenIssuer
from shared.infra.settings import ServiceSettings

PEOPLE = Path(__file__).with_name("oidc") / "people.json"


def url(service: str, default_port: int) -> str:
    """Where ./avain started the service: AVAIN_<SERVICE>_URL or AVAIN_<SERVICE>_PORT, else the default port."""
    return os.environ.get(f"AVAIN_{service.upper()}_URL") or \
        f"http://127.0.0.1:{os.environ.get(f'AVAIN_{service.upper()}_PORT', default_port)}"


URLS = {s: url(s, p) for s, p in
        (("intake", 8001), ("budgeting", 8002), ("marketplace", 8003), ("followup", 8004), ("history", 8005),
         ("decisions", 8006))}
INTAKE, BUDGETING, MARKETPLACE, FOLLOWUP, HISTORY = (URLS[s] for s in ("intake", "budgeting", "marketplace", "followup",
                                                                      "history"))
# Up to 90 s (in 0.2 s steps) for the services to hear of each other through Kafka: a first start on a busy
# machine waits for consumer groups to form before the first event arrives.
WAITS = 450
PERIOD = {"start": date.today().isoformat(), "end": (date.today() + timedelta(days=364)).isoformat()}


def wait_for_budget(http: httpx.Client, cid: str) -> dict[str, object]:
    """Budgeting opens the budget when it consumes IntakeCompleted from Kafka."""
    for _ in range(WAITS):
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


def order_cleaning(tokens: TokenIssuer, worker: dict[str, str], cid: str, marketplace: str = MARKETPLACE) -> str:
    """A verified cleaning firm, its offering, and the demo client's order confirmed by budgeting."""
    provider = {"Authorization": f"Bearer {tokens.issue('prov-siisti', 'provider')}"}
    region = {"Authorization": f"Bearer {tokens.issue('manager-helmi', 'manager')}"}
    with httpx.Client(base_url=marketplace, timeout=10) as http:
        registered = http.post("/providers", headers=provider, json={
            "y_tunnus": "0112038-9", "name": "Siisti Koti Oy", "kind": "firm", "service_areas": ["Tampere", "Pori"],
            "languages": ["fi", "sv"], "accessibility": "Kotikäynnit", "evening_availability": True,
            "contact_email": "info@siistikoti.example"})
        if registered.status_code in (409, 422):  # the second demo client: the firm is there already
            offering = http.get("/search", headers=provider, params={"category": "cleaning"}).json()[0]
            return place_order(http, worker, cid, offering["offering_id"])
        registered.raise_for_status()
        pid = registered.json()["provider_id"]
        http.post(f"/providers/{pid}/verification", headers=region, json={"checklist": {
            "soteri_register": True, "self_monitoring_plan": True, "liability_insurance": True,
            "tax_debt_certificate": True, "accessibility_described": True}}).raise_for_status()
        published = http.post(f"/providers/{pid}/offerings", headers=provider, json={
            "category": "cleaning", "title": "Kotisiivous", "description": "Perussiivous 3 h",
            "unit_price_cents": 12_000, "vat_rate_bp": 2550, "unit": "visit", "availability": "ma-pe, myös iltaisin"})
        published.raise_for_status()
        return place_order(http, worker, cid, published.json()["offering_id"])


def place_order(http: httpx.Client, worker: dict[str, str], cid: str, offering_id: str) -> str:
    order = {"client_id": cid, "offering_id": offering_id, "quantity": 2}
    placed = http.post("/orders", headers=worker, json=order)
    for _ in range(WAITS):  # 404 until the marketplace has heard of the client from intake's event
        if placed.status_code != 404:
            break
        time.sleep(0.2)
        placed = http.post("/orders", headers=worker, json=order)
    placed.raise_for_status()
    order_id: str = placed.json()["order_id"]
    for _ in range(WAITS):  # budgeting reserves the funds, then the order is confirmed
        if http.get(f"/orders/{order_id}", headers=worker).json()["status"] != "awaiting_funds":
            break
        time.sleep(0.2)
    return order_id


def existing_order(worker: dict[str, str], cid: str, marketplace: str = MARKETPLACE) -> str | None:
    """On a repeated `./avain up`: the order the first run placed for the demo client, if any."""
    with httpx.Client(base_url=marketplace, headers=worker, timeout=10) as http:
        r = http.get("/orders", params={"client_id": cid})
        return str(r.json()[0]["order_id"]) if r.status_code == 200 and r.json() else None


def issuer() -> TokenIssuer:
    s = ServiceSettings()
    if s.env == "production":
        raise SystemExit("demo data is for development only")
    return TokenIssuer(s.jwt_secret.get_secret_value(), issuer=s.jwt_issuer, audience=s.jwt_audience)


SCORES = {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3, "physical_functioning": 7,
          "competence": 6, "everyday_life": 3}
LATER = {"general_ability": 6, "mental_wellbeing": 6, "social_participation": 4, "physical_functioning": 7,
         "competence": 6, "everyday_life": 6}


def register(http: httpx.Client, person: dict[str, Any]) -> str:
    """Registration and the steps of intake for one demo person (nothing twice on a repeated run)."""
    r = http.post("/clients", json={
        "hetu": person["hetu"], "first_name": person["given_name"], "last_name": person["family_name"],
        "phone": "+358 40 000 0000", "municipality": "Tampere", "preferred_language": person.get("language", "fi")})
    r.raise_for_status()
    cid: str = r.json()["client_id"]
    if r.json()["created"]:
        steps = [
            ("POST", "consent", {"given_by": "client"}),
            ("PUT", "coordinator", {"worker_id": "worker-aino"}),
            ("POST", "self-assessments", {
                "scores": SCORES, "own_words": "Arki kahden pienen lapsen kanssa on uuvuttavaa.",
                "wishes": "Siivousapua kotiin ja tukea jaksamiseen."}),
            ("POST", "needs-assessment", {"service_task": "families_with_children",
                                          "support_needs": ["everyday_life", "recreation"],
                                          "summary": "Perhe tarvitsee arjen tukea ja virkistystä."}),
            ("POST", "completion", None),
        ]
        for method, path, body in steps:
            http.request(method, f"/clients/{cid}/{path}", json=body).raise_for_status()
    return cid


# A child's self-assessment: the same six areas on the children's form's five faces (docs/self-assessment.md).
FACES = {"general_ability": 4, "mental_wellbeing": 3, "social_participation": 2, "physical_functioning": 4,
         "competence": 3, "everyday_life": 3}
CHILD_GOAL = "Pääsen harrastamaan kavereiden kanssa"
CHILD_SUPPORTS: list[dict[str, Any]] = [
        {"category": "recreation", "description": "Uimakoulu ja uimahallin kausikortti", "estimated_cost_cents": 45_000,
         "provider_type": "firm"},
        {"category": "coaching", "description": "Tukihenkilö harrastukseen", "estimated_cost_cents": 75_000,
         "provider_type": "ngo"},
]


def register_child(http: httpx.Client, child: dict[str, Any], guardian: dict[str, Any]) -> tuple[str, str]:
    """A child under 15 whom their guardian represents (ADR 0026): the child registered, the guardian registered
    as a person who represents clients and linked as guardian, consent given by the guardian, the children's
    self-assessment form, and intake completed (nothing twice on a repeated run). (child id, guardian's id)"""
    r = http.post("/clients", json={
        "hetu": child["hetu"], "first_name": child["given_name"], "last_name": child["family_name"],
        "municipality": "Pori", "preferred_language": child.get("language", "fi")})
    r.raise_for_status()
    cid: str = r.json()["client_id"]
    created = r.json()["created"]
    r = http.post("/representatives", json={
        "hetu": guardian["hetu"], "first_name": guardian["given_name"], "last_name": guardian["family_name"],
        "phone": "+358 40 000 0001", "preferred_language": guardian.get("language", "fi")})
    r.raise_for_status()
    person_id: str = r.json()["person_id"]
    if created:
        steps = [
            ("POST", "representatives", {"representative_id": person_id, "kind": "guardian",
                                         "basis": "Huoltajuus väestötietojärjestelmän mukaan"}),
            ("POST", "consent", {"given_by": "guardian"}),
            ("PUT", "coordinator", {"worker_id": "worker-aino"}),
            ("POST", "self-assessments", {"scores": FACES, "own_words": "Haluaisin oppia uimaan niin kuin kaverit.",
                                          "wishes": "Uimakoulu ja joku, jonka kanssa mennä."}),
            ("POST", "needs-assessment", {"service_task": "families_with_children",
                                          "support_needs": ["recreation", "social_participation"],
                                          "summary": "Lapsi tarvitsee tukea harrastukseen pääsemiseksi."}),
            ("POST", "completion", None),
        ]
        for method, path, body in steps:
            http.request(method, f"/clients/{cid}/{path}", json=body).raise_for_status()
    return cid, person_id


def plan_and_decide_for_child(http: httpx.Client, cid: str) -> None:
    """The child's plan (one goal in the child's words, two supports) and a decided budget, once."""
    if wait_for_budget(http, cid)["status"] != "draft":
        return
    http.post(f"/budgets/{cid}/goals", json={
        "title": CHILD_GOAL, "baseline_level": -1,
        "levels": {"much_less_than_expected": "En pääse harrastamaan", "less_than_expected": "Pääsen joskus",
                   "expected": "Pääsen kerran viikossa", "more_than_expected": "Pääsen kahdesti viikossa",
                   "much_more_than_expected": "Harrastan kavereiden kanssa ilman apua"}}).raise_for_status()
    goal_id = http.get(f"/budgets/{cid}").json()["goals"][0]["goal_id"]
    for support in CHILD_SUPPORTS:
        http.post(f"/budgets/{cid}/supports", json={**support, "goal_ids": [goal_id]}).raise_for_status()
    http.post(f"/budgets/{cid}/proposal", json={
        "amount_cents": 120_000, "period": PERIOD,
        "breakdown": {"recreation": 45_000, "coaching": 75_000}}).raise_for_status()
    http.post(f"/budgets/{cid}/decision", json={
        "reasoning": "Budjetti tukee lapsen harrastamista ja osallisuutta."}).raise_for_status()


def follow_up(worker: dict[str, str], cid: str, followup: str) -> None:
    """A first check-in and a re-assessment, so the follow-up page has a change per area to show."""
    with httpx.Client(base_url=followup, headers=worker, timeout=10) as http:
        for _ in range(WAITS):  # follow-up opens the case when it hears of the decision
            case = http.get(f"/followups/{cid}")
            if case.status_code == 200 and case.json().get("follow_ups"):
                break
            time.sleep(0.2)
        if case.status_code != 200 or case.json().get("reassessments"):
            return
        http.post(f"/followups/{cid}/check-ins", json={
            "contact_type": "home_visit", "client_account": "Siivous auttaa, jaksan paremmin.",
            "worker_notes": "Arki sujuu paremmin kuin alussa."}).raise_for_status()
        http.post(f"/followups/{cid}/reassessments", json={
            "scores": LATER, "own_words": "Jaksan paremmin."}).raise_for_status()


def sign_in_staff(urls: dict[str, str], tokens: TokenIssuer) -> None:
    """Each demo staff member's entry in the staff directory, as their sign-in records it from the identity
    provider's claims (name, title, unit, work contact, languages in people.json)."""
    fields = ("name", "given_name", "family_name", "title", "unit", "email", "phone_number", "languages")
    admin = {"Authorization": f"Bearer {tokens.issue('manager-helmi', 'manager')}"}
    for person in json.loads(PEOPLE.read_text())["staff"]:
        claims = {k: v for k, v in person.items() if k in fields}
        if person["role"] == "provider":  # a provider's own users: the provider's people, not the county's staff
            continue
        if person["role"] in ("auditor", "planner"):  # a read-only role writes nothing, not even its own entry
            httpx.put(f"{urls['intake']}/staff/{person['id']}", headers=admin, timeout=10, json={
                "name": person["name"], "title": person.get("title"), "unit": person.get("unit"),
                "work_email": person.get("email"), "languages": person.get("languages", [])}).raise_for_status()
            continue
        token = tokens.issue(person["id"], person["role"], **claims)
        httpx.post(f"{urls['intake']}/staff/me", headers={"Authorization": f"Bearer {token}"},
                   timeout=10).raise_for_status()


def load(urls: dict[str, str], tokens: TokenIssuer) -> dict[str, Any]:
    """Every demo client of people.json that is a client (not citizen-nobody, not a guardian), with plan, budget and
    order; and each child with their guardian, plan and decided budget (under the child's id, with ``guardian_id``)."""
    sign_in_staff(urls, tokens)
    worker = {"Authorization": f"Bearer {tokens.issue('worker-aino', 'worker')}"}
    everyone = json.loads(PEOPLE.read_text())
    people = [p for p in everyone["citizen"] if p["id"] != "citizen-nobody" and not p.get("represents")]
    loaded: dict[str, Any] = {}
    for person in people:
        with httpx.Client(base_url=urls["intake"], headers=worker, timeout=10) as http:
            cid = register(http, person)
            case = http.get(f"/clients/{cid}").json()
        with httpx.Client(base_url=urls["budgeting"], headers=worker, timeout=10) as http:
            fresh = plan_and_decide(http, cid)
            order_id = (order_cleaning(tokens, worker, cid, urls["marketplace"]) if fresh
                        else existing_order(worker, cid, urls["marketplace"]))
            budget = http.get(f"/budgets/{cid}").json()
        follow_up(worker, cid, urls["followup"])
        loaded[person["id"]] = {"client_id": cid, "case": case, "budget": budget, "order_id": order_id}
    children = {c["id"]: c for c in everyone.get("children", [])}
    for guardian in (p for p in everyone["citizen"] if p.get("represents")):
        for child in (children[c] for c in guardian["represents"]):
            with httpx.Client(base_url=urls["intake"], headers=worker, timeout=10) as http:
                cid, guardian_id = register_child(http, child, guardian)
            with httpx.Client(base_url=urls["budgeting"], headers=worker, timeout=10) as http:
                plan_and_decide_for_child(http, cid)
                budget = http.get(f"/budgets/{cid}").json()
            loaded[child["id"]] = {"client_id": cid, "budget": budget, "guardian_id": guardian_id}
    return loaded


def main() -> int:
    loaded = load(URLS, issuer())
    demo = loaded["citizen-demo"]
    cid, case, budget, order_id = demo["client_id"], demo["case"], demo["budget"], demo["order_id"]
    console = os.environ.get("AVAIN_CONSOLE_URL", "http://127.0.0.1:8000")
    print(f"""
Avain is running.
  API docs:          {INTAKE}/docs (intake), {BUDGETING}/docs (budgeting), {MARKETPLACE}/docs (marketplace),
                     {FOLLOWUP}/docs (follow-up), {HISTORY}/docs (history), {URLS['decisions']}/docs (decisions)
  demo client:       {cid}
                     intake {case['status']}; budget {budget['status']}, {budget['funds']['decided_cents'] / 100:.2f} €
                     (decision {budget['decision']['decision_number'] if budget['decision'] else '-'}),
                     reserved {budget['funds']['reserved_cents'] / 100:.2f} € for order {order_id or '(none)'}
  tokens:            eval "$(./avain tokens --client {cid})"
  follow the case:   curl -H "Authorization: Bearer $TOKEN_AINO" {INTAKE}/clients/{cid}
                     curl -H "Authorization: Bearer $TOKEN_CLIENT" {BUDGETING}/budgets/{cid}/advice
                     curl -H "Authorization: Bearer $TOKEN_AINO" {FOLLOWUP}/followups/{cid}
  stop everything:   ./avain down

  The console:       {console}   (development sign-in: {console}/dev/sign-in)
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
