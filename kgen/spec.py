"""A request (kind, name, params, ...) validated into the `ComponentSpec` that the templates see."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from kgen.bodies import check_bodies
from kgen.errors import KgenError
from kgen.kinds import Kind, kind_named
from kgen.names import Names, derive_names
from kgen.params import Param, check_param_names, parse_param, restate_base_args

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
    style: str = "class"  # or "function", for the kinds that have it
    explain: bool = False  # comments that explain each piece (kgen.explanations)
    user_templates: Path | None = None  # a folder whose templates win over kgen's own

    @property
    def function_name(self) -> str:
        return self.names.module

    @property
    def factory_name(self) -> str:
        """The outer function of the function style, taking the hyperparameters."""
        return f"make_{self.names.module}"

    @property
    def registered_name(self) -> str:
        if self.style == "function":
            return f"{self.package}>{self.function_name}"
        return f"{self.package}>{self.names.class_name}"


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
) -> ComponentSpec:
    the_kind = kind_named(kind)
    style = the_kind.style_named(style)
    names = derive_names(name)
    param_docs = dict(param_docs or {})
    parsed = []
    for text in params:
        param = parse_param(text)
        doc = _one_line(param_docs.pop(param.name, ""), f"the doc of {param.name}")
        parsed.append(Param(param.name, param.type, param.default, doc))
    if style == "class":
        the_kind, parsed = restate_base_args(the_kind, parsed)
    check_param_names(parsed, the_kind, style, names)
    if param_docs:
        raise KgenError(
            f"{names.class_name}: docs for unknown params: {', '.join(param_docs)}"
        )
    if not _PACKAGE.match(package) or package.endswith("."):
        raise KgenError(
            f"--package {package!r} is not a package name; use letters, digits, '_' and '.'"
        )
    return ComponentSpec(
        kind=the_kind,
        names=names,
        params=tuple(parsed),
        package=package,
        summary=_one_line(summary, "summary"),
        bodies=check_bodies(
            the_kind.methods if style == "class" else ("function",),
            f"a {kind} ({style} style)",
            names,
            bodies or {},
        ),
        input_shape=_docstring_text(input_shape, "input_shape"),
        output_shape=_docstring_text(output_shape, "output_shape"),
        style=style,
        explain=explain,
        user_templates=user_templates,
    )


def _one_line(text: str, what: str) -> str:
    text = " ".join(text.split())
    return _docstring_text(text, what)


def _docstring_text(text: str, what: str) -> str:
    if '"""' in text or "\\" in text:
        raise KgenError(f"{what} may not contain triple quotes or backslashes")
    return text.strip()
