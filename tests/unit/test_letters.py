"""Decision letters (issue 18): every kind in the client's language with what the decision says, kept as served
(same record + template version + texts -> the same bytes), and a released template version never changes."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from shared.i18n import LOCALES, Catalogue, catalogue
from shared.infra.letters import (
    DECISION_KINDS,
    MissingLetterText,
    TemplateVersionChanged,
    TemplateVersions,
    UnknownTemplateVersion,
    render_html,
    render_letter,
    sha256,
    template_versions,
    texts_version,
)
from shared.infra.letters.templates import MANIFEST, TEMPLATES, fingerprint
from tests.letters import AMOUNT_CENTS, DEADLINE, NUMBERS, letter_content

NBSP = "\u00a0"
# The words of the instructions for seeking a change, per language and remedy: the letter must carry them.
INSTRUCTIONS = {
    ("fi", "rectification"): "saa hakea siihen oikaisua vaatimalla",
    ("sv", "rectification"): "får begära omprövning av det",
    ("fi", "appeal"): "saa hakea muutosta valittamalla",
    ("sv", "appeal"): "får sökas genom besvär",
}


def pdf_text(pdf: bytes) -> str:
    # Text extraction breaks lines where the layout does and may keep no-break spaces: compare on single spaces.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace(NBSP, " ").split())


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("kind", DECISION_KINDS)
def test_every_kind_of_decision_reads_in_the_clients_language_with_number_amount_deadline_and_instructions(
        kind: str, language: str) -> None:
    content = letter_content(kind, language)  # type: ignore[arg-type]
    letter = render_letter(content)
    text = pdf_text(letter.pdf)
    t = catalogue().translator("letters", language)

    assert NUMBERS[kind] in text  # type: ignore[index]
    if kind in ("budget", "revision"):
        assert t.money(AMOUNT_CENTS).replace(NBSP, " ") in text
    assert t.date(DEADLINE) in text  # 31.12.2026 in Finnish, 2026-12-31 in Swedish
    assert INSTRUCTIONS[(language, content.remedy.kind)] in text
    assert t(f"letter.title.{kind}", number=NUMBERS[kind]) in text  # type: ignore[index]
    # The people and what the client said, as given
    assert "Paula Päättäjä" in text and "+358 40 123 4567" in text
    if content.goals:
        assert "Käyn itse kaupassa kerran viikossa" in text
    assert letter.metadata.language == language and f'<html lang="{language}">' in letter.html


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", ["budget", "rectification"])  # a request for rectification, then an appeal
def test_the_instructions_cite_the_act_once_without_a_doubled_bracket(kind: str, language: str) -> None:
    """The act's citation carries its own brackets ("hallintolaki (434/2003)"): the instructions' text must not wrap
    it in another pair, as it once did ("vaatimalla (hallintolaki (434/2003) 49 a §)")."""
    content = letter_content(kind, language)  # type: ignore[arg-type]
    text = pdf_text(render_letter(content).pdf)
    assert content.remedy.act in text
    assert "))" not in text and f"({content.remedy.act}" not in text


def test_a_finnish_letter_says_nothing_in_swedish_and_the_other_way_round() -> None:
    fi = pdf_text(render_letter(letter_content("budget", "fi")).pdf)
    sv = pdf_text(render_letter(letter_content("budget", "sv")).pdf)
    assert "Beslut" not in fi and "Päätös" in fi
    assert "Päätös" not in sv and "Beslut" in sv


def test_an_english_letter_is_a_courtesy_translation_that_names_the_language_of_the_decision() -> None:
    text = pdf_text(render_letter(letter_content("budget", "en", decision_language="sv")).pdf)
    assert "courtesy translation" in text and "Swedish" in text and "legally binding" in text
    assert "courtesy" not in pdf_text(render_letter(letter_content("budget", "sv")).pdf)


def test_rendering_a_served_letter_again_with_its_version_and_texts_gives_the_same_bytes() -> None:
    content = letter_content("revision", "sv")
    served = render_letter(content)
    again = render_letter(content, version=served.template_version, texts=served.texts)
    assert again.pdf == served.pdf and again.html == served.html
    assert again.content_hash == served.content_hash == sha256(served.pdf)
    assert served.metadata.html_hash == sha256(served.html.encode())
    assert served.catalogue_version == texts_version(served.texts)
    assert set(served.texts) >= {"letter.number", "letter.remedy.rectification", "letter.title.revision"}


def test_a_changed_catalogue_text_changes_new_letters_and_leaves_a_served_one_as_it_was(tmp_path: Path) -> None:
    shutil.copytree(LOCALES, tmp_path / "locales")
    po = tmp_path / "locales" / "fi" / "LC_MESSAGES" / "letters.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Päätösnumero"', 'msgstr "Päätöksen numero"'),
                  encoding="utf-8")
    changed = Catalogue(tmp_path / "locales")
    content = letter_content("budget", "fi")
    served = render_letter(content)

    new = render_letter(content, source=changed)
    again = render_letter(content, version=served.template_version, texts=served.texts, source=changed)

    assert "Päätöksen numero" in pdf_text(new.pdf) and new.catalogue_version != served.catalogue_version
    assert again.pdf == served.pdf


def _versions_copy(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES, root)
    return root


def test_a_released_template_version_that_was_edited_refuses_to_render(tmp_path: Path) -> None:
    root = _versions_copy(tmp_path)
    css = root / "decision-1" / "letter.css"
    css.write_text(css.read_text(encoding="utf-8") + "h1 { color: #333; }\n", encoding="utf-8")
    versions = TemplateVersions.load(root)
    assert versions.changed() == ["decision-1"]
    with pytest.raises(TemplateVersionChanged):
        render_letter(letter_content(), versions=versions)


def test_a_changed_template_is_a_new_version_and_letters_of_the_old_one_stay_the_same(tmp_path: Path) -> None:
    content = letter_content("budget", "fi")
    served = render_letter(content)
    root = _versions_copy(tmp_path)
    shutil.copytree(root / "decision-1", root / "decision-2")
    template = root / "decision-2" / "letter.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace('<p class="authority">',
                                                                     '<p class="authority">Uusi: '),
                        encoding="utf-8")
    manifest = json.loads((root / MANIFEST.name).read_text(encoding="utf-8"))
    manifest["versions"]["decision-2"] = {"released": "2026-12-01", "sha256": fingerprint(root / "decision-2")}
    manifest["current"] = "decision-2"
    (root / MANIFEST.name).write_text(json.dumps(manifest), encoding="utf-8")
    versions = TemplateVersions.load(root)

    new = render_letter(content, versions=versions)
    old = render_letter(content, version=served.template_version, texts=served.texts, versions=versions)

    assert new.template_version == "decision-2" and "Uusi: " in new.html
    assert old.template_version == "decision-1" and old.pdf == served.pdf
    with pytest.raises(UnknownTemplateVersion):
        render_letter(content, version="decision-9", versions=versions)


def test_every_released_template_version_is_as_it_was_released() -> None:
    versions = template_versions()
    assert versions.changed() == [], "a released letter template was edited: copy it to a new version instead"
    assert versions.current in versions.versions


def test_the_clients_own_words_are_text_never_markup() -> None:
    content = letter_content("budget", "fi", goals=['<script>alert("x")</script> & <b>minä</b>'])
    html, _, _ = render_html(content)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; &lt;b&gt;minä" in html


def test_a_text_missing_from_the_snapshot_is_refused_not_guessed() -> None:
    served = render_letter(letter_content("budget", "fi"))
    texts = {k: v for k, v in served.texts.items() if k != "letter.number"}
    with pytest.raises(MissingLetterText):
        render_letter(letter_content("budget", "fi"), version=served.template_version, texts=texts)


def test_the_metadata_that_travels_with_a_letter_names_the_document_the_client_and_the_author() -> None:
    content = letter_content("support_closure", "sv")
    letter = render_letter(content)
    m = letter.metadata
    assert m.document_type == "decision-letter/support_closure"
    assert m.title == "Beslut om att stödet upphör HB-2026-000045"
    assert (m.client_id, m.decision_number, m.author) == (content.client_id, "HB-2026-000045", "Paula Päättäjä")
    assert m.created_at == content.issued_at and m.template_version == template_versions().current
    assert m.pdf_variant == "pdf/a-3a"
    info = PdfReader(io.BytesIO(letter.pdf)).metadata
    assert info is not None and info.title == m.title


def test_a_decision_served_with_proof_of_receipt_says_the_time_runs_from_receipt_and_the_own_copy_has_no_address(
        ) -> None:
    base = letter_content("budget", "sv")
    content = base.model_copy(update={
        "recipient": None,
        "remedy": base.remedy.model_copy(update={"deadline": None}),
        "dispatch": base.dispatch.model_copy(update={"method": "proven_electronic", "presumed_received_on": None}),
    })
    text = pdf_text(render_letter(content).pdf)
    assert "Tiden räknas från den dag då du fick del av beslutet." in text
    assert "bevisligen som elektroniskt meddelande" in text
    assert "Sista dag" not in text and "Klient:" not in text and "Aino" not in text


def test_the_letters_styles_reach_the_renderer_whole(caplog: pytest.LogCaptureFixture) -> None:
    """The style sheet is the template's own trusted text: escaped as if it were data, WeasyPrint dropped rules
    (the fonts among them) with only a warning in the log."""
    with caplog.at_level("WARNING", logger="weasyprint"):
        letter = render_letter(letter_content("budget", "fi"))
    assert 'font-family: "DejaVu Sans", sans-serif' in letter.html
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    fonts = {str(f.get("/BaseFont")) for page in PdfReader(io.BytesIO(letter.pdf)).pages
             for f in page["/Resources"]["/Font"].get_object().values()}
    assert fonts and all("DejaVu-Sans" in f for f in fonts), fonts
