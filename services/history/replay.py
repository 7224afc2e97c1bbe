"""``python -m services.history.replay``: the audit replay, kept at its old address (it lives in entrypoints/)."""

from services.history.entrypoints.replay import *  # noqa: F403 - the same module under its old name
from services.history.entrypoints.replay import LogRecord, Record, Replay, main, position, read_log, rebuild, run, view, views

__all__ = ["LogRecord", "Record", "Replay", "main", "position", "read_log", "rebuild", "run", "view", "views"]

if __name__ == "__main__":
    run()
