"""Retention of the topics a service owns: what counts as keeping events long enough."""

from __future__ import annotations

from services.history.bootstrap import HistorySettings
from shared.infra.settings import ServiceSettings
from shared.infra.topics import DAY_MS, YEAR_MS, TopicPolicy, retention_problems


def test_the_default_policy_never_deletes_and_passes_the_check() -> None:
    policy = TopicPolicy()
    assert policy.configs == {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}
    assert retention_problems("t", policy.configs, 30) == []


def test_seven_days_is_refused_with_the_reason() -> None:
    [problem] = retention_problems("avain.intake.events.v1", {"retention.ms": str(7 * DAY_MS)}, 30)
    assert "avain.intake.events.v1 deletes events after 7 days" in problem and "30 years" in problem


def test_a_finite_retention_longer_than_the_period_served_is_accepted() -> None:
    assert retention_problems("t", {"retention.ms": str(31 * YEAR_MS), "retention.bytes": "-1"}, 30) == []
    assert retention_problems("t", {"retention.ms": str(29 * YEAR_MS)}, 30)


def test_a_size_limit_or_compaction_would_lose_events() -> None:
    assert "retention.bytes" in retention_problems("t", {"retention.ms": "-1", "retention.bytes": "1073741824"}, 30)[0]
    assert "compacted" in retention_problems("t", {"cleanup.policy": "compact,delete"}, 30)[0]


def test_min_insync_replicas_is_set_only_where_there_are_replicas() -> None:
    assert "min.insync.replicas" not in TopicPolicy(replication_factor=1).configs
    assert TopicPolicy(replication_factor=3).configs["min.insync.replicas"] == "2"
    assert TopicPolicy(replication_factor=3, min_insync_replicas=3).configs["min.insync.replicas"] == "3"


def test_the_history_serves_its_longest_configured_retention_period() -> None:
    assert ServiceSettings().retention_required_years == 30
    assert HistorySettings(retention_years={"child_welfare": 50}).retention_required_years == 50
