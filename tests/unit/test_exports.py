"""The exports kgen keeps in a subpackage's `__init__.py`: sorted as ruff's isort sorts them,
never twice, and no line of the user's touched; removing one gives back the file before.
"""

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from kgen.exports import export_statement, with_export, without_export
from kgen.spec import make_spec

DOCSTRING = '"""Losses."""\n'
USER_LINES = [
    "from .handwritten import helper as helper  # mine\n",
    "\n",
    "VERSION = 2\n",
]

# A prefix, so that no name shadows a standard module (which kgen refuses).
module_names = st.from_regex(r"[a-z0-9_]{0,12}[a-z0-9]", fullmatch=True).map(
    lambda name: f"my_{name}".replace("__", "_")
)


def statement(name, style="class"):
    params = ["scale=1.0"] if style == "function" else []
    return export_statement(make_spec("loss", name, params, style=style))


def assert_sorted_as_ruff_sorts(source):
    ruff = subprocess.run(
        [
            "ruff",
            "check",
            "--isolated",
            "--select",
            "I",
            "--stdin-filename",
            "__init__.py",
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + source


def exports_of(source):
    return [line for line in source.splitlines() if line.startswith("from .")]


# Names made unique by module: one component per module, of either style.
components = st.dictionaries(
    module_names, st.sampled_from(["class", "function"]), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(components, st.booleans(), st.randoms())
def test_adding_keeps_order_and_user_lines_and_removing_undoes_it(
    components, with_user_lines, random
):
    start = DOCSTRING + ("\n" + "".join(USER_LINES) if with_user_lines else "")
    statements = [statement(name, style) for name, style in components.items()]
    source = start
    for text in statements + statements[:1]:  # the first one twice
        source = with_export(source, text, "__init__.py")
    exports = exports_of(source)
    assert {line for text in statements for line in text.splitlines()} <= set(exports)
    assert len(exports) == len(set(exports))  # never twice
    assert_sorted_as_ruff_sorts(source)
    for line in USER_LINES if with_user_lines else []:
        assert line in source
    for text in random.sample(statements, len(statements)):
        source = without_export(source, text)
    assert source == start


def test_the_order_is_ruffs(tmp_path):
    source = DOCSTRING
    for name in [
        "mod10",
        "mod9",
        "my_00",
        "my_0a",
        "ab",
        "a_b",
        "Zeta",
        "alpha",
        "x" * 40,
    ]:
        source = with_export(source, statement(name), "__init__.py")
    source = with_export(source, statement("huber_fn", "function"), "__init__.py")
    assert_sorted_as_ruff_sorts(source)
    (tmp_path / "__init__.py").write_text(source)
    black = subprocess.run(["black", "--check", "-q", "__init__.py"], cwd=tmp_path)
    assert black.returncode == 0


def test_an_export_the_user_removed_is_not_an_error():
    assert without_export(DOCSTRING, statement("huber")) == DOCSTRING
