"""The worker's pages: the caseload, finding a client, a client's case."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
