"""The ``*-predict`` commands in a session: new variables, values against statsmodels, the gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_models_support import frame

from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.engine.dataset import Dataset
from mdlang.engine.session import Session
from mdlang.errors import MdlRuntimeError
from mdlang.syntax.parser import parse

F = frame(2500, seed=6)


def session(f: pd.DataFrame = F) -> Session:
    s = Session(audit=None)
    ds = Dataset("d")
    ds.set_population("PERSON", np.arange(len(f), dtype=np.int64) + 1)
    for col in f.columns:
        ds.set_column(col, f[col].to_numpy() if col != "kjønn" else f[col])
    s.datasets["d"] = ds
    s.active = "d"
    return s


def execute(s: Session, text: str):
    return s.execute(parse(text).statements[0])


def test_regress_predict_creates_predictions_residuals_and_cooks_distance():
    s = session()
    (msg,) = execute(s, "regress-predict lønn alder mann, predicted(p) residuals(r) cooksd(cd)")
    assert msg.kind == "message"
    assert msg.data["text"] == "regress-predict: created p, r, cd (missing outside the estimation sample)."
    frame_ = s.datasets["d"].frame
    ok = F["lønn"].notna().to_numpy()
    X = sm.add_constant(F.loc[ok, ["alder", "mann"]], prepend=False)
    ref = sm.OLS(F.loc[ok, "lønn"], X).fit()
    infl = ref.get_influence()
    np.testing.assert_allclose(frame_.loc[ok, "p"], ref.fittedvalues, rtol=1e-9)
    np.testing.assert_allclose(frame_.loc[ok, "r"], ref.resid, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(frame_.loc[ok, "cd"], infl.cooks_distance[0], rtol=1e-6)
    assert frame_.loc[~ok, "p"].isna().all()


def test_default_output_name_and_existing_name_error():
    s = session()
    execute(s, "logit-predict gift alder mann")
    X = sm.add_constant(F[["alder", "mann"]], prepend=False)
    ref = sm.Logit(F["gift"], X).fit(disp=0)
    np.testing.assert_allclose(s.datasets["d"].frame["probabilities"], ref.predict(), rtol=1e-8)
    with pytest.raises(MdlRuntimeError, match="the variable probabilities already exists"):
        execute(s, "logit-predict gift alder mann")


def test_logit_and_probit_predicted_outcome_and_pearson_residuals():
    s = session()
    execute(s, "logit-predict gift alder, predicted(yhat) residuals(pr)")
    X = sm.add_constant(F[["alder"]], prepend=False)
    p = sm.Logit(F["gift"], X).fit(disp=0).predict()
    frame_ = s.datasets["d"].frame
    np.testing.assert_array_equal(frame_["yhat"], (p >= 0.5).astype(float))
    np.testing.assert_allclose(frame_["pr"], (F["gift"] - p) / np.sqrt(p * (1 - p)), rtol=1e-7)
    execute(s, "probit-predict gift alder, probabilities(pp)")
    np.testing.assert_allclose(frame_.shape[0], len(F))
    pp = sm.Probit(F["gift"], X).fit(disp=0).predict()
    np.testing.assert_allclose(s.datasets["d"].frame["pp"], pp, rtol=1e-7)


def test_count_predict_with_exposure():
    s = session()
    execute(s, "poisson-predict antall alder, predicted(mu) exposure(eks)")
    X = sm.add_constant(F[["alder"]], prepend=False)
    ref = sm.Poisson(F["antall"], X, offset=np.log(F["eks"])).fit(disp=0)
    np.testing.assert_allclose(s.datasets["d"].frame["mu"], ref.predict(), rtol=1e-7)


def test_mlogit_predict_creates_one_variable_per_category():
    s = session()
    (msg,) = execute(s, "mlogit-predict sivil alder, probabilities(pr) predicted(kat)")
    assert msg.data["text"] == ("mlogit-predict: created pr_1, pr_2, pr_3, kat "
                                "(missing outside the estimation sample).")
    frame_ = s.datasets["d"].frame
    total = frame_[["pr_1", "pr_2", "pr_3"]].sum(axis=1)
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)
    codes = F["sivil"].map({"1": 0, "2": 1, "3": 2}).to_numpy()
    ref = sm.MNLogit(codes, sm.add_constant(F[["alder"]], prepend=False)).fit(disp=0).predict()
    np.testing.assert_allclose(frame_[["pr_1", "pr_2", "pr_3"]].to_numpy(), ref, rtol=1e-6)
    np.testing.assert_array_equal(frame_["kat"], ref.argmax(axis=1) + 1.0)


def test_a12_predict_of_a_refused_model_creates_nothing():
    f = F.copy()
    f["canary"] = 0.0
    f.loc[11, "canary"] = 1.0
    s = session(f)
    (res,) = execute(s, "regress-predict lønn alder canary, residuals(r)")
    assert res.kind == "refusal"
    assert "r" not in s.datasets["d"].frame.columns


def test_predictions_inherit_the_outcome_sensitivity():
    s = session()
    ds = s.datasets["d"]
    ds.register["gift"] = VariableMetadata(
        name="GIFT", unit_type="PERSON", temporality=Temporality.FIXED, data_type=DataType.LONG,
        sensitive=True,
    )
    execute(s, "logit-predict gift alder, probabilities(pg)")
    execute(s, "regress-predict lønn alder, predicted(pl)")
    assert ds.register["pg"].sensitive is True
    assert "pl" not in ds.register  # lønn is not marked sensitive


@pytest.mark.parametrize("text", ["regress lønn alder PERSONID_1", "logit gift i.PERSONID_1",
                                  "regress lønn alder, cluster(PERSONID_1)",
                                  "regress-predict lønn PERSONID_1"])
def test_d1_pseudonymised_identifiers_cannot_enter_a_model(text):
    s = session()
    with pytest.raises(MdlRuntimeError) as err:
        execute(s, text)
    assert err.value.message.startswith("PERSONID_1 is the unit identifier and cannot be used in ")


def test_d1_link_variables_cannot_enter_a_model():
    s = session()
    s.datasets["d"].set_column("mor_fnr", np.arange(len(F), dtype=np.int64) + 90_000)
    s.datasets["d"].links.add("mor_fnr")
    with pytest.raises(MdlRuntimeError, match="mor_fnr is a link variable holding pseudonymised identifiers"):
        execute(s, "regress lønn alder mor_fnr")


def test_ivregress_predict_uses_the_structural_coefficients():
    rng = np.random.default_rng(4)
    f = F.copy()
    f["z1"] = rng.normal(size=len(f))
    f["x"] = f["z1"] + rng.normal(size=len(f))
    f["yy"] = 1 + 2 * f["x"] + rng.normal(size=len(f))
    s = session(f)
    (msg,) = execute(s, "ivregress-predict yy alder (x = z1), predicted(ivp) residuals(ivr)")
    assert msg.data["text"] == "ivregress-predict: created ivp, ivr (missing outside the estimation sample)."
    from statsmodels.sandbox.regression.gmm import IV2SLS

    X = np.column_stack([f["x"], f["alder"], np.ones(len(f))])
    Z = np.column_stack([f["z1"], f["alder"], np.ones(len(f))])
    ref = IV2SLS(f["yy"].to_numpy(), X, Z).fit()
    frame_ = s.datasets["d"].frame
    np.testing.assert_allclose(frame_["ivp"], X @ ref.params, rtol=1e-8)
    np.testing.assert_allclose(frame_["ivr"], f["yy"] - X @ ref.params, rtol=1e-6, atol=1e-9)
