"""What a person reads, from the message catalogue (domain ``notifications``) in their language.

An inbox item's texts are rendered when it is read, from its kind, the reader's audience and its parameters, so a
reader who changes language reads every item in the new one. An item's key is ``notice.<kind>.<group>`` (with
``.<variant>`` for a party that has a text of its own, e.g. the previous worker), ``.title`` and ``.body``; a
representative reads the client's texts. The e-mail has one text for everything: it never says what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.i18n import Translator, catalogue

DOMAIN = "notifications"


def group_of(audience: str) -> str:
    return "client" if audience in ("client", "representative") else audience


def _formatted(params: Mapping[str, Any], t: Translator) -> dict[str, object]:
    shown: dict[str, object] = dict(params)
    for name in ("amount_cents", "previous_amount_cents"):
        if isinstance(params.get(name), int):
            shown[name.removesuffix("_cents")] = t.money(params[name])
    if isinstance(params.get("due_on"), str):
        shown["due_on"] = t.date(date.fromisoformat(params["due_on"]))
    # Codes in words; an unknown code (a newer publisher's) reads as the general text, never as the code.
    for code_param, shown_as, prefix in (("reason_code", "reason", "reason"), ("closure_code", "closure", "closure"),
                                         ("requester", "requested_by", "requester"),
                                         ("outcome_code", "outcome", "outcome"), ("matter_kind", "matter", "matter")):
        code = params.get(code_param)
        if code is not None:
            shown[shown_as] = t(f"{prefix}.{code}") if t.has(f"{prefix}.{code}") else t(f"{prefix}.other")
    return shown


def render(kind: str, audience: str, params: Mapping[str, Any], language: str) -> dict[str, str]:
    """The item's title and body in ``language``."""
    t = catalogue().translator(DOMAIN, language)
    key = f"notice.{kind}.{group_of(audience)}"
    variant = params.get("variant")
    if variant and t.has(f"{key}.{variant}.title"):
        key = f"{key}.{variant}"
    shown = _formatted(params, t)
    return {"title": t(f"{key}.title", **shown), "body": t(f"{key}.body", **shown)}


def email(language: str, inbox_url: str) -> tuple[str, str]:
    """The e-mail's subject and body: there is something new, and where to read it. Nothing else."""
    t = catalogue().translator(DOMAIN, language)
    return t("email.subject"), t("email.body", inbox_url=inbox_url)
