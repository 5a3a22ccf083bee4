"""The compiled schema check agrees with jsonschema: it accepts exactly the records jsonschema finds no error in.

``schema_errors`` trusts the compiled check to skip jsonschema for valid records (a batch speed-up), so a
record it accepts must be valid; on every mutation below both must also agree that it is invalid.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain.fastschema import Unsupported, compile_schema
from xl_tools.domain.form import Form, Indicator, Located
from xl_tools.domain.schema import _fast_check, check_form, form_schema, schema_errors
from xl_tools.errors import FormSchemaError

SCHEMA = form_schema()
SLOW = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
FAST = compile_schema(SCHEMA)


def _record() -> dict:
    form = Form(header={"project_name": Located("广州知识产权项目", "B2"), "budget_year": Located("2020年", "B7")},
                indicators=(Indicator(Located("产出指标", "B13"), Located("数量指标", "C13"), Located("培训", "D13"),
                                      Located("≥2场", "E13")), Indicator.of("效益指标", "", "", "")),
                city="广州", title=Located("省财政专项转移支付绩效目标表(二级项目-广州)", "A1"), source="广州.xlsx",
                sheet="广州", template_version="2020.1", notes=("导入说明",))
    return form.to_dict()


def _agree(data) -> bool:
    valid = not list(SLOW.iter_errors(data))
    assert FAST(data) == valid, data
    return valid


def test_valid_records_take_the_fast_path():
    assert _fast_check() is not None
    data = _record()
    assert _agree(data)
    assert schema_errors(data) == []


# Paths into the record and values to put there (or delete with None as the marker below).
PATHS = [
    (), ("source",), ("sheet",), ("city",), ("city_code",), ("template_version",), ("title",), ("title", "text"),
    ("title", "cell"), ("header",), ("header", "budget_year"), ("header", "budget_year", "cell"),
    ("header", "project_name", "text"), ("indicators",), ("indicators", 0), ("indicators", 0, "value"),
    ("indicators", 0, "value", "cell"), ("indicators", 1, "level2", "text"), ("notes",), ("notes", 0),
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "A1", "$B$7", "AAAA1", "A0", "a1", "B12345678", "440100", "44010", "x" * 31, "x" * 32,
                     "广州", "D13\n"]),
    st.just([]), st.just({}), st.just(["a", 1]), st.just({"text": "", "cell": None}),
    st.just({"text": "x", "cell": "A1", "extra": 1}), st.just({"text": "x"}),
)


def _set(data, path, value, delete: bool, extra_key: bool):
    if not path:
        return value if delete else data
    node = data
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if isinstance(node, dict):
        if delete:
            node.pop(last, None)
        elif extra_key:
            node["unexpected"] = value
        else:
            node[last] = value
    else:
        node[last] = value
    return data


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES, st.booleans(), st.booleans()), min_size=1, max_size=3))
def test_fast_check_agrees_with_jsonschema_on_mutations(edits):
    data = _record()
    for path, value, delete, extra_key in edits:
        try:
            data = _set(copy.deepcopy(data), path, value, delete, extra_key)
        except (KeyError, IndexError, TypeError):
            continue
    _agree(data)


def test_invalid_record_still_gets_jsonschema_messages():
    data = _record()
    data["header"]["budget_year"]["cell"] = "第7行"
    data["city_code"] = "110000"
    assert not FAST(data)
    problems = schema_errors(data)
    assert len(problems) == 2 and "city_code" in problems[0] and "header/budget_year/cell" in problems[1]
    form = Form.from_dict(_record())
    check_form(form)                                     # valid: no exception
    with pytest.raises(FormSchemaError):
        check_form(Form.from_dict({**_record(), "sheet": "x" * 32}))


@pytest.mark.parametrize("schema", [
    {"type": "integer"}, {"minLength": 1}, {"enum": ["a"]}, {"$ref": "http://example.com/other.json"},
    {"properties": {"a": {"oneOf": [{"type": "string"}]}}}, {"type": "string", "format": "date"},
])
def test_unknown_keywords_refuse_to_compile(schema):
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_recursive_references_never_accept_wrongly():
    schema = {"$defs": {"n": {"type": "object", "additionalProperties": False,
                              "properties": {"next": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"}
    fast = compile_schema(schema)
    slow = jsonschema.Draft202012Validator(schema)
    for data in ({}, {"next": {}}, {"next": {"next": {}}}, {"next": {"next": 1}}, {"next": 1}, {"x": {}}, []):
        if fast(data):
            assert not list(slow.iter_errors(data)), data
    assert fast({}) and not fast({"next": 1}) and not fast({"next": {"next": 1}})
