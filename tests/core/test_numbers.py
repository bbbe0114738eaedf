"""The one reader of integers from outside (``core.numbers``), and a walk over the source that keeps it the only
one: no ``isdigit()`` anywhere, no ``int()`` in the code that handles requests."""

import ast
from pathlib import Path

import pytest
from django import forms

from core.numbers import BIGINT_MAX, IntegerField, parse_id, parse_ids, parse_int, parse_page, parse_version

ODD = ["²", "٣", "9" * 5000, "-0", "1e3", str(2**63), "", " 7", "+7", "7_000", "7\n", "0x10", "١٢", "-1", "1.0"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw", ODD)
def test_an_odd_number_is_no_id(raw):
    assert parse_id(raw) is None


@pytest.mark.parametrize(("raw", "value"), [("7", 7), ("0", 0), (str(BIGINT_MAX), BIGINT_MAX), ("007", 7)])
def test_plain_digits_are_read(raw, value):
    assert parse_int(raw) == value


def test_bounds_and_negatives():
    assert parse_int("-5", low=-365, high=365) == -5
    assert parse_int("-0", low=-365, high=365) == 0
    assert parse_int("-5") is None  # no minus unless negatives are allowed
    assert parse_int("366", low=-365, high=365) is None
    assert parse_int(str(BIGINT_MAX + 1)) is None
    assert parse_int(None) is None and parse_int(7) is None  # text only


def test_ids_versions_and_pages():
    assert parse_ids(["1", "2"]) == [1, 2]
    assert parse_ids(["1", "²"]) is None and parse_ids([]) == []
    assert parse_version(None) is None and parse_version("") is None
    assert parse_version("3") == 3 and parse_version("²") == -1 and parse_version("9" * 30) == -1
    assert parse_page("3") == 3 and parse_page("²") == 1 and parse_page("0") == 1 and parse_page(str(10**25)) == 1


def test_the_form_field_reads_through_the_parser():
    field = IntegerField(min_value=0, max_value=366)
    assert field.clean("14") == 14
    for raw in ("²", "٣", "9" * 5000, "1e3"):
        with pytest.raises(forms.ValidationError):
            field.clean(raw)
    with pytest.raises(forms.ValidationError):
        field.clean("367")


# --- the source walk ------------------------------------------------------------------------------------------------
SKIP = {".venv", "tests", "migrations", "scripts", "mutants", "node_modules", "static", "staticfiles", "var"}
# Where request data is read: the pages, the API, forms, filters, middleware and authentication.
REQUEST_CODE = ("web/", "portal/", "/api/", "core/api/")
REQUEST_MODULES = {"forms.py", "filters.py", "middleware.py", "auth.py", "backends.py", "views.py"}
THE_PARSER = "core/numbers.py"


def _sources(root: Path = ROOT):
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not SKIP & set(relative.split("/")[:-1]) and relative != THE_PARSER:
            yield relative, ast.parse(path.read_text(), filename=relative)


def _handles_requests(relative: str) -> bool:
    return any(part in f"/{relative}" for part in REQUEST_CODE) or relative.rsplit("/", 1)[-1] in REQUEST_MODULES


def offending_calls(root: Path = ROOT) -> list[str]:
    found = []
    for relative, tree in _sources(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("isdigit", "isdecimal", "isnumeric"):
                found.append(f"{relative}:{node.lineno} .{func.attr}()")
            elif isinstance(func, ast.Name) and func.id == "int" and _handles_requests(relative):
                found.append(f"{relative}:{node.lineno} int()")
    return found


def test_no_isdigit_anywhere_and_no_int_where_requests_are_read():
    assert len(list(_sources())) > 100  # the walk really reads the project
    assert not offending_calls(), "read numbers with core.numbers:\n" + "\n".join(offending_calls())


def test_the_walk_finds_what_it_looks_for(tmp_path):
    planted = tmp_path / "web" / "views"
    planted.mkdir(parents=True)
    bad = 'def v(request):\n    x = request.GET["n"]\n    return int(x) if x.isdigit() else 0\n'
    (planted / "bad.py").write_text(bad)
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "sums.py").write_text("def total(parts):\n    return int(sum(parts))\n")  # not request code
    assert sorted(offending_calls(tmp_path)) == ["web/views/bad.py:3 .isdigit()", "web/views/bad.py:3 int()"]
