"""The topics a service owns, kept as long as the law keeps the records they carry.

Kafka's default deletes a topic's records after 7 days. Events are the record of a case (ADR 0008: the audit
replay reads the log alone) and are kept for the case's retention period: years after the case closes. So every
topic a service owns (its events and its dead letters) is created, and at every start brought back, to the
configured retention: by default never delete (``retention.ms=-1``, ``retention.bytes=-1``), never compact (a
compacted topic keeps only each client's latest event), and ``min.insync.replicas`` where there are replicas.
A service refuses to start when a topic it owns would delete events earlier than the longest retention period
it serves: a clear stop at deployment instead of history silently lost a week later.

Decades of log stay cheap with Kafka's tiered storage (``remote.storage.enable``): see docs/decisions/0013.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

DAY_MS = 24 * 60 * 60 * 1000
YEAR_MS = 366 * DAY_MS  # a leap year: a year of retention never falls a day short
TOPIC_CONFIG_SOURCE = 1  # DescribeConfigs: DYNAMIC_TOPIC_CONFIG, a value set on the topic itself


class RetentionTooShort(RuntimeError):
    """A topic the service owns would delete events before their retention period ends: do not start."""


@dataclass(frozen=True)
class TopicPolicy:
    """What every owned topic is set to, and the period its events must outlive."""

    retention_ms: int = -1
    retention_bytes: int = -1
    replication_factor: int = 1
    min_insync_replicas: int | None = None  # None: one less than the replicas (2 of 3), when there are replicas
    required_years: int = 30

    @property
    def configs(self) -> dict[str, str]:
        wanted = {"retention.ms": str(self.retention_ms), "retention.bytes": str(self.retention_bytes),
                  "cleanup.policy": "delete"}
        if self.replication_factor > 1:
            isr = self.min_insync_replicas or self.replication_factor - 1
            wanted["min.insync.replicas"] = str(isr)
        return wanted


def retention_problems(topic: str, configs: Mapping[str, str], required_years: int) -> list[str]:
    """Why ``topic`` with these configs would lose events younger than ``required_years``; empty when it keeps them."""
    problems = []
    retention_ms = int(configs.get("retention.ms", "-1"))
    if retention_ms >= 0 and retention_ms < required_years * YEAR_MS:
        problems.append(
            f"topic {topic} deletes events after {retention_ms / DAY_MS:g} days (retention.ms={retention_ms}), "
            f"but this service keeps case records for {required_years} years: set retention.ms=-1 "
            f"(AVAIN_TOPIC_RETENTION_MS) and keep old segments in tiered storage")
    retention_bytes = int(configs.get("retention.bytes", "-1"))
    if retention_bytes >= 0:
        problems.append(
            f"topic {topic} deletes its oldest events once a partition holds {retention_bytes} bytes "
            f"(retention.bytes): set retention.bytes=-1 (AVAIN_TOPIC_RETENTION_BYTES)")
    if "compact" in configs.get("cleanup.policy", "delete"):
        problems.append(f"topic {topic} is compacted (cleanup.policy={configs['cleanup.policy']}): compaction keeps "
                        "only each client's latest event; set cleanup.policy=delete")
    return problems


async def ensure_topics(bootstrap: str, partitions: Mapping[str, int], policy: TopicPolicy = TopicPolicy(),
                        owned: Iterable[str] = ()) -> None:
    """Create missing topics with ``policy``'s configs; bring the ``owned`` ones to it and check them.

    Topics other services own (those this one only consumes) are created if missing, never altered: their
    owner sets them. Raises ``RetentionTooShort`` with the reasons when an owned topic would lose events."""
    owned = list(owned)
    configured = [p for t in owned for p in retention_problems(t, policy.configs, policy.required_years)]
    if configured:
        raise RetentionTooShort("refusing to start: " + "; ".join(configured))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="avain-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name=name, num_partitions=count, replication_factor=policy.replication_factor,
                            topic_configs=policy.configs)
                   for name, count in partitions.items() if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another instance created it meanwhile
        current = await _when_known(admin, owned)
        drifted = _drifted(current, owned, policy)
        if drifted:
            # AlterConfigs sets a topic's whole configuration (aiokafka has no incremental variant): send what was
            # set on the topic before (e.g. tiered storage) with the policy over it, or it would return to defaults.
            overrides = await topic_configs(admin, drifted, only_set_on_topic=True)
            await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, overrides[t] | policy.configs)
                                       for t in drifted])
            for _ in range(50):  # the broker applies a change a moment after it answers
                current = await topic_configs(admin, owned)
                if not _drifted(current, owned, policy):
                    break
                await asyncio.sleep(0.1)
    finally:
        await admin.close()
    found = [p for t in owned for p in retention_problems(t, current[t], policy.required_years)]
    if found:
        raise RetentionTooShort("refusing to start: " + "; ".join(found))


KNOWN_WITHIN_SECONDS = 120.0  # a broker under load (a load average of 30 on the test machine) took more than 10 s


async def _when_known(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, dict[str, str]]:
    """The topics' configs, once every broker knows a topic just created (for a moment, or under load for many
    seconds, it may not)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + KNOWN_WITHIN_SECONDS
    while loop.time() < end:
        try:
            return await topic_configs(admin, topics)
        except UnknownTopicOrPartitionError:
            await asyncio.sleep(0.2)
    return await topic_configs(admin, topics)


def _drifted(current: Mapping[str, Mapping[str, str]], owned: Iterable[str], policy: TopicPolicy) -> list[str]:
    return [t for t in owned if any(current[t].get(k) != v for k, v in policy.configs.items())]


async def topic_configs(admin: AIOKafkaAdminClient, topics: Iterable[str], *,
                        only_set_on_topic: bool = False) -> dict[str, dict[str, str]]:
    """The broker's effective configuration of each topic (name → value); with ``only_set_on_topic`` only what was
    set on the topic itself, not inherited from the broker's defaults."""
    topics = list(topics)
    if not topics:
        return {}
    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            if error_code == UnknownTopicOrPartitionError.errno:
                raise UnknownTopicOrPartitionError(name)
            if error_code:
                raise RuntimeError(f"cannot read the configuration of topic {name} (Kafka error {error_code})")
            found[name] = {entry[0]: entry[1] for entry in entries
                           if not only_set_on_topic or entry[3] == TOPIC_CONFIG_SOURCE}
    return found


async def read_topic_configs(bootstrap: str, topics: Iterable[str]) -> dict[str, dict[str, str]]:
    """For operators and tests: what the broker says each topic keeps."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="avain-admin")
    await admin.start()
    try:
        return await topic_configs(admin, topics)
    finally:
        await admin.close()
