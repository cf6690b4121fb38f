"""Shared helpers for the checker tests: run the checker on text and a small fake catalogue."""

from __future__ import annotations

import datetime as dt

from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.errors import DatastoreError
from mdlang.semantics.check import check_text

EPOCH = dt.date(1970, 1, 1)


def days(text: str) -> int:
    return (dt.date.fromisoformat(text) - EPOCH).days


def run(text: str, **kw) -> list[tuple]:
    """(line, col, severity, message, hint) of every diagnostic, in order."""
    return [(d.line, d.col, d.severity, d.message, d.hint) for d in check_text(text, file="t.mdl", **kw)]


def messages(text: str, **kw) -> list[str]:
    return [d[3] for d in run(text, **kw)]


class FakeStore:
    """The part of mdlang.datastore's Datastore the checker reads: names and metadata."""

    def __init__(self, metas: list[VariableMetadata]) -> None:
        self._metas = {m.name: m for m in metas}

    def variables(self) -> list[VariableMetadata]:
        return list(self._metas.values())

    def has(self, name: str) -> bool:
        return name in self._metas

    def metadata(self, name: str) -> VariableMetadata:
        return self._metas[name]


STORE = FakeStore([
    VariableMetadata("BEFOLKNING_KJOENN", "PERSON", Temporality.FIXED, DataType.STRING),
    VariableMetadata("BEFOLKNING_STATUSKODE", "PERSON", Temporality.STATUS, DataType.STRING,
                     valid_from=days("1986-01-01"), valid_until=days("2025-01-01"),
                     status_dates=(days("2019-01-01"), days("2020-01-01"), days("2021-01-01"))),
    VariableMetadata("INNTEKT_WLONN", "PERSON", Temporality.ACCUMULATED, DataType.LONG,
                     valid_from=days("1993-01-01"), valid_until=days("2023-12-31")),
    VariableMetadata("SIVSTANDFDT_SIVSTAND", "PERSON", Temporality.EVENT, DataType.STRING,
                     valid_from=days("1900-01-01")),
    VariableMetadata("ARBEIDSFORHOLD_STILLINGSPST", "JOBB", Temporality.FIXED, DataType.DOUBLE),
    VariableMetadata("ARBEIDSFORHOLD_PERSON", "JOBB", Temporality.FIXED, DataType.LONG,
                     link_unit_type="PERSON"),
])


def catalogue(name: str, version):
    if name != "no.ssb.fdb":
        raise DatastoreError(f"no datastore named {name}; available: no.ssb.fdb",
                             hint="add a folder with --datastore-dir")
    return STORE
