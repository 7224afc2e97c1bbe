"""Rendering a decision letter: its facts (LetterContent) through a template version and the catalogue's
``letters`` texts in the letter's language, into the accessible HTML twin and the PDF/A that is served.

Kept as served: the letter records its template version and the exact catalogue texts it was written with (a
snapshot, and their hash as the catalogue version). Rendering the same record again with that version and that
snapshot gives the same HTML and the same PDF bytes, whatever the catalogue says by then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import unescape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.i18n import Catalogue, catalogue, format_day, format_money
from shared.infra.letters.content import LetterContent, LetterMetadata, StaffMember
from shared.infra.letters.pdf import PDF_VARIANT, html_to_pdf
from shared.infra.letters.templates import STYLE_FILE, TEMPLATE_FILE, TemplateVersions, template_versions

DOMAIN = "letters"


class MissingLetterText(LookupError):
    """A text the template asks for is neither in the catalogue nor in the letter's snapshot."""


@dataclass(frozen=True)
class Letter:
    """A rendered letter: what is stored sealed and served, and how it was made."""

    # Personal data (the client's name and words) stays out of repr: a letter in a log line shows only its version.
    content: LetterContent = field(repr=False)
    template_version: str
    texts: Mapping[str, str] = field(repr=False)  # key -> the catalogue text as used (before its parameters)
    html: str = field(repr=False)
    pdf: bytes = field(repr=False)
    metadata: LetterMetadata = field(repr=False)

    @property
    def content_hash(self) -> str:
        return self.metadata.content_hash

    @property
    def catalogue_version(self) -> str:
        return self.metadata.catalogue_version


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def texts_version(texts: Mapping[str, str]) -> str:
    """The catalogue version of a letter: the hash of the texts it was written with."""
    return sha256(json.dumps(dict(texts), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())


class _Texts:
    """The catalogue's ``letters`` domain in one language, remembering every text used; or a snapshot of one."""

    def __init__(self, language: str, source: Catalogue, snapshot: Mapping[str, str] | None) -> None:
        self.language = language
        self.source = source
        self.snapshot = snapshot
        self.used: dict[str, str] = {}

    def __call__(self, key: str, /, **params: object) -> str:
        if self.snapshot is not None:
            template = self.snapshot.get(key)
        else:
            template = self.source.messages.get((self.language, DOMAIN), {}).get(key)
        if template is None:
            raise MissingLetterText(f"{DOMAIN}/{self.language}: {key}")
        self.used[key] = template
        return template.format(**params) if params else template


def render_html(content: LetterContent, *, version: str | None = None, texts: Mapping[str, str] | None = None,
                versions: TemplateVersions | None = None, source: Catalogue | None = None) -> tuple[str, str,
                                                                                              dict[str, str]]:
    """The accessible HTML twin: (html, template version, texts used)."""
    chosen = (versions or template_versions()).get(version)
    source = source or catalogue()
    if content.language not in source.languages:
        raise MissingLetterText(f"no language {content.language!r} in the catalogue")
    locale = source.language(content.language).locale
    recorder = _Texts(content.language, source, texts)
    env = Environment(loader=FileSystemLoader(chosen.folder), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True)

    def day(value: date | datetime | None) -> str:
        return format_day(value, locale)

    def money(cents: int) -> str:
        return format_money(cents, locale)

    html = env.get_template(TEMPLATE_FILE).render(
        c=content, t=recorder, day=day, money=money, person=_person, contact=_contact, version=chosen.name,
        created=content.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        css=(chosen.folder / STYLE_FILE).read_text(encoding="utf-8"))
    return html, chosen.name, recorder.used


def render_letter(content: LetterContent, *, version: str | None = None, texts: Mapping[str, str] | None = None,
                  versions: TemplateVersions | None = None, source: Catalogue | None = None) -> Letter:
    """The letter for ``content``: with the current template version and the catalogue as it is now, or, to
    render a served letter again, with the version and the text snapshot it recorded."""
    html, used_version, used = render_html(content, version=version, texts=texts, versions=versions, source=source)
    pdf = html_to_pdf(html)
    metadata = LetterMetadata(
        document_type=f"decision-letter/{content.kind}", title=_title(html), decision_id=content.decision_id,
        decision_number=content.decision_number, client_id=content.client_id, service_task=content.service_task,
        author=content.decided_by.name, organisation=content.authority, language=content.language,
        decided_on=content.decided_on, created_at=content.issued_at, template_version=used_version,
        catalogue_version=texts_version(used), content_hash=sha256(pdf), html_hash=sha256(html.encode()),
        pdf_variant=PDF_VARIANT)
    return Letter(content, used_version, dict(sorted(used.items())), html, pdf, metadata)


def _person(member: StaffMember) -> str:
    return ", ".join(part for part in (member.name, member.title, member.unit) if part)


def _contact(member: StaffMember) -> str:
    return ", ".join(part for part in (member.phone, member.email) if part)


def _title(document: str) -> str:
    start = document.index("<title>") + len("<title>")
    return unescape(document[start:document.index("</title>", start)])
