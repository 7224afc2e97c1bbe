"""The law of representation as every service's policy applies it (shared.kernel.representation): ages, a
representative's mandate and its scope, a minor's prohibition, a child acting through their guardian."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Mandate, age_stage, anniversary, default_scope, refusal

CLIENT = uuid4()


def test_one_born_on_a_leap_day_turns_a_year_older_on_1_march_in_a_common_year() -> None:
    assert anniversary(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert anniversary(date(2008, 2, 29), 16) == date(2024, 2, 29)
    assert age_stage(date(2008, 2, 29), date(2026, 2, 28)) == "minor_15"
    assert age_stage(date(2008, 2, 29), date(2026, 3, 1)) == "adult"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 30_000))
def test_the_stage_follows_the_15th_and_18th_birthdays(born: date, days: int) -> None:
    on = date.fromordinal(born.toordinal() + days)
    expected = "adult" if on >= anniversary(born, 18) else "minor_15" if on >= anniversary(born, 15) else "child"
    assert age_stage(born, on) == expected


def test_a_guardian_and_a_confirmed_power_of_attorney_cover_everything_others_only_what_is_said() -> None:
    assert default_scope("guardian") == frozenset(ACTS) == default_scope("continuing_power_of_attorney")
    assert default_scope("court_appointed") is None and default_scope("authorised") is None


def mandate(**overrides: object) -> Mandate:
    return Mandate(**{"link_id": uuid4(), "client_id": CLIENT, "kind": "guardian", "scope": frozenset(ACTS)} | overrides)


def test_a_representative_acts_only_within_a_mandate_in_force_and_reads_only_what_is_not_forbidden() -> None:
    assert refusal(False, None, True, "read") == ("representation-refused", "you do not represent this client")
    assert refusal(False, mandate(), True, "consent") is None
    assert refusal(False, mandate(reads=False), True, "read")[0] == "data-prohibited"  # type: ignore[index]
    assert refusal(False, mandate(reads=False), True, "check_ins") is None  # the guardian still acts
    narrow = mandate(kind="court_appointed", scope=frozenset({"read", "orders"}))
    assert refusal(False, narrow, True, "orders") is None
    assert refusal(False, narrow, True, "consent") == ("representation-refused",
                                                      "consent is outside the scope of your mandate")


def test_a_child_under_15_reads_their_own_data_and_acts_through_their_guardian() -> None:
    assert refusal(False, None, False, "read") is None
    assert refusal(False, None, False, "check_ins")[0] == "acts-through-guardian"  # type: ignore[index]
    assert refusal(True, None, False, "check_ins") is None


def test_the_principal_says_representative_r_acting_for_client_c() -> None:
    guardian = Principal(user_id=str(uuid4()), role="representative", mandates=(mandate(),))
    assert guardian.mandate_for(CLIENT) is not None and guardian.mandate_for(uuid4()) is None
    assert guardian.as_client(CLIENT, "consent") is True
    with pytest.raises(Forbidden) as refused:
        guardian.as_client(uuid4(), "read")
    assert refused.value.code == "representation-refused"
    worker = Principal(user_id="worker-aino", role="worker")
    assert worker.as_client(CLIENT, "read") is False  # staff: the service's own rules decide
    with pytest.raises(Forbidden):
        Principal(user_id=str(uuid4()), role="client").as_client(CLIENT, "read")
