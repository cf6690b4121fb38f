"""Variable metadata in the shape of SSB's microdata-tools model.

The dataclasses here are the contract between the builder, the store, the sample generator and
the interpreter. Reading and writing microdata-tools JSON lives in this module too
(:func:`VariableMetadata.from_microdata_json`, :meth:`VariableMetadata.to_dict`).

Dates are held as epoch days (days since 1970-01-01), as microdata.no does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Temporality(StrEnum):
    FIXED = "FIXED"
    STATUS = "STATUS"
    ACCUMULATED = "ACCUMULATED"
    EVENT = "EVENT"


class DataType(StrEnum):
    STRING = "STRING"
    LONG = "LONG"
    DOUBLE = "DOUBLE"
    DATE = "DATE"


#: Unit types known to mdlang and the name of the identifier variable a dataset of that unit shows.
UNIT_TYPES: dict[str, str] = {
    "PERSON": "PERSONID_1",
    "FAMILIE": "FAMILIE_ID",
    "HUSHOLDNING": "HUSHOLDNING_ID",
    "JOBB": "JOBBID_1",
    "KURS": "KURSID_1",
    "KJORETOY": "KJORETOY_ID",
    "KOMMUNE": "KOMMUNEID",
    "BEDRIFT": "BEDRIFT_ID",
    "FORETAK": "FORETAK_ID",
    "VIRKSOMHET": "VIRKSOMHET_ID",
    "BRUKSENHET": "BRUKSENHET_ID",
    "MALEPUNKT": "MALEPUNKT_ID",
    "TRAFIKKULYKKE": "TRAFIKKULYKKE_ID",
    "TRAFIKKULYKKE_PERSON": "TRAFIKKULYKKE_PERSON_ID",
    "NPR_EPISODE": "NPR_EPISODE_ID",
    "NPR_PROSEDYRE": "NPR_PROSEDYRE_ID",
    "NPR_SYKEHUSOPPHOLD": "NPR_SYKEHUSOPPHOLD_ID",
    "KRG_KREFTTILFELLE": "KRG_KREFTTILFELLE_ID",
    "SOESKEN": "SOESKEN_ID",
    "SOSTIL": "SOSTIL_ID",
    "HKDIR_STUDIESOKNAD": "HKDIR_STUDIESOKNAD_ID",
    "HKDIR_HYU_OPPMELDING": "HKDIR_HYU_OPPMELDING_ID",
    "FENGSLINGER_TILGANG": "FENGSLINGER_TILGANG_ID",
    "BK_HELSESTASJONSKONSULTASJON": "BK_HELSESTASJONSKONSULTASJON_ID",
}

#: Unit types whose identifiers are not pseudonymised person numbers (disclosure.md D5, language §2.2).
NON_PSEUDONYMISED_UNITS = frozenset({"KOMMUNE", "BK_HELSESTASJONSKONSULTASJON"})


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of a code list, valid from ``valid_from`` to ``valid_until`` (epoch days, None = open)."""

    code: str
    label: str
    valid_from: int | None = None
    valid_until: int | None = None


@dataclass(frozen=True, slots=True)
class VariableMetadata:
    """Everything known about one register variable except its values.

    ``title``/``description`` map a language code (``"no"``, ``"en"``) to text. ``code_list`` is
    None for variables without one (amounts, dates, ids). ``link_unit_type`` names the unit type a
    link variable points at (``BEFOLKNING_MOR_FNR`` → ``"PERSON"``). ``sensitive`` marks a variable
    for class disclosure (disclosure.md D13). ``status_dates`` lists the published dates of a
    STATUS variable; ``valid_from``/``valid_until`` give its validity period (epoch days).
    """

    name: str
    unit_type: str
    temporality: Temporality
    data_type: DataType
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    code_list: tuple[Code, ...] | None = None
    unit_of_measure: str | None = None
    sensitivity_level: str = "NONPUBLIC"
    sensitive: bool = False
    link_unit_type: str | None = None
    valid_from: int | None = None
    valid_until: int | None = None
    status_dates: tuple[int, ...] = ()
    population_description: dict[str, str] = field(default_factory=dict)
    subject_fields: tuple[str, ...] = ()
    data_revision: dict[str, str] = field(default_factory=dict)

    @property
    def is_coded(self) -> bool:
        return self.code_list is not None

    @property
    def is_numeric(self) -> bool:
        """Numeric in the language (LONG, DOUBLE, DATE); STRING variables are alphanumeric."""
        return self.data_type is not DataType.STRING

    def label(self, lang: str = "no") -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.name)

    def codes_at(self, date: int | None = None) -> tuple[Code, ...]:
        """The code-list entries valid on ``date`` (epoch days; None gives every entry)."""
        if self.code_list is None:
            return ()
        if date is None:
            return self.code_list
        return tuple(
            c
            for c in self.code_list
            if (c.valid_from is None or c.valid_from <= date)
            and (c.valid_until is None or date <= c.valid_until)
        )

    def to_dict(self) -> dict:
        """A JSON-ready dict holding every field (the form stored in a datastore manifest)."""
        return {
            "name": self.name,
            "unit_type": self.unit_type,
            "temporality": self.temporality.value,
            "data_type": self.data_type.value,
            "title": dict(self.title),
            "description": dict(self.description),
            "code_list": None
            if self.code_list is None
            else [[c.code, c.label, c.valid_from, c.valid_until] for c in self.code_list],
            "unit_of_measure": self.unit_of_measure,
            "sensitivity_level": self.sensitivity_level,
            "sensitive": self.sensitive,
            "link_unit_type": self.link_unit_type,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "status_dates": list(self.status_dates),
            "population_description": dict(self.population_description),
            "subject_fields": list(self.subject_fields),
            "data_revision": dict(self.data_revision),
        }

    @classmethod
    def from_dict(cls, d: dict) -> VariableMetadata:
        """Inverse of :meth:`to_dict`."""
        codes = d.get("code_list")
        return cls(
            name=d["name"],
            unit_type=d["unit_type"],
            temporality=Temporality(d["temporality"]),
            data_type=DataType(d["data_type"]),
            title=dict(d.get("title", {})),
            description=dict(d.get("description", {})),
            code_list=None if codes is None else tuple(Code(*c) for c in codes),
            unit_of_measure=d.get("unit_of_measure"),
            sensitivity_level=d.get("sensitivity_level", "NONPUBLIC"),
            sensitive=bool(d.get("sensitive", False)),
            link_unit_type=d.get("link_unit_type"),
            valid_from=d.get("valid_from"),
            valid_until=d.get("valid_until"),
            status_dates=tuple(d.get("status_dates", ())),
            population_description=dict(d.get("population_description", {})),
            subject_fields=tuple(d.get("subject_fields", ())),
            data_revision=dict(d.get("data_revision", {})),
        )

    @classmethod
    def from_microdata_json(cls, name: str, doc: dict, *, file: str = "<metadata>") -> VariableMetadata:
        """Parse a microdata-tools metadata document; DatastoreError listing every problem."""
        from mdlang.datastore.microdata_json import parse_metadata
        from mdlang.datastore.problems import problems_error

        meta, problems = parse_metadata(name, doc, file=file)
        if meta is None or problems:
            raise problems_error(problems, f"metadata of {name}")
        return meta

    def to_microdata_json(self) -> dict:
        """The microdata-tools metadata document for this variable."""
        from mdlang.datastore.microdata_json import to_microdata_json

        return to_microdata_json(self)
