"""Delegated authority: which row of the delegation table applies to whom, where and when, and the two rules every
owner of a matter applies (needs approval? may this person approve?)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.infra.tables import DELEGATIONS, delegations
from shared.kernel.approvals import Authority, DelegationTable, check_approver, needs_approval
from shared.kernel.errors import Forbidden, RuleViolation

D = date(2020, 1, 1)


def table(*rows: dict[str, Any]) -> DelegationTable:
    return DelegationTable.from_mapping({
        "version": "v1", "kinds": ["budget_decision", "purchase"],
        "regions": {"satakunta": ["Pori", "Rauma"], "pirkanmaa": ["Tampere"]},
        "delegation": list(rows)})


def row(rule_id: str, limit: int | None, **more: Any) -> dict[str, Any]:
    return {"id": rule_id, "kind": "budget_decision", "role": "worker", "limit_cents": limit, "valid_from": D} | more


def limit_of(t: DelegationTable, municipality: str | None = "Pori", person: str = "w-1", role: str = "worker",
             on: date = date(2026, 1, 1), kind: str = "budget_decision") -> int | str | None:
    found = t.authority(person, role, kind, municipality, on)
    return "none" if found is None else found.limit_cents


def test_the_most_specific_row_applies_person_over_role_municipality_over_region_over_everywhere() -> None:
    t = table(row("everywhere", 100), row("region", 200, region="satakunta"), row("pori", 300, municipalities=["Pori"]),
              {"id": "aino", "kind": "budget_decision", "person": "w-1", "limit_cents": 50, "valid_from": D})
    assert limit_of(t, "Pori") == 50  # her own row, even where the municipality has one
    assert limit_of(t, "Pori", person="w-2") == 300
    assert limit_of(t, "Rauma", person="w-2") == 200
    assert limit_of(t, "Tampere", person="w-2") == 100
    assert limit_of(t, None, person="w-2") == 100


def test_a_row_is_in_force_from_its_first_to_its_last_day_and_a_later_row_takes_over() -> None:
    t = table(row("old", 100, valid_to=date(2025, 12, 31)), row("new", 500, valid_from=date(2026, 1, 1)))
    assert limit_of(t, on=date(2025, 12, 31)) == 100
    assert limit_of(t, on=date(2026, 1, 1)) == 500
    assert limit_of(t, on=date(2019, 12, 31)) == "none"


def test_no_row_no_authority_and_a_row_without_a_limit_covers_any_amount() -> None:
    t = table(row("worker", 100), {"id": "m", "kind": "budget_decision", "role": "manager", "valid_from": D})
    assert limit_of(t, role="client") == "none"
    assert limit_of(t, role="manager") is None
    found = t.authority("m-1", "manager", "budget_decision", "Pori", date(2026, 1, 1))
    assert found is not None and found.covers(10**12)
    with pytest.raises(ValueError, match="not a kind of matter"):
        t.authority("w-1", "worker", "support_person_agreement", "Pori", date(2026, 1, 1))


@pytest.mark.parametrize(("bad", "message"), [
    (row("x", 1, person="w-1"), "not both"),
    ({"id": "x", "kind": "budget_decision", "valid_from": D}, "not both or neither"),
    (row("x", 1, kind="lunch"), "not among the table's kinds"),
    (row("x", 1, region="lappi"), "no region"),
    (row("x", -5), "whole number"),
])
def test_a_malformed_row_is_refused_when_the_table_is_read(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        table(bad)
    with pytest.raises(ValueError, match="an id of its own"):
        table(row("same", 1), row("same", 2))


def authority(limit: int | None) -> Authority:
    return Authority(table_version="v1", rule_id="r", kind="purchase", holder="role:manager", limit_cents=limit)


def test_above_the_deciders_limit_a_second_person_must_approve_and_without_a_delegation_nobody_asks() -> None:
    assert needs_approval(authority(500), 500) is False
    assert needs_approval(authority(500), 501) is True
    assert needs_approval(authority(None), 10**9) is False
    with pytest.raises(Forbidden) as refused:
        needs_approval(None, 1)
    assert refused.value.code == "no-delegated-authority"


def test_the_approver_took_no_part_and_their_own_authority_covers_the_amount() -> None:
    assert check_approver("m-1", authority(1_000), "w-1", 1_000) == authority(1_000)
    with pytest.raises(RuleViolation) as own:
        check_approver("w-1", authority(1_000), "w-1", 10)
    assert own.value.code == "approver-took-part"
    with pytest.raises(RuleViolation):
        check_approver("w-2", authority(1_000), "w-1", 10, took_part=["w-2"])
    with pytest.raises(Forbidden) as above:
        check_approver("m-1", authority(999), "w-1", 1_000)
    assert above.value.code == "above-own-authority" and above.value.params == {"amount_cents": 1_000, "limit_cents": 999}
    with pytest.raises(Forbidden) as none:
        check_approver("m-1", None, "w-1", 1)
    assert none.value.code == "no-delegated-authority"


def test_the_countys_table_reads_and_delegates_every_kind_of_matter_it_names() -> None:
    t = delegations(DELEGATIONS)
    assert t.version and {"budget_decision", "budget_revision", "intake_decline", "support_closure"} <= t.kinds
    for kind in t.kinds:
        assert any(r.kind == kind for r in t.rows), f"nobody decides {kind}"
    worker = t.authority("worker-aino", "worker", "budget_decision", "Pori", date(2026, 1, 1))
    manager = t.authority("manager-helmi", "manager", "budget_decision", "Pori", date(2026, 1, 1))
    assert worker is not None and manager is not None and worker.limit_cents == 500_000
    assert manager.covers(worker.limit_cents + 1)
