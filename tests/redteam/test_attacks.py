"""One red-team test per attack of disclosure.md (A01–A27), each a real mdlang script.

Every test computes the attacker's best estimate of a canary's value from the released outputs
and asserts that it misses (binary: posterior ≤ 0.9; continuous: off by more than 10 %), or that
the script is refused. Each attack runs in its own project, so its ledger starts empty.
"""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.errors import MdlError
from tests.redteam.attack import attack, cell, misses, number, refused
from tests.redteam.canaries import CANARY_INCOME, truth

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
TRACKER = 'skole == "S1"'


def _all_markers(result, columns=("Freq.",)) -> bool:
    idx = [result.data["columns"].index(c) for c in columns]
    return all(isinstance(r[i], str) or r[i] is None for r in result.data["rows"] for i in idx)


def test_a01_small_cell_in_a_fine_cross_table(store) -> None:
    (tab,) = attack(store, "tabulate skole angst if trinn == 9 & kjonn == \"2\"\n", "a01")
    assert refused(tab) or all(isinstance(v, str) or v is None for r in tab.data["rows"] for v in r[1:])


def test_a02_condition_isolating_one_person(store) -> None:
    (summ,) = attack(store, f"summarize inntekt bmi if {CANARY_T}\n", "a02")
    assert refused(summ) or all(isinstance(v, str) or v is None for r in summ.data["rows"] for v in r[1:])


def _sum(result) -> float | None:
    if refused(result):
        return None
    row = result.data["rows"][0]
    n, mean = number(row[1]), number(row[2])
    return None if n is None or mean is None else n * mean


def test_a03_complement_differencing_of_a_sum(store) -> None:
    body = f"summarize bmi if {TRACKER} | ({CANARY_T})\nsummarize bmi if {TRACKER}\n"
    with_c, without = attack(store, body, "a03")
    assert not refused(with_c)
    estimate = None if _sum(without) is None else _sum(with_c) - _sum(without)
    assert refused(without)
    assert misses(estimate, float(truth().loc[1233, "bmi"]))


def test_a03_complement_differencing_of_a_count(store) -> None:
    body = f"tabulate angst if {TRACKER} | ({CANARY_T})\ntabulate angst if {TRACKER}\n"
    with_c, without = attack(store, body, "a03c")
    assert not refused(with_c) and refused(without)


def test_a04_denning_tracker(store) -> None:
    body = (f"summarize bmi if {TRACKER}\nsummarize bmi if !({TRACKER})\n"
            f"summarize bmi if {TRACKER} | ({CANARY_T})\nsummarize bmi if !({TRACKER}) | ({CANARY_T})\n")
    q = attack(store, body, "a04")
    parts = [_sum(r) for r in q]
    estimate = None if None in parts else parts[2] + parts[3] - parts[0] - parts[1]
    assert refused(q[2]) or refused(q[3])
    assert misses(estimate, float(truth().loc[1233, "bmi"]))


def test_a05_repeating_a_query_500_times_gives_one_answer(store) -> None:
    body = "for i in 1 : 500\n  tabulate angst if trinn > 4\nend\n"
    try:
        out = attack(store, body, "a05")
    except MdlError:
        out = attack(store, "tabulate angst if trinn > 4\n" * 60, "a05b")
    assert len({str(r.data) for r in out}) == 1


def test_a06_rephrasings_and_a_copied_variable_give_one_answer(store) -> None:
    body = ("tabulate angst if faar > 2008\ntabulate angst if faar >= 2009\ntabulate angst if !(faar <= 2008)\n"
            "generate angst2 = angst\ntabulate angst2 if faar > 2008\nsummarize bmi if faar > 2008\n"
            "generate bmi2 = bmi\nsummarize bmi2 if faar >= 2009\n")
    q = [r for r in attack(store, body, "a06") if r.command in ("tabulate", "summarize")]
    counts = [[r[1:] for r in res.data["rows"]] for res in q[:4]]
    assert counts[0] == counts[1] == counts[2] == counts[3]
    assert q[4].data["rows"][0][1:] == q[5].data["rows"][0][1:]


def test_a07_many_differencing_pairs_are_refused(store) -> None:
    lines = []
    for year in range(2004, 2012):
        lines.append(f"summarize bmi if faar == {year}\nsummarize bmi if faar == {year} | ({CANARY_T})\n")
    q = attack(store, "".join(lines), "a07")
    estimates = []
    for a, b in zip(q[0::2], q[1::2], strict=True):
        sa, sb = _sum(a), _sum(b)
        if sa is not None and sb is not None:
            estimates.append(sb - sa)
    # Every pair's second half was refused by the overlap audit, except in the canary's own
    # birth year, where both halves are the same people (and give the same output).
    assert estimates == [0.0]
    assert sum(refused(r) for r in q[1::2]) == 7
    assert misses(sum(estimates) / len(estimates), float(truth().loc[1233, "bmi"]))


def test_a08_reconstruction_from_many_marginals_hits_the_budget(tight_store) -> None:
    lines = [f"tabulate angst if faar == {2004 + i % 8} & trinn <= {1 + i % 8}\n" for i in range(40)]
    q = attack(tight_store, "".join(lines), "a08")
    assert any(refused(r) and "D10 release budget" in r.data["text"] for r in q)
    first_refusal = next(i for i, r in enumerate(q) if refused(r) and "budget" in r.data["text"])
    assert all(refused(r) for r in q[first_refusal:])


def test_a09_dummy_for_the_canary_only(store) -> None:
    body = f"generate c = 0\nreplace c = 1 if {CANARY_T}\nregress inntekt c\n"
    out = attack(store, body, "a09")
    assert refused(out[-1])


def test_a10_dummy_for_everyone_but_the_canary(store) -> None:
    body = f"generate c = 1\nreplace c = 0 if {CANARY_T}\nregress inntekt c\n"
    out = attack(store, body, "a10")
    assert refused(out[-1])


def test_a11_saturated_model(store) -> None:
    body = "regress bmi i.skole##i.trinn##i.kjonn\n"
    out = attack(store, body, "a11")
    assert refused(out[-1])


def test_a12_predicted_values_and_residuals_do_not_leak(store) -> None:
    body = (f"regress-predict inntekt bmi, residuals(res) predicted(pred)\nsummarize res pred if {CANARY_T}\n"
            f"summarize res if {TRACKER} | ({CANARY_T})\nsummarize res if {TRACKER}\n")
    out = attack(store, body, "a12")
    alone, with_c, without = out[1:]
    assert refused(alone) or all(isinstance(v, str) or v is None for row in alone.data["rows"] for v in row[1:])
    estimate = None if _sum(without) is None else _sum(with_c) - _sum(without)
    assert refused(without)
    assert misses(estimate, CANARY_INCOME)


def test_a13_no_min_max_or_extreme_percentiles_of_a_small_group(store) -> None:
    (summ,) = attack(store, 'summarize inntekt if skole == "S9" | (skole == "S1" & trinn == 1 & kjonn == "1")\n', "a13")
    t = truth()
    assert refused(summ) or all(v != CANARY_INCOME for v in summ.data["rows"][0][1:])
    assert refused(summ) or summ.data["rows"][0][4] is None and summ.data["rows"][0][8] is None
    assert t["inntekt"].max() == CANARY_INCOME


def test_a14_median_of_a_crafted_group_of_eleven(store) -> None:
    t = truth()
    low = t[(t.skole == "S1") & (t.trinn == 1)].nsmallest(10, "inntekt")["id"].tolist()
    pred = " | ".join(f"(skole == \"S1\" & trinn == 1 & inntekt == {t.loc[i - 1, 'inntekt']})" for i in low)
    (summ,) = attack(store, f"summarize inntekt if ({CANARY_T}) | {pred}\n", "a14")
    assert refused(summ) or summ.data["rows"][0][6] is None


def test_a15_dominance_of_one_income_in_a_sum(store) -> None:
    body = f"tabulate kjonn if ({CANARY_T}) | (skole == \"S2\" & trinn == 1), summarize(inntekt) sum\n"
    (tab,) = attack(store, body, "a15")
    # The canary's income is clipped at the datastore's p99 and their cell is dominated or noisy.
    if not refused(tab):
        value = number(cell(tab, "2", tab.data["columns"][1]))
        assert misses(value, CANARY_INCOME)


def test_a16_bounds_do_not_come_from_a_kept_subset(store) -> None:
    import numpy as np

    (summ,) = attack(store, "keep if inntekt > 450000\nsummarize inntekt\n", "a16")
    t = truth()
    kept = t[t["inntekt"] > 450000]["inntekt"]
    global_mean = float(np.clip(kept, *np.percentile(t["inntekt"], [1, 99])).mean())
    subset_mean = float(np.clip(kept, *np.percentile(kept, [1, 99])).mean())  # the v1 rule
    released = float(summ.data["rows"][0][2])
    assert abs(subset_mean - global_mean) > 1000
    assert abs(released - global_mean) <= 100  # within the 4-digit rounding: the datastore's bounds
    assert summ.data["rows"][0][8] != CANARY_INCOME


def test_a17_replace_steps_that_isolate_one_person_then_differencing(store) -> None:
    body = (f"generate g = 0\nreplace g = 1 if {TRACKER}\nreplace g = 1 if {CANARY_T}\n"
            f"replace g = 0 if trinn == 9 & kjonn == \"1\"\n"
            "summarize bmi if g == 1\nsummarize bmi if skole == \"S1\"\n")
    out = attack(store, body, "a17")
    assert refused(out[-1]) or refused(out[-2])


def _data_free(text: str) -> bool:
    for fixed in ("D12", "D4", "D10", "1000", "10"):
        text = text.replace(fixed, "")
    return not any(ch.isdigit() for ch in text)


def test_a18_refusal_texts_carry_no_data_and_the_floor_uses_noisy_counts(store) -> None:
    out = attack(store, f"summarize bmi if {CANARY_T}\n", "a18")
    assert all(_data_free(r.data["text"]) for r in out if refused(r))
    try:
        out = attack(store, 'keep if trinn == 1 & skole == "S1"\nsummarize bmi\n', "a18-floor")
    except MdlError as err:  # the floor stops the script with a fixed message
        assert "D12 dataset floor" in err.message and _data_free(err.message)
    else:
        assert refused(out[0]) and _data_free(out[0].data["text"])


def test_a19_histogram_bins_of_width_one(store) -> None:
    out = attack(store, "histogram bmi if skole == \"S9\" | skole == \"S1\", width(1) freq\n", "a19")
    fig = out[-1]
    assert not refused(fig)
    bins = [b for panel in fig.data["spec"]["panels"] for b in panel["bins"]]
    assert len(bins) >= 10
    # every shown bin holds at least T persons; smaller ones are not drawn as numbers
    assert all(not isinstance(b["count"], int) or b["count"] >= 10 for b in bins)
    t = truth()
    group = t[(t.skole == "S9") | (t.skole == "S1")]["bmi"]
    lowest = float(np.floor(group.min()))
    assert all(b["lo"] > lowest or not isinstance(b["count"], int) for b in bins)


def test_a21_collapse_then_differencing_by_group(store) -> None:
    """After collapsing to schools, the school row of the two canaries (S9) stands for two
    persons: a statistic on that row alone must not be released, whatever N counts."""
    body = ('generate one = 1\ncollapse (sum) bmi one, by(skole)\nsummarize bmi if skole == "S9"\n')
    out = attack(store, body, "a21")
    summ = out[-1]
    row = summ.data["rows"][0] if not refused(summ) else None
    assert refused(summ) or (isinstance(row[1], str) and isinstance(row[2], str))


def test_a22_id_and_rank_functions_are_refused(store) -> None:
    for i, expr in enumerate(("_n", "PERSONID_1", "rank(bmi)")):
        with pytest.raises(MdlError):
            attack(store, f"generate r = {expr}\nsummarize r\n", f"a22-{i}")


def test_a23_no_unrounded_means(store) -> None:
    (summ,) = attack(store, "summarize inntekt bmi\n", "a23")
    for row in summ.data["rows"]:
        for value in row[2:]:
            if isinstance(value, float):
                digits = f"{value:.15g}".replace(".", "").replace("-", "").lstrip("0").rstrip("0")
                assert len(digits) <= 4


def _resampled_estimate(store, project: str, seeds: int = 20) -> tuple[float | None, int]:
    """A24: in each of many 90 % samples (different seeds), difference S ∪ {canary} against S.
    Each sample has other persons, so each pair carries fresh noise, and the average of the
    differences converges to the canary's bmi. Returns the attacker's best estimate (None when
    no pair was released) and how many outputs were refused."""
    lines = "generate one = 1\n" + "".join(
        f"clone-dataset d d{s}\nuse d{s}\nsample 0.9 {s}\n"
        f"tabulate one if {TRACKER} | ({CANARY_T}), summarize(bmi) sum\n"
        f"tabulate one if {TRACKER}, summarize(bmi) sum\n"
        for s in range(1, seeds + 1)
    )
    out = [r for r in attack(store, lines, project) if r.command == "tabulate"]
    diffs = []
    for with_c, without in zip(out[0::2], out[1::2], strict=True):
        a, b = (None if refused(r) else number(r.data["rows"][0][1]) for r in (with_c, without))
        if a is not None and b is not None and with_c.data != without.data:  # identical: canary not sampled
            diffs.append(a - b)
    return (sum(diffs) / len(diffs) if diffs else None), sum(refused(r) for r in out)


def test_a24_resampling_with_different_seeds(store, monkeypatch) -> None:
    """Samples with different seeds give different contributor sets, so their noise differs;
    the overlap audit (D10) refuses the half of each pair that differs by the canary alone, and
    the attack has nothing to average. Without the audit the average lands on the canary's bmi.
    Overlapping rules: the keyed noise (D5) alone limits one pair to about ±18 %, not twenty."""
    from dataclasses import replace

    from mdlang.disclosure.policy import Policy

    canary = float(truth().loc[1233, "bmi"])
    estimate, refusals = _resampled_estimate(store, "a24")
    assert refusals >= 18 and misses(estimate, canary)
    original = Policy.load.__func__
    monkeypatch.setattr(Policy, "load", classmethod(lambda cls, path: replace(original(cls, path), overlap_audit=False)))
    estimate, refusals = _resampled_estimate(store, "a24-no-audit")
    assert refusals == 0 and not misses(estimate, canary)


def test_a25_all_or_nothing_cells_of_a_sensitive_variable(store) -> None:
    (tab,) = attack(store, 'tabulate angst if skole == "S9"\n', "a25")
    assert refused(tab) or _all_markers(tab)


def test_a27_membership_inference(store) -> None:
    (tab,) = attack(store, f"tabulate kjonn if {CANARY_T}\n", "a27")
    assert refused(tab) or _all_markers(tab)


def test_a20_many_rows_per_person_count_once(store) -> None:
    body = "create-dataset e\nimport h/KJOENN as kjonn\nimport h/KJOENN as kjonn2\ntabulate kjonn kjonn2\n"
    tab = attack(store, body, "a20")[-1]
    t = truth()
    assert abs(cell(tab, "Total", "Total") - len(t)) <= 3


def test_a26_differencing_two_data_versions(versions_store) -> None:
    from mdlang.engine.runner import run_script
    from tests.redteam.canaries import PRELUDE

    body = f"summarize bmi if {TRACKER} | ({CANARY_T})\n"
    first = run_script(PRELUDE + body, "v1.mdl", datastore_dirs=[str(versions_store)], project="a26")[-1]
    second = run_script(PRELUDE.replace(":1 as h", ":2 as h") + body, "v2.mdl",
                        datastore_dirs=[str(versions_store)], project="a26")[-1]
    assert not refused(first)
    estimate = None if _sum(second) is None else _sum(first) - _sum(second)
    assert refused(second)  # version 2 lacks the canary: the ledger spans versions
    assert misses(estimate, float(truth().loc[1233, "bmi"]))


def test_a13b_exact_values_as_table_categories_are_pooled(store) -> None:
    """A variable without a code list turns values into row labels: `tabulate` of the top incomes
    would print the canary's exact income beside a "<10". Rare values share one pooled row."""
    out = attack(store, "generate topp = inntekt if inntekt > 1000000\ntabulate topp\n"
                        "tabulate topp kjonn\n", "a13b")
    for table in out:
        labels = [str(row[0]) for row in table.data["rows"]]
        assert not any(str(int(CANARY_INCOME)) in label.replace(",", "") for label in labels)
        assert all(label in ("Total",) or "fewer than" in label for label in labels)


def test_a13c_exact_values_as_figure_categories_are_pooled(store) -> None:
    """The same leak through a figure's categories: bars and boxes of rare values are pooled."""
    import json

    out = attack(store, "generate topp = inntekt if inntekt > 1000000\nbarchart(count) topp\n"
                        "boxplot bmi, over(topp)\n", "a13c")
    for figure in out:
        text = json.dumps(figure.data, ensure_ascii=False)
        assert str(int(CANARY_INCOME)) not in text.replace(",", "")


def test_a13d_a_guessed_label_set_is_no_existence_oracle(store) -> None:
    """Labelling a guessed exact value and tabulating asks whether anyone holds it; a category
    of fewer than T persons is never named, labelled or not."""
    value = int(CANARY_INCOME)
    out = attack(store, f"generate g = inntekt\ndefine-labels gjett {value} treff\n"
                        "assign-labels g gjett\ntabulate g\n", "a13d")
    labels = [str(row[0]) for row in out[-1].data["rows"]]
    assert "treff" not in labels and str(value) not in labels
