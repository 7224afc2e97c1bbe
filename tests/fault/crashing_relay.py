"""``AVAIN_FAULT_SERVICE=<service> python -m tests.fault.crashing_relay``: the service as usual, except that its relay kills
its own process with SIGKILL between publishing a batch and marking it sent (the relay's ``before_mark`` seam),
the ``AVAIN_FAULT_CRASH_AT``-th time a published batch holds an event whose type ends with
``AVAIN_FAULT_CRASH_TYPE``. The records are on Kafka; their outbox rows still say unpublished."""

from __future__ import annotations

import importlib
import json
import os
import signal
from typing import Any

from shared.infra import runtime
from shared.infra.outbox import OutboxRelay

CRASH_TYPE = os.environ.get("AVAIN_FAULT_CRASH_TYPE", "")
CRASH_AT = int(os.environ.get("AVAIN_FAULT_CRASH_AT", "1"))


class CrashingRelay(OutboxRelay):
    def __init__(self, pool: Any, producer: Any, **kw: Any) -> None:
        super().__init__(pool, producer, before_mark=self._maybe_crash, **kw)
        self._matching_batches = 0

    async def _maybe_crash(self, ids: list[int]) -> None:
        types = await self._pool.fetch(
            "SELECT e.event_type FROM outbox o JOIN events e USING (event_id) WHERE o.id = ANY($1::bigint[])", ids)
        if any(r["event_type"].endswith(CRASH_TYPE) for r in types):
            self._matching_batches += 1
            if self._matching_batches >= CRASH_AT:
                print(json.dumps({"event": "fault_injected", "where": "relay_before_mark", "batch": len(ids)}),
                      flush=True)
                os.kill(os.getpid(), signal.SIGKILL)


runtime.OutboxRelay = CrashingRelay  # type: ignore[misc]
importlib.import_module(f"services.{os.environ['AVAIN_FAULT_SERVICE']}.bootstrap").main()
