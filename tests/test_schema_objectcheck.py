"""check_form's object check: a Form passes it exactly when jsonschema accepts ``form.to_dict()``.

``check_form`` skips building the record when the object check says the Form is valid, so that check must
never accept a Form whose record the schema rejects; for Forms of the plain classes it must also not reject a
valid one (else every read would pay for the record again). It is pinned to the schema's digest.
"""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain.fastschema import compile_schema, schema_source
from xl_tools.domain.form import HEADER_KEYS, Form, Indicator, Located
from xl_tools.domain.schema import (PINNED_SCHEMA_SHA256, _object_check, check_form, form_schema, schema_digest,
                                    schema_errors)
from xl_tools.errors import FormSchemaError

SCHEMA = form_schema()
SLOW = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def record_valid(form: Form) -> bool:
    return not list(SLOW.iter_errors(form.to_dict()))


def test_object_check_is_pinned_to_the_schema_file():
    # Failing here means form.schema.json changed: review _object_check in schema.py against the new schema,
    # then update PINNED_SCHEMA_SHA256. Until then check_form builds the record for every Form (slower, correct).
    assert schema_digest(SCHEMA) == PINNED_SCHEMA_SHA256
    assert _object_check() is not None


TEXTS = st.one_of(st.sampled_from(["", "产出指标", "≥2场", "x" * 40]), st.none(), st.integers(0, 3),
                  st.just(b"bytes"))
CELLS = st.one_of(st.none(), st.sampled_from(["A1", "$B$7", "E51", "AAAA1", "A0", "a1", "B12345678", "B1234567",
                                              "D13\n", "", "第7行", "XFD1048576"]), st.integers(1, 3))
LOCATED = st.builds(Located, TEXTS, CELLS)
SCALARS = st.one_of(st.none(), st.sampled_from(["", "广州", "广州.xlsx", "x" * 31, "x" * 32, "2020.1"]),
                    st.integers(0, 2))
CITIES = st.one_of(st.none(), st.sampled_from(["广州", "深圳市", "东莞", "北京", ""]), st.integers(0, 2))


@st.composite
def forms(draw) -> Form:
    header = {key: draw(LOCATED) for key in draw(st.sets(st.sampled_from(HEADER_KEYS)))}
    if draw(st.booleans()):
        header["unknown_key"] = draw(st.one_of(LOCATED, st.none()))
    rows = draw(st.lists(st.builds(Indicator, LOCATED, LOCATED, LOCATED, LOCATED), max_size=4))
    notes = draw(st.lists(st.one_of(st.sampled_from(["导入说明", ""]), st.integers(0, 1)), max_size=3))
    return Form(header=header, indicators=draw(st.sampled_from([tuple, list]))(rows), city=draw(CITIES),
                title=draw(LOCATED), source=draw(SCALARS), sheet=draw(SCALARS), template_version=draw(SCALARS),
                notes=draw(st.sampled_from([tuple, list]))(notes))


@settings(max_examples=500, deadline=None)
@given(forms())
def test_object_check_accepts_exactly_the_valid_records(form):
    assert _object_check()(form) == record_valid(form)


@settings(max_examples=200, deadline=None)
@given(forms())
def test_check_form_raises_exactly_for_invalid_records(form):
    valid = record_valid(form)
    if valid:
        check_form(form)
    else:
        with pytest.raises(FormSchemaError):
            check_form(form)


def test_unusual_forms_take_the_record_path():
    """Subclasses, non-Located values and odd containers are never judged by the object check."""
    class MyLocated(Located):
        __slots__ = ()

    good = Form.blank(project_name="项目")
    assert _object_check()(good)
    odd = [
        Form(header={**good.header, "project_name": MyLocated("x", "B2")}),
        Form(header={**good.header, "budget_year": None}),
        Form(header=good.header, indicators=iter(())),
        Form(header=good.header, notes=iter(())),
    ]
    for form in odd:
        assert not _object_check()(form)
    check_form(odd[0])                                    # valid record: accepted by the full check
    with pytest.raises(AttributeError):                   # as before: the record cannot be built
        check_form(odd[1])


def test_generated_source_is_one_function_with_inlined_references():
    source = schema_source(SCHEMA)
    assert source.startswith("def check(v):") and source.count("def ") == 1
    assert "$defs" not in source and "located" not in source     # refs inlined, schema text never in code
    fast = compile_schema(SCHEMA)
    assert fast(Form.blank(project_name="项目").to_dict())


def test_generated_check_keeps_schema_values_out_of_the_code():
    schema = {"type": "object", "required": ["a'); import os; ('"],
              "properties": {"a'); import os; ('": {"type": "string", "pattern": "^x'\"$"}},
              "additionalProperties": False}
    fast = compile_schema(schema)
    assert fast({"a'); import os; ('": "x'\""}) and not fast({"a'); import os; ('": "y"}) and not fast({})


@pytest.mark.parametrize("schema, good, bad", [
    ({"type": "array", "items": {"type": "string", "maxLength": 2}}, [["ab"], []], [["abc"], [1], {}]),
    ({"properties": {"a": {"type": "null"}}}, [{}, {"a": None}, 3, "x"], [{"a": 1}]),
    ({"additionalProperties": {"type": "boolean"}, "properties": {"n": {}}}, [{"n": 1, "b": True}, []],
     [{"b": 1}]),
    ({"required": ["a"]}, [{"a": 1, "b": 2}, "x"], [{"b": 2}]),
    ({"type": ["string", "null"], "pattern": "^a"}, ["ab", None], ["ba", 1]),
])
def test_generated_check_agrees_with_jsonschema(schema, good, bad):
    fast = compile_schema(schema)
    slow = jsonschema.Draft202012Validator(schema)
    for value in good:
        assert fast(value) and slow.is_valid(value), value
    for value in bad:
        assert not fast(value) and not slow.is_valid(value), value


def test_schema_errors_still_word_every_problem():
    form = Form(header={**Form.blank().header, "funding": Located("460", "第7行")}, sheet="x" * 32)
    assert not _object_check()(form)
    problems = schema_errors(form.to_dict())
    assert len(problems) == 2 and "header/funding/cell" in problems[0] + problems[1]
