"""Command specs of the groups Regresjon (models) and Overlevelsesanalyse (survival)."""

from __future__ import annotations

from mdlang.commands.specs_common import (
    CLUSTER,
    CONTROL,
    ESTIMATORS_IV,
    ESTIMATORS_PANEL,
    EXPOSURE,
    FIGURES,
    IRR,
    LEVEL,
    MARGINS,
    MFX,
    MFX_AT,
    MODELS,
    NOCONSTANT,
    PREDICT,
    ROBUST,
    choice_flags,
    cmd,
    opt,
    out_opt,
)

REGRESJON = "Regresjon"
OVERLEVELSE = "Overlevelsesanalyse"

_IV_HELP = {
    "tsls": "two-stage least squares (the default)",
    "liml": "limited-information maximum likelihood",
    "gmm": "generalised method of moments",
}
_PANEL_HELP = {
    "fe": "fixed effects (the default)",
    "re": "random effects",
    "be": "between effects",
    "pooled": "pooled OLS",
}


def _model(name: str, summary: str, syntax: str, options: tuple, help: str, example: str,
           args: str = "model", min_args: int = 2, **extra: object) -> None:
    cmd(name, REGRESJON, "analysis", summary, syntax, args=args, min_args=min_args,
        max_args=None, condition=True, options=options, help=help, example=example,
        disclosure=MODELS, **extra)


def _predict(name: str, summary: str, outputs: tuple[tuple[str, str], ...], extra_opts: tuple,
             help: str, example: str, args: str = "model", min_args: int = 2) -> None:
    out = tuple(out_opt(n, what) for n, what in outputs)
    cmd(name, REGRESJON, "data", summary, f"{name} <dependent> <variables> [if <condition>] [, options]",
        args=args, min_args=min_args, max_args=None, condition=True,
        options=out + extra_opts, help=help, example=example, disclosure=PREDICT,
        creates={n: n for n, _ in outputs}, default_creates=outputs[0][0])


_PREDICT_HELP = (
    " The model must be written as in the estimation command. Without options the first kind of "
    "value listed is created under its default name; when several predict commands run in one "
    "script, give new names so they do not collide."
)

_model(
    "regress", "linear regression (OLS)",
    "regress <dependent> <variables> [if <condition>] [, options]",
    (
        NOCONSTANT, LEVEL, ROBUST, CLUSTER, CONTROL,
        opt("ov", None, "Ramsey RESET test for omitted variables"),
        opt("vif", None, "variance inflation factors"),
        opt("het_bp", None, "Breusch-Pagan test for heteroskedasticity"),
        opt("het_iid", None, "studentised (Koenker) Breusch-Pagan test"),
        opt("het_fstat", None, "Breusch-Pagan test as an F statistic"),
        opt("standardize", None, "show standardised (beta) coefficients"),
        MARGINS,
    ),
    "Fits a linear regression by ordinary least squares. Regressors may use factor syntax: i.x "
    "for categories (lowest value as reference), c.x for continuous, a#b for an interaction and "
    "a##b for main effects plus interaction. robust and cluster() cannot be combined.",
    "regress inntekt alder i.kjønn, robust",
)

_predict(
    "regress-predict", "predictions and residuals from a linear regression",
    (("predicted", "predicted values"), ("residuals", "residuals"), ("cooksd", "Cook's distance")),
    (NOCONSTANT,),
    "Fits the same model as regress and stores predicted values, residuals or Cook's distance "
    "as new variables." + _PREDICT_HELP,
    "regress-predict inntekt alder i.kjønn, predicted(pred_inntekt)",
)

_model(
    "logit", "logistic regression for a 0/1 outcome",
    "logit <dependent> <variables> [if <condition>] [, options]",
    (MFX, MFX_AT, NOCONSTANT, LEVEL, opt("or", None, "show odds ratios"), ROBUST, CLUSTER,
     CONTROL, MARGINS),
    "Fits a logistic regression of a 0/1 variable. Marginal effects are shown with mfx(); "
    "odds ratios with or.",
    "logit sysselsatt alder i.utdanning, or",
)

_predict(
    "logit-predict", "predicted probabilities from a logistic regression",
    (("probabilities", "predicted probabilities"), ("predicted", "predicted 0/1 outcome"),
     ("residuals", "residuals")),
    (NOCONSTANT,),
    "Fits the same model as logit and stores probabilities, predicted outcomes or residuals as "
    "new variables." + _PREDICT_HELP,
    "logit-predict sysselsatt alder i.utdanning",
)

_model(
    "probit", "probit regression for a 0/1 outcome",
    "probit <dependent> <variables> [if <condition>] [, options]",
    (MFX, MFX_AT, NOCONSTANT, LEVEL, ROBUST, CLUSTER, CONTROL, MARGINS),
    "Fits a probit regression of a 0/1 variable (normal link). Marginal effects are shown with "
    "mfx(), evaluated where mfx_at() says.",
    "probit sysselsatt alder i.utdanning",
)

_predict(
    "probit-predict", "predicted probabilities from a probit regression",
    (("probabilities", "predicted probabilities"), ("predicted", "predicted 0/1 outcome")),
    (NOCONSTANT,),
    "Fits the same model as probit and stores probabilities or predicted outcomes." + _PREDICT_HELP,
    "probit-predict sysselsatt alder i.utdanning",
)

_model(
    "mlogit", "multinomial logistic regression",
    "mlogit <dependent> <variables> [if <condition>] [, options]",
    (MFX, MFX_AT, NOCONSTANT, LEVEL, ROBUST, CLUSTER, CONTROL),
    "Fits a multinomial logit of a categorical outcome with more than two categories.",
    "mlogit sivstand alder i.kjønn",
)

_predict(
    "mlogit-predict", "predicted category probabilities from a multinomial logit",
    (("probabilities", "predicted probabilities"), ("predicted", "predicted category")),
    (NOCONSTANT,),
    "Fits the same model as mlogit and creates one variable per outcome category, named "
    "name_1, name_2, …" + _PREDICT_HELP,
    "mlogit-predict sivstand alder i.kjønn, probabilities(p)",
)

_COUNT_OPTS = (NOCONSTANT, LEVEL, ROBUST, CLUSTER, CONTROL, IRR, EXPOSURE)

_model(
    "poisson", "Poisson regression for counts",
    "poisson <dependent> <variables> [if <condition>] [, options]",
    _COUNT_OPTS,
    "Fits a Poisson regression of a count variable; irr shows incidence-rate ratios and "
    "exposure() adds a log offset.",
    "poisson antall_barn alder i.utdanning, irr",
)

_predict(
    "poisson-predict", "predictions from a Poisson regression",
    (("predicted", "predicted counts"), ("residuals", "residuals")),
    (NOCONSTANT, EXPOSURE),
    "Fits the same model as poisson and stores predicted counts or residuals." + _PREDICT_HELP,
    "poisson-predict antall_barn alder i.utdanning",
)

_model(
    "negative-binomial", "negative binomial regression for over-dispersed counts",
    "negative-binomial <dependent> <variables> [if <condition>] [, options]",
    _COUNT_OPTS,
    "Fits a negative binomial regression of a count variable and reports the dispersion "
    "parameter alpha; options as for poisson.",
    "negative-binomial antall_barn alder i.utdanning",
)

_predict(
    "negative-binomial-predict", "predictions from a negative binomial regression",
    (("predicted", "predicted counts"), ("residuals", "residuals")),
    (NOCONSTANT, EXPOSURE),
    "Fits the same model as negative-binomial and stores predicted counts or residuals."
    + _PREDICT_HELP,
    "negative-binomial-predict antall_barn alder i.utdanning",
)

_model(
    "ivregress", "instrumental-variable regression",
    "ivregress <dependent> [<exogenous>] (<endogenous> = <instruments>) [<exogenous>] [if <condition>] [, options]",
    (
        *choice_flags(ESTIMATORS_IV, _IV_HELP), NOCONSTANT,
        opt("endog", None, "tests of endogeneity"),
        opt("firststage", None, "show the first-stage regressions"),
        opt("overid", None, "tests of overidentifying restrictions"),
        LEVEL, ROBUST, CLUSTER,
    ),
    "Fits a linear model where some regressors are endogenous, using the instruments in the "
    "parenthesised block (endogenous = instruments).",
    "ivregress inntekt alder (utdanningsår = avstand_skole)",
    args="model-iv",
)

_predict(
    "ivregress-predict", "predictions from an instrumental-variable regression",
    (("predicted", "predicted values"), ("residuals", "residuals")),
    (NOCONSTANT, *choice_flags(ESTIMATORS_IV, _IV_HELP)),
    "Fits the same model as ivregress and stores predicted values or residuals." + _PREDICT_HELP,
    "ivregress-predict inntekt alder (utdanningsår = avstand_skole)",
    args="model-iv",
)

_model(
    "regress-panel", "panel regression (fixed, random or between effects)",
    "regress-panel <dependent> <variables> [if <condition>] [, fe|re|be|pooled options]",
    (*choice_flags(ESTIMATORS_PANEL, _PANEL_HELP), NOCONSTANT, LEVEL,
     opt("robust", None, "standard errors clustered on the panel unit", excludes=("cluster",)),
     CLUSTER),
    "Fits a regression on a panel dataset with fixed effects (default), random effects, "
    "between effects or pooled OLS.",
    "regress-panel inntekt alder gift, fe",
    dataset_kind="panel",
)

_predict(
    "regress-panel-predict", "predictions from a panel regression",
    (("predicted", "predicted values"), ("residuals", "residuals"), ("effects", "unit effects")),
    (*choice_flags(ESTIMATORS_PANEL, _PANEL_HELP), NOCONSTANT),
    "Fits the same model as regress-panel and stores predicted values, residuals or the unit "
    "effects." + _PREDICT_HELP,
    "regress-panel-predict inntekt alder gift, fe",
)

_model(
    "regress-panel-diff", "difference-in-differences on a panel",
    "regress-panel-diff <dependent> <group> <treated> [<variables>] [if <condition>] [, options]",
    (LEVEL, ROBUST, CLUSTER),
    "Estimates the average treatment effect on the treated: group is 1 for the treatment group "
    "and 0 for controls, treated is 1 from the time treatment starts. The effect is the "
    "coefficient of group#treated.",
    "regress-panel-diff inntekt tiltak etter alder",
    min_args=3, dataset_kind="panel",
)

_model(
    "hausman", "Hausman test of fixed against random effects",
    "hausman <dependent> <variables> [if <condition>] [, options]",
    (NOCONSTANT, LEVEL,
     *choice_flags(("sigmamore", "sigmaless"), {
         "sigmamore": "base both covariance matrices on the random-effects error variance",
         "sigmaless": "base both covariance matrices on the fixed-effects error variance",
     }),
     opt("include_constant", None, "include the constant in the comparison")),
    "Fits the panel model with fixed and with random effects, shows both and tests whether the "
    "coefficients differ; a small p-value favours fixed effects.",
    "hausman inntekt alder gift",
    dataset_kind="panel",
)

_model(
    "regress-mml", "multilevel (mixed) linear regression",
    "regress-mml <dependent> <variables> by <group> [<group>] [if <condition>] [, options]",
    (CONTROL, NOCONSTANT, LEVEL),
    "Fits a linear model with random intercepts for two or three levels, the highest level "
    "first after by, estimated by restricted maximum likelihood.",
    "regress-mml inntekt alder by kommune",
    args="model-by",
)

_predict(
    "regress-mml-predict", "predictions from a multilevel linear regression",
    (("predicted", "predicted values"), ("residuals", "residuals")),
    (NOCONSTANT,),
    "Fits the same model as regress-mml and stores predicted values or residuals." + _PREDICT_HELP,
    "regress-mml-predict inntekt alder by kommune",
    args="model-by",
)

_model(
    "oaxaca", "Blinder-Oaxaca decomposition",
    "oaxaca <dependent> <variables> by <group> [if <condition>] [, robust noconstant pool]",
    (opt("robust", None, "heteroskedasticity-robust standard errors"), NOCONSTANT,
     opt("pool", None, "two-fold decomposition with a pooled reference model")),
    "Splits the difference in the mean outcome between two groups into a part explained by "
    "the regressors and an unexplained part (three-fold by default).",
    "oaxaca inntekt alder utdanningsår by kjønn",
    args="model-by",
)

_model(
    "rdd", "regression discontinuity design",
    "rdd <dependent> <running variable> [<variables>] [if <condition>] [, options]",
    (
        opt("cutoff", "number", "the threshold of the running variable (default 0)", default=0),
        opt("polynomial", "int", "order of the local polynomial (default 1)", default=1),
        opt("fuzzy", "var", "treatment dummy for a fuzzy design"),
        opt("derivate", "int", "order of the derivative estimated (default 0)", default=0),
        LEVEL,
        opt("cluster", "var", "cluster standard errors on this variable"),
    ),
    "Estimates the jump in the outcome where the running variable crosses the cutoff.",
    "rdd inntekt poengsum, cutoff(50)",
)

# --- Overlevelsesanalyse -------------------------------------------------------------------------

cmd(
    "cox", OVERLEVELSE, "analysis", "Cox proportional-hazards regression",
    "cox <event> <time> [<variables>] [if <condition>] [, hazard level(#)]",
    args="model", min_args=2, max_args=None, condition=True,
    options=(opt("hazard", None, "show hazard ratios"), LEVEL),
    help=(
        "Fits a Cox proportional-hazards model. The event variable is 1 when the event happened "
        "and 0 when the unit was censored; the time variable counts time units from the start."
    ),
    example="cox død dager alder i.kjønn, hazard",
    disclosure=MODELS,
)

cmd(
    "kaplan-meier", OVERLEVELSE, "analysis", "Kaplan-Meier survival curve",
    "kaplan-meier <event> <time> [if <condition>] [, by(<variable>)]",
    args="varlist", min_args=2, max_args=2, condition=True,
    options=(opt("by", "var", "one curve per group of this variable"),),
    help=(
        "Estimates and draws the survival function with confidence bands, with key figures, "
        "from a 0/1 event variable and a time variable."
    ),
    example="kaplan-meier død dager, by(kjønn)",
    disclosure=FIGURES + " The curve is shown on time bands whose risk set has at least 10 persons.",
)

cmd(
    "weibull", OVERLEVELSE, "analysis", "parametric Weibull survival curve",
    "weibull <event> <time> [if <condition>] [, by(<variable>)]",
    args="varlist", min_args=2, max_args=2, condition=True,
    options=(opt("by", "var", "one curve per group of this variable"),),
    help=(
        "Fits a parametric Weibull survival model to a 0/1 event variable and a time variable "
        "and draws the fitted survival curve with key figures, per group with by()."
    ),
    example="weibull død dager, by(kjønn)",
    disclosure=FIGURES + " " + MODELS,
)
