"""A decision's law in words, in a reader's language: its legal bases cited by the names in the one fixture of
acts (config/data/acts.toml) and its instructions for seeking a change from the message catalogue. Decisions record
codes (shared/kernel/law.py); the words are written when someone reads them, in their language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from shared.i18n import catalogue
from shared.infra import tables
from shared.kernel.law import DecisionKind, DecisionLaw, Instructions, LegalBasis, LegalTable, decision_language


def legal_bases_text(bases: Iterable[LegalBasis], language: str) -> str:
    """"sosiaalihuoltolaki (1301/2014), 45 §; vammaispalvelulaki (675/2023)"."""
    acts = tables.acts()
    return "; ".join(acts.basis(b, language) for b in bases)


def instructions_text(instructions: Instructions, language: str) -> str:
    """The rectification or appeal instructions (434/2003 46–47 §): to whom, within how many days, how."""
    acts = tables.acts()
    return catalogue().text("kernel", f"instructions.{instructions.kind}", language,
                            body=acts.body(instructions.body, language), days=instructions.days,
                            act=acts.cite(instructions.act, language))


def decision_law(table: LegalTable, kind: DecisionKind, day: date, preferred_language: str | None, *,
                 service_task: str | None = None, categories: Iterable[str] = (), provider_types: Iterable[str] = (),
                 region: str | None = None) -> DecisionLaw:
    """What a decision of ``kind`` made on ``day`` rests on, from the county's table, with its texts in the
    decision's language (the client's choice of Finnish or Swedish)."""
    version, bases = table.bases(kind, day, service_task=service_task, categories=categories,
                                 provider_types=provider_types)
    instructions = table.instructions(kind, day, region)
    language = decision_language(preferred_language)
    return DecisionLaw(version, tuple(bases), instructions, legal_bases_text(bases, language),
                       instructions_text(instructions, language))
