"""Render a `ComponentSpec` through the Jinja2 templates into Python source (not yet formatted)."""

import ast
import functools
import textwrap
from pathlib import Path, PurePath
from types import ModuleType

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment, SecurityError

import kgen.templates
from kgen.bodies import indent_body
from kgen.cache import cache_dir
from kgen.errors import KgenError
from kgen.explanations import apply_markers
from kgen.formatting import SOURCE_WIDTH, format_snippet
from kgen.imports import KGEN_IMPORTS, import_block
from kgen.kinds import KINDS
from kgen.params import python_literal
from kgen.paths import is_inside
from kgen.spec import ComponentSpec, doc_escape

TEMPLATES = Path(kgen.templates.__file__).parent  # shipped inside the package

IMPORTS_MARKER = "# kgen: imports"


def arg_line(text: str, indent: int = 8) -> str:
    """One `name: description` entry of a docstring's Args, wrapped like Keras's (88 columns)."""
    return textwrap.fill(
        text,
        width=SOURCE_WIDTH,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + 4),
        break_long_words=False,
        break_on_hyphens=False,
    )


def call_line(call: str, indent: int = 4) -> str:
    """A call written on one line (`f(a, b)`), laid out as black lays out one this simple:
    on its line if it fits; else its arguments on a line of their own; else one argument
    per line, with a trailing comma (a sole list argument: its items so). black still has
    the last word, but output it need not change takes it one pass instead of two."""
    if indent + len(call) <= SOURCE_WIDTH:
        return call
    opening = _opening_of_last_bracket(call)
    head, inner = call[:opening], call[opening + 1 : -1]
    inside = " " * (indent + 4)
    if len(inside) + len(inner) <= SOURCE_WIDTH:
        return f"{head}(\n{inside}{inner}\n{' ' * indent})"
    items = _top_level_items(inner)
    if len(items) == 1 and inner.startswith("[") and inner.endswith("]"):
        listed = "".join(
            f"{inside}    {item},\n" for item in _top_level_items(inner[1:-1])
        )
        return f"{head}(\n{inside}[\n{listed}{inside}]\n{' ' * indent})"
    listed = "".join(f"{inside}{item},\n" for item in items)
    return f"{head}(\n{listed}{' ' * indent})"


def assert_equal_line(left: str, right: str, indent: int = 4) -> str:
    """`assert left == right` as black writes it: on its line if it fits; else a call on
    the right split at its brackets; else in parentheses, on a line of its own or split
    before `==`."""
    line = f"assert {left} == {right}"
    if indent + len(line) <= SOURCE_WIDTH:
        return line
    if right.endswith(")") and not right.endswith("()"):  # black splits its brackets
        opening = _opening_of_last_bracket(line)
        inner = line[opening + 1 : -1]
        if (
            indent + opening + 1 <= SOURCE_WIDTH
            and indent + 4 + len(inner) <= SOURCE_WIDTH
        ):
            return (
                f"{line[: opening + 1]}\n{' ' * (indent + 4)}{inner}\n{' ' * indent})"
            )
    inside = " " * (indent + 4)
    if len(inside) + len(line) - len("assert ") <= SOURCE_WIDTH:
        return f"assert (\n{inside}{left} == {right}\n{' ' * indent})"
    return f"assert (\n{inside}{left}\n{inside}== {right}\n{' ' * indent})"


def _opening_of_last_bracket(call: str) -> int:
    """Where the brackets that end `call` open: `super().__init__(a)` -> 16."""
    depth = 0
    for index in range(len(call) - 1, -1, -1):
        depth += (call[index] in ")]}") - (call[index] in "([{")
        if depth == 0:
            return index
    raise ValueError(f"unbalanced brackets in {call!r}")


def _top_level_items(text: str) -> list[str]:
    """`a, f(b, c), [d]` -> ["a", "f(b, c)", "[d]"]: split at commas outside brackets."""
    items, depth, start = [], 0, 0
    for index, character in enumerate(text):
        depth += (character in "([{") - (character in ")]}")
        if character == "," and depth == 0:
            items.append(text[start:index].strip())
            start = index + 1
    return items + [text[start:].strip()]


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates, kept in kgen's own cache folder (kgen.cache) and checked against
    each template's source, so that a command need not compile them again. Never Jinja's
    default folder, a fixed name in the shared temporary folder that another user could
    plant first. A cache that cannot be read or written is skipped: it may speed
    generation up, never stop it."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(mode=0o700, parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache(sandboxed: bool) -> jinja2.BytecodeCache:
    """A folder of its own for sandboxed code, which Jinja compiles differently: code
    compiled outside the sandbox must never run inside it."""
    folder = "templates-sandboxed" if sandboxed else "templates"
    return _QuietBytecodeCache(str(cache_dir() / folder))


class _ProjectSandbox(SandboxedEnvironment):
    """A project's templates arrive with the project, from a clone as often as not, so
    they render in Jinja's sandbox: no private attributes, no function internals, and of a
    path only what PurePath has (its name, `as_posix`), nothing that reads or writes."""

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        if isinstance(obj, PurePath) and not hasattr(PurePath, attr):
            return False
        if isinstance(value, ModuleType):
            return False
        return super().is_safe_attribute(obj, attr, value)


class _Loader(jinja2.FileSystemLoader):
    """A template that is not UTF-8 is a template error naming its file. With `confined`
    (a project's templates), so is one that leads outside its folder through a symlink,
    refused before it is read: a cloned project could otherwise render any file its user
    can read into the code kgen writes."""

    def __init__(self, folder: Path, confined: bool = False) -> None:
        super().__init__(folder)
        self.confined = confined

    def get_source(self, environment: jinja2.Environment, template: str):
        folder = Path(self.searchpath[0])
        path = folder.joinpath(*split_template_path(template))
        if self.confined and path.exists() and not is_inside(folder, path):
            raise jinja2.TemplateError(
                f"{path} leads outside {folder} (through a symlink)"
            )
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


def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The templates: kgen's own, after those of `user_templates` (same relative path
    wins), with each kind's folder (`loss/...`) where its record says. With
    `user_templates`, all of them render in the sandbox, as a user's may include kgen's.
    """
    own = tuple(
        (kind.template_dir, kind.templates)
        for kind in KINDS.values()
        if kind.templates is not None
    )
    return _environment(user_templates, own)


@functools.cache
def _environment(
    user_templates: Path | None, kind_folders: tuple[tuple[str, Path], ...]
) -> jinja2.Environment:
    loaders = [_Loader(user_templates, confined=True)] if user_templates else []
    loaders.append(
        jinja2.PrefixLoader({name: _Loader(folder) for name, folder in kind_folders})
    )
    loaders.append(_Loader(TEMPLATES))
    sandboxed = user_templates is not None
    env = (_ProjectSandbox if sandboxed else jinja2.Environment)(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(sandboxed),
    )
    env.filters["py"] = python_literal
    env.filters["arg_line"] = arg_line
    env.filters["format_snippet"] = functools.partial(
        format_snippet, styled=user_templates is None
    )
    env.filters["doc_escape"] = doc_escape
    env.filters["indent_body"] = indent_body
    env.filters["call_line"] = call_line
    env.globals["assert_equal_line"] = assert_equal_line
    return env


def render(
    name: str,
    spec: ComponentSpec,
    third_party: tuple[str, ...] = (),
    own_imports: bool = False,
    **context: object,
) -> str:
    """Render the template `name` and keep exactly the optional imports the code uses;
    `third_party` names more modules to import among the third-party ones. With
    `own_imports` (the component's module), the spec's imports are all kept."""
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
    more = tuple(f"import {name}" for name in third_party)
    kept = spec.imports if own_imports else ()
    return _insert_imports(source, where, more + spec.imports, kept, spec.local_modules)


def render_support(template: str, user_templates: Path | None = None) -> str:
    """A file that is the same for every component, such as the tests' conftest.py."""
    from kgen.contracts import failure_texts

    bases = {}  # the first kind of a base names it: layer, not activation
    for kind in KINDS.values():
        bases.setdefault(kind.base, kind.name)
    try:
        return (
            environment(user_templates)
            .get_template(template)
            .render(contracts=failure_texts(), kinds={v: k for k, v in bases.items()})
        )
    except Exception as error:  # noqa: BLE001 (as in render)
        raise KgenError(_where(error, template)) from None


def _where(error: Exception, name: str) -> str:
    """`path/to/template.j2, line 4: 'x' is undefined`: the template file and line at
    fault, which may be one that `name` extends or includes, or a user's template."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return f"template {error.filename}, line {error.lineno}: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"{error.name} not found"
    elif isinstance(error, SecurityError):
        message = f"refused by the sandbox: {error}"
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


def _insert_imports(
    source: str,
    template: str,
    imports: tuple[str, ...],
    kept: tuple[str, ...],
    local: frozenset[str],
) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise KgenError(
            f"template {template} rendered invalid Python: {error.msg} (line {error.lineno})"
        ) from None
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used -= {  # imported inside the function that uses them, as a test helper may
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and node not in tree.body
        for alias in node.names
    }
    block = import_block([*KGEN_IMPORTS, *imports], used, kept, local)
    return source.replace(IMPORTS_MARKER, block, 1)
