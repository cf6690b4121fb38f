"""The model commands (issue #7): importing this module registers every model handler.

Each family lives in its own module: ``models_regress`` (regress), ``models_glm`` (logit,
probit, poisson, negative-binomial, mlogit), ``models_iv`` (ivregress), ``models_anova`` (anova),
``models_stats`` (ci, correlate, normaltest), ``models_predict`` (the ``*-predict`` commands).
Shared pieces: ``models_design`` (design matrices), ``models_options``, ``models_common`` (the
gate's sample rules), ``models_linalg`` and ``models_ols`` (least squares from sufficient
statistics), ``models_ml`` (likelihood fits), ``models_mfx`` and ``models_margins``. The
disclosure rules and the release live in :mod:`mdlang.disclosure.model_gate`.

Another command (``coefplot``) gets a model's released coefficients by calling the registered
handler: ``registry.ANALYSES[inner.name](ctx, inner)`` returns the released results.
"""

from __future__ import annotations

from mdlang.commands import (
    models_anova,
    models_glm,
    models_iv,
    models_predict,
    models_regress,
    models_stats,
)

__all__ = ["models_anova", "models_glm", "models_iv", "models_predict", "models_regress", "models_stats"]
