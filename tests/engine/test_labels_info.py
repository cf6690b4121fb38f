"""Label sets, info commands, dataset handling, and analyses through the engine (D1)."""

from __future__ import annotations

import pytest
from engine_store import run

from mdlang.engine.session import Session
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast as A


@pytest.fixture
def s(store_root):
    session = Session(datastore_dirs=[str(store_root)])
    run(session, "require no.test.reg:1 as db\ncreate-dataset p\nimport db/KJOENN as kjønn\nimport db/UTD as utd\n")
    return session


def test_define_assign_and_list_labels(s):
    out = run(s, "define-labels kj '1' Menn '2' 'Alle kvinner'\nassign-labels kjønn kj\nlist-labels kj")
    assert s.labels_of(s.datasets["p"], "kjønn") == {"1": "Menn", "2": "Alle kvinner"}
    assert out[0].kind == "message"
    assert out[0].data["text"] == "Label set kj\n  1  Menn\n  2  Alle kvinner"


def test_assign_labels_type_mismatch(s):
    run(s, "define-labels tall 1 En 2 To")
    with pytest.raises(MdlRuntimeError, match="the label set tall labels numbers, but kjønn is alphanumeric"):
        run(s, "assign-labels kjønn tall")
    run(s, "assign-labels utd tall")
    assert s.labels_of(s.datasets["p"], "utd") == {1: "En", 2: "To"}


def test_drop_labels_falls_back_to_register_code_list(s):
    run(s, "define-labels kj '1' M '2' K\nassign-labels kjønn kj\ndrop-labels kj")
    assert s.labels_of(s.datasets["p"], "kjønn") == {"1": "Mann", "2": "Kvinne"}
    with pytest.raises(MdlRuntimeError, match="there is no label set named kj"):
        run(s, "list-labels kj")


def test_list_labels_of_register_variable(s):
    out = run(s, "list-labels db/UTD")
    assert out[0].data["text"] == "Code list of UTD\n  1  Grunnskole\n  2  Videregående\n  3  Høyere"


def test_duplicate_label_value_is_an_error(s):
    with pytest.raises(MdlRuntimeError, match="labelled twice"):
        run(s, "define-labels x 1 a 1 b")


def test_variables_lists_catalogue_metadata(s):
    out = run(s, "variables db/KJOENN")
    assert out[0].data["text"] == "db/KJOENN  PERSON  FIXED  STRING  Kjønn"
    full = run(s, "variables")[0].data["text"].splitlines()
    assert len(full) == 10 and full[0].startswith("db/FAAR  PERSON  FIXED  LONG")


def test_textblock_and_help(s):
    out = run(s, "textblock\n# Tittel\n*fet*\nendblock\nhelp tabulate")
    assert out[0].data["text"] == "# Tittel\n*fet*"
    assert "tabulate" in out[1].data["text"]


def test_dataset_commands(s):
    run(s, "clone-dataset p q\ngenerate x = 1")
    assert s.active == "p" and "x" not in s.datasets["q"].frame
    run(s, "clone-units p u\nuse u")
    assert s.active == "u" and list(s.datasets["u"].frame.columns) == [] and len(s.datasets["u"]) == 3000
    run(s, "rename-dataset u v\ndelete-dataset q")
    assert sorted(s.datasets) == ["p", "v"] and s.active == "v"
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "use q")
    assert info.value.message == "there is no dataset named q"
    with pytest.raises(MdlRuntimeError, match="a dataset named p already exists"):
        run(s, "create-dataset p")


def test_no_active_dataset(store_root):
    with pytest.raises(MdlRuntimeError) as info:
        run(Session(datastore_dirs=[str(store_root)]), "generate x = 1")
    assert info.value.message == "there is no active dataset"
    assert info.value.hint == "create one with: create-dataset NAME"


def test_session_only_commands_are_refused_in_scripts(s):
    with pytest.raises(MdlRuntimeError, match="history only works in the interactive command window"):
        s.execute(A.Command("history"))


def test_analysis_gets_if_mask_and_released_table(s):
    out = run(s, "tabulate kjønn if utd == 1")
    assert out[0].kind == "table"
    rows = {r[0]: r[1] for r in out[0].data["rows"]}
    assert abs(rows["Mann"] - 500) <= 3 and abs(rows["Kvinne"] - 500) <= 3


@pytest.mark.parametrize("script", ["tabulate MOR_FNR", "summarize MOR_FNR", "tabulate kjønn if MOR_FNR > 5"])
def test_link_variables_are_refused_in_analyses(s, script):
    run(s, "import db/MOR_FNR")
    with pytest.raises(MdlRuntimeError) as info:
        run(s, script)
    assert info.value.message.startswith("MOR_FNR ")
    assert "by() keys in collapse or on keys in merge" in info.value.hint


def test_identifier_is_refused_in_analyses_and_generate(s):
    with pytest.raises(MdlRuntimeError, match="PERSONID_1 is the unit identifier"):
        run(s, "tabulate PERSONID_1")
    with pytest.raises(MdlRuntimeError, match="PERSONID_1 is the unit identifier"):
        run(s, "generate x = PERSONID_1 * 2")


def test_configure_accepts_microdata_settings(s):
    assert run(s, "configure alpha\nconfigure nocache") == []
    assert s.settings == {"alpha", "nocache"}
    with pytest.raises(MdlRuntimeError, match="unknown setting turbo"):
        s.execute(A.Command("configure", (A.Name("turbo"),)))
