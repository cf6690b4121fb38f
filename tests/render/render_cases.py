"""Hand-made released results, one per layout, shared by the renderer tests.

Tests sit outside the package, so they may play the disclosure package and use the seal. The
shapes follow interfaces.md; the numbers are made up but consistent (percentages add up).
"""

from __future__ import annotations

from mdlang.disclosure.seal import SEAL
from mdlang.results import Result

NOISE_NOTE = "Counts are perturbed (cell-key noise, |noise| <= 3); totals are perturbed on their own."


def make(command: str, kind: str, data: dict, notes: tuple[str, ...] = (), line: int = 7) -> Result:
    """A released result, as the disclosure package would build it."""
    return Result(command, line, kind, data, notes, _seal=SEAL)


#: name → (result, source line(s) that produced it)
CASES: dict[str, tuple[Result, str]] = {
    "oneway": (
        make("tabulate", "table", {
            "title": "kjønn",
            "columns": ["kjønn", "Freq.", "Percent", "Cum."],
            "rows": [["Mann", 5120, 50.54, 50.54], ["Kvinne", 5010, 49.46, 100.0],
                     ["Total", 10130, 100.0, None]],
            "content": ["freq"],
            "stats": {},
        }, (NOISE_NOTE,)),
        "tabulate kjønn",
    ),
    "oneway_markers": (
        make("tabulate", "table", {
            "title": "bydel",
            "columns": ["bydel", "Freq.", "Percent", "Cum."],
            "rows": [["Årstad", 3812, 37.64, 37.64], ["Ytrebygda", 2290, 22.61, 60.25],
                     ["Fana", 4016, 39.65, 99.9], ["Sentrum", "<10", "x", "x"],
                     ["Total", 10128, 100.0, None]],
        }, (NOISE_NOTE, "x: withheld because the cell above it is below the threshold (D4).")),
        "tabulate bydel if alder < 20",
    ),
    "twoway": (
        make("tabulate", "table", {
            "title": "kjønn × regstat",
            "colvar": "regstat",
            "columns": ["kjønn", "Bosatt", "Utvandret", "Total"],
            "rows": [["Mann", 5120, "<10", 5127], ["Kvinne", 4988, 12, 5003],
                     ["Total", 10108, 19, 10130]],
            "content": ["freq"],
            "stats": {"chi2": 3.1, "df": 1, "p": 0.0783},
        }, (NOISE_NOTE,)),
        "tabulate kjønn regstat, chi2",
    ),
    "twoway_rowpct": (
        make("tabulate", "table", {
            "title": "kjønn × regstat",
            "colvar": "regstat",
            "content": ["rowpct"],
            "columns": ["kjønn", "Bosatt", "Utvandret", "Total"],
            "rows": [["Mann", 99.86, "x", 100.0], ["Kvinne", 99.76, 0.24, 100.0],
                     ["Total", 99.81, 0.19, 100.0]],
        }),
        "tabulate kjønn regstat, rowpct",
    ),
    "multicontent": (
        make("tabulate", "table", {
            "title": "kjønn × regstat",
            "colvar": "regstat",
            "content": ["freq", "rowpct"],
            "columns": ["kjønn", "Bosatt", "Utvandret", "Total"],
            "rows": [["Mann", 5120, "<10", 5127], ["Mann", 99.86, "x", 100.0],
                     ["Kvinne", 4988, 12, 5003], ["Kvinne", 99.76, 0.24, 100.0],
                     ["Total", 10108, 19, 10130], ["Total", 99.81, 0.19, 100.0]],
        }, (NOISE_NOTE,)),
        "tabulate kjønn regstat, freq rowpct",
    ),
    "multiway": (
        make("tabulate", "table", {
            "title": "kjønn × bydel × regstat",
            "colvar": "regstat",
            "columns": ["kjønn", "bydel", "Bosatt", "Utvandret", "Total"],
            "rows": [["Mann", "Årstad", 1902, "<10", 1906], ["Mann", "Fana", 2011, 11, 2022],
                     ["Kvinne", "Årstad", 1899, "<10", 1901], ["Kvinne", "Fana", 1987, 13, 2000],
                     ["Total", "", 7799, 29, 7829]],
            "content": ["freq"],
        }),
        "tabulate kjønn bydel regstat",
    ),
    "flat": (
        make("tabulate", "table", {
            "title": "kjønn × regstat",
            "layout": "flat",
            "columns": ["kjønn", "regstat", "Freq.", "Row %", "mean(lønn)"],
            "content": ["freq", "rowpct", "mean(lønn)"],
            "rows": [["Mann", "Bosatt", 5120, 99.86, 561200.0], ["Mann", "Utvandret", "<10", "x", "<10"],
                     ["Kvinne", "Bosatt", 4988, 99.76, 489100.0],
                     ["Kvinne", "Utvandret", 12, 0.24, 401200.0],
                     ["Total", None, 10130, 100.0, 525100.0]],
        }),
        "tabulate kjønn regstat, flatten",
    ),
    "volume": (
        make("tabulate", "table", {
            "title": "Mean of lønn by kjønn × regstat",
            "colvar": "regstat",
            "content": ["mean(lønn)"],
            "columns": ["kjønn", "Bosatt", "Utvandret", "Total"],
            "rows": [["Mann", 561230.5, "<10", 560870.0], ["Kvinne", 489120.25, 401200.0, 488950.0],
                     ["Total", 525400.0, 398700.0, 525120.0]],
        }, ("Means are winsorised at the 1st and 99th percentiles and carry noise (D5).",)),
        "tabulate kjønn regstat, summarize(lønn)",
    ),
    "summary": (
        make("summarize", "summary", {
            "title": "summarize",
            "columns": ["Variable", "N", "Mean", "Std. dev.", "P1", "P25", "P50", "P75", "P99",
                        "Gini", "IQR"],
            "rows": [["lønn", 10130, 512345.6, 210000.0, 12000.0, 350000.0, 480000.0, 650000.0,
                      1200000.0, 0.3121, 300000.0],
                     ["alder", 10130, 41.23, 12.5, 19.0, 31.0, 41.0, 52.0, 66.0, 0.1702, 21.0],
                     ["bmi", 812, 24.1, 3.92, None, 21.4, 23.8, 26.5, None, 0.0871, 5.1]],
        }, ("P1 and P99 need at least 1000 persons (D6).",)),
        "summarize lønn alder bmi, gini iqr",
    ),
    "regress": (
        make("regress", "model", {
            "title": "Linear regression",
            "depvar": "lønn",
            "columns": ["term", "coef", "se", "t", "p", "ci_low", "ci_high"],
            "rows": [["alder", 1234.5, 45.67, 27.03, 0.0, 1145.0, 1324.0],
                     ["kjønn=2", -45670.0, 2301.0, -19.85, 0.0, -50180.0, -41160.0],
                     ["_cons", 250100.0, 5012.0, 49.9, 0.0, 240300.0, 259900.0]],
            "stats": {"n": 10130, "df_m": 2, "df_r": 10127, "f": 812.3, "p_f": 0.0, "r2": 0.1382,
                      "adj_r2": 0.138, "rmse": 195200.0, "ss_model": 6.191e13, "ss_resid": 3.859e14,
                      "ms_model": 3.096e13, "ms_resid": 3.811e10},
        }, ("Coefficients are rounded to 4 significant digits (D7).",)),
        "regress lønn alder i.kjønn",
    ),
    "logit": (
        make("logit", "model", {
            "title": "Logistic regression",
            "depvar": "angst",
            "columns": ["term", "coef", "se", "z", "p", "ci_low", "ci_high"],
            "rows": [["klassetrinn", 0.1523, 0.02711, 5.62, 0.0, 0.09917, 0.2054],
                     ["kjønn=2", 0.4471, 0.08123, 5.5, 0.0, 0.2879, 0.6063],
                     ["_cons", -3.912, 0.2455, -15.93, 0.0, -4.393, -3.431]],
            "stats": {"n": 4812, "chi2": 61.4, "df_m": 2, "p_chi2": 0.0, "pseudo_r2": 0.0213,
                      "ll": -1411.2},
        }),
        "logit angst klassetrinn i.kjønn",
    ),
    "message": (
        make("create-dataset", "message", {"text": "Dataset folk created (empty); it is now active."}),
        "create-dataset folk",
    ),
    "message_multiline": (
        make("variables", "message", {"text": "kjønn    coded  2 categories\nlønn     numeric\n*bydel_2  coded"}),
        "variables",
    ),
    "textblock": (
        make("textblock", "message", {"text": "# Helseprofil 0-20\n\nTall for **Bergen**, alle bydeler:\n\n- kjønn\n- bydel"}),
        "textblock\n# Helseprofil 0-20\n...\nendblock",
    ),
    "refusal": (
        make("tabulate", "refusal", {
            "text": "The table has cells with fewer than 10 persons in every column.",
            "rule": "D4",
            "remedy": "use fewer categories, e.g. coarsen bydel",
        }),
        "tabulate skole angst if klassetrinn == 9 & kjønn == 2",
    ),
    "refusal_gate": (
        make("summarize", "refusal", {
            "text": "summarize: output withheld by disclosure control (D4 threshold: every released "
                    "number needs 10 distinct persons).",
            "rule": "D4 threshold: every released number needs 10 distinct persons",
            "remedy": "widen the condition or use coarser groups",
        }),
        "summarize bmi if skole == 17",
    ),
    "figure": (
        make("histogram", "figure", {
            "title": "Histogram of lønn",
            "spec": {"bins": [[0, 100000, 812], [100000, 200000, 2310]]},
            "files": ["figures/line-12-histogram.png", "figures/line-12-histogram.svg"],
        }),
        "histogram lønn",
    ),
    "figure_unsaved": (
        make("barchart", "figure", {"title": "", "spec": {"bars": [["Mann", 5120]]}, "files": []}),
        "barchart (count) kjønn",
    ),
    "wide": (
        make("tabulate", "table", {
            "title": "bydel × næring",
            "colvar": "næring",
            "columns": ["bydel", "Jordbruk, skogbruk og fiske", "Bergverksdrift og utvinning",
                        "Industri", "Elektrisitets-, gass-, damp- og varmtvannsforsyning",
                        "Bygge- og anleggsvirksomhet", "Total"],
            "rows": [["Årstad", "<10", "<10", 412, 35, 310, 771],
                     ["Bergenhus", "<10", 14, 205, 41, 190, 456],
                     ["Total", 12, 19, 617, 76, 500, 1224]],
        }),
        "tabulate bydel næring",
    ),
    "oneway_summarize": (
        make("tabulate", "table", {
            "title": "bydel",
            "columns": ["bydel", "Freq.", "mean(lønn)", "p50(lønn)"],
            "rows": [["Årstad", 3812, 498200.0, 471000.0], ["Fana", 4016, 561300.0, "x"],
                     ["Sentrum", "<10", "<10", "<10"], ["Total", 7835, 531000.0, 505000.0]],
            "content": ["freq", "mean(lønn)", "p50(lønn)"],
            "stats": {"chi2": None, "df": None, "p": None},
        }),
        "tabulate bydel, freq summarize(lønn) mean p50",
    ),
    "pipes_and_markup": (
        make("tabulate", "table", {
            "title": "yrke | gruppe",
            "columns": ["yrke", "Freq."],
            "rows": [["Lege | tannlege", 120], ["*Annet* [ukjent]", 33], ["_cons_like", 11]],
        }),
        "tabulate yrke",
    ),
}
