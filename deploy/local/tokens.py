"""Prints bearer tokens for the demo users (development only: signed with AVAIN_JWT_SECRET).

    ./avain tokens                       # staff tokens
    ./avain tokens --client ID           # plus a token for that client
    ./avain tokens --representative ID   # plus a token for that representative (a guardian, ...): TOKEN_REPRESENTATIVE
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from shared.infra.auth import TokenIssuer
from shared.infra.settings import ServiceSettings

DEMO_USERS = [
    ("worker-aino", "worker", "coordinating worker (omatyöntekijä)"),
    ("worker-eero", "worker", "another worker"),
    ("manager-helmi", "manager", "manager (approves above the authority limit)"),
    ("auditor-otso", "auditor", "auditor (read-only)"),
]


PEOPLE = Path(__file__).with_name("oidc") / "people.json"
PROFILE_CLAIMS = ("name", "given_name", "family_name", "title", "unit", "email", "phone_number", "languages")


def profile_claims(user_id: str) -> dict[str, Any]:
    """What the county's identity provider states of a demo staff member (people.json): the staff directory reads
    it at sign-in (POST /staff/me on intake)."""
    staff = {p["id"]: p for p in json.loads(PEOPLE.read_text(encoding="utf-8"))["staff"]}
    return {k: v for k, v in staff.get(user_id, {}).items() if k in PROFILE_CLAIMS}


def issuer() -> TokenIssuer:
    s = ServiceSettings()
    if s.env == "production":
        raise SystemExit("demo tokens are for development only")
    return TokenIssuer(s.jwt_secret.get_secret_value(), issuer=s.jwt_issuer, audience=s.jwt_audience)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--client", help="the client id to issue a client token for")
    parser.add_argument("--provider", help="print only a token for this provider user id")
    parser.add_argument("--representative", action="append", default=[], metavar="PERSON_ID", help=(
        "the person id of a representative to issue a token for (repeat for several: TOKEN_REPRESENTATIVE, "
        "TOKEN_REPRESENTATIVE_2, ...); whom they act for is checked by every service on every request"))
    args = parser.parse_args()
    tokens = issuer()
    if args.provider:
        print(tokens.issue(args.provider, "provider"))
        return
    for user, role, what in DEMO_USERS:
        token = tokens.issue(user, role, **profile_claims(user))  # type: ignore[arg-type]
        print(f"# {user}: {what}\nexport TOKEN_{user.split('-')[1].upper()}={token}")
    if args.client:
        print(f"# the client themself\nexport TOKEN_CLIENT={tokens.issue(args.client, 'client')}")
    for n, person in enumerate(args.representative, start=1):
        name = "TOKEN_REPRESENTATIVE" + (f"_{n}" if n > 1 else "")
        print(f"# a representative (guardian, edunvalvoja, ...)\nexport {name}={tokens.issue(person, 'representative')}")


if __name__ == "__main__":
    main()
