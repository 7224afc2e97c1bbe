"""A client's way through the services, step by step over their HTTP APIs, for integration tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.kernel.identifiers import make_hetu

WORKER = ("worker-aino", "worker")
OTHER_WORKER = ("worker-eero", "worker")
MANAGER = ("manager-helmi", "manager")

SCORES = {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3,
          "physical_functioning": 7, "competence": 6, "everyday_life": 4}


def person(hetu: str | None = None, **overrides: Any) -> dict[str, Any]:
    body = {"hetu": hetu or make_hetu(date(1985, 3, 14), 234), "first_name": "Maija", "last_name": "Meikäläinen",
            "phone": "+358401234567", "email": "maija@example.fi", "municipality": "Tampere",
            "preferred_language": "fi"}
    return body | overrides


async def walk_to_completion(intake: Any, tokens: Any, hetu: str | None = None, **overrides: Any) -> str:
    w = tokens(*WORKER)
    r = await intake.post("/clients", json=person(hetu, **overrides), headers=w)
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    steps = [
        ("post", f"/clients/{cid}/consent", {"given_by": "client"}),
        ("put", f"/clients/{cid}/coordinator", {"worker_id": WORKER[0]}),
        ("post", f"/clients/{cid}/self-assessments",
         {"scores": SCORES, "own_words": "Arki on raskasta", "wishes": "Siivousapua ja lastenrattaat"}),
        ("post", f"/clients/{cid}/needs-assessment",
         {"service_task": "families_with_children", "support_needs": ["everyday_life"], "summary": "Tarvitsee apua"}),
        ("post", f"/clients/{cid}/completion", None),
    ]
    for method, path, body in steps:
        r = await intake.request(method.upper(), path, json=body, headers=w)
        assert r.status_code == 200, (path, r.text)
    return cid


GOAL = {"title": "Jaksan arjessa lasten kanssa",
        "levels": {"much_less_than_expected": "En jaksa lainkaan", "less_than_expected": "Jaksan huonosti",
                   "expected": "Jaksan useimpina päivinä", "more_than_expected": "Jaksan hyvin",
                   "much_more_than_expected": "Jaksan ja ehdin harrastaa"},
        "baseline_level": -1}
# A year-long period well past its middle, around today (so tests read the same whatever the date).
PERIOD = {"start": (date.today() - timedelta(days=300)).isoformat(),
          "end": (date.today() + timedelta(days=64)).isoformat()}


async def budget_opened(budgeting: Any, tokens: Any, cid: str) -> dict[str, Any]:
    """Wait until budgeting has consumed IntakeCompleted and opened the client's budget."""
    from tests.support import eventually

    async def opened() -> Any:
        r = await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))
        return r.json() if r.status_code == 200 else None

    return await eventually(opened, timeout=30)  # type: ignore[no-any-return]


async def plan(budgeting: Any, tokens: Any, cid: str, categories: list[str]) -> str:
    """The plan a budget rests on: the client's goal and a support in each category, tied to the goal."""
    w = tokens(*WORKER)
    r = await budgeting.post(f"/budgets/{cid}/goals", headers=w, json=GOAL)
    assert r.status_code == 200, r.text
    goal_id = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["goals"][-1]["goal_id"]
    for category in categories:
        r = await budgeting.post(f"/budgets/{cid}/supports", headers=w, json={
            "category": category, "description": f"Tuki: {category}", "estimated_cost_cents": 10_000,
            "provider_type": "firm", "goal_ids": [goal_id]})
        assert r.status_code == 200, r.text
    return str(goal_id)


async def decided_budget(intake: Any, budgeting: Any, tokens: Any, amount_cents: int, hetu: str | None = None,
                         breakdown: dict[str, int] | None = None, **overrides: Any) -> str:
    """A client through intake to a budget decided by their worker (within the authority limit), on a plan."""
    cid = await walk_to_completion(intake, tokens, hetu, **overrides)
    await budget_opened(budgeting, tokens, cid)
    w = tokens(*WORKER)
    await plan(budgeting, tokens, cid, sorted(breakdown or {"everyday_life": amount_cents}))
    r = await budgeting.post(f"/budgets/{cid}/proposal", headers=w, json={
        "amount_cents": amount_cents, "period": PERIOD,
        "breakdown": breakdown or {"everyday_life": amount_cents}})
    assert r.status_code == 200, r.text
    r = await budgeting.post(f"/budgets/{cid}/decision", headers=w, json={"reasoning": "Kustannusneutraali budjetti"})
    assert r.status_code == 200, r.text
    return cid


def y_tunnus(body: int) -> str:
    """A valid Y-tunnus for a 7-digit body (skipping bodies that have no valid check digit)."""
    while True:
        digits = f"{body:07d}"
        r = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if r != 1:
            return f"{digits}-{0 if r == 0 else 11 - r}"
        body += 1


REGION = ("region-ritva", "manager")
ALL_CRITERIA = {"soteri_register": True, "self_monitoring_plan": True, "liability_insurance": True,
                "tax_debt_certificate": True, "accessibility_described": True}


async def verified_provider(marketplace: Any, tokens: Any, user: str, *, body: int, name: str = "Siisti Koti Oy",
                            areas: tuple[str, ...] = ("Tampere",), verify: bool = True) -> str:
    p = tokens(user, "provider")
    r = await marketplace.post("/providers", headers=p, json={
        "y_tunnus": y_tunnus(body), "name": name, "kind": "firm", "service_areas": list(areas),
        "languages": ["fi", "sv"], "accessibility": "Esteetön sisäänkäynti", "evening_availability": True,
        "weekend_availability": False, "contact_email": "info@example.fi"})
    assert r.status_code == 201, r.text
    provider_id: str = r.json()["provider_id"]
    if verify:
        r = await marketplace.post(f"/providers/{provider_id}/verification", headers=tokens(*REGION),
                                   json={"checklist": ALL_CRITERIA})
        assert r.status_code == 200, r.text
    return provider_id


async def offering(marketplace: Any, tokens: Any, user: str, provider_id: str, *, price: int,
                   category: str = "cleaning", title: str = "Kotisiivous") -> str:
    r = await marketplace.post(f"/providers/{provider_id}/offerings", headers=tokens(user, "provider"), json={
        "category": category, "title": title, "description": f"{title} kotiin", "unit_price_cents": price,
        "vat_rate_bp": 2550, "unit": "visit", "availability": "ma-pe 8-20"})
    assert r.status_code == 201, r.text
    offering_id: str = r.json()["offering_id"]
    return offering_id


GOODS_CRITERIA = {"y_tunnus_valid": True, "payment_details": True}  # a shop's or an amusement park's checklist


async def vendor(marketplace: Any, tokens: Any, user: str, *, body: int, name: str, kind: str = "goods_and_tickets",
                 checklist: dict[str, bool] | None = None, areas: tuple[str, ...] = ("Tampere",)) -> str:
    """A vendor that sells ``kind`` (goods and tickets unless said), registered by ``user`` and verified by the
    region on its kind's criteria (``checklist``: those of goods and tickets unless said)."""
    r = await marketplace.post("/providers", headers=tokens(user, "provider"), json={
        "y_tunnus": y_tunnus(body), "name": name, "kind": "firm", "vendor_kind": kind, "service_areas": list(areas),
        "languages": ["fi", "sv"], "accessibility": "Esteetön sisäänkäynti", "contact_email": "myynti@example.fi"})
    assert r.status_code == 201, r.text
    vendor_id: str = r.json()["provider_id"]
    r = await marketplace.post(f"/providers/{vendor_id}/verification", headers=tokens(*REGION),
                               json={"checklist": checklist or GOODS_CRITERIA})
    assert r.status_code == 200, r.text
    return vendor_id


async def purchase_status(marketplace: Any, tokens: Any, purchase_id: str, *wanted: str,
                          timeout: float = 30) -> dict[str, Any]:
    """Wait until the purchase reaches one of ``wanted`` (as the coordinating worker reads it)."""
    from tests.support import eventually

    async def reached() -> Any:
        body = (await marketplace.get(f"/purchases/{purchase_id}", headers=tokens(*WORKER))).json()
        return body if body.get("status") in wanted else None

    return await eventually(reached, timeout=timeout)  # type: ignore[no-any-return]
