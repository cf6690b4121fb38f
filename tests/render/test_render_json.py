"""JSON Lines output: exactly Result.to_dict(), one object per line, UTF-8, deterministic."""

from __future__ import annotations

import json

import pytest
from render_cases import CASES, make

from mdlang.render import renderer


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip(name: str) -> None:
    result, source = CASES[name]
    out = renderer("json").render(result, source)
    assert out.endswith("\n") and out.count("\n") == 1
    assert json.loads(out) == result.to_dict()
    assert list(json.loads(out)) == ["command", "line", "kind", "data", "notes"]
    assert out.rstrip("\n") == out.rstrip("\n").rstrip(" ")


def test_unicode_is_written_as_utf8_not_escapes() -> None:
    result, _ = CASES["oneway_markers"]
    out = renderer("json").render(result)
    assert "Årstad" in out and "\\u" not in out
    assert out.encode("utf-8").decode("utf-8") == out


def test_source_is_not_part_of_the_wire_format() -> None:
    result, _ = CASES["message"]
    assert renderer("json").render(result, "create-dataset folk") == renderer("json").render(result)


def test_nan_and_infinity_become_null() -> None:
    result = make("summarize", "summary", {"columns": ["Variable", "Mean"],
                                           "rows": [["x", float("nan")], ["y", float("inf")]]})
    line = renderer("json").render(result)
    assert json.loads(line)["data"]["rows"] == [["x", None], ["y", None]]
    assert "NaN" not in line and "Infinity" not in line


def test_newlines_in_text_stay_inside_one_line() -> None:
    result, _ = CASES["textblock"]
    out = renderer("json").render(result)
    assert out.count("\n") == 1
    assert json.loads(out)["data"]["text"].count("\n") == 5


def test_header_and_footer_are_empty() -> None:
    r = renderer("json")
    assert (r.header(), r.footer()) == ("", "")
