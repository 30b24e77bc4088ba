import pytest

from kgen.errors import KgenError
from kgen.names import derive_names


@pytest.mark.parametrize(
    ("raw", "class_name", "module"),
    [
        ("Huber", "Huber", "huber"),
        ("SimpleDense", "SimpleDense", "simple_dense"),
        ("simple_dense", "SimpleDense", "simple_dense"),
        ("simpleDense", "SimpleDense", "simple_dense"),
        ("PSNR", "PSNR", "psnr"),
        ("HTTPLoss", "HTTPLoss", "http_loss"),
        ("L1Regularizer", "L1Regularizer", "l1_regularizer"),
        ("focal_loss_v2", "FocalLossV2", "focal_loss_v2"),
    ],
)
def test_derives_every_name_from_one_argument(raw, class_name, module):
    names = derive_names(raw)
    assert (names.class_name, names.module) == (class_name, module)
    assert names.test_file == f"test_{module}.py"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("my-loss", "not an identifier"),
        ("2fast", "not an identifier"),
        ("_private", "not an identifier"),
        ("class", "keyword"),
        ("None", "keyword"),
        ("Random", "shadow"),
        ("keras", "shadow"),
        ("Json", "shadow"),
        ("Pygments", "shadow"),  # required by pytest
        ("Packaging", "shadow"),  # required by keras and pytest
        ("Conftest", "shadow"),
        # The backends, installed or not: a project moves between machines.
        ("Tensorflow", "shadow"),
        ("jax", "shadow"),
        ("Jaxlib", "shadow"),
        ("Torch", "shadow"),
        ("a" * 248, "255-byte limit"),
    ],
)
def test_refuses_bad_names(raw, message):
    with pytest.raises(KgenError, match=message):
        derive_names(raw)


def test_the_longest_name_gives_a_test_file_of_255_bytes():
    assert len(derive_names("a" * 247).test_file) == 255
