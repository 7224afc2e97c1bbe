"""What every service shares, in two layers (import rules in pyproject.toml, checked by tests/unit/test_code_boundaries.py):

- ``shared.kernel``: pure values and rules every layer may use: events and their registry, the envelope, errors,
  identifiers, the sealed value, the principal. No I/O library, and nothing above it (not even contracts/).
- ``shared.infra``: the machinery that runs a service: event store, command runner, outbox relay, consumers,
  timers, Kafka, PostgreSQL, HTTP, authentication, the access log, the key vault, settings, logging.
"""
