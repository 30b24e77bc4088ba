"""The test profile: what it accepts, what it refuses (one line, nothing written), and how it
reaches the generated tests."""

import json
from pathlib import Path

import pytest

from kgen import generate
from kgen.errors import KgenError
from kgen.generate import Target as Folder
from kgen.profile import DEFAULT_PROFILE, Input, Target, parse_input, parse_target
from kgen.spec import make_spec

OWN_LAYER = {"build": "pass", "call": "return inputs"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", Input((4,))),
        ("10,8:float16", Input((10, 8), "float16")),
        ("12:int32:1000", Input((12,), "int32", 1000)),
        ("3:bool", Input((3,), "bool")),
        ("28,28:float32:1", Input((28, 28), "float32", 1)),  # pixels in [0, 1)
    ],
)
def test_inputs_are_read_as_written(text, expected):
    assert parse_input(text) == expected
    assert parse_input(expected.text) == expected  # and written back the same


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12:int32", "integer inputs need an exclusive upper bound"),
        ("12:int32:0", "integer inputs need an exclusive upper bound"),
        ("12:float32:0.5", "a float input's bound is a positive integer"),
        ("12:bool:2", "a bool input takes no upper bound"),
        ("0", "positive sizes"),
        ("None,4", "positive sizes"),
        ("12:complex64", "unknown dtype 'complex64'"),
        ("1,2,3,4,5,6", "1 to 5 positive sizes"),
    ],
)
def test_bad_inputs_are_refused_by_name(text, message):
    with pytest.raises(KgenError, match=message):
        parse_input(text)


@pytest.mark.parametrize(
    ("text", "head", "loss"),
    [
        ("regression", "keras.layers.Dense(1)", "mse"),
        ("regression:3", "keras.layers.Dense(3)", "mse"),
        (
            "binary",
            'keras.layers.Dense(1, activation="sigmoid")',
            "binary_crossentropy",
        ),
        (
            "labels:5",
            'keras.layers.Dense(5, activation="softmax")',
            "sparse_categorical_crossentropy",
        ),
        (
            "onehot:2",
            'keras.layers.Dense(2, activation="softmax")',
            "categorical_crossentropy",
        ),
        ("none", "keras.layers.Dense(1)", None),
    ],
)
def test_each_target_has_its_head_and_loss(text, head, loss):
    target = parse_target(text)
    assert (target.head, target.loss) == (head, loss)
    assert parse_target(target.text) == target


@pytest.mark.parametrize("text", ["labels", "labels:1", "onehot:x", "classes:3", "", 3])
def test_bad_targets_are_refused(text):
    with pytest.raises(KgenError, match="--target"):
        parse_target(text)


@pytest.mark.parametrize(
    ("kind", "test", "bodies", "message"),
    [
        ("loss", {"inputs": ["12:int32:9"]}, {}, "integer ids are for layers"),
        ("metric", {"inputs": ["4", "4"]}, {}, "several inputs"),
        # The default bodies' lookup table for ids: a row for each.
        ("layer", {"inputs": ["12:int32:100001"]}, {}, "give build and call bodies"),
        (
            "model",
            {"inputs": ["4", "3:int64:1000000"]},
            {},
            "give call and init bodies",
        ),
        (
            "layer",
            {"inputs": ["3:int64:1000000"]},
            {"call": "return inputs"},
            "at most",
        ),
        ("layer", {"target": "none"}, {}, "only a model"),
        ("loss", {"stochastic": True}, {}, "only a layer or a model"),
        ("layer", {"per_sample": False}, OWN_LAYER, "only a loss"),
        ("loss", {"per_sample": False}, {}, "give call"),
        ("layer", {"metrics": ["d_loss"]}, {}, "only a model"),
        ("model", {"metrics": ["Bad name"]}, {}, "metric names"),
        ("loss", {"stochastic": "yes"}, {}, "stochastic must be true or false"),
        ("loss", {"input": ["4"]}, {}, "unknown keys 'input'"),
        ("loss", {"samples": {"nope": 1}}, {}, "no such param"),
        ("loss", {"samples": {"threshold": "x"}}, {}, "not of type float"),
        ("loss", {"helpers": "return 3"}, {}, "'return' outside function"),
        ("model", {"compile": 'loss="mse",'}, {}, "does not compile"),
        ("model", {"compile": 'loss="mse", loss="mae"'}, {}, "repeated"),
        ("model", {"compile": " "}, {}, "compile is empty; leave it out"),
        ("model", {"compile": "jit_compile=True"}, {}, "jit_compile is the tests'"),
        ("layer", {"compile": 'optimizer="adam"'}, {}, "only a model brings"),
    ],
)
def test_a_profile_that_does_not_fit_the_component_is_refused(
    kind, test, bodies, message
):
    params = ["threshold"] if kind == "loss" else []
    with pytest.raises(KgenError, match=message):
        make_spec(kind, "Thing", params, bodies=bodies, test=test)


def test_samples_replace_the_generated_test_values():
    spec = make_spec(
        "layer",
        "Groups",
        ["groups:int=32", "epsilon=0.001"],
        test={"samples": {"groups": 2}},
    )
    assert spec.sample_args == '{"groups": 2, "epsilon": 0.0005}'


@pytest.mark.parametrize(
    ("default", "inputs", "sample"),
    [(-1, "4", 1), (1, "4", -1), (0, "4", -1), (2, "4", -1), (-1, "6,8", 2)]
    + [(1, "6,8", -2), (-2, "6,8", 1), (2, "6,8,3", -2)],
)
def test_an_axis_sample_is_the_same_feature_axis_written_the_other_way(
    default, inputs, sample
):
    # Of the same size, so that it stays valid; the batch axis 0 becomes the last.
    spec = make_spec(
        "layer", "Norm", [f"axis:int={default}"], test={"inputs": [inputs]}
    )
    assert spec.sample_args == f'{{"axis": {sample}}}'


def test_an_int_sample_is_half_the_default_so_it_still_divides_it():
    # GroupNormalization's groups: 16 groups divide the 32 features that 32 groups do.
    spec = make_spec("layer", "Norm", ["groups:int=32", "heads:int=-7", "size:int=1"])
    assert spec.sample_args == '{"groups": 16, "heads": -3, "size": 2}'


def test_the_default_profile_is_todays_data():
    spec = make_spec("loss", "Huber", ["threshold"])
    assert spec.profile == DEFAULT_PROFILE
    assert spec.profile.inputs == (Input((4,)),)
    assert spec.profile.target == Target("regression", 1)
    assert spec.profile.to_table() == {}


def test_a_profile_reaches_the_test_model():
    spec = make_spec(
        "layer",
        "TokenEmbedding",
        bodies=OWN_LAYER,
        test={"inputs": ["12:int32:1000"], "target": "labels:3"},
    )
    assert spec.profile.x_source == (
        'rng.integers(0, 1000, size=(32, 12)).astype("int32")'
    )
    assert spec.test_layers == [
        "TokenEmbedding(**args)",
        "keras.layers.Flatten()",
        'keras.layers.Dense(3, activation="softmax")',
    ]
    assert 'loss="sparse_categorical_crossentropy"' in spec.compile_arguments
    assert spec.profile.to_table() == {
        "inputs": ["12:int32:1000"],
        "target": "labels:3",
    }


@pytest.mark.parametrize(
    ("compile_", "arguments"),
    [
        # An optimizer alone: the model computes its own loss.
        (
            "optimizer=keras.optimizers.Adam(0.001)",
            "optimizer=keras.optimizers.Adam(0.001), jit_compile=jit_compile",
        ),
        # A compile override's own arguments, with the tests' optimizer.
        (
            "loss_fn=keras.losses.Huber()",
            "optimizer=optimizer, loss_fn=keras.losses.Huber(), jit_compile=jit_compile",
        ),
    ],
)
def test_a_models_own_compile_keeps_the_tests_optimizer_unless_it_names_one(
    compile_, arguments, tmp_path
):
    spec = make_spec("model", "Own", test={"compile": compile_})
    assert spec.compile_arguments == arguments
    source = generate.test_source(spec, generate.Target(out=tmp_path))
    flat = "".join(source.split()).replace(",)", ")")  # as black may lay it out
    assert "".join(f"model.compile({arguments})".split()) in flat
    assert ('optimizer="sgd"' in source) == ("optimizer=optimizer" in arguments)


def test_a_bad_option_is_one_line_and_writes_nothing(kgen, tmp_path):
    for args in (
        ["--input", "12:int32"],
        ["--target", "labels"],
        ["--stochastic"],
        ["--sample", "nope=1"],
        ["--sample", "threshold"],
    ):
        result = kgen("loss", "Huber", "-p", "threshold", *args)
        assert result.returncode == 1, args
        assert (
            result.stderr.startswith("kgen: error: ") and result.stderr.count("\n") == 1
        ), result.stderr
        assert list(tmp_path.iterdir()) == []


def test_the_command_line_and_a_build_spec_give_the_same_component(kgen, tmp_path):
    (tmp_path / "cli").mkdir()
    (tmp_path / "spec").mkdir()
    options = ["--target", "binary", "--sample", "threshold=0.25"]
    assert (
        kgen(
            "loss", "Focal", "-p", "threshold", *options, cwd=tmp_path / "cli"
        ).returncode
        == 0
    )
    (tmp_path / "spec" / "spec.toml").write_text(
        '[[component]]\nkind = "loss"\nname = "Focal"\nparams = ["threshold"]\n'
        '[component.test]\ntarget = "binary"\nsamples = { threshold = 0.25 }\n'
    )
    assert kgen("build", tmp_path / "spec" / "spec.toml").returncode == 0
    for name in ("focal.py", "test_focal.py"):
        assert (tmp_path / "cli" / name).read_text() == (
            tmp_path / "spec" / name
        ).read_text()
    assert '"threshold": 0.25' in (tmp_path / "cli" / "test_focal.py").read_text()


def test_the_manifest_records_each_components_profile(kgen, tmp_path):
    assert kgen("new", "demo").returncode == 0
    project = tmp_path / "demo"
    options = ["--target", "binary", "--sample", "gamma=1.0"]
    assert (
        kgen("loss", "Focal", "-p", "gamma=2.0", *options, cwd=project).returncode == 0
    )
    assert kgen("loss", "Plain", cwd=project).returncode == 0
    records = json.loads((project / "kgen-manifest.json").read_text())["components"]
    assert records["loss/focal"]["test"] == {
        "target": "binary",
        "samples": {"gamma": 1.0},
    }
    assert "test" not in records["loss/plain"]  # the default profile


@pytest.mark.parametrize(
    ("arguments", "mixed_precision"),
    [
        ("loss=None", True),
        ('loss="mse", run_eagerly=False', True),
        (
            "d_optimizer=keras.optimizers.Adam(), loss_fn=keras.losses.MeanSquaredError()",
            False,
        ),
    ],
)
def test_a_custom_compile_keeps_the_mixed_precision_checks_unless_it_brings_optimizers(
    arguments, mixed_precision
):
    spec = make_spec("model", "Own", test={"compile": arguments})
    assert spec.profile.own_optimizers is not mixed_precision
    assert (spec.heavy_claims == ", mixed precision") is mixed_precision
    tests = generate.test_source(spec, Folder(Path("out")))
    checks = "def test_train_step_scales_the_loss_for_mixed_precision():"
    assert (checks in tests) is mixed_precision
