"""Command specs of the groups Datasett (datasets) and Tilrettelegging (preparing variables)."""

from __future__ import annotations

from mdlang.commands.specs_common import FLOOR, METADATA, NO_OUTPUT, cmd, opt

DATASETT = "Datasett"
TILRETTELEGGING = "Tilrettelegging"

COLLAPSE_STATS = (
    "mean", "min", "max", "median", "count", "sum", "semean", "sebinomial", "sd", "percent",
    "iqr", "gini", *(f"p{i}" for i in range(1, 100)),
)

# --- Datasett ---------------------------------------------------------------------------------

cmd(
    "require", DATASETT, "data", "connect a versioned datastore under a short alias",
    "require <datastore>:<version> as <alias>",
    args="datastore-as", min_args=1, max_args=1,
    help=(
        "Connects one version of a datastore and gives it a local alias. Register variables are "
        "then named alias/VARIABLE in import, import-event, import-panel, variables and "
        "list-labels. The connection holds for the whole script and every dataset in it. Several "
        "require lines may connect different datastores, or different versions of the same one "
        "under different aliases, for instance to compare data versions. Put require lines first."
    ),
    example="require no.ssb.fdb:23 as db",
    disclosure=METADATA,
)

cmd(
    "create-dataset", DATASETT, "data", "create an empty dataset and make it active",
    "create-dataset <name>",
    args="newdataset", min_args=1, max_args=1,
    help=(
        "Creates a new, empty dataset and makes it the active one. The first variable imported "
        "into it decides its population (the units that have a value for that variable) and its "
        "unit type."
    ),
    example="create-dataset bosatte",
    disclosure=NO_OUTPUT,
)

cmd(
    "use", DATASETT, "data", "make another dataset the active one",
    "use <dataset>",
    args="dataset", min_args=1, max_args=1,
    help="Switches the active dataset. Later commands read and change the dataset named here.",
    example="use personer",
    disclosure=NO_OUTPUT,
)

cmd(
    "clone-dataset", DATASETT, "data", "copy a dataset under a new name",
    "clone-dataset <dataset> <new-name>",
    args="dataset newdataset", min_args=2, max_args=2,
    help=(
        "Makes a full copy (units and variables) of a dataset under a new name. The active dataset "
        "stays the same; switch to the copy with use."
    ),
    example="clone-dataset personer personer2",
    disclosure=NO_OUTPUT,
)

cmd(
    "clone-units", DATASETT, "data", "new empty dataset with the same units as another",
    "clone-units <dataset> <new-name>",
    args="dataset newdataset", min_args=2, max_args=2,
    help=(
        "Creates a dataset that holds only the units (the population) of an existing dataset, "
        "with no variables. This is the usual way to prepare a panel: build the population, "
        "clone its units, use the new dataset and import-panel into it."
    ),
    example="clone-units personer panel",
    disclosure=NO_OUTPUT,
)

cmd(
    "rename-dataset", DATASETT, "data", "give a dataset a new name",
    "rename-dataset <dataset> <new-name>",
    args="dataset newdataset", min_args=2, max_args=2,
    help=(
        "Gives a dataset a new name; its units and variables do not change. If it was the "
        "active dataset it stays active under the new name."
    ),
    example="rename-dataset personer bosatte2020",
    disclosure=NO_OUTPUT,
)

cmd(
    "delete-dataset", DATASETT, "data", "delete a dataset and all its variables",
    "delete-dataset <dataset>",
    args="dataset", min_args=1, max_args=1,
    help=(
        "Removes a dataset and all its variables from the workspace. If it was the active "
        "dataset, choose another one with use before going on."
    ),
    example="delete-dataset personer_kopi",
    disclosure=NO_OUTPUT,
)

cmd(
    "reshape-to-panel", DATASETT, "data", "turn wide variables into a panel (long) dataset",
    "reshape-to-panel <prefix> [<prefix> ...]",
    args="prefixes", min_args=1, max_args=None,
    help=(
        "Turns the active wide dataset into a panel. For each prefix, the variables named "
        "prefix followed by digits (lønn2019, lønn2020, …) become one variable named after the "
        "prefix, one row per unit and suffix; the suffix goes into the new variable date@panel. "
        "Other variables are repeated on every row. The suffixes must be digits."
    ),
    example="reshape-to-panel lønn",
    disclosure=NO_OUTPUT,
)

cmd(
    "reshape-from-panel", DATASETT, "data", "turn a panel dataset back into wide form",
    "reshape-from-panel",
    help=(
        "Spreads the active panel dataset back to one row per unit: every variable gets one "
        "column per measurement, named with the value of date@panel as suffix (fixed variables "
        "too, so drop or rename the copies you do not need)."
    ),
    example="reshape-from-panel",
    disclosure=NO_OUTPUT,
)

# --- Tilrettelegging ----------------------------------------------------------------------------

cmd(
    "import", TILRETTELEGGING, "data", "add one register variable to the active dataset",
    "import <alias/VARIABLE> [<date>] [as <name>] [, outer_join]",
    args="regvar-date-as", min_args=1, max_args=1,
    options=(opt("outer_join", None, "also add units that exist only in the imported variable"),),
    help=(
        "Adds a register variable to the active dataset, matched on the unit identifier. The "
        "first import into an empty dataset decides the population; later imports keep that "
        "population and give missing to units without a value (with outer_join, new units are "
        "added too). Fixed variables take no date; status variables need one of their published "
        "status dates; accumulated variables take any date inside the period; event variables "
        "give the state on the date. Without as, the variable is named after the register variable."
    ),
    example="import db/BEFOLKNING_KJOENN as kjønn",
    disclosure=NO_OUTPUT,
)

cmd(
    "import-event", TILRETTELEGGING, "data", "import all spells of an event variable in a period",
    "import-event <alias/VARIABLE> <date> to <date> [as <name>]",
    args="regvar-period-as", min_args=1, max_args=1,
    help=(
        "Imports every spell of an event variable that overlaps the period into an empty dataset, "
        "one row per spell. Besides the variable itself it creates START@name and STOP@name with "
        "the spell's start and end as dates (days since 1970-01-01). An event dataset holds one "
        "event variable and cannot be mixed with cross-section imports."
    ),
    example="import-event db/SIVSTANDFDT_SIVSTAND 2010-01-01 to 2019-12-31 as sivstand",
    disclosure=NO_OUTPUT,
)

cmd(
    "import-panel", TILRETTELEGGING, "data", "import variables at several dates as a panel",
    "import-panel <alias/VARIABLE> [<alias/VARIABLE> ...] <date> [<date> ...]",
    args="regvars-dates", min_args=1, max_args=1,
    help=(
        "Imports one or more register variables at each of the given dates into an empty "
        "dataset, giving one row per unit and date. The variables keep their register names "
        "(rename them afterwards) and the date of each row is in date@panel."
    ),
    example="import-panel db/INNTEKT_WLONN 2018-12-31 2019-12-31 2020-12-31",
    disclosure=NO_OUTPUT,
)

cmd(
    "generate", TILRETTELEGGING, "data", "create a new variable from an expression",
    "generate <name> = <expression> [if <condition>]",
    args="assign", min_args=1, max_args=1, condition=True,
    help=(
        "Creates a new variable. Units for which the if condition is false get missing. "
        "generate x = . makes an all-missing variable; generate new = old copies one. The name "
        "must not exist yet (use replace to change a variable)."
    ),
    example="generate alder = 2023 - int(faarmnd / 100)",
    disclosure=NO_OUTPUT,
)

cmd(
    "replace", TILRETTELEGGING, "data", "change the values of an existing variable",
    "replace <variable> = <expression> [if <condition>]",
    args="assign", min_args=1, max_args=1, condition=True,
    help=(
        "Sets a variable to a new value for the units where the if condition holds; other units "
        "keep their values. The type may change (replace d = string(d))."
    ),
    example="replace alder = . if alder < 0",
    disclosure=NO_OUTPUT,
)

cmd(
    "rename", TILRETTELEGGING, "data", "give a variable a new name",
    "rename <variable> <new-name>",
    args="var newvar", min_args=2, max_args=2,
    help=(
        "Gives a variable of the active dataset a new name; the new name must not be in use. "
        "Label sets and values go with it."
    ),
    example="rename BEFOLKNING_KJOENN kjønn",
    disclosure=NO_OUTPUT,
)

cmd(
    "clone-variables", TILRETTELEGGING, "data", "copy variables under new names",
    "clone-variables <variable> [-> <new>] [<variable> [-> <new>] ...] [, prefix(<p>) suffix(<s>)]",
    args="clone-items", min_args=1, max_args=None,
    options=(
        opt("prefix", "string", "put this text before each copied name"),
        opt("suffix", "string", "put this text after each copied name"),
    ),
    help=(
        "Copies variables. Each copy is named explicitly with ->, or built from the original "
        "name with prefix() and/or suffix()."
    ),
    example="clone-variables inntekt -> inntekt_kopi",
    disclosure=NO_OUTPUT,
)

cmd(
    "drop", TILRETTELEGGING, "data", "remove variables, or units that meet a condition",
    "drop <variables> | drop if <condition>",
    args="varlist-or-if", min_args=0, max_args=None, condition=True,
    help=(
        "Either removes the listed variables from the active dataset, or removes the units for "
        "which the condition is true (units where it is missing stay). Not both at once."
    ),
    example="drop if alder < 18",
    disclosure=FLOOR,
)

cmd(
    "keep", TILRETTELEGGING, "data", "keep only some variables, or units that meet a condition",
    "keep <variables> | keep if <condition>",
    args="varlist-or-if", min_args=0, max_args=None, condition=True,
    help=(
        "Either keeps only the listed variables of the active dataset, or keeps only the units "
        "for which the condition is true. Not both at once."
    ),
    example="keep if alder >= 18 & alder < 67",
    disclosure=FLOOR,
)

cmd(
    "aggregate", TILRETTELEGGING, "data", "add group statistics as new variables",
    "aggregate (<stat>) <variable> -> <new> [...] [, by(<variable>)]",
    args="stat-groups", min_args=1, max_args=None,
    options=(opt("by", "varlist", "compute the statistics within groups of this variable"),),
    stats=COLLAPSE_STATS,
    help=(
        "Computes statistics over groups and adds them as new variables on every row, keeping "
        "all rows and variables (unlike collapse). Statistics: mean min max median count sum "
        "semean sebinomial sd percent iqr gini and p1 to p99; all but count need numeric input."
    ),
    example="aggregate (mean) inntekt -> snittinntekt, by(kommune)",
    disclosure=NO_OUTPUT + " Statistics computed here are checked again when they are shown.",
)

cmd(
    "collapse", TILRETTELEGGING, "data", "aggregate the active dataset to a new unit",
    "collapse (<stat>) <variable> [-> <new>] [...] , by(<variable>)",
    args="stat-groups", min_args=1, max_args=None,
    options=(opt("by", "var", "the variable whose values become the new units"),),
    required_options=("by",),
    stats=COLLAPSE_STATS,
    help=(
        "Replaces the active dataset with one row per value of the by() variable. Afterwards the "
        "dataset holds the by() variable and the computed statistics only. Several statistics "
        "and renames can be combined: collapse (sum) a b (max) c -> maxc, by(famnr). Typical use: "
        "turn an event dataset into one row per person with by(PERSONID_1)."
    ),
    example="collapse (count) sivstand -> antall, by(PERSONID_1)",
    disclosure=(
        NO_OUTPUT + " Every row remembers which persons it came from, so later outputs are still "
        "checked per person; collapsing to a non-pseudonymised unit (such as a municipality) "
        "winsorises the statistics."
    ),
)

cmd(
    "merge", TILRETTELEGGING, "data", "copy variables into another dataset",
    "merge <variables> into <dataset> [on <variable>]",
    args="merge", min_args=1, max_args=None,
    help=(
        "Copies variables from the active dataset into another dataset. Without on, rows are "
        "matched on the target's unit identifier; with on, the target's variable is matched "
        "against the unit identifier of the active dataset (for instance on kommune, or on a "
        "parent's id). The active dataset must have one row per key (use collapse first); "
        "target units without a match get missing."
    ),
    example="merge snittinntekt into personer on kommune",
    disclosure=NO_OUTPUT,
)

cmd(
    "recode", TILRETTELEGGING, "data", "change values by rules",
    "recode <variables> (<rule>) [(<rule>) ...] [if <condition>] [, prefix(<p>) generate(<names>)]",
    args="recode", min_args=1, max_args=None, condition=True,
    options=(
        opt("prefix", "string", "write the results to new variables named prefix + name",
            excludes=("generate",)),
        opt("generate", "names", "write the results to these new variables (one per variable)",
            excludes=("prefix",)),
    ),
    help=(
        "Rewrites values by rules applied in order. A rule is (values = new [label] [missing]): "
        "the left side lists values, intervals low/high (numeric; min and max allowed), or the "
        "words missing, nonmissing or *; the new value may be followed by a label text and by "
        "the word missing. A value is recoded by the first rule that matches; values no rule "
        "matches stay. The variables are overwritten unless prefix() or generate() names new ones."
    ),
    example="recode alder (min/17 = 1 'Barn') (18/66 = 2 'Voksen') (67/max = 3 'Eldre')",
    disclosure=NO_OUTPUT,
)

cmd(
    "destring", TILRETTELEGGING, "data", "turn alphanumeric variables into numbers",
    "destring <variables> [, prefix(<p>) ignore('<characters>') force dpcomma]",
    args="varlist", min_args=1, max_args=None,
    options=(
        opt("prefix", "string", "write the results to new variables named prefix + name"),
        opt("ignore", "string", "remove these characters before converting"),
        opt("force", None, "turn values that are not numbers into missing instead of failing"),
        opt("dpcomma", None, "read a comma as the decimal separator"),
    ),
    help=(
        "Converts alphanumeric variables to numeric ones. A value that is not a number stops the "
        "command unless force (it becomes missing) or ignore() (the characters are removed) is "
        "given."
    ),
    example="destring kommune, force",
    disclosure=NO_OUTPUT,
)

cmd(
    "assign-labels", TILRETTELEGGING, "data", "attach a label set to a variable",
    "assign-labels <variable> <label-set>",
    args="var labelset", min_args=2, max_args=2,
    help=(
        "Attaches a label set made with define-labels to a variable, so that output shows the "
        "labels instead of the codes. One label set can serve many variables."
    ),
    example="assign-labels kjønn kjønnlabels",
    disclosure=NO_OUTPUT,
)

cmd(
    "define-labels", TILRETTELEGGING, "data", "define a named set of value labels",
    "define-labels <label-set> <value> <label> [<value> <label> ...]",
    args="labels", min_args=1, max_args=None,
    help=(
        "Defines a label set: pairs of a value and its label. Quote alphanumeric values; quote a "
        "label when it holds spaces or special characters. Labels may not contain commas. Long "
        "definitions can be continued on the next line with a trailing backslash."
    ),
    example="define-labels sivstandlabels '1' Ugift '2' Gift",
    disclosure=NO_OUTPUT,
)

cmd(
    "drop-labels", TILRETTELEGGING, "data", "delete label sets",
    "drop-labels <label-set> [<label-set> ...]",
    args="labelsets", min_args=1, max_args=None,
    help=(
        "Deletes one or more label sets made with define-labels; variables they were attached "
        "to show their codes again."
    ),
    example="drop-labels kjønnlabels",
    disclosure=NO_OUTPUT,
)

cmd(
    "list-labels", TILRETTELEGGING, "info", "show a label set or a register variable's code list",
    "list-labels <label-set> | list-labels <alias/VARIABLE> [<date>]",
    args="labelset-or-regvar", min_args=1, max_args=2,
    help=(
        "Shows the values and labels of a label set made with define-labels, or the code list "
        "of a register variable (the codes valid at the date, if one is given)."
    ),
    example="list-labels db/BEFOLKNING_KJOENN",
    disclosure=METADATA,
)

cmd(
    "sample", TILRETTELEGGING, "data", "keep a random sample of the units",
    "sample <count | fraction> <seed>",
    args="count-seed", min_args=2, max_args=2,
    help=(
        "Keeps a random sample of the active dataset's units: a number of units (more than the "
        "dataset floor) or a fraction between 0 and 1. The seed is a positive integer; the same "
        "seed and size give the same sample."
    ),
    example="sample 0.5 12345",
    disclosure=FLOOR,
)
