"""Handlers for the changes in a client's life: a move within the county from a day on, new contact details and
language, a move to another county (a decision ending this county's responsibility) and the hand-over of the case to
the county now responsible. Rules: domain/life.py."""

from __future__ import annotations

import json
from uuid import uuid4

from services.intake.application import commands as c
from services.intake.application.aggregates import CASE, Given_
from services.intake.domain import life as domain
from shared.infra.law_texts import decision_law
from shared.infra.pipeline import Handlers, Route
from shared.kernel.calendar import county_day
from shared.kernel.errors import InvalidCommand

# What a hand-over export holds (kinds of data; CaseHandedOver names them, never the data).
EXPORT_CONTENTS = ["personal_data", "contact_details", "municipalities", "consent", "self_assessment",
                   "needs_assessment", "representatives"]


async def change_municipality(cmd: c.ChangeMunicipality, given: Given_) -> domain.ChangeMunicipality:
    return domain.ChangeMunicipality(municipality=cmd.municipality, effective_from=cmd.effective_from)


async def change_contact(cmd: c.ChangeContactDetails, given: Given_) -> domain.ChangeContactDetails:
    changed = {name: value for name, value in (("address", cmd.address), ("phone", cmd.phone), ("email", cmd.email))
               if value is not None}
    if not changed:
        raise InvalidCommand("say which contact details changed: address, phone or email", field="address")
    (sealed,) = await given.keyring.seal(str(cmd.client_id), json.dumps(changed, ensure_ascii=False))
    return domain.ChangeContactDetails(changed=list(changed), contact=sealed)


async def change_language(cmd: c.ChangePreferredLanguage, given: Given_) -> domain.ChangePreferredLanguage:
    return domain.ChangePreferredLanguage(preferred_language=cmd.preferred_language)


async def move_out(cmd: c.RecordMoveOutOfCounty, given: Given_) -> domain.RecordMoveOutOfCounty:
    (reasoning,) = await given.keyring.seal(str(cmd.client_id), cmd.reasoning)
    case, day = given.state, county_day(given.context.now)
    # The move ends the county's support: its law and rectification instructions are the county's table's for a
    # support closure on the day, in the client's language, never words the caller typed (config/data/legal_bases).
    law = decision_law(given.deps.legal, "support_closure", day, case.preferred_language,
                       service_task=case.service_task.value if case.service_task else None)
    return domain.RecordMoveOutOfCounty(moved_on=cmd.moved_on, new_county=cmd.new_county,
                                        decided_by=given.principal.user_id, reasoning=reasoning,
                                        legal_basis=law.bases_text, appeal_instructions=law.instructions_text,
                                        today=day)


async def hand_over(cmd: c.HandOverCase, given: Given_) -> domain.HandOverCase:
    return domain.HandOverCase(export_id=uuid4(), to_county=cmd.to_county, contents=EXPORT_CONTENTS)


HANDLERS: Handlers = {
    c.ChangeMunicipality: Route(CASE, change_municipality),
    c.ChangeContactDetails: Route(CASE, change_contact),
    c.ChangePreferredLanguage: Route(CASE, change_language),
    c.RecordMoveOutOfCounty: Route(CASE, move_out),
    c.HandOverCase: Route(CASE, hand_over),
}
