"""Every kind of decision letter, in Finnish and Swedish (and an English courtesy translation), passes veraPDF
(the PDF Association's validator, from Maven Central through tools/verapdf/verapdf.sh) as PDF/A-3a AND PDF/UA-1:
one file that is both archival and accessible, with 0 failed rules."""

from __future__ import annotations

from pathlib import Path

from shared.infra.letters import CONFORMANCE, DECISION_KINDS, render_letter
from tests.letters import letter_content, verapdf


def test_every_kind_in_finnish_and_swedish_is_pdf_a_3a_and_pdf_ua_1(tmp_path: Path) -> None:
    files = []
    for kind in DECISION_KINDS:
        for language in ("fi", "sv"):
            path = tmp_path / f"{kind}-{language}.pdf"
            path.write_bytes(render_letter(letter_content(kind, language)).pdf)
            files.append(path)
    courtesy = tmp_path / "budget-en.pdf"
    courtesy.write_bytes(render_letter(letter_content("budget", "en", decision_language="sv")).pdf)
    files.append(courtesy)

    for flavour in CONFORMANCE:
        verdicts = verapdf(files, flavour)
        assert verdicts == {path.name: "PASS" for path in files}, flavour


def test_verapdf_does_fail_a_pdf_that_is_not_archival(tmp_path: Path) -> None:
    """The check above can fail: a plain PDF (WeasyPrint's default output) is no PDF/A."""
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(HTML(string=render_letter(letter_content()).html).write_pdf() or b"")
    assert verapdf([plain], "3a")["plain.pdf"].startswith("FAIL")
