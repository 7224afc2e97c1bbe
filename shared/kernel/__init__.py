"""The pure kernel: values and rules with no I/O. Imports nothing from shared.infra, contracts/ or services/,
and no I/O library (asyncpg, FastAPI, FastStream, structlog, aiokafka), so domain code can use all of it."""
