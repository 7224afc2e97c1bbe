"""Decision letters (issue 18): the facts of a decision, written in the client's language from the message
catalogue through an immutable template version, as an accessible HTML twin and one PDF that is both PDF/A-3a
and PDF/UA-1 (docs/decisions/0022).

    from shared.infra.letters import LetterContent, render_letter
    letter = render_letter(content)            # current template version, the catalogue as it is now
    letter.pdf, letter.html, letter.metadata   # bytes served, its accessible twin, Kanta-style metadata
    again = render_letter(content, version=letter.template_version, texts=letter.texts)
    assert again.pdf == letter.pdf             # kept as served: same record, version and texts -> same bytes
"""

from shared.infra.letters.content import (
    DECISION_KINDS,
    AmountLine,
    DecisionKind,
    Dispatch,
    LetterContent,
    LetterMetadata,
    Remedy,
    StaffMember,
    SupportLine,
)
from shared.infra.letters.pdf import CONFORMANCE, PDF_VARIANT, html_to_pdf
from shared.infra.letters.render import Letter, MissingLetterText, render_html, render_letter, sha256, texts_version
from shared.infra.letters.templates import (
    TemplateVersionChanged,
    TemplateVersions,
    UnknownTemplateVersion,
    template_versions,
)

__all__ = ["CONFORMANCE", "DECISION_KINDS", "PDF_VARIANT", "AmountLine", "DecisionKind", "Dispatch", "Letter",
           "LetterContent", "LetterMetadata", "MissingLetterText", "Remedy", "StaffMember", "SupportLine",
           "TemplateVersionChanged", "TemplateVersions", "UnknownTemplateVersion", "html_to_pdf", "render_html",
           "render_letter", "sha256", "template_versions", "texts_version"]
