"""Check Form records against the Form JSON Schema (data/form.schema.json)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from xl_tools.domain.data_files import load_json
from xl_tools.errors import FormSchemaError


def form_schema() -> dict[str, Any]:
    return load_json("form.schema.json")


def compiled_validator(schema: dict[str, Any]):
    """A jsonschema validator for ``schema`` (its own draft), after checking the schema itself."""
    import jsonschema  # lazy: only when a record is checked

    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _validator():
    return compiled_validator(form_schema())


@lru_cache(maxsize=1)
def _fast_check():
    """A compiled yes/no check of the same schema (None when it uses keywords the compiler does not know)."""
    from xl_tools.domain.fastschema import Unsupported, compile_schema

    try:
        return compile_schema(form_schema())
    except Unsupported:
        return None


def _path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return "/".join(parts) if parts else "(根)"


def schema_errors(data: dict[str, Any]) -> list[str]:
    """Every schema violation of ``data`` as a Chinese line naming the field, in a stable order."""
    fast = _fast_check()
    if fast is not None and fast(data):
        return []           # surely valid: skip jsonschema's walk (~70 ms for a 40-row form)
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"字段 {_path(e)}：{e.message}" for e in errors]


def check_form_dict(data: dict[str, Any], *, path: str | None = None) -> dict[str, Any]:
    """Return ``data`` when it is a valid Form record, else raise FormSchemaError naming the field."""
    problems = schema_errors(data)
    if problems:
        raise FormSchemaError("表单数据不符合格式要求：" + "；".join(problems[:5]) + "。请检查数据来源或联系维护人员",
                              path=path)
    return data


def check_form(form) -> None:
    """Raise FormSchemaError when a Form does not serialise to a valid record."""
    check = _object_check()
    if check is not None and check(form):
        return              # surely valid: no record built (the reader checks every Form it makes)
    check_form_dict(form.to_dict(), path=form.source)


# ---------------------------------------------------------------------------------------------------------------
# The Form checked as an object
#
# ``check_form`` used to build ``form.to_dict()`` (~200 small dicts for a 40-row form) only to have the
# schema look at them. The record's shape (which keys, dicts and lists) is fixed by ``Form.to_dict``; what
# varies is the values in it. So for the schema below, whose digest is pinned, a Form of the plain classes is
# valid exactly when its values are: each Located's text is a str and its cell None or an A1 matching the
# schema's pattern, and so on. The patterns and the length limit are read from the schema itself. When the
# schema file changes, its digest no longer matches and this check switches itself off (``check_form`` then
# builds the record as before) until it is reviewed against the new schema.
# ---------------------------------------------------------------------------------------------------------------

PINNED_SCHEMA_SHA256 = "81c3b29b621c7747347fab3af9e658219600e47e8650df89878df74b61a22083"


def schema_digest(schema: dict[str, Any]) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _object_check():
    """``check(form) -> bool`` (True only when the Form's record is valid), None when the schema is not pinned."""
    schema = form_schema()
    if schema_digest(schema) != PINNED_SCHEMA_SHA256:
        return None
    from xl_tools.domain.form import HEADER_KEYS, Form, Indicator, Located

    cell_ok = re.compile(schema["$defs"]["located"]["properties"]["cell"]["pattern"]).search
    code_ok = re.compile(schema["properties"]["city_code"]["pattern"]).search
    sheet_max = schema["properties"]["sheet"]["maxLength"]
    good_cells: set[str] = set()        # cells already matched ("B12" recurs in every form): a set lookup
    empty = Located()

    def located_ok(loc: Any) -> bool:
        if loc.__class__ is not Located or not isinstance(loc.text, str):
            return False
        cell = loc.cell
        if cell is None or cell in good_cells:
            return True
        if not isinstance(cell, str) or cell_ok(cell) is None:
            return False
        if len(good_cells) < 100_000:
            good_cells.add(cell)
        return True

    def check(form: Any) -> bool:
        # Only the exact classes: a subclass may serialise differently (to_dict decides what is checked).
        if form.__class__ is not Form or form.header.__class__ is not dict:
            return False
        for value in (form.source, form.city, form.template_version):
            if value is not None and not isinstance(value, str):
                return False
        sheet = form.sheet
        if sheet is not None and not (isinstance(sheet, str) and len(sheet) <= sheet_max):
            return False
        city = form.city_record
        if city is not None and not (isinstance(city.code, str) and code_ok(city.code)):
            return False
        if not located_ok(form.title):
            return False
        header = form.header
        for key in HEADER_KEYS:
            if not located_ok(header.get(key, empty)):
                return False
        rows, notes = form.indicators, form.notes
        if rows.__class__ not in (tuple, list) or notes.__class__ not in (tuple, list):
            return False
        for row in rows:
            if row.__class__ is not Indicator:
                return False
            if not (located_ok(row.level1) and located_ok(row.level2) and located_ok(row.level3)
                    and located_ok(row.value)):
                return False
        for note in notes:
            if not isinstance(note, str):
                return False
        return True

    return check
