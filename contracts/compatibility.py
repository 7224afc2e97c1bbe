"""Is a new JSON Schema of an event still able to read everything the published one allowed?

A consumer built on the new model reads records written under every earlier schema of the same version, so the
new schema must accept every value the published one accepted (backward compatibility). Breaking, each named
with its path: a field removed or renamed, a type or an enum narrowed, a new required field, a tighter bound,
pattern or format. Titles, descriptions and defaults never break anything.

Pure functions over the schemas pydantic writes (``type``, ``enum``/``const``, ``anyOf``, ``$ref`` into
``$defs``, ``items``, ``properties``/``required``, ``additionalProperties``, numeric and length bounds).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_LOWER = (("minimum", False), ("exclusiveMinimum", True))
_UPPER = (("maximum", False), ("exclusiveMaximum", True))


def breaking_changes(published: Schema, current: Schema) -> list[str]:
    """What ``current`` refuses that ``published`` accepted; empty when every old record still reads."""
    return _Compare(published, current).narrowed(published, current, "")


class _Compare:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root, self.new_root = old_root, new_root

    def narrowed(self, old: Any, new: Any, path: str, depth: int = 0) -> list[str]:
        if depth > 32:
            return []  # a recursive model: what is below was compared on the way down
        old, new = _resolve(old, self.old_root), _resolve(new, self.new_root)
        if new is True or new == {} or _accepts_anything(new):
            return []
        if old is False:
            return []
        problems: list[str] = []
        new_alternatives = _alternatives(new, self.new_root)
        for alternative in _alternatives(old, self.old_root):
            candidates = [n for n in new_alternatives if _same_kind(alternative, n)]
            if not candidates:
                problems.append(f"{_where(path)}: no longer accepts {_kind(alternative)}")
                continue
            found: list[list[str]] = [self._narrowed_one(alternative, n, path, depth) for n in candidates]
            shortest: list[str] = min(found, key=len)
            problems.extend(shortest)
        return problems

    def _narrowed_one(self, old: Schema, new: Schema, path: str, depth: int) -> list[str]:
        where = _where(path)
        problems: list[str] = []
        old_values, new_values = _values(old), _values(new)
        if new_values is not None:
            if old_values is None:
                problems.append(f"{where}: now limited to {sorted(map(str, new_values))}")
            elif not set(map(_key, old_values)) <= set(map(_key, new_values)):
                lost = [v for v in old_values if _key(v) not in set(map(_key, new_values))]
                problems.append(f"{where}: no longer accepts {sorted(map(str, lost))} (enum narrowed)")
        for name, exclusive in _LOWER:
            if name in new and _lower(new) > _lower(old):
                problems.append(f"{where}: lower bound raised to {new[name]}{' (exclusive)' if exclusive else ''}")
                break
        for name, exclusive in _UPPER:
            if name in new and _upper(new) < _upper(old):
                problems.append(f"{where}: upper bound lowered to {new[name]}{' (exclusive)' if exclusive else ''}")
                break
        for name, tighter in (("minLength", 1), ("minItems", 1), ("minProperties", 1),
                              ("maxLength", -1), ("maxItems", -1), ("maxProperties", -1)):
            if name in new and (name not in old or (new[name] - old[name]) * tighter > 0):
                problems.append(f"{where}: {name} tightened to {new[name]}")
        for name in ("pattern", "format"):
            if name in new and new.get(name) != old.get(name):
                problems.append(f"{where}: {name} {'changed' if name in old else 'added'} ({new[name]})")
        if "items" in old or "items" in new:
            problems += self.narrowed(old.get("items", True), new.get("items", True), f"{path}[]", depth + 1)
        if _kind(old) == "object":
            problems += self._object(old, new, path, depth)
        return problems

    def _object(self, old: Schema, new: Schema, path: str, depth: int) -> list[str]:
        problems: list[str] = []
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        for name, schema in old_props.items():
            if name not in new_props:
                problems.append(f"{path}{name}: field removed (or renamed)")
            else:
                problems += self.narrowed(schema, new_props[name], f"{path}{name}.", depth + 1)
        old_required = set(old.get("required", ()))
        for name in new.get("required", ()):
            if name not in old_required:
                problems.append(f"{path}{name}: new required field")
        old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if new_extra is False and old_extra is not False:
            problems.append(f"{_where(path)}: no longer accepts fields it does not name")
        elif isinstance(new_extra, dict) and old_extra is not False:
            problems += self.narrowed(old_extra, new_extra, f"{path}*.", depth + 1)
        return problems


def _where(path: str) -> str:
    return path.rstrip(".") or "<root>"


def _resolve(schema: Any, root: Schema) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 64:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are compared, not {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest}
        seen += 1
    return schema


def _alternatives(schema: Any, root: Schema) -> list[Schema]:
    """The schema as a list of single-kind alternatives: anyOf/oneOf flattened, ``type: [a, b]`` split."""
    schema = _resolve(schema, root)
    if schema is True:
        return [{}]
    if not isinstance(schema, dict):
        return []
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            base = {k: v for k, v in schema.items() if k not in (combinator, "title", "description", "default")}
            return [alt for option in schema[combinator] for alt in _alternatives({**base, **_resolve(option, root)}, root)]
    if isinstance(schema.get("type"), list):
        return [{**schema, "type": t} for t in schema["type"]]
    return [schema]


def _accepts_anything(schema: Any) -> bool:
    return isinstance(schema, dict) and not (set(schema) - {"title", "description", "default", "examples"})


def _kind(schema: Schema) -> str:
    if "type" in schema:
        return str(schema["type"])
    if "const" in schema or "enum" in schema:
        values = _values(schema) or []
        kinds = {_json_kind(v) for v in values}
        return kinds.pop() if len(kinds) == 1 else "value"
    if "properties" in schema:
        return "object"
    return "anything"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _same_kind(old: Schema, new: Schema) -> bool:
    o, n = _kind(old), _kind(new)
    return o == n or n == "anything" or (o == "integer" and n == "number")


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _key(value: Any) -> str:
    return repr(value)


def _lower(schema: Schema) -> float:
    bounds = [float(schema["minimum"])] if "minimum" in schema else []
    if "exclusiveMinimum" in schema:
        bounds.append(float(schema["exclusiveMinimum"]) + 1e-9)
    return max(bounds, default=float("-inf"))


def _upper(schema: Schema) -> float:
    bounds = [float(schema["maximum"])] if "maximum" in schema else []
    if "exclusiveMaximum" in schema:
        bounds.append(float(schema["exclusiveMaximum"]) - 1e-9)
    return min(bounds, default=float("inf"))
