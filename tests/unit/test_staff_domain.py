"""A staff member's directory entry: recorded whole, nothing when unchanged, and read from an identity provider's
claims (OpenID Connect's standard ones and the county's own)."""

from __future__ import annotations

import pytest

from contracts.intake import StaffProfileRecorded
from services.intake.domain import staff
from shared.kernel.errors import InvalidCommand


def entry(**more: object) -> staff.RecordProfile:
    return staff.RecordProfile(staff_id="worker-aino", name="Aino Virtanen", title="sosiaalityöntekijä",
                               languages=["fi", "sv"], source="admin").model_copy(update=more)


def test_an_entry_is_recorded_whole_and_an_unchanged_one_records_nothing() -> None:
    [recorded] = staff.decide(entry(), staff.INITIAL)
    assert isinstance(recorded, StaffProfileRecorded) and recorded.name == "Aino Virtanen"
    member = staff.evolve(staff.INITIAL, recorded)
    assert staff.decide(entry(), member) == []
    assert staff.decide(entry(source="identity_provider"), member) == []  # the same entry from another source
    [left] = staff.decide(entry(active=False), member)
    assert isinstance(left, StaffProfileRecorded) and left.active is False


@pytest.mark.parametrize(("claims", "expected"), [
    ({"name": "Aino Virtanen", "email": "aino@hyvaks.fi", "title": "sosiaalityöntekijä", "unit": "Pori",
      "languages": ["fi", "sv"]}, ("Aino Virtanen", "aino@hyvaks.fi", "Pori", ["fi", "sv"])),
    ({"given_name": "Aino", "family_name": "Virtanen", "department": "Pori", "locale": "fi-FI"},
     ("Aino Virtanen", None, "Pori", ["fi"])),
    ({"name": "  Aino  ", "languages": "sv, fi", "phone_number": "+358 40 1"}, ("Aino", None, None, ["sv", "fi"])),
    ({"name": "Aino", "languages": ["fi", "not a language", 7]}, ("Aino", None, None, ["fi"])),
])
def test_an_entry_from_the_identity_providers_claims(claims: dict[str, object],
                                                     expected: tuple[object, ...]) -> None:
    profile = staff.profile_from_claims("worker-aino", claims)
    assert (profile.name, profile.work_email, profile.unit, profile.languages) == expected
    assert profile.source == "identity_provider" and profile.staff_id == "worker-aino"


def test_claims_without_a_name_make_no_entry() -> None:
    with pytest.raises(InvalidCommand) as refused:
        staff.profile_from_claims("worker-aino", {"sub": "worker-aino", "email": "a@b.fi"})
    assert refused.value.code == "claims-without-name"


def test_the_sign_in_records_the_role_and_an_administrators_entry_without_one_keeps_it() -> None:
    # The role decides whose approval queue a matter reaches (notifications tells them): it must not be lost
    # when an administrator corrects a title, and a new role is a new entry.
    [signed_in] = staff.decide(staff.profile_from_claims("worker-aino", {"name": "Aino Virtanen"}, "manager"),
                               staff.INITIAL)
    assert isinstance(signed_in, StaffProfileRecorded) and signed_in.role == "manager"
    member = staff.evolve(staff.INITIAL, signed_in)
    [edited] = staff.decide(staff.RecordProfile(staff_id="worker-aino", name="Aino Virtanen", title="esihenkilö",
                                                source="admin"), member)
    assert isinstance(edited, StaffProfileRecorded) and edited.role == "manager"
    [demoted] = staff.decide(staff.profile_from_claims("worker-aino", {"name": "Aino Virtanen"}, "worker"),
                             staff.evolve(member, edited))
    assert isinstance(demoted, StaffProfileRecorded) and demoted.role == "worker"
