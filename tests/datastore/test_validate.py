"""Every validation rule: a bad delivery, and the exact file, line, field and message reported."""

from __future__ import annotations

import pytest

from mdlang.datastore.validate import MAX_LINES_PER_KIND, validate_delivery

SEX = [("1", "Mann"), ("2", "Kvinne")]
KOMMUNE = [("1201", "Bergen", "1900-01-01", "2019-12-31"), ("4601", "Bergen", "2020-01-01")]

CSV_CASES = [
    # (temporality, dataType, codes, lines, [(line, field, message)])
    ("FIXED", "STRING", SEX, ["1;1;;;", "2;3;;;"], [(2, "value", "code not in the code list")]),
    ("FIXED", "STRING", SEX, ["1;1;;;", "1;2;;;"], [(2, "unit_id", "duplicate row for the same unit (first on line 1)")]),
    ("FIXED", "STRING", SEX, ["1;1;2020-01-01;;"], [(1, "start", "a FIXED variable has no start date; leave the field empty")]),
    ("FIXED", "STRING", SEX, ["x1;1;;;", ";1;;;"], [(2, "unit_id", "missing identifier"), (1, "unit_id", "identifier is not a whole number")]),
    ("FIXED", "STRING", SEX, ["1.5;1;;;"], [(1, "unit_id", "identifier is not a whole number")]),
    ("FIXED", "STRING", SEX, ["1;;;;"], [(1, "value", "missing value")]),
    ("FIXED", "STRING", SEX, ["1;1;;", "2;1;;;;", "", "3;1;;;"], [
        (1, "(line)", "expected 5 fields (unit_id;value;start;stop;attributes), found 4"),
        (2, "(line)", "expected 5 fields (unit_id;value;start;stop;attributes), found 6"),
        (3, "(line)", "empty line"),
    ]),
    ("FIXED", "LONG", None, ["1;12;;;", "2;1.5;;;", "3;abc;;;"], [
        (2, "value", "not a whole number (dataType LONG)"),
        (3, "value", "not a whole number (dataType LONG)"),
    ]),
    ("FIXED", "DOUBLE", None, ["1;1.5;;;", "2;1,5;;;"], [(2, "value", "not a number with '.' as decimal separator (dataType DOUBLE)")]),
    ("FIXED", "DATE", None, ["1;2020-01-31;;;", "2;20200131;;;"], [(2, "value", "not a date, expected YYYY-MM-DD (dataType DATE)")]),
    ("STATUS", "STRING", SEX, ["1;1;2020-01-01;2020-01-02;"], [(1, "stop", "a STATUS row must have start equal to stop")]),
    ("STATUS", "STRING", SEX, ["1;1;2020-01-01;2020-01-01;", "1;2;2020-01-01;2020-01-01;"], [
        (2, "start", "duplicate row for the same unit and date (first on line 1)"),
    ]),
    ("STATUS", "STRING", SEX, ["1;1;;2020-01-01;", "2;1;2020-01-01;;"], [
        (1, "start", "a STATUS row needs a start date"),
        (2, "stop", "a STATUS row needs a stop date"),
    ]),
    ("STATUS", "STRING", SEX, ["1;1;2020-13-01;2020-13-01;", "2;1;2021-02-30;2021-02-30;", "3;1;2020/01/01;2020-01-01;"], [
        (1, "start", "malformed date, expected YYYY-MM-DD"),
        (2, "start", "malformed date, expected YYYY-MM-DD"),
        (3, "start", "malformed date, expected YYYY-MM-DD"),
        (1, "stop", "malformed date, expected YYYY-MM-DD"),
        (2, "stop", "malformed date, expected YYYY-MM-DD"),
    ]),
    ("ACCUMULATED", "LONG", None, ["1;5;2020-01-01;2020-12-31;", "1;6;2020-12-31;2021-12-31;"], [
        (2, "start", "period overlaps the period on line 1 for the same unit"),
    ]),
    ("ACCUMULATED", "LONG", None, ["1;5;2020-12-31;2020-01-01;"], [(1, "stop", "stop is before start")]),
    ("ACCUMULATED", "LONG", None, ["1;5;2020-01-01;;"], [(1, "stop", "an ACCUMULATED row needs a stop date")]),
    ("EVENT", "STRING", SEX, ["1;1;2020-02-01;2020-01-31;"], [(1, "stop", "stop is before start")]),
    ("EVENT", "STRING", SEX, ["1;1;2000-01-01;2010-12-31;", "1;2;2002-01-01;2002-12-31;", "1;1;2005-01-01;2005-12-31;", "1;2;2010-12-31;;"], [
        (2, "start", "spell overlaps the spell on line 1 for the same unit"),
        (3, "start", "spell overlaps the spell on line 1 for the same unit"),
    ]),
    ("EVENT", "STRING", SEX, ["2;1;2001-01-01;;", "2;2;2003-01-01;2003-12-31;", "2;1;2005-01-01;;", "3;1;2001-01-01;;"], [
        (2, "start", "spell overlaps the spell on line 1 for the same unit"),
        (3, "stop", "second open spell for the same unit (the other is on line 1)"),
    ]),
    ("EVENT", "STRING", SEX, ["1;1;2020-01-01;2020-01-31;", "1;2;2020-01-01;2020-01-01;"], [
        (2, "start", "spell overlaps the spell on line 1 for the same unit"),
    ]),
    ("EVENT", "STRING", SEX, ["1;1;2020-01-01;2020-12-31;", "1;2;2020-06-01;;"], [
        (2, "start", "spell overlaps the spell on line 1 for the same unit"),
    ]),
    ("EVENT", "STRING", SEX, ["1;1;2020-01-01;;", "1;2;2021-01-01;;"], [
        (2, "stop", "second open spell for the same unit (the other is on line 1)"),
    ]),
    ("EVENT", "STRING", SEX, ["1;1;2020-01-01;;", "1;2;2021-01-01;2021-02-01;"], [
        (2, "start", "spell overlaps the spell on line 1 for the same unit"),
    ]),
    ("EVENT", "STRING", KOMMUNE, ["1;1201;2015-01-01;2019-12-31;", "1;1201;2020-01-01;;", "2;4601;2019-06-01;;"], [
        (2, "value", "code not valid in the code list on the row's start date"),
        (3, "value", "code not valid in the code list on the row's start date"),
    ]),
    ("EVENT", "STRING", SEX, [";1;;;"], [(1, "unit_id", "missing identifier"), (1, "start", "an EVENT row needs a start date")]),
]


def _expected(csv, cases):
    return sorted(f"{csv}:{line}: field '{field}': {msg}" for line, field, msg in cases)


@pytest.mark.parametrize(("temporality", "dtype", "codes", "lines", "expected"), CSV_CASES)
def test_bad_rows_are_reported_with_line_and_field(tmp_path, mk, temporality, dtype, codes, lines, expected):
    mk.write(tmp_path, "VAR", mk.doc(temporality, data_type=dtype, codes=codes), lines)
    results, problems = validate_delivery(tmp_path)
    csv = tmp_path / "VAR" / "VAR.csv"
    assert sorted(str(p) for p in problems) == _expected(csv, expected)
    assert results[0].frame is None


def test_good_delivery_has_no_problems(tmp_path, mk):
    mk.standard(tmp_path)
    results, problems = validate_delivery(tmp_path)
    assert problems == []
    assert [r.name for r in results] == ["BOSTED", "INNTEKT", "KJOENN", "SIVSTAND", "STATUS", "VEKT"]


def test_every_problem_of_every_file_is_listed(tmp_path, mk):
    mk.write(tmp_path, "A", mk.doc("FIXED", codes=SEX), ["1;9;;;"])
    mk.write(tmp_path, "B", mk.doc("FIXED", codes=SEX), ["x;1;;;"])
    _, problems = validate_delivery(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path}/A/A.csv:1: field 'value': code not in the code list",
        f"{tmp_path}/B/B.csv:1: field 'unit_id': identifier is not a whole number",
    ]


def test_many_bad_lines_are_capped_and_counted(tmp_path, mk):
    mk.write(tmp_path, "A", mk.doc("FIXED", codes=SEX), [f"{i};9;;;" for i in range(MAX_LINES_PER_KIND + 7)])
    _, problems = validate_delivery(tmp_path)
    assert len(problems) == MAX_LINES_PER_KIND + 1
    assert str(problems[-1]) == f"{tmp_path}/A/A.csv: field 'value': 7 more lines with the same problem: code not in the code list"


def test_json_missing_required_fields(tmp_path, mk):
    doc = mk.doc("FIXED", codes=SEX)
    del doc["sensitivityLevel"], doc["populationDescription"]
    del doc["measureVariables"][0]["dataType"]
    mk.write(tmp_path, "A", doc, ["1;1;;;"])
    _, problems = validate_delivery(tmp_path)
    js = tmp_path / "A" / "A.json"
    assert [str(p) for p in problems] == [
        f"{js}:1: field 'sensitivityLevel': missing required field",
        f"{js}:1: field 'populationDescription': missing required field",
        f"{js}:24: field 'measureVariables[0].dataType': missing required field",
    ]


def test_json_unknown_unit_type_and_bad_values(tmp_path, mk):
    doc = mk.doc("SOMETIMES", codes=SEX, unit="ROBOT")
    mk.write(tmp_path, "A", doc, ["1;1;;;"])
    _, problems = validate_delivery(tmp_path)
    js = tmp_path / "A" / "A.json"
    assert [str(p) for p in problems] == [
        f"{js}:2: field 'temporalityType': must be one of FIXED, STATUS, ACCUMULATED, EVENT",
        f"{js}:28: field 'identifierVariables[0].unitType': unknown unit type (see UNIT_TYPES in the data-owner guide)",
    ]


def test_json_syntax_error_has_line(tmp_path, mk):
    mk.write(tmp_path, "A", '{\n  "temporalityType": "FIXED",\n  oops\n}', ["1;1;;;"])
    _, problems = validate_delivery(tmp_path)
    assert [str(p) for p in problems] == [f"{tmp_path}/A/A.json:3: field '(json)': invalid JSON: Expecting property name enclosed in double quotes"]


def test_missing_files_and_stray_files(tmp_path, mk):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "A.csv").write_text("1;1;;;\n")
    (tmp_path / "B.csv").write_text("1;1;;;\n")
    _, problems = validate_delivery(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path}/B.csv: field '(file)': belongs in a folder of its own: B/B.csv",
        f"{tmp_path}/A/A.json: field '(file)': missing",
    ]


def test_frames_hold_typed_values(tmp_path, mk):
    mk.write(tmp_path, "A", mk.doc("ACCUMULATED", data_type="LONG"), ["2;-5;2020-01-01;2020-12-31;", "1;7;2020-01-01;2020-12-31;"])
    results, problems = validate_delivery(tmp_path)
    assert problems == []
    frame = results[0].frame
    assert frame["unit_id"].tolist() == [2, 1]
    assert frame["value"].tolist() == [-5, 7]
    assert frame["start"].tolist() == [18262, 18262] and frame["stop"].tolist() == [18627, 18627]


def test_the_guide_example_is_a_valid_delivery(tmp_path, mk):
    import json
    import re
    from pathlib import Path

    guide = (Path(__file__).parents[2] / "docs" / "data-owners.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", guide, re.S).group(1)
    mk.write(tmp_path, "SIVSTAND", json.loads(block), ["1001;2;2010-06-30;;", "1002;0;2011-01-01;2012-01-01;"])
    results, problems = validate_delivery(tmp_path)
    assert problems == []
    assert results[0].meta.code_list[-1].code == "0"


def test_progress_callback_sees_every_variable(tmp_path, mk):
    mk.standard(tmp_path)
    seen = []
    validate_delivery(tmp_path, lambda done, total, name: seen.append((done, total, name)))
    assert seen == [(0, 6, "BOSTED"), (1, 6, "INNTEKT"), (2, 6, "KJOENN"), (3, 6, "SIVSTAND"), (4, 6, "STATUS"), (5, 6, "VEKT"), (6, 6, "")]


@pytest.mark.parametrize(
    "key",
    ["temporalityType", "sensitivityLevel", "populationDescription", "subjectFields", "dataRevision", "identifierVariables", "measureVariables"],
)
def test_each_required_root_field(tmp_path, mk, key):
    doc = mk.doc("FIXED", codes=SEX)
    del doc[key]
    mk.write(tmp_path, "A", doc, ["1;1;;;"])
    results, problems = validate_delivery(tmp_path)
    assert [str(p) for p in problems] == [f"{tmp_path}/A/A.json:1: field '{key}': missing required field"]
    assert results[0].meta is None


def test_bad_sensitivity_level_and_data_type(tmp_path, mk):
    doc = mk.doc("FIXED", data_type="INTEGER", codes=SEX)
    doc["sensitivityLevel"] = "SECRET"
    mk.write(tmp_path, "A", doc, ["1;1;;;"])
    _, problems = validate_delivery(tmp_path)
    js = tmp_path / "A" / "A.json"
    assert [str(p) for p in problems] == [
        f"{js}:3: field 'sensitivityLevel': must be one of PERSON_GENERAL, PERSON_SPECIAL, PUBLIC, NONPUBLIC",
        f"{js}:45: field 'measureVariables[0].dataType': must be one of STRING, LONG, DOUBLE, DATE",
    ]


def test_many_malformed_lines_are_capped(tmp_path, mk):
    mk.write(tmp_path, "A", mk.doc("FIXED", codes=SEX), ["1,1,,,"] * (MAX_LINES_PER_KIND + 3) + ["2;1;;;"])
    _, problems = validate_delivery(tmp_path)
    csv = tmp_path / "A" / "A.csv"
    assert len(problems) == MAX_LINES_PER_KIND + 1
    assert str(problems[0]) == f"{csv}:1: field '(line)': expected 5 fields (unit_id;value;start;stop;attributes), found 1"
    assert str(problems[-1]) == f"{csv}: field '(line)': 3 more lines with the same problem: wrong number of fields"


def test_capped_overlaps_summarise_without_placeholders(tmp_path, mk):
    lines = []
    for unit in range(MAX_LINES_PER_KIND + 2):
        lines += [f"{unit};1;2020-01-01;2020-12-31;", f"{unit};2;2020-06-01;;"]
    mk.write(tmp_path, "A", mk.doc("EVENT", codes=SEX), lines)
    _, problems = validate_delivery(tmp_path)
    assert str(problems[0]).endswith(":2: field 'start': spell overlaps the spell on line 1 for the same unit")
    assert str(problems[-1]).endswith(": field 'start': 2 more lines with the same problem: spell overlaps the spell for the same unit")
