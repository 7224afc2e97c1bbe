"""A small HTTP/1.1 load generator on asyncio streams: keep-alive connections, bounded concurrency.

Lighter than a general client (no connection pool logic, no redirects, no chunked bodies): on 2 cores the
load generator competes with the service it measures, so it should cost as little as possible. Only ever
pointed at 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class Connection:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        assert host.startswith("127."), "load only ever goes to the loopback"
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      body: Any = None) -> tuple[int, Any]:
        reader, writer = await self._open()
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = 0
        close = False
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        raw = await reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, json.loads(raw) if raw else None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._reader = self._writer = None


@dataclass
class Run:
    """What a load run measured: per-request latencies (seconds) and how long it took."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Job = Callable[[Connection], Awaitable[bool]]


async def closed_loop(port: int, jobs: Sequence[Sequence[Job]]) -> Run:
    """As fast as it goes: one connection per lane, each lane runs its jobs in order (a lane owns its clients,
    so a client's commands never race each other). Concurrency = number of lanes."""
    run = Run()

    async def lane(lane_jobs: Sequence[Job]) -> None:
        conn = Connection(port)
        try:
            for job in lane_jobs:
                t = time.perf_counter()
                ok = await job(conn)
                if ok:
                    run.latencies.append(time.perf_counter() - t)
                else:
                    run.errors += 1
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(lane(j) for j in jobs))
    run.seconds = time.perf_counter() - start
    return run


async def open_loop(port: int, jobs: Sequence[Job], per_second: float, *, connections: int = 32) -> Run:
    """At a steady rate, whatever the answers take (no coordinated omission: job i starts at t0 + i/rate)."""
    run = Run()
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        free.put_nowait(Connection(port))

    async def one(job: Job) -> None:
        conn = await free.get()
        t = time.perf_counter()
        try:
            ok = await job(conn)
        except (OSError, asyncio.IncompleteReadError):
            ok = False
            await conn.close()
        free.put_nowait(conn)
        if ok:
            run.latencies.append(time.perf_counter() - t)
        else:
            run.errors += 1

    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for i, job in enumerate(jobs):
        delay = start + i / per_second - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(job)))
    await asyncio.gather(*tasks)
    run.seconds = loop.time() - start
    while not free.empty():
        await free.get_nowait().close()
    return run
