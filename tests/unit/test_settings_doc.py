"""docs/settings.md names every setting a service reads, with its default and meaning, as the code has them."""

from __future__ import annotations

import pytest
from pydantic import Field

from deploy import settings_doc
from shared.infra.settings import ServiceSettings


def test_docs_settings_md_is_what_the_settings_classes_say() -> None:
    assert settings_doc.TARGET.read_text(encoding="utf-8") == settings_doc.document(), \
        "docs/settings.md is stale: run python -m deploy.settings_doc"


def test_every_setting_of_every_service_has_a_row() -> None:
    text = settings_doc.TARGET.read_text(encoding="utf-8")
    for service, cls in settings_doc.service_settings().items():
        for name in cls.model_fields:
            assert f"| `AVAIN_{name.upper()}` |" in text, (service, name)
    # the five the newcomer found documented nowhere
    for name in ("JWT_ISSUER", "JWT_AUDIENCE", "DATABASE_PREFIX", "KEYS_DATABASE", "PAYMENT_TERMS_DAYS"):
        assert f"`AVAIN_{name}`" in text


def test_a_setting_without_a_description_is_refused() -> None:
    class Undescribed(ServiceSettings):
        shiny_new_knob: int = 3

    with pytest.raises(ValueError, match="AVAIN_SHINY_NEW_KNOB"):
        list(settings_doc.rows({"intake": Undescribed}))


def test_an_override_of_a_default_keeps_its_meaning_and_shows_each_default() -> None:
    class A(ServiceSettings):
        http_port: int = 8101

    class B(ServiceSettings):
        http_port: int = 8102
        knob: str = Field("x", description="What B's knob does")

    rows = {row[0]: row for row in settings_doc.rows({"a": A, "b": B})}
    assert rows["`AVAIN_HTTP_PORT`"][1:] == ("a `8101`, b `8102`", "every service", "The port the HTTP API listens on")
    assert rows["`AVAIN_KNOB`"][1:] == ("`x`", "b", "What B's knob does")
    assert rows["`AVAIN_JWT_SECRET`"][1] == "a development value (production refuses it)"
