"""Every entry of a service's handler, reaction and timer tables has a given/when/then test on the memory store, and
every command a person sends has its 404 and 403 tested (tests/application.py: ``@covers``).

A service declared by a ServiceSpec (bootstrap.SPEC) is checked once its tests/unit/test_<name>_application.py
exists (and test_<name>_<part>_application.py, when its tests are several files); services not yet on the pipeline
have neither."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.infra.pipeline import Route
from shared.infra.service import ServiceSpec
from shared.kernel.errors import Forbidden, NotFound
from tests.application import COVERED, refused

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "bootstrap.py").exists())


def _spec(name: str) -> ServiceSpec[object] | None:
    spec = getattr(importlib.import_module(f"services.{name}.bootstrap"), "SPEC", None)
    return spec if isinstance(spec, ServiceSpec) else None


DECLARED = [name for name in SERVICES if _spec(name) is not None]


@pytest.mark.parametrize("name", DECLARED)
def test_every_command_reaction_and_refusal_has_an_application_test(name: str) -> None:
    spec = _spec(name)
    assert spec is not None
    for module in sorted((ROOT / "tests" / "unit").glob(f"test_{name}*_application.py")):  # a service's may be several
        importlib.import_module(f"tests.unit.{module.stem}")
    covered = COVERED[name]
    wanted = {*spec.handlers, *(spec.reactions.events if spec.reactions else ()), *spec.timers,
              *(event for listener in spec.listeners for event in listener.events)}
    for command, route in spec.handlers.items():
        if isinstance(route, Route) and route.missing == "refuse":  # a person's command on a case: unknown case, then not theirs
            wanted |= {refused(NotFound, command), refused(Forbidden, command)}
    missing = sorted(str(getattr(w, "__name__", w)) for w in wanted - covered)
    assert missing == [], f"{name}: no given/when/then test for {missing}"


def test_the_services_on_the_pipeline_are_checked() -> None:
    # The check above must check something: every service is on the pipeline.
    assert {"budgeting", "intake", "followup", "marketplace", "decisions", "history", "notifications"} <= set(DECLARED)
