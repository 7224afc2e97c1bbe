"""The message catalogue: every text a person reads, in every language the county serves, and the formats.

Layout (gettext's): ``shared/locales/<language>/LC_MESSAGES/<domain>.po``, one domain per service plus
``kernel`` (the texts every service shares, e.g. the titles of common errors) and ``console``. Message ids
are stable keys (``problem.forbidden.title``, ``status.decided``), not English sentences: English is one
translation among the others, so a test can tell a missing or untranslated text from a translated one.

Adding a language is adding one folder: the languages are the folders found, never a list in code (the Sámi
Language Act 1086/2003 applies in the Sámi homeland). Each .po file's ``Language:`` header names the Babel
locale whose formats that language uses (``fi_FI``, ``sv_FI``, ``en_FI``), so money reads ``1 190,00 €`` and
a date ``30.11.2026`` in Finnish and ``2026-11-30`` in Swedish.

The .po files are read directly when the catalogue is first used (a few milliseconds): no compiled .mo files
to build, ship or forget to rebuild (docs/decisions/0012).

Texts take named parameters in braces: ``"{count} clients"``; every translation of a message has the same
parameters (the catalogue test checks). Which language: an explicit choice, then the browser's
Accept-Language, then the person's stored preference, then Finnish (``negotiate``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "fi"
TIME_ZONE = ZoneInfo("Europe/Helsinki")  # times are stored in UTC and shown as the county's clock shows them
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    code: str  # the folder's name, e.g. "sv": also the value of the HTML lang attribute
    locale: Locale  # whose formats it uses, from the .po header (sv_FI: Finland-Swedish)

    @property
    def autonym(self) -> str:
        """The language's name in itself ("suomi", "svenska"), for the language switch."""
        return str(self.locale.get_language_name(self.code) or self.code)


@dataclass
class Catalogue:
    """Every domain's messages in every language found under ``root``."""

    root: Path = LOCALES
    languages: dict[str, Language] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (language, domain) → id → text

    def __post_init__(self) -> None:
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and _LANGUAGE_CODE.match(p.name)):
            locale: Locale | None = None
            for po_path in sorted((folder / "LC_MESSAGES").glob("*.po")):
                with po_path.open("rb") as f:
                    po = read_po(f, locale=folder.name)
                header_locale = _header_language(po_path)
                locale = Locale.parse(header_locale) if header_locale else (locale or Locale.parse(folder.name))
                self.messages[(folder.name, po_path.stem)] = {
                    str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str) and m.string
                }
            if locale is not None:
                self.languages[folder.name] = Language(folder.name, locale)
        if DEFAULT_LANGUAGE not in self.languages:
            raise RuntimeError(f"the catalogue at {self.root} has no {DEFAULT_LANGUAGE} folder")

    # --- which languages -----------------------------------------------------------------------------------

    @property
    def codes(self) -> list[str]:
        """The languages, Finnish first, then in alphabetical order of their codes."""
        return sorted(self.languages, key=lambda c: (c != DEFAULT_LANGUAGE, c))

    @property
    def domains(self) -> set[str]:
        return {domain for _, domain in self.messages}

    def language(self, code: str) -> Language:
        return self.languages.get(code) or self.languages[DEFAULT_LANGUAGE]

    def negotiate(self, explicit: str | None = None, accept_language: str | None = None,
                  stored: str | None = None) -> str:
        """The language to answer in: an explicit choice (the language switch, ``?lang=``), then the
        browser's Accept-Language, then the person's stored preference, then Finnish."""
        if explicit in self.languages:
            return explicit
        for wanted in _accepted(accept_language):
            if wanted in self.languages:
                return wanted
        if stored in self.languages:
            return stored
        return DEFAULT_LANGUAGE

    # --- texts ---------------------------------------------------------------------------------------------

    def has(self, domain: str, key: str, language: str) -> bool:
        return key in self.messages.get((language, domain), {})

    def text(self, domain: str, key: str, language: str, /, **params: object) -> str:
        """The message in ``language`` with its parameters filled in. A message missing in that language
        falls back to Finnish and then to its key: a page still renders, and the catalogue test fails."""
        texts = self.messages.get((language, domain), {})
        template = texts.get(key) or self.messages.get((DEFAULT_LANGUAGE, domain), {}).get(key) or key
        return template.format_map(_Params(params)) if params else template

    def translator(self, domain: str, language: str) -> Translator:
        return Translator(self, domain, self.language(language).code)


class _Params(dict[str, object]):
    """Leaves an unknown placeholder visible instead of failing a whole page over one text."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Translator:
    """One domain in one language, with the formats of that language: what a page or an error answer uses.

    ``t("caseload.title")``, ``t("clients.count", count=3)``, ``t.money(119000)``, ``t.date(d)``."""

    catalogue: Catalogue
    domain: str
    lang: str

    def __call__(self, key: str, /, **params: object) -> str:
        return self.catalogue.text(self.domain, key, self.lang, **params)

    def of(self, domain: str, key: str, /, **params: object) -> str:
        """A text from another domain (a service's status names, the kernel's error titles)."""
        return self.catalogue.text(domain, key, self.lang, **params)

    def has(self, key: str, domain: str | None = None) -> bool:
        return self.catalogue.has(domain or self.domain, key, self.lang)

    @property
    def locale(self) -> Locale:
        return self.catalogue.language(self.lang).locale

    def money(self, cents: int) -> str:
        return format_money(cents, self.locale)

    def number(self, value: float | int) -> str:
        return str(format_decimal(value, locale=self.locale))

    def date(self, value: date | datetime | str | None) -> str:
        return format_day(value, self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        return format_moment(value, self.locale)


def format_money(cents: int, locale: Locale | str) -> str:
    """Integer cents as the language writes euros: ``1 190,00 €`` (fi, sv), with no-break spaces."""
    return str(format_currency(cents / 100, "EUR", locale=locale))


def format_day(value: date | datetime | str | None, locale: Locale | str) -> str:
    """A day as the language writes it: 30.11.2026 (fi), 2026-11-30 (sv). A time is shown on the county's
    clock first, so an event late on the 30th UTC is not shown on the 1st."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(TIME_ZONE).date()
    return str(format_date(value, "short", locale=locale))


def format_moment(value: datetime | str | None, locale: Locale | str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(format_datetime(value.astimezone(TIME_ZONE), "short", locale=locale))


def placeholders(text: str) -> set[str]:
    """The named parameters a text takes (``{count}``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _header_language(path: Path) -> str | None:
    """The ``Language:`` header, read as written (read_po normalises it to the folder's language)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            match = re.match(r'^"Language: *([A-Za-z_]+)\\n"', line)
            if match:
                return match.group(1)
            if line.startswith("msgid") and "msgid \"\"" not in line:
                break
    return None


def _accepted(header: str | None) -> Iterable[str]:
    """Accept-Language's languages, most wanted first (``sv-FI;q=0.9`` → ``sv``)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary and primary != "*" and q > 0:
            weighted.append((-q, position, primary))
    return [primary for _, _, primary in sorted(weighted)]


@cache
def catalogue() -> Catalogue:
    """The project's catalogue, read once per process."""
    return Catalogue()
