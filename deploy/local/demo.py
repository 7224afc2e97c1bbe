"""Loads a demo client through the running services' HTTP APIs and prints where to look.

A demo person with a temporary hetu (individual number 900–999, never issued to a real person) walks
through intake with worker-aino: registration, consent, self-assessment, coordinator, needs, completion.
"""

from __future__ import annotations

import sys
from datetime import date

import httpx
from tokens import issuer

from shared.identifiers import make_hetu

INTAKE = "http://127.0.0.1:8001"


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
    print(f"""
Avain is running.
  intake API docs:   {INTAKE}/docs
  demo client:       {cid} (intake {case['status']}, version {case['version']})
  tokens:            eval "$(./avain tokens --client {cid})"
  follow the case:   curl -H "Authorization: Bearer $TOKEN_AINO" {INTAKE}/clients/{cid}
  stop everything:   ./avain down
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
