"""A fast yes/no check compiled from a JSON Schema, so valid records skip jsonschema's slow walk.

jsonschema spends ~70 ms per 40-row Form (every ``$ref`` is resolved through ``referencing`` for each of the
~170 located values); reading a workbook checks every Form, so that walk was most of a batch run. This module
compiles the small subset of keywords the Form schema uses into the source of one plain Python function,
reading the same schema file (it cannot drift from it). It only ever *accepts*: when it says False (or meets a
keyword it does not know, and refuses to compile), the caller runs jsonschema, which finds the errors and words
them.

Why generated source rather than a tree of closures: a 40-row Form has ~200 values, and a closure per keyword
per value was ~400 Python calls per Form. The generated function inlines every keyword and every ``$ref``
(a recursive ``$ref`` becomes a call to a function of its own), so a Form costs one call plus its loops.

The check is at least as strict as JSON Schema 2020-12 for these keywords: type (string, null, object, array,
boolean), required, properties, additionalProperties (false or a schema), items (one schema), pattern,
maxLength, and local ``$ref`` (``#/...``). Every value taken from the schema (names, patterns, limits) reaches
the generated code as a constant or a ``repr`` of a str, never as code.
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
_BUILTINS = {"isinstance": isinstance, "len": len, "str": str, "dict": dict, "list": list}   # all the code uses
MAX_LINES = 5_000           # a schema that inlines to more than this is left to jsonschema


class Unsupported(Exception):
    """The schema uses a keyword (or form of one) this compiler does not know: use jsonschema alone."""


def compile_schema(schema: dict[str, Any]) -> Check:
    """A predicate that is True only for instances valid under ``schema``; raises Unsupported."""
    namespace = _Generator(schema).namespace()
    return namespace["check"]


def schema_source(schema: dict[str, Any]) -> str:
    """The generated Python source of :func:`compile_schema`'s predicate (for reading and debugging)."""
    return _Generator(schema).source()


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


def _trivial(node: Any) -> bool:
    """A schema every instance satisfies (``true`` or ``{}``)."""
    return node is True or (isinstance(node, dict) and not node)


class _Generator:
    """Writes ``def check(v)`` (and one function per recursive ``$ref``) for a schema."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.consts: dict[str, Any] = {}
        self.functions: dict[str, str] = {}          # ref → name of its function (recursive refs only)
        self.bodies: list[list[str]] = []
        self.names = 0

    # --- output -------------------------------------------------------------------------------------------

    def source(self) -> str:
        main = self._function("check", self.root, ())
        return "\n".join(line for body in (*self.bodies, main) for line in body) + "\n"

    def namespace(self) -> dict[str, Any]:
        source = self.source()
        namespace: dict[str, Any] = {"__builtins__": _BUILTINS, **self.consts}
        exec(compile(source, "<fastschema>", "exec"), namespace)      # the schema's values are in consts only
        return namespace

    def _function(self, name: str, node: Any, stack: tuple[str, ...]) -> list[str]:
        lines = [f"def {name}(v):"]
        self._emit(node, "v", 1, lines, stack)
        lines.append("    return True")
        return lines

    def _const(self, value: Any) -> str:
        self.names += 1
        name = f"_c{self.names}"
        self.consts[name] = value
        return name

    def _var(self) -> str:
        self.names += 1
        return f"v{self.names}"

    # --- keywords ------------------------------------------------------------------------------------------

    def _emit(self, node: Any, var: str, depth: int, out: list[str], stack: tuple[str, ...]) -> None:
        """Append statements that ``return False`` when ``var`` does not satisfy ``node``."""
        if len(out) > MAX_LINES:
            raise Unsupported("schema too large to inline")
        if _trivial(node):
            return
        if not isinstance(node, dict):
            raise Unsupported(repr(node))
        unknown = set(node) - ANNOTATIONS - KEYWORDS
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        pad = "    " * depth
        known: tuple[type, ...] = ()          # the one class ``var`` is known to be once its type is checked
        if "$ref" in node:
            self._ref(node["$ref"], var, depth, out, stack)
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if any(not isinstance(n, str) or n not in TYPES for n in names):
                raise Unsupported(str(names))
            classes = tuple(c for n in names for c in TYPES[n])
            if "null" in names and classes:
                out.append(f"{pad}if {var} is not None and not isinstance({var}, {self._const(classes)}): return False")
            elif "null" in names:
                out.append(f"{pad}if {var} is not None: return False")
            else:
                out.append(f"{pad}if not isinstance({var}, {self._const(classes)}): return False")
                known = classes
        is_str = "" if known == (str,) else f"isinstance({var}, str) and "
        if "pattern" in node:
            search = self._const(re.compile(node["pattern"]).search)
            out.append(f"{pad}if {is_str}{search}({var}) is None: return False")
        if "maxLength" in node:
            limit = node["maxLength"]
            if not isinstance(limit, int) or isinstance(limit, bool):
                raise Unsupported(f"maxLength {limit!r}")
            out.append(f"{pad}if {is_str}len({var}) > {limit}: return False")
        if {"required", "properties", "additionalProperties"} & set(node):
            if known != (dict,):
                out.append(f"{pad}if isinstance({var}, dict):")
                out.append(f"{pad}    pass")
                depth += 1
            self._object(node, var, depth, out, stack)
        if "items" in node and not _trivial(node["items"]):
            item = self._var()
            if known != (list,):
                out.append(f"{pad}if isinstance({var}, list):")
                pad += "    "
                depth += 1
            out.append(f"{pad}for {item} in {var}:")
            self._emit(node["items"], item, depth + 1, out, stack)

    def _ref(self, ref: Any, var: str, depth: int, out: list[str], stack: tuple[str, ...]) -> None:
        if not isinstance(ref, str):
            raise Unsupported(repr(ref))
        target = _resolve(ref, self.root)
        if ref not in stack:                          # inline it: no call per value
            self._emit(target, var, depth, out, (*stack, ref))
            return
        if ref not in self.functions:                 # recursive: a function of its own that calls itself
            name = f"_ref{len(self.functions)}"
            self.functions[ref] = name
            self.bodies.append(self._function(name, target, (ref,)))
        out.append(f"{'    ' * depth}if not {self.functions[ref]}({var}): return False")

    def _object(self, node: dict[str, Any], var: str, depth: int, out: list[str], stack: tuple[str, ...]) -> None:
        required = node.get("required", [])
        props = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        if not isinstance(required, list) or not all(isinstance(k, str) for k in required):
            raise Unsupported(f"required {required!r}")
        if not isinstance(props, dict):
            raise Unsupported(f"properties {props!r}")
        inner = "    " * depth                     # ``var`` is a dict here
        if extra is False and set(required) == set(props):         # exactly these keys (a Located, a row)
            out.append(f"{inner}if {var}.keys() != {self._const(frozenset(props))}: return False")
        else:
            if required:
                out.append(f"{inner}if not {var}.keys() >= {self._const(frozenset(required))}: return False")
            if extra is False:
                out.append(f"{inner}if not {var}.keys() <= {self._const(frozenset(props))}: return False")
        for key, sub in props.items():
            if _trivial(sub):
                continue
            value = self._var()
            if key in required:
                out.append(f"{inner}{value} = {var}[{key!r}]")
                self._emit(sub, value, depth, out, stack)
            else:
                out.append(f"{inner}if {key!r} in {var}:")
                out.append(f"{inner}    {value} = {var}[{key!r}]")
                self._emit(sub, value, depth + 1, out, stack)
        if extra is not True and extra is not False and not _trivial(extra):
            key, value = self._var(), self._var()
            out.append(f"{inner}for {key}, {value} in {var}.items():")
            out.append(f"{inner}    if {key} not in {self._const(frozenset(props))}:")
            self._emit(extra, value, depth + 2, out, stack)
