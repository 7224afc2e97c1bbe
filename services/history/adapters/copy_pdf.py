"""The client's own copy as a document: the accessible HTML and the PDF/A-3a + PDF/UA-1 rendered from it by the
decision letters' machinery (shared/infra/letters/pdf.py, docs/decisions/0022), in the copy's language.

Deterministic: the document's creation date is the instant the copy tells the case as of, so the same copy gives
the same bytes on every download. WeasyPrint (Pango, the DejaVu fonts) is imported only when a copy is rendered.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from contracts.client_copy import ClientCopy
from shared.i18n import Translator

TEMPLATES = Path(__file__).parent / "templates"
STYLE = Path(__file__).resolve().parents[3] / "shared" / "infra" / "letters" / "templates" / "decision-1" / "letter.css"


def render_html(copy: ClientCopy, t: Translator) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined)
    return env.get_template("client-copy.html.j2").render(
        c=copy, t=t, letters=lambda key, **p: t.of("letters", key, **p), day=t.date, moment=t.datetime,
        money=t.money, authority=t.of("letters", "county.name"), css=STYLE.read_text(encoding="utf-8"),
        created=copy.as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def render_pdf(copy: ClientCopy, t: Translator) -> bytes:
    from shared.infra.letters.pdf import html_to_pdf  # WeasyPrint: only where a copy is rendered

    return html_to_pdf(render_html(copy, t))
