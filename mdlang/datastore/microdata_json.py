"""Read and write variable metadata in SSB's microdata-tools JSON shape.

A delivery describes each variable in ``VAR/VAR.json``: ``temporalityType``,
``sensitivityLevel``, ``populationDescription``, ``subjectFields``, ``dataRevision``,
``identifierVariables: [{"unitType": …}]`` and one entry of ``measureVariables`` whose
``valueDomain`` holds either a ``codeList`` or a described domain. A measure that is itself a unit
(microdata-tools' "measure with unitType") is a link variable. mdlang's own additions live under
the root key ``"mdlang"`` (``linkUnitType``, ``sensitive``), which microdata-tools leaves alone.

Multilingual texts are lists of ``{"languageCode": …, "value": …}``; they become ``{lang: text}``.
"""

from __future__ import annotations

from typing import Any

from mdlang.datastore.dates import format_date, parse_date
from mdlang.datastore.metadata import (
    UNIT_TYPES,
    Code,
    DataType,
    Temporality,
    VariableMetadata,
)
from mdlang.datastore.problems import Problem

SENSITIVITY_LEVELS = ("PERSON_GENERAL", "PERSON_SPECIAL", "PUBLIC", "NONPUBLIC")
REQUIRED_ROOT = (
    "temporalityType",
    "sensitivityLevel",
    "populationDescription",
    "subjectFields",
    "dataRevision",
    "identifierVariables",
    "measureVariables",
)
EXTENSION_KEY = "mdlang"


class _Reader:
    """Collects problems while walking one JSON document."""

    def __init__(self, file: str, text: str | None) -> None:
        self.file = file
        self.text = text or ""
        self.problems: list[Problem] = []

    def line_of(self, key: str) -> int | None:
        """Line of the first occurrence of ``"key"`` in the file text, if it occurs."""
        pos = self.text.find(f'"{key}"')
        return None if pos < 0 else self.text.count("\n", 0, pos) + 1

    def root_line(self) -> int | None:
        """Line of the opening brace of the document (where a missing top-level key belongs)."""
        pos = self.text.find("{")
        return None if pos < 0 else self.text.count("\n", 0, pos) + 1

    def add(self, field: str, message: str, key: str | None = None, *, line: int | None = None) -> None:
        if line is None and key:
            line = self.line_of(key)
        self.problems.append(Problem(self.file, line, field, message))

    def texts(self, value: Any, field: str, key: str) -> dict[str, str]:
        """A multilingual text list as ``{lang: text}``; a bare string counts as Norwegian."""
        if isinstance(value, str):
            return {"no": value}
        if not isinstance(value, list):
            self.add(field, 'expected a list of {"languageCode": …, "value": …}', key)
            return {}
        out: dict[str, str] = {}
        for i, item in enumerate(value):
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("languageCode"), str)
                or not isinstance(item.get("value"), str)
            ):
                self.add(f"{field}[{i}]", 'expected {"languageCode": …, "value": …}', key)
                continue
            out[item["languageCode"]] = item["value"]
        return out

    def date(self, value: Any, field: str, key: str) -> int | None:
        if value is None:
            return None
        try:
            return parse_date(str(value))
        except ValueError:
            self.add(field, "malformed date, expected YYYY-MM-DD", key)
            return None


def parse_metadata(
    name: str, doc: Any, *, file: str, text: str | None = None
) -> tuple[VariableMetadata | None, list[Problem]]:
    """Parse one microdata-tools metadata document for variable ``name``.

    Returns the metadata (None when it cannot be built) and every problem found, each with the
    file, the line where the offending key first appears (when it does) and the field path.
    """
    r = _Reader(file, text)
    if not isinstance(doc, dict):
        r.add("(root)", "expected a JSON object")
        return None, r.problems
    for key in REQUIRED_ROOT:
        if key not in doc:
            r.add(key, "missing required field", line=r.root_line())
    temporality = _enum(r, doc, "temporalityType", Temporality)
    sensitivity = doc.get("sensitivityLevel")
    if "sensitivityLevel" in doc and sensitivity not in SENSITIVITY_LEVELS:
        r.add("sensitivityLevel", f"must be one of {', '.join(SENSITIVITY_LEVELS)}", "sensitivityLevel")
    population = r.texts(doc["populationDescription"], "populationDescription", "populationDescription") if "populationDescription" in doc else {}
    subjects = _subjects(r, doc.get("subjectFields", []))
    revision = _revision(r, doc["dataRevision"]) if "dataRevision" in doc else {}
    unit_type = _unit_type(r, doc.get("identifierVariables"), "identifierVariables")
    ext = doc.get(EXTENSION_KEY, {})
    if not isinstance(ext, dict):
        r.add(EXTENSION_KEY, "expected an object", EXTENSION_KEY)
        ext = {}
    measure = _measure(r, doc.get("measureVariables"))
    if r.problems or temporality is None or unit_type is None or measure is None:
        return None, r.problems
    link = measure.pop("link_unit_type") or ext.get("linkUnitType")
    if link is not None and link not in UNIT_TYPES:
        r.add(f"{EXTENSION_KEY}.linkUnitType", "unknown unit type", "linkUnitType")
        return None, r.problems
    sensitive = ext.get("sensitive", False)
    if not isinstance(sensitive, bool):
        r.add(f"{EXTENSION_KEY}.sensitive", "expected true or false", "sensitive")
        return None, r.problems
    meta = VariableMetadata(
        name=name,
        unit_type=unit_type,
        temporality=temporality,
        sensitivity_level=str(sensitivity),
        population_description=population,
        subject_fields=subjects,
        data_revision=revision,
        link_unit_type=link,
        sensitive=sensitive,
        **measure,
    )
    return meta, r.problems


def _enum(r: _Reader, doc: dict, key: str, enum: type) -> Any:
    if key not in doc:
        return None
    try:
        return enum(doc[key])
    except ValueError:
        r.add(key, f"must be one of {', '.join(m.value for m in enum)}", key)
        return None


def _subjects(r: _Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        r.add("subjectFields", "expected a list of multilingual texts", "subjectFields")
        return ()
    out = []
    for i, item in enumerate(value):
        texts = r.texts(item, f"subjectFields[{i}]", "subjectFields")
        if texts:
            out.append(texts.get("no") or next(iter(texts.values())))
    return tuple(out)


def _revision(r: _Reader, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        r.add("dataRevision", "expected an object", "dataRevision")
        return {}
    if "description" not in value:
        r.add("dataRevision.description", "missing required field", "dataRevision")
        return {}
    return r.texts(value["description"], "dataRevision.description", "dataRevision")


def _unit_type(r: _Reader, value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        r.add(field, 'expected exactly one entry [{"unitType": …}]', field)
        return None
    unit = value[0].get("unitType")
    if unit is None:
        r.add(f"{field}[0].unitType", "missing required field", field)
        return None
    if unit not in UNIT_TYPES:
        r.add(f"{field}[0].unitType", "unknown unit type (see UNIT_TYPES in the data-owner guide)", "unitType")
        return None
    return str(unit)


def _measure(r: _Reader, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    field = "measureVariables"
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        r.add(field, "expected exactly one measure variable", field)
        return None
    m = value[0]
    before = len(r.problems)
    for key in ("name", "description"):
        if key not in m:
            r.add(f"{field}[0].{key}", "missing required field", field)
    title = r.texts(m["name"], f"{field}[0].name", "name") if "name" in m else {}
    description = r.texts(m["description"], f"{field}[0].description", "description") if "description" in m else {}
    out: dict[str, Any] = {"title": title, "description": description, "link_unit_type": None}
    if "unitType" in m:
        if m["unitType"] not in UNIT_TYPES:
            r.add(f"{field}[0].unitType", "unknown unit type", "unitType")
        out.update(data_type=DataType.LONG, link_unit_type=m["unitType"])
        return out if len(r.problems) == before else None
    if "dataType" not in m:
        r.add(f"{field}[0].dataType", "missing required field", field)
    else:
        try:
            out["data_type"] = DataType(m["dataType"])
        except ValueError:
            r.add(f"{field}[0].dataType", "must be one of STRING, LONG, DOUBLE, DATE", "dataType")
    domain = m.get("valueDomain")
    if not isinstance(domain, dict):
        r.add(f"{field}[0].valueDomain", "missing required field (an object)", field)
    elif "codeList" in domain:
        codes = _codes(r, domain["codeList"], f"{field}[0].valueDomain.codeList", required_from=True)
        codes += _codes(r, domain.get("sentinelAndMissingValues", []), f"{field}[0].valueDomain.sentinelAndMissingValues", required_from=False)
        out["code_list"] = tuple(codes)
    else:
        if "description" not in domain:
            r.add(f"{field}[0].valueDomain.description", "missing required field (or give a codeList)", "valueDomain")
        unit = domain.get("measurementUnitDescription", domain.get("unitOfMeasure"))
        if unit is not None:
            texts = r.texts(unit, f"{field}[0].valueDomain.measurementUnitDescription", "valueDomain")
            out["unit_of_measure"] = texts.get("no") or next(iter(texts.values()), None)
    return out if len(r.problems) == before else None


def _codes(r: _Reader, value: Any, field: str, *, required_from: bool) -> list[Code]:
    if not isinstance(value, list):
        r.add(field, "expected a list", "codeList")
        return []
    out = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        f = f"{field}[{i}]"
        if not isinstance(item, dict) or "code" not in item or "categoryTitle" not in item:
            r.add(f, "each entry needs code and categoryTitle", "codeList")
            continue
        if required_from and "validFrom" not in item:
            r.add(f"{f}.validFrom", "missing required field", "codeList")
        code = str(item["code"])
        titles = r.texts(item["categoryTitle"], f"{f}.categoryTitle", "categoryTitle")
        start = r.date(item.get("validFrom"), f"{f}.validFrom", "validFrom")
        until = r.date(item.get("validUntil"), f"{f}.validUntil", "validUntil")
        if code in seen and not required_from:
            continue
        seen.add(code)
        out.append(Code(code, titles.get("no") or next(iter(titles.values()), code), start, until))
    return out


def _texts_out(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"languageCode": k, "value": v} for k, v in texts.items()]


def _code_out(c: Code) -> dict[str, Any]:
    out: dict[str, Any] = {"code": c.code, "categoryTitle": [{"languageCode": "no", "value": c.label}]}
    if c.valid_from is not None:
        out["validFrom"] = format_date(c.valid_from)
    if c.valid_until is not None:
        out["validUntil"] = format_date(c.valid_until)
    return out


def to_microdata_json(meta: VariableMetadata) -> dict[str, Any]:
    """The microdata-tools JSON document for ``meta`` (mdlang additions under ``"mdlang"``).

    microdata-tools requires a ``validFrom`` in ``codeList``, so codes without one are written
    under ``sentinelAndMissingValues`` (after the dated codes, whose order is kept).
    """
    measure: dict[str, Any] = {"name": _texts_out(meta.title), "description": _texts_out(meta.description)}
    if meta.link_unit_type is not None and meta.data_type is DataType.LONG and meta.code_list is None:
        measure = {"unitType": meta.link_unit_type, **measure}
    else:
        measure["dataType"] = meta.data_type.value
        if meta.code_list is not None:
            # codes without a validFrom can only have come from sentinelAndMissingValues
            measure["valueDomain"] = {
                "codeList": [_code_out(c) for c in meta.code_list if c.valid_from is not None]
            }
            sentinels = [_code_out(c) for c in meta.code_list if c.valid_from is None]
            if sentinels:
                measure["valueDomain"]["sentinelAndMissingValues"] = sentinels
        else:
            domain: dict[str, Any] = {"description": _texts_out(meta.description) or [{"languageCode": "no", "value": ""}]}
            if meta.unit_of_measure is not None:
                domain["measurementUnitDescription"] = [{"languageCode": "no", "value": meta.unit_of_measure}]
            measure["valueDomain"] = domain
    doc: dict[str, Any] = {
        "temporalityType": meta.temporality.value,
        "sensitivityLevel": meta.sensitivity_level,
        "populationDescription": _texts_out(meta.population_description),
        "subjectFields": [[{"languageCode": "no", "value": s}] for s in meta.subject_fields],
        "dataRevision": {"description": _texts_out(meta.data_revision)},
        "identifierVariables": [{"unitType": meta.unit_type}],
        "measureVariables": [measure],
    }
    ext: dict[str, Any] = {}
    if meta.link_unit_type is not None:
        ext["linkUnitType"] = meta.link_unit_type
    if meta.sensitive:
        ext["sensitive"] = True
    if ext:
        doc[EXTENSION_KEY] = ext
    return doc
