"""Every topic a service owns keeps its events as long as the law keeps the records: checked on the broker."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.intake.bootstrap import create_app
from shared.infra.settings import ServiceSettings
from shared.infra.topics import DAY_MS, RetentionTooShort, read_topic_configs
from tests.conftest import running_service

pytestmark = pytest.mark.integration
WEEK = str(7 * DAY_MS)


def owned(settings: ServiceSettings) -> list[str]:
    return [f"{settings.topic_prefix}avain.intake.{kind}.v1" for kind in ("events", "deadletter")]


async def test_owned_topics_never_delete_and_a_topic_set_to_a_week_is_brought_back(settings: ServiceSettings):
    events, dead_letters = owned(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="test-admin")
    await admin.start()
    try:  # someone created the events topic by hand with the broker's habit: a week
        await admin.create_topics([NewTopic(events, 3, 1, topic_configs={"retention.ms": WEEK,
                                                                         "max.message.bytes": "2000000"})])
    finally:
        await admin.close()
    assert (await read_topic_configs(settings.kafka_bootstrap, [events]))[events]["retention.ms"] == WEEK

    async with running_service(create_app, settings, "intake"):
        configs = await read_topic_configs(settings.kafka_bootstrap, [events, dead_letters])
    for topic in (events, dead_letters):
        assert configs[topic]["retention.ms"] == "-1", topic
        assert configs[topic]["retention.bytes"] == "-1", topic
        assert configs[topic]["cleanup.policy"] == "delete", topic
    assert configs[events]["max.message.bytes"] == "2000000"  # what else was set on the topic stays

async def test_a_service_configured_to_keep_a_week_refuses_to_start_and_says_why(settings: ServiceSettings):
    week = settings.model_copy(update={"topic_retention_ms": 7 * DAY_MS})
    with pytest.raises(RetentionTooShort) as refused:
        async with running_service(create_app, week, "intake"):
            pytest.fail("the service started")
    message = str(refused.value)
    assert "refusing to start" in message and "deletes events after 7 days" in message and "30 years" in message
    # It refused before creating anything.
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="test-admin")
    await admin.start()
    try:
        assert not set(owned(settings)) & set(await admin.list_topics())
    finally:
        await admin.close()
