"""The generated language reference: current, complete, and honest about what can run."""

from __future__ import annotations

import pytest

from mdlang.commands import reference
from mdlang.commands.registry import ANALYSES, HANDLERS, all_commands
from mdlang.engine.functions import FUNCTIONS

STALE = f"is stale: run `{reference.REGENERATE}` and commit the result"


@pytest.fixture(scope="module")
def page() -> str:
    return reference.build_reference()


def test_committed_reference_is_current(page):
    committed = reference.REFERENCE_PAGE.read_text(encoding="utf-8")
    assert committed == page, f"docs/language-reference.md {STALE}"


def test_committed_differences_list_is_current():
    committed = reference.DIFFERENCES_PAGE.read_text(encoding="utf-8")
    assert reference.refresh_differences(committed) == committed, f"docs/differences.md {STALE}"


def test_build_is_deterministic(page):
    assert reference.build_reference() == page


def test_every_command_has_a_section_with_syntax_example_and_disclosure(page):
    for name, spec in all_commands().items():
        head = f"\n#### `{name}`\n"
        assert head in page, name
        section = page.split(head, 1)[1].split("\n#### ", 1)[0]
        assert f"```\n{spec.syntax}\n```" in section
        assert spec.help in section
        if spec.example:
            assert f"```mdl-fragment\n{spec.example}\n```" in section
        if spec.disclosure:
            assert f"**Disclosure control.** {spec.disclosure}" in section


def test_options_table_lists_every_option_with_its_notes(page):
    section = page.split("\n#### `regress`\n", 1)[1].split("\n#### ", 1)[0]
    assert "| `robust` | — | heteroskedasticity-robust standard errors (HC1) (not with `cluster`) |" in section
    assert "| `level(#)` | number |" in section and "default `95`" in section
    tab = page.split("\n#### `tabulate`\n", 1)[1].split("\n#### ", 1)[0]
    assert "| `rowpct` | — | show row percentages (needs 2 or more variables) |" in tab


def test_commands_appear_in_the_reference_page_groups_order(page):
    from mdlang.commands.specs import GROUPS

    positions = [page.index(f"\n### {reference._group_heading(g)}\n") for g in GROUPS]
    assert positions == sorted(positions)
    datasett = page.split("\n### Datasett (datasets)\n", 1)[1].split("\n### ", 1)[0]
    assert "#### `require`" in datasett and "#### `tabulate`" not in datasett


def test_every_function_is_listed_once_in_its_group(page):
    functions_part = page.split("\n## Functions\n", 1)[1].split("\n## Decisions", 1)[0]
    for fn in FUNCTIONS.values():
        row = f"| `{fn.signature.replace('|', chr(92) + '|')}` |"
        assert functions_part.count(row) == 1, fn.name
        group = functions_part.split(f"\n### {reference.FUNCTION_GROUP_TITLES[fn.group]}\n", 1)[1]
        assert row in group.split("\n### ", 1)[0], fn.name


def test_functions_that_need_data_say_so(page):
    rowmax = FUNCTIONS["rowmax"]
    assert not rowmax.binding_ok
    assert f"{rowmax.help} Needs data: not usable in `let`." in page
    assert f"{FUNCTIONS['date'].help} Needs data" not in page


def test_decisions_section_comes_from_its_source(page):
    source = reference.DECISIONS_SOURCE.read_text(encoding="utf-8").strip()
    decisions = page.split("\n## Decisions where microdata.no is silent\n", 1)[1]
    assert decisions.lstrip().startswith(source)
    for n in range(1, 13):
        assert f"\n{n}. **" in source


def test_unavailable_commands_are_exactly_those_without_an_implementation():
    missing = reference.unavailable_commands()
    commands = all_commands()
    for name in missing:
        assert name not in HANDLERS and name not in ANALYSES
    for name in commands:
        if name in HANDLERS or name in ANALYSES:
            assert name not in missing
    # for, end and endblock are run by the engine itself, not by a handler
    assert {"for", "end", "endblock", "let", "textblock"}.isdisjoint(missing)


def test_a_command_without_handler_is_reported(monkeypatch):
    name = next(n for n in ("tabulate", "summarize") if n in ANALYSES or n in HANDLERS)
    monkeypatch.delitem(ANALYSES, name, raising=False)
    monkeypatch.delitem(HANDLERS, name, raising=False)
    monkeypatch.setattr(reference, "_load_implementations", lambda: None)
    assert name in reference.unavailable_commands()
    block = reference.differences_block()
    assert f"[`{name}`](language-reference.md#{name})" in block


def test_refresh_replaces_only_the_generated_block():
    text = f"before\n{reference.BEGIN_MARK}\nold list\n{reference.END_MARK}\nafter\n"
    out = reference.refresh_differences(text)
    assert out.startswith("before\n") and out.endswith("\nafter\n")
    assert "old list" not in out and out.count(reference.BEGIN_MARK) == 1
    with pytest.raises(ValueError, match="markers"):
        reference.refresh_differences("no markers here")


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("`import-event`", "import-event"),
        ("Støtte (help, text and session)", "støtte-help-text-and-session"),
        ("Decisions where microdata.no is silent", "decisions-where-microdatano-is-silent"),
        ("Codes ARBLONN_PERS_KOMMNR", "codes-arblonn_pers_kommnr"),
    ],
)
def test_slug_matches_github_anchors(heading, anchor):
    assert reference.slug(heading) == anchor


def test_main_check_reports_stale_page(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "language-reference.md"
    stale.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(reference, "REFERENCE_PAGE", stale)
    assert reference.main(["--check"]) == 1
    assert f"run: {reference.REGENERATE}" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "old\n"
