"""docs/settings.md, generated from the settings classes: every AVAIN_* setting a service reads, its default and
its meaning (the field's description).

    python -m deploy.settings_doc           # rewrite docs/settings.md
    python -m deploy.settings_doc --check   # exit 1 when docs/settings.md differs from the code

The classes are found, not listed: ServiceSettings, and each subclass of it that services/<name>/bootstrap.py
holds. tests/unit/test_settings_doc.py fails when a field has no description or the file is stale.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from shared.infra.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "settings.md"
PREFIX = str(ServiceSettings.model_config.get("env_prefix", ""))

HEADER = """# Settings

Every service reads its settings from environment variables named `AVAIN_<SETTING>`; a structured value (a
mapping) is JSON. This table is generated from the settings classes (`shared/infra/settings.py` and each
`services/<name>/bootstrap.py`) by `python -m deploy.settings_doc`, and a test fails when it differs from
the code: describe a new setting with `Field(description=...)` and run that command.

`./avain` sets `AVAIN_HTTP_PORT`, `AVAIN_KAFKA_BOOTSTRAP` and `AVAIN_PG_DSN` for the services it starts from
its own settings (ports, data folder): `./avain help` lists those. `docker-compose.yml` sets them for
production, with the secrets from `.env` (deploy/README.md).

| variable | default | read by | meaning |
|---|---|---|---|
"""


def service_settings() -> dict[str, type[ServiceSettings]]:
    """Each service's settings class (ServiceSettings itself when its bootstrap declares none of its own)."""
    found: dict[str, type[ServiceSettings]] = {}
    for package in sorted((ROOT / "services").iterdir()):
        if not (package / "__init__.py").is_file() or not (package / "bootstrap.py").is_file():
            continue
        module = importlib.import_module(f"services.{package.name}.bootstrap")
        own = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings]
        if len(own) > 1:
            raise SystemExit(f"services/{package.name}/bootstrap.py holds {len(own)} settings classes: which one?")
        found[package.name] = own[0] if own else ServiceSettings
    return found


def description(cls: type[ServiceSettings], name: str) -> str | None:
    """The field's description, or the one of the class it overrides (a subclass that changes only a default,
    ``http_port: int = 8001``, keeps its base's meaning)."""
    for klass in cls.__mro__:
        fields: dict[str, FieldInfo] = getattr(klass, "model_fields", {})
        if name in fields and fields[name].description:
            return fields[name].description
    return None


def default_of(field: FieldInfo) -> str:
    if field.default_factory is not None:
        factory: Callable[[], Any] = field.default_factory  # type: ignore[assignment]
        value = factory()
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if isinstance(value, SecretStr):
        return "a development value (production refuses it)"
    if value is None:
        return "(unset)"
    if value == "":
        return "(empty)"
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{json.dumps(to_jsonable_python(value), ensure_ascii=False, separators=(', ', ': '))}`"


def rows(classes: dict[str, type[ServiceSettings]]) -> Iterator[tuple[str, str, str, str]]:
    """(variable, default, read by, meaning): the shared settings first, in their order, then each service's own."""
    names = list(ServiceSettings.model_fields)
    for cls in classes.values():
        names += [n for n in cls.model_fields if n not in names]
    for name in names:
        readers = {service: cls for service, cls in classes.items() if name in cls.model_fields}
        defaults = {service: default_of(cls.model_fields[name]) for service, cls in readers.items()}
        if len(set(defaults.values())) == 1:
            default = next(iter(defaults.values()))
        else:
            default = ", ".join(f"{service} {value}" for service, value in defaults.items())
        read_by = "every service" if len(readers) == len(classes) else ", ".join(readers)
        meanings = {description(cls, name) for cls in readers.values()}
        if None in meanings or len(meanings) != 1:
            raise ValueError(f"{PREFIX}{name.upper()}: describe it once with Field(description=...)")
        yield f"`{PREFIX}{name.upper()}`", default, read_by, str(meanings.pop())


def escaped(text: str) -> str:
    # A pipe would end the table cell; an angle bracket would start an HTML tag.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def document() -> str:
    lines = [f"| {v} | {d} | {r} | {escaped(m)} |" for v, d, r, m in rows(service_settings())]
    return HEADER + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/settings.md differs from the code")
    args = parser.parse_args(argv)
    text = document()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python -m deploy.settings_doc", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
