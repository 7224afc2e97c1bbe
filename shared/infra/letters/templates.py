"""Template versions of the decision letter: each a folder under templates/, IMMUTABLE once released.

A released version's fingerprint (sha256 over its files) is written in templates/versions.json; the letters'
tests fail when a released folder no longer matches it, so a change to a letter's layout or wording is always a
new folder and a new entry, and every letter already served can be rendered again from its record with the
version it names (issue 18: kept as served). The last entry is the version new letters are written with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
MANIFEST = TEMPLATES / "versions.json"
TEMPLATE_FILE = "letter.html.j2"
STYLE_FILE = "letter.css"


class UnknownTemplateVersion(LookupError):
    pass


class TemplateVersionChanged(RuntimeError):
    """A released version's files differ from the fingerprint it was released with."""


@dataclass(frozen=True)
class TemplateVersion:
    name: str
    folder: Path
    sha256: str  # as released

    def fingerprint(self) -> str:
        return fingerprint(self.folder)


def fingerprint(folder: Path) -> str:
    """sha256 over every file of a version's folder: names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class TemplateVersions:
    root: Path
    versions: dict[str, TemplateVersion]
    current: str

    @classmethod
    def load(cls, root: Path = TEMPLATES) -> TemplateVersions:
        manifest = json.loads((root / MANIFEST.name).read_text(encoding="utf-8"))
        versions = {name: TemplateVersion(name, root / name, entry["sha256"])
                    for name, entry in manifest["versions"].items()}
        if not versions:
            raise ValueError(f"{root / MANIFEST.name} releases no template version")
        return cls(root, versions, manifest.get("current") or list(versions)[-1])

    def get(self, name: str | None = None) -> TemplateVersion:
        version = self.versions.get(name or self.current)
        if version is None:
            raise UnknownTemplateVersion(name)
        if version.fingerprint() != version.sha256:
            raise TemplateVersionChanged(f"template version {version.name} was changed after its release: make "
                                         f"a new version instead (shared/infra/letters/templates.py)")
        return version

    def changed(self) -> list[str]:
        """The released versions whose folder no longer matches their fingerprint (must be none)."""
        return [v.name for v in self.versions.values() if v.fingerprint() != v.sha256]


@cache
def template_versions() -> TemplateVersions:
    return TemplateVersions.load()
