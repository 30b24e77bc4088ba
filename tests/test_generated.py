"""Every kind, generated with params of every type, passes its own tests out of the box."""

from conftest import assert_clean_code, run_pytest

ALL_TYPES = [
    "-p",
    "rate",
    "-p",
    "steps:int=3",
    "-p",
    "enabled=True",
    "-p",
    "mode:str=sum",
    "-p",
    "sizes=[1, 2]",
    "-p",
    "scales:list[float]=[0.5]",
    "-p",
    "tags:list[str]",
    "-p",
    "act:activation=relu",
    "-p",
    "kernel_init:initializer=he_normal",
    "-p",
    "reg:regularizer=l2",
    "-p",
    "con:constraint=non_neg",
]
KINDS = ["loss", "layer", "metric", "regularizer", "initializer", "constraint", "model"]


def test_every_kind_with_every_param_type_passes_its_generated_tests(kgen, tmp_path):
    for kind in KINDS:
        result = kgen(kind, f"Sample{kind.title()}", *ALL_TYPES)
        assert result.returncode == 0, result.stderr
    # Zero params, snake_case name, tests in another folder:
    assert kgen("layer", "plain_layer", "--tests-dir", "tests").returncode == 0
    # Inside a package, registered under its own name:
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    result = kgen(
        "loss",
        "Focal",
        "-p",
        "gamma=2.0",
        "--package",
        "mypkg",
        "--out",
        "mypkg",
        "--tests-dir",
        "tests",
    )
    assert result.returncode == 0, result.stderr
    test_source = (tmp_path / "tests" / "test_focal.py").read_text()
    assert 'Focal = importlib.import_module("mypkg.focal").Focal' in test_source

    assert_clean_code(tmp_path)

    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    passed = int(result.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed >= 40
