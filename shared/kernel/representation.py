"""Who may act for a client, and what a client may do alone: the rules every service's policy applies.

The law (docs/decisions/0026-representatives-and-life-changes.md):
- a guardian (huoltaja, Child Custody Act 361/1983) acts for a minor; a child often has two guardians, each with a
  link of their own; the link ends when the child turns 18 or when custody ends;
- a minor of 15 or more and the guardian may each act separately in matters of the minor's person
  (Administrative Procedure Act 434/2003, 14 §); a younger child acts through the guardian (and is heard);
- a minor able to judge it may forbid giving their data to the guardian (Act 812/2000, 11 §): then the guardian
  reads nothing of theirs, wherever it is kept;
- a court-appointed representative (edunvalvoja, Guardianship Services Act 442/1999) acts within the scope the court
  set; a continuing power of attorney (Act 648/2007) acts once confirmed; an authorised person (valtuutettu) within
  the authorisation. The client keeps their own rights.

A representative's principal carries their mandates in force (``Principal.mandates``), read at sign-in of every
request from the representation records the service keeps (shared/infra/representation.py); a client's principal
says whether they act alone (``Principal.acts_alone``). Pure: no I/O here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict

Kind = Literal["guardian", "court_appointed", "continuing_power_of_attorney", "authorised"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# What a person may do as the client, or for them: the scope of a mandate is a set of these.
#   read            read what the client reads (their case, budget, follow-up, orders, decisions)
#   consent         give or withdraw consent to personal budgeting
#   wishes          shape the plan: goals, planned supports, the client's wishes
#   check_ins       record a check-in in the client's own words
#   self_assessment fill in the self-assessment for the client
#   requests        ask for a plan review, ask to end the HB case
#   rectification   file a rectification request (oikaisuvaatimus) against a decision
#   orders          place, cancel and approve orders and purchases
Act = Literal["read", "consent", "wishes", "check_ins", "self_assessment", "requests", "rectification", "orders"]
ACTS: tuple[Act, ...] = get_args(Act)

# A minor's stage: a child (under 15) acts through the guardian; from 15 a minor also acts alone; an adult alone.
AgeStage = Literal["child", "minor_15", "adult"]
ACTS_ALONE_AT = 15
OF_AGE_AT = 18


class Mandate(BaseModel):
    """One link in force between the representative and a client: what it allows today."""

    model_config = ConfigDict(frozen=True)

    link_id: UUID
    client_id: UUID
    kind: Kind
    scope: frozenset[Act]
    reads: bool = True  # False: the client forbade giving their data to this guardian (812/2000, 11 §)


def default_scope(kind: Kind) -> frozenset[Act] | None:
    """A guardian and a confirmed continuing power of attorney act in all the client's matters here; a
    court-appointed representative and an authorised person only within the scope recorded (None: say it)."""
    return frozenset(ACTS) if kind in ("guardian", "continuing_power_of_attorney") else None


def anniversary(born: date, years: int) -> date:
    """The day a person born on ``born`` turns ``years``. One born on 29 February turns a year older on
    1 March in a common year (the reading Finnish authorities use)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def age_stage(born: date, on: date) -> AgeStage:
    if on >= anniversary(born, OF_AGE_AT):
        return "adult"
    return "minor_15" if on >= anniversary(born, ACTS_ALONE_AT) else "child"


def refusal(acting_alone: bool, mandate: Mandate | None, is_representative: bool, act: Act) -> tuple[str, str] | None:
    """Why a person may not take ``act`` as the client (or for them): (problem code, reason); None when they may.

    ``acting_alone``: the client themself, who may act alone (15 or more); ``mandate``: the representative's link
    to this client in force (None: they have none)."""
    if not is_representative:
        if act != "read" and not acting_alone:
            return "acts-through-guardian", "a client under 15 acts through their guardian"
        return None
    if mandate is None:
        return "representation-refused", "you do not represent this client"
    if act == "read" and not mandate.reads:
        return "data-prohibited", "the client has forbidden giving their data to their guardian"
    if act not in mandate.scope:
        return "representation-refused", f"{act.replace('_', ' ')} is outside the scope of your mandate"
    return None
