"""A fast yes/no check compiled from a JSON Schema, so valid records skip jsonschema's slow walk.

jsonschema spends ~70 ms per 40-row Form (every ``$ref`` is resolved through ``referencing`` for each of the
~170 located values); reading a workbook checks every Form, so that walk was most of a batch run. This module
compiles the small subset of keywords the Form schema uses into plain Python predicates, reading the same
schema file (it cannot drift from it). It only ever *accepts*: when it says False (or meets a keyword it does
not know, and refuses to compile), the caller runs jsonschema, which finds the errors and words them.

The predicates are at least as strict as JSON Schema 2020-12 for these keywords: type (string, null, object,
array, boolean), required, properties, additionalProperties (false or a schema), items (one schema),
pattern, maxLength, and local ``$ref`` (``#/...``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "$defs", "definitions", "examples"})
KEYWORDS = frozenset({"type", "required", "properties", "additionalProperties", "items", "pattern", "maxLength",
                      "$ref"})
# JSON type name → the Python classes jsonschema accepts for it (``null`` is handled as ``None``).
TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "object": (dict,), "array": (list,), "boolean": (bool,),
                                      "null": ()}


class Unsupported(Exception):
    """The schema uses a keyword (or form of one) this compiler does not know: use jsonschema alone."""


def compile_schema(schema: dict[str, Any]) -> Check:
    """A predicate that is True only for instances valid under ``schema``; raises Unsupported."""
    compiled: dict[str, Check] = {}
    return _compile(schema, schema, compiled)


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise Unsupported(ref)
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise Unsupported(ref)
        node = node[part]
    return node


def _compile(node: Any, root: dict[str, Any], compiled: dict[str, Check]) -> Check:
    if node is True or node == {}:
        return lambda v: True
    if not isinstance(node, dict):
        raise Unsupported(repr(node))
    unknown = set(node) - ANNOTATIONS - KEYWORDS
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    checks: list[Check] = []
    if "$ref" in node:
        ref = node["$ref"]
        if ref not in compiled:
            compiled[ref] = lambda v: False          # a recursive reference binds this: the fast path refuses
            compiled[ref] = _compile(_resolve(ref, root), root, compiled)
        checks.append(compiled[ref])
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if any(n not in TYPES for n in names):
            raise Unsupported(str(names))
        classes = tuple(c for n in names for c in TYPES[n])
        nullable = "null" in names
        if nullable:
            checks.append(lambda v: v is None or isinstance(v, classes))
        else:
            checks.append(lambda v: isinstance(v, classes))
    if "pattern" in node:
        search = re.compile(node["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "maxLength" in node:
        limit = node["maxLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) <= limit)
    if {"required", "properties", "additionalProperties"} & set(node):
        checks.append(_object_check(node, root, compiled))
    if "items" in node:
        item = _compile(node["items"], root, compiled)

        def items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item(x):
                        return False
            return True

        checks.append(items)
    return _all_of(checks)


def _all_of(checks: list[Check]) -> Check:
    """One predicate for several (unrolled for the common small counts: this runs ~200 times per form)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda v: a(v) and b(v)
    if len(checks) == 3:
        a, b, c = checks
        return lambda v: a(v) and b(v) and c(v)
    rest = tuple(checks)
    return lambda v: all(c(v) for c in rest)


def _object_check(node: dict[str, Any], root: dict[str, Any], compiled: dict[str, Check]) -> Check:
    required = tuple(node.get("required", ()))
    props = {k: _compile(s, root, compiled) for k, s in node.get("properties", {}).items()}
    extra = node.get("additionalProperties", True)
    if extra is False:
        other: Check | None = None
        closed = True
    else:
        other = None if extra is True else _compile(extra, root, compiled)
        closed = False

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for key in required:
            if key not in v:
                return False
        for key, value in v.items():
            test = props.get(key)
            if test is not None:
                if not test(value):
                    return False
            elif closed:
                return False
            elif other is not None and not other(value):
                return False
        return True

    return check
