"""A request (kind, name, params, ...) validated into the `ComponentSpec` that the templates see."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from kgen.backends import check_backend
from kgen.bodies import (
    check_backend_names,
    check_bodies,
    check_code,
    check_signatures,
)
from kgen.errors import KgenError
from kgen.imports import parse_imports
from kgen.kinds import Kind, kind_named
from kgen.names import Names, derive_names
from kgen.params import (
    Param,
    check_param_names,
    parse_param,
    python_literal,
    restate_base_args,
    with_base_defaults,
)
from kgen.profile import DEFAULT_PROFILE, TestProfile, make_profile

DEFAULT_PACKAGE = "Custom"  # Keras's own default for register_keras_serializable
_PACKAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


@dataclass(frozen=True)
class ComponentSpec:
    kind: Kind
    names: Names
    params: tuple[Param, ...]
    package: str = DEFAULT_PACKAGE
    summary: str = ""
    bodies: dict[str, str] = field(
        default_factory=dict
    )  # method -> code replacing the default
    input_shape: str = ""  # layers: docstring sections
    output_shape: str = ""
    style: str = "class"  # or "function" or "functional", for the kinds that have it
    explain: bool = False  # comments that explain each piece (kgen.explanations)
    # The Keras backend a model's train_step and test_step are written for; "" for one
    # kgen did not write (kgen check): its tests run on the backend that runs them.
    backend: str = "tensorflow"
    user_templates: Path | None = None  # a folder whose templates win over kgen's own
    reference: str = ""  # numpy code of the math the tests compare the component with
    profile: TestProfile = DEFAULT_PROFILE  # the data and traits of its tests
    extra: str = ""  # more class members: helper methods, properties, overrides
    module_extra: str = ""  # module-level code after the class: helpers it uses
    signatures: dict[str, str] = field(default_factory=dict)  # method -> its arguments
    imports: tuple[str, ...] = ()  # import statements the bodies need (kgen.imports)
    # Top-level modules of the user's own (first-party to ruff's isort): set by the plan.
    local_modules: frozenset[str] = frozenset()
    # A hand-written component's registered name, as kgen check found it ("" for one kgen
    # writes, or one not registered: the tests then expect the package's).
    registered_as: str = ""
    # Configs of a component kgen did not write, compared as Keras keeps them: a scalar
    # may come back once per axis (strides=2 as (2, 2)), as Keras's layers standardize it.
    per_axis_configs: bool = False

    # What the templates show, worked out here so that they hold layout, not logic.

    @property
    def function_name(self) -> str:
        return self.names.module

    @property
    def factory_name(self) -> str:
        """The outer function of the function style, taking the hyperparameters."""
        return f"make_{self.names.module}"

    @property
    def registered_name(self) -> str:
        if self.registered_as:
            return self.registered_as
        if self.style == "function":
            return f"{self.package}>{self.function_name}"
        return f"{self.package}>{self.names.class_name}"

    @property
    def param_arguments(self) -> list[str]:
        """`threshold=1.0`, ...: the params as a signature takes them (the required
        ones come first, see make_spec)."""
        return [p.argument for p in self.params]

    def signature(self, method: str, arguments: str) -> str:
        """`call(self, inputs)`: a method's def line, with the spec's own arguments."""
        arguments = self.signatures.get(method, arguments)
        return f"{method}(self, {arguments})" if arguments else f"{method}(self)"

    @property
    def init_arguments(self) -> list[str]:
        """The constructor's arguments after self: params, base arguments, **kwargs."""
        base = {arg: f"{arg.name}={arg.default}" for arg in self.kind.base_args}
        required = [p.argument for p in self.params if p.required]
        arguments = ["*args"] if self.style == "functional" else []
        arguments += required
        arguments += [text for arg, text in base.items() if arg.leading]
        arguments += [p.argument for p in self.params if not p.required]
        arguments += [text for arg, text in base.items() if not arg.leading]
        return arguments + (["**kwargs"] if self.kind.takes_kwargs else [])

    @property
    def super_init(self) -> str:
        """The base class's constructor call, or "" when it takes nothing of ours."""
        if self.style == "functional":
            # Without params of its own, keras.Model's __init__ serves as it is.
            needed = self.params or "init" in self.bodies
            return "super().__init__(*args, **kwargs)" if needed else ""
        forwarded = [f"{a.name}={a.name}" for a in self.kind.base_args if a.forwarded]
        if self.kind.takes_kwargs:
            forwarded.append("**kwargs")
        return f"super().__init__({', '.join(forwarded)})" if forwarded else ""

    @property
    def stored(self) -> list[tuple[str, str]]:
        """(attribute, value) the constructor keeps: base arguments the base class does
        not keep, then every param, resolved to an object or copied to a list."""
        stored = [(a.name, a.name) for a in self.kind.base_args if not a.forwarded]
        return stored + [(p.name, p.stored) for p in self.params]

    @property
    def config_entries(self) -> list[tuple[str, str]]:
        """(key, value) that get_config adds to the base class's config."""
        entries = [(p.name, p.config_value) for p in self.params]
        return entries + [
            (a.name, f"self.{a.name}") for a in self.kind.base_args if not a.forwarded
        ]

    @property
    def seeded(self) -> bool:
        """Whether the constructor takes a seed (a class-style initializer)."""
        return self.style == "class" and any(
            a.name == "seed" for a in self.kind.base_args
        )

    @property
    def nested_params(self) -> list[Param]:
        """The params holding a Keras object whole (a layer, a model...): rebuilt by
        from_config, made anew for each test."""
        return [p for p in self.params if p.type.nested]

    @property
    def heavy_claims(self) -> str:
        """The kind's heavy tests beyond the three every one gets, as the test module's
        docstring names them: none through compile's optimizer for a model compiled
        with optimizers of its own."""
        return "" if self.profile.own_optimizers else self.model_setup.heavy_claims

    @property
    def configs_as_json(self) -> bool:
        """Whether the tests compare configs as JSON: a graph's, a nested layer's once
        built, or one kgen did not write (Keras keeps built shapes), holds tuples, which
        saving turns into lists."""
        graph = self.model_setup is not None and self.model_setup.graph
        return graph or bool(self.nested_params) or self.per_axis_configs

    @property
    def uses_as_json(self) -> bool:
        """Whether the test module compares anything as JSON, as saving writes it (and
        Keras's own layer tests compare configs): then it defines `as_json`."""
        plain_json_test = self.kind.name == "layer" or (
            self.kind.name == "activation" and self.style == "class"
        )
        listed = any(p.type.is_list for p in self.params)
        return (
            self.configs_as_json or plain_json_test or listed or self.per_axis_configs
        )

    @property
    def wrapped_layer(self) -> Param | None:
        """The first required param holding one layer: a default layer body wraps it,
        as keras.layers.Wrapper does, on one float input (ids or several inputs get
        the default body of their own, which holds the layer unused)."""
        inputs = self.profile.inputs
        if len(inputs) > 1 or inputs[0].ids:
            return None
        return next(
            (p for p in self.nested_params if p.type.name == "layer" and p.required),
            None,
        )

    @property
    def wrapped_optimizer(self) -> Param | None:
        """An optimizer's first required param holding one: a default optimizer body
        wraps it, as keras.optimizers.LossScaleOptimizer does."""
        if self.kind.name != "optimizer":
            return None
        return next((p for p in self.nested_params if p.required), None)

    @property
    def object_params(self) -> list[Param]:
        """The params of a Keras object type: resolved in __init__, serialized in get_config."""
        return [p for p in self.params if p.type.keras_module]

    def first_object(self, keras_module: str) -> Param | None:
        """The first param of a Keras object type (`activations`, ...): the one a
        default body wires in."""
        return next(
            (p for p in self.params if p.type.keras_module == keras_module), None
        )

    @property
    def param_docs(self) -> list[str]:
        """The Args entries of the params: `threshold: Float, ... Defaults to `1.0`.`"""
        return [
            f"{p.name}: {p.type.doc}{', ' + p.doc if p.doc else ''}. "
            + (
                "Required."
                if p.required
                else f"Defaults to `{doc_escape(python_literal(p.default))}`."
            )
            for p in self.params
        ]

    @property
    def arg_docs(self) -> list[str]:
        """The Args entries of the constructor, in the order of its arguments."""
        base = self.kind.base_args
        leading = [
            f"{a.name}: {a.doc.replace('{what}', self.kind.name)} Defaults to `{a.default}`."
            for a in base
            if a.leading
        ]
        required = [d for d, p in zip(self.param_docs, self.params) if p.required]
        optional = [d for d, p in zip(self.param_docs, self.params) if not p.required]
        rest = [
            f"{a.name}: {a.doc.replace('{what}', self.kind.name)}"
            for a in base
            if not a.leading
        ]
        if self.style == "functional":
            required.insert(
                0, "*args: `inputs` and `outputs`, as `keras.Model` takes them."
            )
        return required + leading + optional + rest

    @property
    def example_args(self) -> str:
        """`threshold=1.0, ...`: the constructor call of a docstring example (a
        required param: its test value)."""
        return ", ".join(
            f"{p.name}={self.sample_source(p) if p.required else python_literal(p.default)}"
            for p in self.params
        )

    @property
    def function_call(self) -> str:
        """What a model is given in the function style: `make_huber(threshold=1.0)`."""
        if self.params:
            return f"{self.factory_name}({self.example_args})"
        return self.function_name

    # The generated tests.

    @property
    def imported_names(self) -> list[str]:
        """What the test module imports from the component's module."""
        if self.style != "function":
            return [self.names.class_name]
        if self.params:
            return sorted([self.function_name, self.factory_name])
        return [self.function_name]

    def sample_source(self, param: Param) -> str:
        """A param's test value as source: the profile's, else one kgen makes."""
        if param.name not in self.profile.samples:
            return param.sample_source(self.sample_rank)
        value = self.profile.samples[param.name]
        return value if param.type.nested else python_literal(value)

    @property
    def unvaried(self) -> list[str]:
        """The params whose test value is their default: strings and lists, whose valid
        values kgen cannot tell, unless the profile's samples give one."""
        return [
            p.name
            for p in self.params
            if p.name not in self.profile.samples
            and not p.required
            and p.sample_at(self.sample_rank) == p.default
        ]

    @property
    def sample_rank(self) -> int:
        """The axes of what the component's math meets in the tests, the batch's
        included: y_pred's for a loss or metric, else the first input's."""
        if self.kind.takes_predictions:
            return 2
        return len(self.profile.inputs[0].shape) + 1

    def _args_dict(self, params) -> str:
        items = (f"{python_literal(p.name)}: {self.sample_source(p)}" for p in params)
        return "{" + ", ".join(items) + "}"

    @property
    def one_bool_back(self) -> list[tuple[str, str]]:
        """(id, arguments) of the reference tests' runs beyond the defaults and ARGS:
        ARGS with one bool back at its default, for each bool ARGS flips, so that no
        test value switches off for good a weight or branch the others vary (center=False
        leaves beta_initializer untested). None where ARGS varies nothing else, or where
        it is made anew by make_args() (its objects belong to one model)."""
        if self.nested_params:
            return []
        varied = [
            p
            for p in self.params
            if p.required
            or self.profile.samples.get(p.name, p.sample_at(self.sample_rank))
            != p.default
        ]
        flipped = [p for p in varied if p.type.name == "bool" and not p.required]
        if len(varied) < 2:
            return []
        return [
            (
                f"{p.name}={p.default}",
                f"{{**ARGS, {python_literal(p.name)}: {python_literal(p.default)}}}",
            )
            for p in flipped
        ]

    @property
    def sample_args(self) -> str:
        """The ARGS dict of the tests: a value other than the default for each param."""
        return self._args_dict(self.params)

    @property
    def required_sample_args(self) -> str:
        """The required params alone: the arguments of the tests' "defaults" runs."""
        return self._args_dict(p for p in self.params if p.required)

    @property
    def args(self) -> str:
        """The tests' arguments other than the defaults, as they write them: a constant,
        or a call making nested objects anew (an object belongs to one model)."""
        return "make_args()" if self.nested_params else "ARGS"

    @property
    def defaults(self) -> str:
        """The tests' arguments for the defaults: none, or the required params'."""
        if not any(p.required for p in self.params):
            return "{}"
        return "required_args()" if self.nested_params else "REQUIRED"

    @property
    def reference_args(self) -> str:
        """What the reference test makes the component with: with params, `args`, its
        parameter, which takes the defaults and then the test values (the math behind a
        default is checked too); without, the module's ARGS, if it has one."""
        if self.params:
            return "args"
        return "" if self.style == "function" else self.args

    @property
    def reference_made(self) -> str:
        """The component as the reference test makes it, from reference_args."""
        if self.style == "function":
            made = f"{self.factory_name}(**args)"
            return made if self.params else self.function_name
        if self.style == "functional":
            return f"build_model({self.reference_args})"
        return self.configured_with(self.reference_args)

    @property
    def args_splat(self) -> str:
        """`, **args` where the reference test has arguments to pass on, else nothing."""
        return f", **{self.reference_args}" if self.reference_args else ""

    @property
    def configured(self) -> str:
        """The component made with ARGS, as the tests write it (a model built from a
        graph: the test's own model)."""
        if self.style == "functional":
            return "build_model()"
        if self.style == "class":
            return self.configured_with(self.args)
        if self.params:
            return f"{self.factory_name}(**{self.args})"
        return self.function_name

    @property
    def model_setup(self):
        if self.style == "function":
            return self.kind.function.model_setup
        if self.style == "functional":
            return self.kind.functional.model_setup
        return self.kind.model_setup

    @property
    def example_compile(self) -> str:
        """A model's compile line in its docstring example, for the profile's target."""
        target = self.profile.target
        arguments = ['optimizer="adam"']
        if target.loss:
            arguments.append(f'loss="{target.loss}"')
        if target.metric:
            arguments.append(f'metrics=["{target.metric}"]')
        return f"model.compile({', '.join(arguments)})"

    @property
    def test_subject(self) -> str:
        """The component as the tests' build_model makes it, from its `args`."""
        return "function" if self.style == "function" else self.configured_with("args")

    def configured_with(self, args: str) -> str:
        return f"{self.names.class_name}(**{args})"

    @property
    def test_layers(self) -> list[str] | None:
        """The test model's layers after its inputs: the kind's, a Flatten where the
        inputs have more than one axis (or are ids), and the profile's head."""
        layers = self.model_setup.layers
        if layers is None:
            return None
        listed = [layers.format(self.test_subject)] if layers else []
        if not self.profile.flat_inputs:
            listed.append("keras.layers.Flatten()")
        return [*listed, self.profile.target.head]

    @property
    def test_graph(self) -> str:
        """`outputs` of a test model of several inputs: its layers called in turn."""
        source = "inputs"
        for layer in self.test_layers:
            source = f"{layer}({source})"
        return source

    @property
    def compile_arguments(self) -> str:
        """compile's arguments: the optimizer, the profile's loss unless the component is
        the loss, the kind's own (the component as a metric...), a model's metric."""
        setup, target = self.model_setup, self.profile.target
        arguments = [] if self.profile.replaces_optimizer else ["optimizer=optimizer"]
        if self.profile.compile:  # a model's own compile, such as a GAN's
            return ", ".join(
                [*arguments, self.profile.compile, "jit_compile=jit_compile"]
            )
        if "loss=" not in setup.compile and target.loss:
            arguments.append(f'loss="{target.loss}"')
        if setup.compile:
            arguments.append(setup.compile.format(self.test_subject))
        if setup.metric and target.metric:
            arguments.append(f'metrics=["{target.metric}"]')
        return ", ".join([*arguments, "jit_compile=jit_compile"])

    def found_in(self, model: str) -> str:
        found = self.model_setup.found.format(model)
        if len(self.profile.inputs) > 1:  # a functional model lists its inputs first
            found = found.replace(".layers[0]", f".layers[{len(self.profile.inputs)}]")
        return found

    @property
    def config_checks(self) -> list[tuple[str, str | None]]:
        """(the config's value, the expected one) of each param, from ARGS: a list as
        JSON, where a tuple (Keras keeps `kernel_size` as one) is a list too; with
        per-axis configs (a component kgen did not write), (the check, None), a param
        left out of the config taken at its default, as from_config takes it
        (SparseTopKCategoricalAccuracy writes from_sorted_ids only when True)."""
        checks = []
        for p in self.params:
            actual = f"config[{python_literal(p.name)}]"
            expected = p.config_expected(self.config_args)
            if self.per_axis_configs and not (p.type.keras_module or p.type.nested):
                if not p.required:  # left out at its default, which from_config takes
                    actual = f"config.get({python_literal(p.name)}, {p.default_source})"
                actual, expected = f"holds({actual}, {expected})", None
            elif p.type.is_list:
                actual, expected = f"as_json({actual})", f"as_json({expected})"
            checks.append((actual, expected))
        return checks

    @property
    def config_args(self) -> str:
        """What the config test made the component with: ARGS, or one make_args()."""
        return "args" if self.nested_params else "ARGS"

    @property
    def math_method(self) -> str:
        return "function" if self.style == "function" else self.kind.math_method

    @property
    def only_backend(self) -> str:
        """The backend its code is written for, or "" for code that runs on every one (or
        that kgen did not write)."""
        return self.backend if self.kind.per_backend else ""

    @property
    def steps_template(self) -> str:
        """A model's train_step and test_step, for its backend."""
        return f"model/steps_{self.backend or 'tensorflow'}.py.j2"

    @property
    def calls_update_metrics(self) -> bool:
        """Whether a model's steps use the generated _update_metrics: a default step does,
        a body may."""
        steps = ("train_step", "test_step")
        if "_update_metrics" in self.extra_members:
            return False
        return any(
            step not in self.bodies or "_update_metrics" in self.bodies[step]
            for step in steps
        )

    @property
    def extra_members(self) -> set[str]:
        """The names the extra members define."""
        if not self.extra:
            return set()
        return {
            node.name
            for node in ast.parse(self.extra).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }

    @property
    def from_templates_alone(self) -> bool:
        """No code or text of the user's own, and kgen's own templates: what renders is
        in black's style wherever it fits (kgen.formatting)."""
        texts = (self.summary, self.input_shape, self.output_shape, self.reference)
        return self.profile == DEFAULT_PROFILE and not (
            self.bodies
            or self.extra
            or self.module_extra
            or self.signatures
            or self.imports
            or self.user_templates
            or any(texts)
            or any(p.doc for p in self.params)
        )

    @property
    def reference_in_training(self) -> bool:
        """Whether the reference takes `training`: a layer's math in training too
        (batch statistics, a power iteration, a random path), compared with
        `layer(x, training=True)`."""
        return _uses_training(self.reference)

    @property
    def reference_arguments(self) -> list[str]:
        """reference()'s arguments after the kind's: the params, then `training`."""
        training = ["training=False"] if self.reference_in_training else []
        return [*self.param_arguments, *training]

    def has_reference(self, methods: list[str]) -> bool:
        """Whether the tests know the math: the spec gives it, or the methods it rests on
        keep their default bodies."""
        if self.reference:
            return True
        # The default reference of a wrapper knows the math of the default Dense only.
        wrapped = self.wrapped_layer
        if wrapped and wrapped.name in self.profile.samples:
            return False
        return not set(methods) & set(self.bodies)


def _reference(code: str, names: Names) -> str:
    """The numpy reference of the math, checked as a body is."""
    if not code:
        return ""
    return check_bodies(("reference",), "the tests", names, {"reference": code})[
        "reference"
    ]


def _uses_training(code: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == "training"
        for node in ast.walk(ast.parse(code))
    )


def _check_training_reference(reference: str, kind: Kind, style: str) -> None:
    """A reference taking `training` is a class-style layer's: no other kind's tests
    call it in training, and it would be silently left unchecked."""
    if _uses_training(reference) and (kind.name != "layer" or style != "class"):
        raise KgenError(
            "reference: `training` is a class-style layer's (its call with "
            f"training=True); the {kind.name}'s tests never call it in training"
        )


def doc_escape(text: str) -> str:
    """Text made safe to stand inside a triple-quoted docstring, reading the same there."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def make_spec(
    kind: str,
    name: str,
    params: list[str] | tuple[str, ...] = (),
    package: str = DEFAULT_PACKAGE,
    *,
    summary: str = "",
    param_docs: dict[str, str] | None = None,
    bodies: dict[str, str] | None = None,
    input_shape: str = "",
    output_shape: str = "",
    style: str | None = None,
    explain: bool = False,
    user_templates: Path | None = None,
    reference: str = "",
    test: dict[str, object] | None = None,
    extra: str = "",
    module_extra: str = "",
    signatures: dict[str, str] | None = None,
    imports: list[str] | tuple[str, ...] = (),
    base_defaults: dict[str, object] | None = None,
    backend: str = "tensorflow",
    checked: bool = False,
) -> ComponentSpec:
    """A component's spec. `backend`: the one a model's train_step and test_step are
    written for. `checked`: one kgen checks but did not write (kgen check), whose params
    may take the names of the base class's attributes."""
    check_backend(backend, "--backend")
    the_kind = kind_named(kind)
    style = the_kind.style_named(style)
    names = derive_names(name)
    param_docs = dict(param_docs or {})
    parsed = []
    for text in params:
        param = parse_param(text)
        doc = _one_line(param_docs.pop(param.name, ""), f"the doc of {param.name}")
        parsed.append(Param(param.name, param.type, param.default, doc))
    # Required params first, in their order, as Python needs them before the others.
    parsed.sort(key=lambda param: not param.required)
    if style == "class":
        the_kind, parsed = restate_base_args(the_kind, parsed)
    the_kind = with_base_defaults(the_kind, style, base_defaults or {})
    check_param_names(parsed, the_kind, style, names, checked=checked)
    _check_nested(parsed, the_kind, style)
    if style == "function" and any(param.required for param in parsed):
        raise KgenError(
            "a required param needs the class style: the function style registers its "
            "function with the defaults when the module is imported"
        )
    if param_docs:
        raise KgenError(
            f"{names.class_name}: docs for unknown params: {', '.join(param_docs)}"
        )
    if not _PACKAGE.match(package) or package.endswith("."):
        raise KgenError(
            f"--package {package!r} is not a package name; use letters, digits, '_' and '.'"
        )
    bodies = check_bodies(
        the_kind.methods_of(style), f"a {kind} ({style} style)", names, bodies or {}
    )
    extra = _own_code(extra, f"{names.class_name}: the extra members")
    module_extra = _own_code(module_extra, f"{names.class_name}: the module extra")
    if the_kind.per_backend and backend:
        members = {f"the body of {m}": code for m, code in bodies.items()}
        members["the extra members"] = extra
        members["the module extra"] = module_extra
        members["the imports"] = "\n".join(imports)
        check_backend_names(members, backend, names.class_name)
    signatures = check_signatures(signatures or {}, the_kind, style, names)
    reference = _reference(reference, names)
    _check_training_reference(reference, the_kind, style)
    return ComponentSpec(
        kind=the_kind,
        names=names,
        params=tuple(parsed),
        package=package,
        summary=_one_line(summary, "summary"),
        bodies=bodies,
        input_shape=_docstring_text(input_shape, "input_shape"),
        output_shape=_docstring_text(output_shape, "output_shape"),
        style=style,
        explain=explain,
        backend=backend,
        user_templates=user_templates,
        reference=reference,
        profile=make_profile(
            test, kind, style, tuple(parsed), bodies, the_kind.model_setup is not None
        ),
        extra=extra,
        module_extra=module_extra,
        signatures=signatures,
        imports=parse_imports(imports),
    )


def _own_code(code: str, where: str) -> str:
    """Code of the user's own beside the generated methods, checked; "" if blank."""
    code = code.replace("\r\n", "\n")
    return check_code(code, where) if code.strip() else ""


def _check_nested(params: list[Param], kind: Kind, style: str) -> None:
    """A param holding a Keras object needs the class style and a kind whose from_config
    kgen writes (a callback's and an optimizer's are their own), or one of the kind's
    own, which it wraps (an optimizer's optimizer)."""
    for param in params:
        if not param.type.nested:
            continue
        if style != "class" or not (kind.nests or param.type.nested == kind.name):
            where = f"a {kind.name}" + (
                f" in the {style} style" if style != "class" else ""
            )
            raise KgenError(
                f"--param {param.name}:{param.type.name}: {where} cannot hold a Keras "
                "object; a class-style layer, model, loss, metric, regularizer, "
                "initializer or constraint can, and an optimizer can wrap an optimizer"
            )


def _one_line(text: str, what: str) -> str:
    text = " ".join(text.split())
    return _docstring_text(text, what)


def _docstring_text(text: str, what: str) -> str:
    if '"""' in text or "\\" in text:
        raise KgenError(f"{what} may not contain triple quotes or backslashes")
    return text.strip()
