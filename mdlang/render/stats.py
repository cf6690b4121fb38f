"""Names, order and formats of the named scalars in ``data["stats"]``.

Known statistics get the labels researchers know from Stata (``Number of obs``, ``Prob > F``);
a label may name other statistics (``F(df_m, df_r)``), which are then not listed on their own.
Unknown statistics are shown under their own key, so a new command needs no code here.
A negative or missing R-squared shows as Stata's ``.`` (:data:`MISSING_AS_DOT`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mdlang.render.numbers import format_cell, format_label, is_number, round_like

#: key → (label template, style); ``{name}`` in a template is filled from the other stats.
STAT_LABELS: dict[str, tuple[str, str]] = {
    "n": ("Number of obs", "count"),
    "n_groups": ("Number of groups", "count"),
    "events": ("Number of events", "count"),
    "f": ("F({df_m}, {df_r})", "stat"),
    "p_f": ("Prob > F", "pvalue4"),
    "chi2": ("chi2({df})", "stat"),
    "p_chi2": ("Prob > chi2", "pvalue4"),
    "r2": ("R-squared", "r2"),
    "adj_r2": ("Adj R-squared", "r2"),
    "pseudo_r2": ("Pseudo R2", "r2"),
    "r2_within": ("R-sq within", "r2"),
    "r2_between": ("R-sq between", "r2"),
    "r2_overall": ("R-sq overall", "r2"),
    "rmse": ("Root MSE", "general"),
    "ll": ("Log likelihood", "general"),
    "aic": ("AIC", "general"),
    "bic": ("BIC", "general"),
    "alpha": ("alpha", "general"),
    "sigma_u": ("sigma_u", "general"),
    "sigma_e": ("sigma_e", "general"),
    "rho": ("rho", "general"),
    "f_u": ("F test that all u_i=0: F({df_u_num}, {df_u_den})", "stat"),
    "p_f_u": ("Prob > F", "pvalue4"),
    "mean_vif": ("Mean VIF", "general"),
    "polynomial": ("Polynomial order", "count"),
}

#: Statistics Stata shows as ``.`` when they are missing or meaningless: R-squared of an IV model
#: is negative when the residual sum of squares exceeds the total, and Stata does not show it.
MISSING_AS_DOT = ("r2",)

#: Statistics the text layout shows on one line under the coefficient table, as Stata does with
#: the test that all panel effects are zero (the other formats list them with the rest).
FOOTER_KEYS = ("f_u", "p_f_u")

#: Statistics that only fill the labels of others (never listed on their own, even when the
#: statistic they label is missing).
LABEL_ONLY_KEYS = ("df_u_num", "df_u_den")

#: Statistics that only feed other displays (the ANOVA block, degrees of freedom in labels).
ANOVA_KEYS = ("ss_model", "ss_resid", "ss_total", "ms_model", "ms_resid", "ms_total",
              "df_m", "df_r", "df_t")


def _fill(template: str, stats: Mapping[str, Any]) -> tuple[str, set[str]]:
    """Fill ``{name}`` fields of a label; drop a field's parentheses when it is unknown."""
    used: set[str] = set()
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        name = out[start + 1 : end]
        value = stats.get(name)
        if name == "df" and value is None:
            name, value = "df_m", stats.get("df_m")
        if is_number(value):
            used.add(name)
            out = out[:start] + format_label(value) + out[end + 1 :]
        else:
            # An unknown field removes the whole parenthesised group: "F(…)" becomes "F".
            open_ = out.rfind("(", 0, start)
            close = out.find(")", end)
            if open_ != -1 and close != -1:
                out = out[:open_] + out[close + 1 :]
            else:
                out = out[:start] + out[end + 1 :]
    return out, used


def stat_lines(stats: Mapping[str, Any], *, hide: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(label, formatted value)`` pairs: known statistics first in a fixed order, then the
    rest in the order given. Keys in ``hide`` and keys used inside a label are left out."""
    shown: list[tuple[str, str, str]] = []
    used: set[str] = set(hide)
    for key, (template, style) in STAT_LABELS.items():
        if key not in stats or key in used:
            continue
        value = stats[key]
        if key in MISSING_AS_DOT and (value is None or (is_number(value) and value < 0)):
            shown.append((key, _fill(template, stats)[0], "."))
        elif value is not None:
            label, fields = _fill(template, stats)
            used |= fields
            shown.append((key, label, format_cell(value, style)))
    if "p" in stats and stats["p"] is not None and "p_chi2" not in stats:
        label = "Prob > chi2" if "chi2" in stats else "p"
        shown.append(("p", label, format_cell(stats["p"], "pvalue4")))
    known = set(STAT_LABELS) | {"p"} | set(LABEL_ONLY_KEYS)
    for key, value in stats.items():
        if key in known or key in used or value is None:
            continue
        style = "count" if isinstance(value, int) and not isinstance(value, bool) else "general"
        shown.append((key, key, format_cell(value, style)))
    return [(label, text) for _key, label, text in shown]


def has_anova(stats: Mapping[str, Any]) -> bool:
    """True when the sums of squares and degrees of freedom of an ANOVA block were released."""
    return all(is_number(stats.get(k)) for k in ("ss_model", "ss_resid", "df_m", "df_r"))


def anova_rows(stats: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Stata's ``Source | SS df MS`` block as formatted cells, from released values only.

    The total row uses ``ss_total``/``df_t`` when released, else the sum of model and residual
    (the sum of squares rounded to the precision of its parts);
    the MS column appears only when mean squares were released (the renderer does not divide).
    """
    ss_total = stats.get("ss_total")
    if not is_number(ss_total):
        ss_total = round_like(stats["ss_model"] + stats["ss_resid"], stats["ss_model"], stats["ss_resid"])
    df_total = stats.get("df_t")
    if not is_number(df_total):
        df_total = stats["df_m"] + stats["df_r"]
    show_ms = any(is_number(stats.get(k)) for k in ("ms_model", "ms_resid", "ms_total"))
    source = [
        ("Model", stats["ss_model"], stats["df_m"], stats.get("ms_model")),
        ("Residual", stats["ss_resid"], stats["df_r"], stats.get("ms_resid")),
        ("Total", ss_total, df_total, stats.get("ms_total")),
    ]
    headers = ["Source", "SS", "df"] + (["MS"] if show_ms else [])
    rows = [
        [name, format_cell(ss), format_cell(df, "count")] + ([format_cell(ms)] if show_ms else [])
        for name, ss, df, ms in source
    ]
    return headers, rows
