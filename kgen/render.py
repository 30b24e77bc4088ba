"""Render a `ComponentSpec` through the Jinja2 templates into Python source (not yet formatted)."""

import ast
import functools
import textwrap
from pathlib import Path

import jinja2

import kgen.templates
from kgen.bodies import indent_body
from kgen.errors import KgenError
from kgen.explanations import apply_markers
from kgen.formatting import format_snippet
from kgen.params import python_literal
from kgen.spec import ComponentSpec

TEMPLATES = Path(kgen.templates.__file__).parent  # shipped inside the package

# The imports a generated file may need, by group; each is kept only if the code uses its name.
_IMPORT_GROUPS = (
    {
        "importlib": "import importlib",
        "json": "import json",
        "os": "import os",
        "random": "import random",
        "subprocess": "import subprocess",
        "sys": "import sys",
        "zipfile": "import zipfile",
        "Path": "from pathlib import Path",
    },
    {
        "keras": "import keras",
        "np": "import numpy as np",
        "pytest": "import pytest",
        "tf": "import tensorflow as tf",
        "ops": "from keras import ops",
    },
)
IMPORTS_MARKER = "# kgen: imports"


def doc_escape(text: str) -> str:
    """Text made safe to stand inside a triple-quoted docstring, reading the same there."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def doc_literal(value: object) -> str:
    """The value as Python source, as black would quote it, made safe inside a docstring."""
    return doc_escape(python_literal(value))


def arg_line(text: str, indent: int = 8) -> str:
    """One `name: description` entry of a docstring's Args, wrapped like Keras's (88 columns)."""
    return textwrap.fill(
        text,
        width=88,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + 4),
        break_long_words=False,
        break_on_hyphens=False,
    )


def example_args(spec: ComponentSpec) -> str:
    """`threshold=1.0, ...`: the constructor call of a docstring example, with the defaults."""
    return ", ".join(f"{p.name}={python_literal(p.default)}" for p in spec.params)


def function_call(spec: ComponentSpec) -> str:
    """What a model is given in the function style: `make_huber(threshold=1.0)` or `huber`."""
    if spec.params:
        return f"{spec.factory_name}({example_args(spec)})"
    return spec.function_name


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates, kept in a private folder under the temp dir and checked against
    each template's source, so that a command need not compile them again. A cache that
    cannot be read or written is skipped: it may speed generation up, never stop it."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):  # no safe private folder to be had
        return None


class _Loader(jinja2.FileSystemLoader):
    """A template that is not UTF-8 is a template error naming its file."""

    def get_source(self, environment: jinja2.Environment, template: str):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            path = next(
                Path(folder) / template
                for folder in self.searchpath
                if (Path(folder) / template).is_file()
            )
            raise jinja2.TemplateError(
                f"{path} is not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None


@functools.cache
def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The templates: kgen's own, after those of `user_templates` (same relative path wins)."""
    folders = [TEMPLATES] if user_templates is None else [user_templates, TEMPLATES]
    env = jinja2.Environment(
        loader=_Loader(folders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["doc_literal"] = doc_literal
    env.filters["py"] = python_literal
    env.filters["arg_line"] = arg_line
    env.filters["example_args"] = example_args
    env.filters["function_call"] = function_call
    env.filters["format_snippet"] = format_snippet
    env.filters["doc_escape"] = doc_escape
    env.filters["format_kw"] = "{0}={0}".format
    env.filters["indent_body"] = indent_body
    return env


def render(template: str, spec: ComponentSpec, **context: object) -> str:
    """Render `<kind>/<template>` and keep exactly the optional imports the code uses."""
    name = f"{spec.kind.template_dir}/{template}"
    try:
        found = environment(spec.user_templates).get_template(name)
        source = found.render(spec=spec, kind=spec.kind, names=spec.names, **context)
    # A user's template may raise anything: 1/0, RecursionError when it extends itself.
    except Exception as error:  # noqa: BLE001
        raise KgenError(_where(error, name)) from None
    where = found.filename or name
    try:
        source = apply_markers(source, spec.explain)
    except KgenError as error:
        raise KgenError(f"template {where}: {error}") from None
    return _insert_imports(source, where)


def render_support(template: str, user_templates: Path | None = None) -> str:
    """A file that is the same for every component, such as the tests' conftest.py."""
    try:
        return environment(user_templates).get_template(template).render()
    except Exception as error:  # noqa: BLE001 (as in render)
        raise KgenError(_where(error, template)) from None


def _where(error: Exception, name: str) -> str:
    """`path/to/template.j2, line 4: 'x' is undefined`: the template file and line at
    fault, which may be one that `name` extends or includes, or a user's template."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return f"template {error.filename}, line {error.lineno}: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"{error.name} not found"
    elif isinstance(error, jinja2.TemplateError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    frame = None
    traceback = error.__traceback__
    while traceback is not None:  # Jinja maps template frames to template lines
        if traceback.tb_frame.f_code.co_filename.endswith(".j2"):
            frame = traceback
        traceback = traceback.tb_next
    if frame is None:
        return f"template {name}: {message}"
    where = frame.tb_frame.f_code.co_filename
    return f"template {where}, line {frame.tb_lineno}: {message}"


def _insert_imports(source: str, template: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise KgenError(
            f"template {template} rendered invalid Python: {error.msg} (line {error.lineno})"
        ) from None
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    groups = [
        [line for name, line in group.items() if name in used]
        for group in _IMPORT_GROUPS
    ]
    return source.replace(
        IMPORTS_MARKER, "\n\n".join("\n".join(g) for g in groups if g), 1
    )
