"""HTML to one PDF that is both archival and accessible: PDF/A-3a (ISO 19005-3, level a: tagged, Unicode) that
also declares PDF/UA-1 (ISO 14289-1).

WeasyPrint's ``pdf/a-3a`` variant writes a tagged PDF/A whose only shortfall against PDF/UA-1, as veraPDF checks
it, is the missing PDF/UA identification in the XMP metadata (rule 5-1). We add it, with the PDF/A extension
schema that declares the ``pdfuaid`` namespace (PDF/A forbids undeclared XMP properties): the same file then
passes veraPDF's 3a and ua1 profiles (docs/decisions/0022).
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.pdf.metadata import DocumentMetadata

PDF_VARIANT = "pdf/a-3a"
CONFORMANCE = ("3a", "ua1")  # the veraPDF profiles every letter passes

_UA_IDENTIFICATION = b"""<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="" \
xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>\
<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>\
<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"""


class _ArchivalAndAccessible(DocumentMetadata):  # type: ignore[misc]  # WeasyPrint ships no types
    """WeasyPrint's metadata, with the PDF/UA identification inside its one rdf:RDF (XMP allows only one)."""

    def generate_rdf_metadata(self, *args: Any) -> bytes:
        xml: bytes = super().generate_rdf_metadata(*args)
        head, end, tail = xml.rpartition(b"</rdf:RDF>")
        return head + _UA_IDENTIFICATION + end + tail


def html_to_pdf(html: str) -> bytes:
    """The PDF/A-3a + PDF/UA-1 of a self-contained HTML document (styles inline, no external resources: nothing
    is fetched while rendering). Deterministic: the same HTML gives the same bytes (the creation date comes from
    the document's dcterms.created)."""
    document = HTML(string=html, base_url=None).render()
    document.metadata.__class__ = _ArchivalAndAccessible
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return bytes(pdf)
