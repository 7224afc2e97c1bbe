"""The message catalogue: complete in every language, really translated, formats per language, and a new
language is one folder."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.i18n import DEFAULT_LANGUAGE, LOCALES, Catalogue, catalogue, format_day, format_money, placeholders

NBSP = "\u00a0"
CATALOGUE = catalogue()
REFERENCE = "en"


def test_every_domain_has_every_message_in_every_language() -> None:
    missing = []
    for domain in sorted(CATALOGUE.domains):
        keys = set().union(*(CATALOGUE.messages.get((lang, domain), {}).keys() for lang in CATALOGUE.codes))
        for lang in CATALOGUE.codes:
            have = CATALOGUE.messages.get((lang, domain))
            if have is None:
                missing.append(f"{lang}: the whole {domain}.po")
                continue
            missing += [f"{lang}/{domain}: {key}" for key in sorted(keys - have.keys())]
    assert missing == []


def test_no_translation_is_a_copy_of_the_english_text() -> None:
    """A Finnish or Swedish (any other language's) text equal to the English one was never translated."""
    copies = []
    for (lang, domain), texts in CATALOGUE.messages.items():
        if lang == REFERENCE:
            continue
        english = CATALOGUE.messages.get((REFERENCE, domain), {})
        copies += [f"{lang}/{domain}: {key}" for key, text in texts.items() if english.get(key) == text]
    assert copies == []


def test_every_translation_takes_the_same_parameters() -> None:
    differing = []
    for (lang, domain), texts in CATALOGUE.messages.items():
        reference = CATALOGUE.messages.get((DEFAULT_LANGUAGE, domain), {})
        differing += [f"{lang}/{domain}: {key}" for key, text in texts.items()
                      if key in reference and placeholders(text) != placeholders(reference[key])]
    assert differing == []


def test_the_three_languages_of_the_county_are_there_finnish_first() -> None:
    assert CATALOGUE.codes[0] == "fi"
    assert {"fi", "sv", "en"} <= set(CATALOGUE.codes)
    assert {"kernel", "console", "intake", "budgeting", "marketplace", "followup", "history",
            "letters"} <= CATALOGUE.domains


def test_money_and_dates_in_each_languages_format() -> None:
    fi, sv = CATALOGUE.language("fi").locale, CATALOGUE.language("sv").locale
    assert format_money(119_000, fi) == f"1{NBSP}190,00{NBSP}€"
    assert format_money(119_000, sv) == f"1{NBSP}190,00{NBSP}€"
    assert format_day(date(2026, 11, 30), fi) == "30.11.2026"
    assert format_day(date(2026, 11, 30), sv) == "2026-11-30"
    # Late on the 30th UTC is already the 1st in Helsinki: the day the county's clock shows.
    assert format_day(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), fi) == "1.12.2026"
    t = CATALOGUE.translator("console", "fi")
    assert t.money(5) == f"0,05{NBSP}€"


def test_language_is_the_explicit_choice_then_the_browser_then_the_stored_preference_then_finnish() -> None:
    negotiate = CATALOGUE.negotiate
    assert negotiate("sv", "en-GB,en;q=0.9", "fi") == "sv"
    assert negotiate(None, "de-DE, sv-FI;q=0.8, en;q=0.9", "fi") == "en"
    assert negotiate(None, "de-DE", "sv") == "sv"
    assert negotiate("xx", None, None) == "fi"
    assert negotiate(None, "sv;q=0", None) == "fi"


def test_a_text_with_parameters_and_a_missing_text_still_render() -> None:
    assert CATALOGUE.text("kernel", "no.such.key", "sv") == "no.such.key"
    assert CATALOGUE.text("kernel", "role.worker", "sv") == "egen kontaktperson"


def test_adding_a_language_is_adding_one_folder(tmp_path: Path) -> None:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    shutil.copytree(root / "fi", root / "se")
    for po in (root / "se" / "LC_MESSAGES").glob("*.po"):
        po.write_text(po.read_text(encoding="utf-8").replace("Language: fi_FI", "Language: se_FI"), encoding="utf-8")
    extended = Catalogue(root)
    assert "se" in extended.codes
    assert extended.language("se").autonym == "davvisámegiella"
    assert extended.negotiate(None, "se-FI,fi;q=0.5") == "se"
    assert extended.translator("kernel", "se").date(date(2026, 11, 30)) == "30.11.2026"


@pytest.mark.parametrize("lang", CATALOGUE.codes)
def test_each_language_names_itself(lang: str) -> None:
    assert CATALOGUE.language(lang).autonym not in ("", lang)
