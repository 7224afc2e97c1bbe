"""The re-drive record of shared.infra.deadletters: which dead letters of a partition were re-driven, kept as a
committed offset plus the single re-drives above it, so none is re-driven twice."""

from __future__ import annotations

import json

import pytest

from shared.infra.deadletters import DeadLetter, PartitionLog, resolve


def test_single_redrives_above_the_mark_are_remembered_and_fold_into_it() -> None:
    log = PartitionLog(done=3)
    assert log.covers(0) and log.covers(2) and not log.covers(3)
    log.add(5)
    assert log.covers(5) and not log.covers(4) and json.loads(log.metadata()) == [5]
    log.add(3)
    assert log.done == 4 and log.extra == {5}
    log.add(4)  # 3, 4, 5 now contiguous: the mark moves past them and nothing stays in the metadata
    assert log.done == 6 and log.extra == set() and log.metadata() == ""


def letter(partition: int, offset: int, **headers: str) -> DeadLetter:
    return DeadLetter(partition, offset, b"k", b"{}", tuple((k, v.encode()) for k, v in headers.items()))


def test_a_dead_letter_is_named_by_partition_and_offset_or_a_bare_offset_when_unambiguous() -> None:
    letters = [letter(0, 4), letter(1, 4), letter(1, 7)]
    assert resolve(letters, "1:4") is letters[1]
    assert resolve(letters, "7") is letters[2]
    with pytest.raises(LookupError, match="partition:offset"):
        resolve(letters, "4")
    with pytest.raises(LookupError):
        resolve(letters, "2:9")


def test_redrive_keeps_the_original_headers_only_and_the_summary_never_shows_key_or_value() -> None:
    d = letter(0, 1, ce_id="e-1", ce_type="fi.avain.intake.IntakeCompleted", dlt_reason="UnknownEventType: v2",
               dlt_topic="avain.intake.events.v1", dlt_partition="2", dlt_offset="17")
    assert d.original_headers == [("ce_id", b"e-1"), ("ce_type", b"fi.avain.intake.IntakeCompleted")]
    summary = d.summary()
    assert summary["from"] == "avain.intake.events.v1:2:17" and summary["status"] == "pending"
    assert "k" not in summary.values() and "{}" not in summary.values()
