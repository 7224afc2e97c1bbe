"""The client's own pages: my plan, my budget, my decisions, my orders, who has read my data."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
