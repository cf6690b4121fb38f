"""The spec table of every command: importing this module registers all of them.

The tables live in one module per group family (see :mod:`mdlang.commands.specs_common` for the
argument-shape vocabulary and the extra rules the checker applies):

* :mod:`mdlang.commands.specs_data` — Datasett, Tilrettelegging
* :mod:`mdlang.commands.specs_analysis` — Statistikk, Analyse, Grafikk
* :mod:`mdlang.commands.specs_models` — Regresjon, Overlevelsesanalyse
* :mod:`mdlang.commands.specs_support` — Bindinger, Støtte, ``endblock``

``GROUPS`` gives the reference page's order of groups.
"""

from __future__ import annotations

import mdlang.commands.specs_analysis  # noqa: F401
import mdlang.commands.specs_data  # noqa: F401
import mdlang.commands.specs_models  # noqa: F401
import mdlang.commands.specs_support  # noqa: F401

#: The groups of the command reference, in the order ``help`` lists them.
GROUPS: tuple[str, ...] = (
    "Datasett",
    "Tilrettelegging",
    "Statistikk",
    "Analyse",
    "Regresjon",
    "Overlevelsesanalyse",
    "Grafikk",
    "Bindinger",
    "Støtte",
)
