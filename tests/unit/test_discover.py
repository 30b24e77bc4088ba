"""What `kgen check` finds in a module, in process (kgen.discover runs where Keras is
imported): the components a user's module or Keras's own modules hold, once each, with
params typed as Keras resolves them."""

import types

import keras

from kgen.discover import components_in


def module_of(**members) -> types.ModuleType:
    module = types.ModuleType("student")
    for value in members.values():
        if isinstance(value, type):
            value.__module__ = "student"
    vars(module).update(members)
    return module


class Base(keras.layers.Layer):
    """A part: it leaves call to the classes below it."""


class Scaled(Base):
    def call(self, inputs):
        return inputs * 2.0


class Noisy(Scaled):  # derives from a whole component: both are checked
    pass


def test_a_base_class_is_checked_when_it_has_the_math_and_an_alias_once():
    module = module_of(Base=Base, Scaled=Scaled, Noisy=Noisy, Doubled=Scaled)
    names = [found.name for found in components_in(module, None, True)]
    assert names == ["Scaled", "Noisy"]


def test_keras_own_modules_give_each_class_once_under_its_own_name():
    found = {f.name for f in components_in(keras.regularizers, None, False)}
    assert found == {"L1", "L1L2", "L2", "OrthogonalRegularizer"}  # l1, l2... aliases
    layers = {f.name for f in components_in(keras.layers, None, False)}
    assert {"Embedding", "Dropout", "Attention", "Conv2D"} <= layers
    assert "Convolution2D" not in layers


def test_keras_own_functions_are_found_by_the_name_their_module_gets():
    found = {f.name: f for f in components_in(keras.activations, None, False)}
    relu = found["relu"]
    assert (relu.kind, relu.style, relu.registered) == (
        "activation",
        "function",
        "relu",
    )
    assert "get" not in found and "serialize" not in found
    losses = {f.name for f in components_in(keras.losses, None, False)}
    assert "huber" in losses
    # keras.metrics re-exports the loss functions: they are keras.losses's to check.
    metrics = {f.name for f in components_in(keras.metrics, None, False)}
    assert "huber" not in metrics and "Mean" in metrics


def test_an_identifier_is_typed_as_the_one_keras_resolves_it_to():
    (embedding,) = components_in(keras.layers, "Embedding", False)
    assert "embeddings_initializer:initializer='random_uniform'" in embedding.params
    (constant,) = components_in(keras.layers, "BatchNormalization", False)
    assert "beta_initializer:initializer='zeros'" in constant.params


def test_a_class_without_a_constructor_takes_no_seed():
    (ones,) = components_in(keras.initializers, "Ones", False)
    (normal,) = components_in(keras.initializers, "RandomNormal", False)
    assert (ones.params, ones.base_args) == ([], [])
    assert normal.base_args == ["seed"]
