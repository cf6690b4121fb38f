"""Generate docs/sample-datastores.md from the metadata of the built sample stores.

Run ``python -m mdlang.datastore.samplegen.docs [ROOT]`` to rewrite the page (ROOT: a built
sample root; without it a small sample is built in a temporary folder). A test fails when the
page is stale.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from mdlang.datastore.metadata import Code, VariableMetadata
from mdlang.datastore.samplegen.dates import NEVER

PAGE = Path(__file__).resolve().parents[3] / "docs" / "sample-datastores.md"
INLINE_CODES = 30

_HEADER = """# The synthetic sample datastores

mdlang ships a deterministic generator of two synthetic datastores so that scripts run on a
fresh machine: `no.ssb.fdb` (a register in the shape of SSB's research database) and
`no.bergen.helseprofil` (Helseprofil 0-20, Bergen's child health record). **Every value is
synthetic**: no real person is described. Both stores share one person-id space, so the
children of Helseprofil are persons of the register. Build them with `mdlang sample-data`
(`--persons N`, `--seed S`, `--out DIR`); scripts that `require` them build them on first use.

How the population is made: persons are born, age, die, emigrate and immigrate between 1990 and
2025, across all of Norway's 357 municipalities (2024 numbering) with Bergen (4601) at realistic
scale (about 100 000 residents, 50 000 elsewhere, by default; larger samples keep about that
many Bergen residents until Bergen's real share of Norway, about 5 %, is reached, as it is at
`--persons 5500000`). Couples form and split; children
link to their real mother and father; children live with their mother, partners with each other.
Education follows the parents (one latent factor per person), income rises with age to mid-life
and with education, differs by sex, and is strongly correlated from year to year.

Municipality numbers follow SSB's classification in five periods, with validity dates in the
code list: until 31 December 2016 (428 municipalities, 19 counties), in 2017 (426: Sandefjord
0706, Andebu 0719 and Stokke 0720 became Sandefjord 0710), in 2018–2019 (422, 18 counties:
Sør- and Nord-Trøndelag became Trøndelag and all their numbers changed from 16xx/17xx to 50xx,
e.g. Trondheim 1601 → 5001; Larvik and Lardal became Larvik 0712, Holmestrand and Hof Holmestrand
0715, Nøtterøy and Tjøme Færder 0729, Rissa and Leksvik Indre Fosen 5054), in 2020–2023 (the
numbers after the regional reform: Bergen 4601, Lillestrøm 3030, Tromsø 5401) and from 2024 (after
Viken, Vestfold og Telemark and Troms og Finnmark were split and Haram left Ålesund: Lillestrøm
3205, Tromsø 5501). So an import at 2016-12-31, 2017-12-31 or 2018-12-31 shows the numbers valid
that day, and residence spells are cut on each reform day. A person living in a municipality
formed by a merger is given one of the merged municipalities for the time before (one of the 2019
municipalities with equal chance, and within a 2017 or 2018 merger the part by its rough
population), and keeps it while staying. Changes before 2017 are not modelled: the 2016 numbers serve the whole
period before 2017. The country of birth (BEFOLKNING_FODELAND) uses SSB's three-digit country codes
(Norway 000, Sweden 106, Poland 131, Lithuania 136, Somalia 346, Syria 564, …); 38 unused 9xx
codes, labelled as placeholders, bring the list to the catalogue's 287 codes and are never
assigned. Family type (BEFOLKNING_REGSTAT_FAMTYP), pair status
(BEFOLKNING_PARSTATUS) and person code (BEFOLKNING_REGSTAT_PERSONKODE) use SSB's codes; children
of 18 and over are not modelled as living with their parents, so the family types with adult
children (3.2.x, 3.3.x), "other families" (3.4.1) and the imputed pairs of pair status (`p`, `u`)
do not occur. Bergen's bydeler are coded 01–08 in Helseprofil.

Building at national scale (`mdlang sample-data --persons 5500000`): the income variables are
computed one year at a time, every component once, and held compactly (a bit mask and 32-bit
values per year, spilled to a temporary folder past 512 MB) until each variable is written;
rows are produced in person-id order so the writer need not sort them.
Status variables of ARBLONN are monthly, as SSB publishes them: on the 16th of every month of
the variable's validity period (from January 2015, from February 2015 for hours, position
percentage and full/part time, from January 2021 for the employment form, to September 2025), and
on the month's last day for ARBLONN_PERS_KOMMNR. A job is active from its start to its end, one
run of months: a main job followed by the person's next main job ends the day before that one
starts, a main job not followed by another ends on a random day of its last year, a side job lasts
a year, a job of 2025 stays open, and every job ends when the person leaves. Occupation,
employment form and working-time arrangement stay fixed for a job; the position percentage (and
so hours and full/part time) changes once a year, in the job's anniversary month. The ARBLONN_PERS
variables hold the persons with an active job who live in Norway that day; their hours are the
sum over those jobs. Monthly rows are about half of the register's rows but, written in (unit,
date) order with plain dates that zstd folds unit after unit, about an eighth of its bytes.
Date-valued LONG variables (BEFOLKNING_DOEDS_DATO, BEFOLKNING_FORSTDATO, ARBLONN_ARB_START) hold
days since 1970-01-01.

This page is generated from the stores' metadata by `python -m mdlang.datastore.samplegen.docs`;
do not edit it by hand.
"""


def _date(d: int | None) -> str:
    if d is None or d >= NEVER:
        return ""
    import numpy as np

    return str(np.datetime64(int(d), "D"))


def _validity(m: VariableMetadata) -> str:
    a, b = _date(m.valid_from), _date(m.valid_until)
    return f"{a} – {b}" if a or b else "∞"


def _codes_text(codes: tuple[Code, ...]) -> str:
    return "; ".join(f"`{c.code}` {c.label}" for c in codes)


def _list_key(codes: tuple[Code, ...]) -> tuple:
    return tuple((c.code, c.label, c.valid_from, c.valid_until) for c in codes)


def render(stores: list[tuple[str, str, list[VariableMetadata]]]) -> str:
    """The page for ``(name, description, variables)`` per store."""
    out = [_HEADER]
    long_lists: dict[tuple, tuple[str, tuple[Code, ...]]] = {}
    for name, description, metas in stores:
        out.append(f"## `{name}`\n\n{description}\n")
        out.append("| variable | label | unit type | temporality | type | validity | codes |")
        out.append("|---|---|---|---|---|---|---|")
        for m in sorted(metas, key=lambda m: m.name):
            codes = ""
            if m.code_list is not None:
                if len(m.code_list) <= INLINE_CODES:
                    codes = _codes_text(m.code_list)
                else:
                    key = _list_key(m.code_list)
                    long_lists.setdefault(key, (m.name, m.code_list))
                    codes = f"{len(m.code_list)} codes, see [{long_lists[key][0]}](#codes-{long_lists[key][0].lower()})"
            elif m.link_unit_type:
                codes = f"link to {m.link_unit_type}"
            elif m.unit_of_measure:
                codes = f"unit: {m.unit_of_measure}"
            sens = " (sensitive)" if m.sensitive else ""
            label = m.label("no").replace("|", "/")
            out.append(
                f"| `{m.name}` | {label}{sens} | {m.unit_type} | {m.temporality.value} | {m.data_type.value} | {_validity(m)} | {codes} |"
            )
        out.append("")
    if long_lists:
        out.append("## Long code lists\n")
        for first, codes in long_lists.values():
            out.append(f"### Codes {first}\n")
            out.append("| code | label | valid from | valid until |")
            out.append("|---|---|---|---|")
            for c in codes:
                out.append(
                    f"| `{c.code}` | {c.label} | {_date(c.valid_from)} | {_date(c.valid_until)} |"
                )
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_root(root: Path) -> str:
    """The page for the sample stores built under ``root``."""
    from mdlang.datastore.sample import SAMPLE_NAMES, SAMPLE_VERSION
    from mdlang.datastore.store import open_datastore

    stores = []
    for name in SAMPLE_NAMES:
        ds = open_datastore(name, SAMPLE_VERSION, [root])
        stores.append((name, ds.description or "", ds.variables()))
    return render(stores)


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/sample-datastores.md."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        text = render_root(Path(argv[0]))
    else:
        from mdlang.datastore.sample import build_sample

        with tempfile.TemporaryDirectory() as tmp:
            build_sample(tmp, persons=5_000)
            text = render_root(Path(tmp))
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
