"""What the browser tests set up through the services' APIs before a person opens a page: a new client of
worker-aino's whose intake is complete and whose budget for one support category the worker has decided (within
their own delegated authority), so a test can go straight to buying, ordering or suspending."""

from __future__ import annotations

import httpx

from deploy.local import demo as demo_data
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
LEVELS = {"much_less_than_expected": "Ei onnistu", "less_than_expected": "Harvoin", "expected": "Useimpina päivinä",
          "more_than_expected": "Joka päivä", "much_more_than_expected": "Joka päivä, ja jää aikaa muuhunkin"}


def temporary_hetu(birth: str, individual: int, sign: str = "-") -> str:
    """A temporary hetu (individual number 900-999: never issued to a real person), with its check character;
    ``sign`` is the century's (- for the 1900s, A for the 2000s)."""
    return f"{birth}{sign}{individual}{CHECK[int(birth + str(individual)) % 31]}"


def worker_token() -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('worker-aino', 'worker')}"}


def client_with_budget(demo: Demo, person: dict[str, str], *, category: str, cents: int, goal: str,
                       support: str) -> str:
    """Registered and through intake (``person``: hetu, given_name, family_name, language), one goal in their words,
    one support of ``category`` serving it, and a budget of ``cents`` for it decided by worker-aino."""
    worker = worker_token()
    with httpx.Client(base_url=demo.stack.url("intake"), headers=worker, timeout=10) as http:
        cid = demo_data.register(http, person)
    with httpx.Client(base_url=demo.stack.url("budgeting"), headers=worker, timeout=10) as http:
        demo_data.wait_for_budget(http, cid)
        http.post(f"/budgets/{cid}/goals", json={"title": goal, "baseline_level": -1,
                                                 "levels": LEVELS}).raise_for_status()
        goal_id = http.get(f"/budgets/{cid}").json()["goals"][0]["goal_id"]
        http.post(f"/budgets/{cid}/supports", json={"category": category, "description": support,
                                                    "estimated_cost_cents": cents, "provider_type": "firm",
                                                    "goal_ids": [goal_id]}).raise_for_status()
        http.post(f"/budgets/{cid}/proposal", json={"amount_cents": cents, "period": demo_data.PERIOD,
                                                    "breakdown": {category: cents}}).raise_for_status()
        decided = http.post(f"/budgets/{cid}/decision", json={"reasoning": f"{support}: {goal}."})
        assert decided.status_code in (200, 201), decided.text
    return cid
