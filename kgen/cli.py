"""The `kgen` command: a thin Typer layer over the library. Only this module prints or exits."""

import contextlib
import errno
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from kgen import __version__
from kgen.backends import check_backend, default_backend
from kgen.errors import KgenError
from kgen.generate import module_source
from kgen.kinds import KINDS, Kind, kind_named
from kgen.params import TYPES, parse_assignment
from kgen.profile import TARGETS, check_table, parse_sample
from kgen.project import Project, find_project, require_project
from kgen.request import Plan, Request, plan_requests, spec_of
from kgen.sandbox import DEFAULT_MEMORY, DEFAULT_TIMEOUT
from kgen.spec import DEFAULT_PACKAGE
from kgen.writer import Action, plan_actions


class _Group(TyperGroup):
    def resolve_command(self, ctx: typer.Context, args: list[str]):
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            others = [name for name in self.commands if name not in KINDS]
            raise KgenError(
                f"unknown kind {args[0]!r}; expected one of: {', '.join(KINDS)} "
                f"(or the command {', '.join(others)})"
            )
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # kinds in their own order, then build


app = typer.Typer(
    cls=_Group,
    help="Generate custom Keras 3 components, each with a pytest module that proves it "
    "saves, loads and trains.",
    epilog="\b\nExamples:\n  kgen loss Huber --param threshold\n  kgen layer --help",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgen {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    pass


_PARAM_HELP = (
    "A constructor parameter, NAME[:TYPE][=DEFAULT]; repeat for more. TYPE: "
    + ", ".join(TYPES)
    + ". Without TYPE it is inferred from DEFAULT; with neither, a float."
)

_STYLE_HELP = (
    "class: a subclass that keeps its hyperparameters through saving and loading; "
    "function: an outer function taking the hyperparameters, returning the function "
    "Keras calls (a saved model keeps only its registered name)."
)
_FUNCTIONAL_HELP = (
    "class: a subclass with its own layers, build and call; functional: a subclass "
    "built as Name(inputs, outputs), whose layers come from the graph."
)


def _style_help(kind: Kind) -> str:
    if kind.function:
        return _STYLE_HELP
    if kind.functional:
        return _FUNCTIONAL_HELP
    return "Only 'class' for this kind."


def _examples(lines: list[str]) -> str:
    return "\b\nExamples:\n" + "\n".join(
        f"  {line}" for line in lines
    )  # \b: keep the lines


# The test profile's options (kgen.profile), for generating and for kgen check alike.
_Inputs = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        metavar="SHAPE:DTYPE[:HIGH]",
        help="Tests: one input of the test model, such as 12:int32:1000 (token "
        "ids below 1000) or 10,8 (floats); repeat for several.",
        show_default="4:float32",
    ),
]

_Target = Annotated[
    str | None,
    typer.Option(
        metavar="TARGET",
        help=f"Tests: what the test model learns: {TARGETS}.",
        show_default="regression:1",
    ),
]

_Stochastic = Annotated[
    bool,
    typer.Option(
        "--stochastic",
        help="Tests: random in training (dropout, sampling); outputs are "
        "compared in inference mode only.",
    ),
]

_PerBatch = Annotated[
    bool,
    typer.Option(
        "--per-batch",
        help="Tests: a loss or metric computed over the whole batch, not "
        "per sample and summed.",
    ),
]

_Metrics = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        metavar="NAME",
        help="Tests: a metric a model's train_step reports instead of loss; "
        "repeat for more.",
    ),
]

_Samples = Annotated[
    list[str] | None,
    typer.Option(
        "--sample",
        metavar="NAME=VALUE",
        help="Tests: the value a param takes in the tests, instead of a "
        "generated one (for a layer, model... param: the code making one); "
        "repeat for more.",
    ),
]


def _backend_option(help: str, show_default: str):
    """--backend tensorflow|jax|torch, as each command takes it."""
    return typer.Option(
        metavar="tensorflow|jax|torch", help=help, show_default=show_default
    )


_PROJECT_BACKEND = "the project's backend, else KERAS_BACKEND, else tensorflow"


def _backend_here() -> str:
    """The backend when --backend is not given: the project's, else KERAS_BACKEND's."""
    project = find_project(Path.cwd())
    return default_backend(project.backend if project else None)


def _kind_command(kind: Kind):
    def command(
        name: Annotated[
            str,
            typer.Argument(
                metavar="NAME",
                help="Class name, CamelCase or snake_case.",
                show_default=False,
            ),
        ],
        param: Annotated[
            list[str] | None,
            typer.Option("--param", "-p", metavar="SPEC", help=_PARAM_HELP),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="Folder for the module.",
                show_default=f"in a project, src/PACKAGE/{kind.subpackage}; "
                "elsewhere, the current folder",
            ),
        ] = None,
        tests_dir: Annotated[
            Path | None,
            typer.Option(
                help="Folder for the test module.",
                show_default=f"in a project, tests/{kind.subpackage}; "
                "elsewhere, the --out folder",
            ),
        ] = None,
        no_tests: Annotated[
            bool, typer.Option("--no-tests", help="Write no test module.")
        ] = False,
        package: Annotated[
            str | None,
            typer.Option(
                help="Package the class is registered under: PACKAGE>ClassName.",
                show_default=f"the project's package, or {DEFAULT_PACKAGE}",
            ),
        ] = None,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run", help="Show every file it would write; write nothing."
            ),
        ] = False,
        stdout: Annotated[
            bool,
            typer.Option("--stdout", help="Print the module's source; write nothing."),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", "-f", help="Overwrite files that differ.")
        ] = False,
        explain: Annotated[
            bool | None,
            typer.Option(
                "--explain/--no-explain",
                help="Comment each piece of the module: what it does and why.",
                show_default="the project's explain setting, or no",
            ),
        ] = None,
        style: Annotated[
            str,
            typer.Option(
                metavar="|".join(kind.styles),
                help=_style_help(kind),
            ),
        ] = kind.default_style,
        input: _Inputs = None,
        target: _Target = None,
        stochastic: _Stochastic = False,
        per_batch: _PerBatch = False,
        metric: _Metrics = None,
        sample: _Samples = None,
        imports: Annotated[
            list[str] | None,
            typer.Option(
                "--import",
                metavar="STATEMENT",
                help="An import the module's code needs, such as 'import math'; "
                "repeat for more.",
            ),
        ] = None,
        base: Annotated[
            list[str] | None,
            typer.Option(
                "--base",
                metavar="NAME=VALUE",
                help="A new default for a base argument, such as reduction=none; "
                "repeat for more.",
            ),
        ] = None,
        backend: Annotated[
            str | None,
            _backend_option(
                "The Keras backend a model's train_step and test_step are written "
                "for; the other kinds run on every backend and ignore it.",
                _PROJECT_BACKEND,
            ),
        ] = None,
    ) -> None:
        if dry_run and stdout:
            raise KgenError("--dry-run and --stdout do not go together; choose one")
        request = Request(
            kind.name,
            name,
            tuple(param or ()),
            package=package,
            style=style,
            explain=explain,
            test=_test_table(input, target, stochastic, per_batch, metric, sample),
            imports=tuple(imports or ()),
            base_defaults=dict(parse_assignment(b, "--base") for b in base or ()),
            out=out,
            tests_dir=tests_dir,
            with_tests=not no_tests,
            backend=backend,
        )
        if stdout:  # the module alone: no folder, export or manifest is looked at
            spec = spec_of(request, find_project(Path.cwd()))
            typer.echo(module_source(spec), nl=False)
            return
        _apply(plan_requests([request], Path.cwd()), force=force, dry_run=dry_run)

    command.__doc__ = f"Generate {kind.summary}."
    return command


def _test_table(inputs, target, stochastic, per_batch, metrics, samples) -> dict:
    """The test options as a build spec's [component.test] table: one validation for both."""
    table: dict[str, object] = {}
    if inputs:
        table["inputs"] = inputs
    if target is not None:
        table["target"] = target
    if stochastic:
        table["stochastic"] = True
    if per_batch:
        table["per_sample"] = False
    if metrics:
        table["metrics"] = metrics
    if samples:
        table["samples"] = dict(map(parse_sample, samples))
    return table


for _kind in KINDS.values():
    app.command(
        _kind.name,
        epilog=_examples(_kind.examples),
        no_args_is_help=True,
    )(_kind_command(_kind))


@app.command(
    no_args_is_help=True,
    epilog=_examples(
        [
            "kgen build generated_examples/examples.toml --force",
            "kgen build generated_examples/examples.toml --check",
        ]
    ),
)
def build(
    spec_file: Annotated[
        Path,
        typer.Argument(metavar="SPEC.toml", help="TOML file of [[component]] tables."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Folder to write to.", show_default="the spec's folder"
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; fail, naming the files, if any differ."
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite files that differ.")
    ] = False,
) -> None:
    """Generate every component listed in a TOML spec (bodies included), or --check them."""
    from kgen.build import plan_build  # only this command reads TOML

    plan = plan_build(spec_file, out)
    if check:
        files = plan.files()
        # A support file of the user's own (skip) is theirs to keep, not out of date.
        actions = plan_actions(files)
        stale = [a.path for a in actions if a.verb not in ("identical", "skip")]
        if stale:
            raise KgenError(
                f"out of date: {', '.join(map(str, stale))} (run: kgen build {spec_file} --force)"
            )
        typer.echo(f"{len(files)} files up to date")
        return
    _apply(plan, force=force, dry_run=False)


@app.command(
    no_args_is_help=True,
    epilog=_examples(
        [
            "kgen check student.py",
            "kgen check src/demo --heavy",
            "kgen check keras.losses:Huber",
            "kgen check submissions/ --json > results.json",
            "kgen check submissions/ --json-lines --timeout 120 > results.jsonl",
            "kgen check my_layer.py --backend tensorflow,jax,torch",
            "kgen check my_layer.py:SimpleDense --write",
        ]
    ),
)
def check(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="TARGET...",
            help="A .py file, a folder or package, or a dotted module; TARGET:Name "
            "for one component.",
            show_default=False,
        ),
    ],
    heavy: Annotated[
        bool,
        typer.Option(
            "--heavy",
            help="The heavy contracts too: a fresh process, XLA, two devices, mixed "
            "precision.",
        ),
    ] = False,
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            metavar="tensorflow,jax,torch",
            help="The Keras backends to check on, each in processes of its own, "
            "separated by commas (default: the project's [tool.kgen] backend, else "
            "KERAS_BACKEND, else tensorflow).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON, for programs: one record per file (README)."
        ),
    ] = False,
    json_lines: Annotated[
        bool,
        typer.Option(
            "--json-lines",
            help="Print JSON Lines: each file's record as soon as it is checked, "
            "then a summary (README).",
        ),
    ] = False,
    timeout: Annotated[
        int,
        typer.Option(
            metavar="SECONDS",
            min=1,
            help="Wall-clock time each file's checking may take (a package's files "
            "share theirs); it then fails.",
        ),
    ] = DEFAULT_TIMEOUT,
    memory: Annotated[
        int,
        typer.Option(
            metavar="GB",
            min=1,
            help="Memory (address space) each checking process may take.",
        ),
    ] = DEFAULT_MEMORY,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write each component's test module beside its module, as "
            "generating does; run nothing.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", "-f", help="With --write: overwrite files that differ."
        ),
    ] = False,
    profiles: Annotated[
        Path | None,
        typer.Option(
            "--profiles",
            metavar="SPEC.toml",
            help="A build spec: each component's test profile by its name (its "
            "[component.test] table) and, with [assignment], what each file must "
            "define.",
        ),
    ] = None,
    input: _Inputs = None,
    target: _Target = None,
    stochastic: _Stochastic = False,
    per_batch: _PerBatch = False,
    metric: _Metrics = None,
    sample: _Samples = None,
) -> int:
    """Run kgen's contract tests on components it did not write: hand-written ones,
    Keras's own, a student's. Exit status 0 only when every contract passes."""
    import json

    from kgen.assignment import hold, read_assignment, skipped_records
    from kgen.backends import parse_backends, require_installed
    from kgen.check_report import (
        all_passed,
        all_written,
        json_report,
        json_summary,
        text_report,
    )
    from kgen.checking import resolve, run, unknown_samples, written_files
    from kgen.grades import add_grades
    from kgen.sandbox import Limits, warning

    if write and (json_output or json_lines):
        printed = "--json" if json_output else "--json-lines"
        raise KgenError(f"--write and {printed} do not go together; choose one")
    if json_output and json_lines:
        raise KgenError("--json and --json-lines do not go together; choose one")
    if force and not write:
        raise KgenError(
            "--force goes with --write: it overwrites test modules that differ"
        )
    backends = [_backend_here()] if backend is None else parse_backends(backend)
    if write and len(backends) > 1:
        raise KgenError(
            "--write writes one test module per component: give one --backend"
        )
    for each in backends:
        require_installed(each)
    table = _test_table(input, target, stochastic, per_batch, metric, sample)
    check_table(table)
    # Stopped by a grader's timeout (SIGTERM): stop the checking processes too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    by_name, required = {}, None
    if profiles is not None:
        from kgen.checking import profiles_in

        by_name = profiles_in(profiles)
        required = read_assignment(profiles)
    skipped: list[str] = []
    units = resolve(targets, skipped)
    modules = [unit.label for unit in units if unit.file is None]
    if write and modules:
        raise KgenError(
            "--write puts each test module beside its component's file: give a .py "
            f"file or a folder, not the module {modules[0]}"
        )
    if (alone := warning()) is not None:
        typer.echo(alone, err=True)
    printing = threading.Lock()

    def done(records: list[dict]) -> None:
        """Each batch's records as it ends: held against the assignment, graded and,
        for --json-lines, printed (they survive an interrupted run)."""
        if write:
            return
        if required is not None:
            hold(records, required)
        add_grades(records)
        if json_lines:
            with printing:
                for record in records:
                    typer.echo(json.dumps(record))
                sys.stdout.flush()

    records = run(
        units,
        table,
        heavy=heavy,
        write=write,
        profiles=by_name,
        limits=Limits(timeout, memory),
        done=done,
        backends=backends,
    )
    for name in unknown_samples(records, table.get("samples", {})):
        typer.echo(
            f"kgen: warning: --sample {name}: no component checked has that param; "
            "it is ignored",
            err=True,
        )
    if write:
        _apply(Plan(written_files(records)), force=force, dry_run=False)
        return 0 if all_written(records) else 1
    if required is not None:  # the files left out by their names fail it
        left_out = skipped_records(skipped, backends)
        skipped = []
        done(left_out)
        records += left_out
    if json_output:
        typer.echo(json.dumps(json_report(records, skipped), indent=2))
    elif json_lines:
        typer.echo(json.dumps(json_summary(records, skipped)))
    else:
        typer.echo(text_report(records, skipped))
    return 0 if all_passed(records) else 1


@app.command(
    no_args_is_help=True,
    epilog=_examples(
        [
            "kgen explain layer",
            "kgen explain loss --style function",
            "kgen explain model --backend jax",
        ]
    ),
)
def explain(
    kind: Annotated[
        str,
        typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}."),
    ],
    style: Annotated[
        str | None,
        typer.Option(
            metavar="class|function|functional", help="The style to walk through."
        ),
    ] = None,
    backend: Annotated[
        str | None,
        _backend_option(
            "A model's steps on this backend; the other kinds are the same on all.",
            _PROJECT_BACKEND,
        ),
    ] = None,
) -> None:
    """Walk through a kind: its pieces in the order Keras calls them, what each must return,
    and the usual mistakes with what Keras then does."""
    from kgen.explanations import walkthrough

    the_kind = kind_named(kind)
    backend = check_backend(backend or _backend_here(), "--backend")
    typer.echo(walkthrough(kind, the_kind.style_named(style), backend))


@app.command(
    "new",
    no_args_is_help=True,
    epilog=_examples(
        [
            "kgen new demo",
            'kgen new my-components --package mycomp --author "Ada Lovelace"',
            "kgen new demo --backend jax",
        ]
    ),
)
def new(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="The project: its folder and distribution name."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to create the project in.")
    ] = Path("."),
    package: Annotated[
        str | None,
        typer.Option(
            help="The import name of its package.",
            show_default="NAME in snake_case",
        ),
    ] = None,
    description: Annotated[
        str, typer.Option(help="One line for pyproject.toml and the README.")
    ] = "",
    author: Annotated[str, typer.Option(help="The author's name.")] = "",
    email: Annotated[str, typer.Option(help="The author's email.")] = "",
    backend: Annotated[
        str | None,
        _backend_option(
            "The Keras backend its tests install and its models are written for.",
            "KERAS_BACKEND, else tensorflow",
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option("--interactive", "-i", help="Ask for what the options leave out."),
    ] = False,
) -> None:
    """Start a package of Keras components: pyproject.toml, a subpackage per kind, tests,
    README. Inside it, kgen KIND NAME puts each component in place."""
    from kgen.skeleton import (
        create_project,
        default_description,
        default_package,
        make_project,
    )

    if interactive and sys.stdin is None:  # `<&-`: input() would raise RuntimeError
        raise KgenError("--interactive asks on stdin, which is closed")
    if interactive:  # cookiecutter's questions, with kgen's defaults
        if package is None:
            package = typer.prompt("package", default=default_package(name))
        description = description or typer.prompt(
            "description", default=default_description(package)
        )
        author = author or typer.prompt("author", default="", show_default=False)
        email = email or typer.prompt("email", default="", show_default=False)
        if backend is None:
            backend = typer.prompt("backend", default=default_backend())
    project = make_project(name, package, description, author, email, backend)
    for path in create_project(project, out):
        _echo_action(Action("create", path))
    root = out / project.name
    typer.echo(f"\nNext:\n  cd {root}\n  {project.install_command}\n  python -m pytest")


@app.command(
    no_args_is_help=True,
    epilog=_examples(
        ["kgen destroy loss Huber", "kgen destroy layer SimpleDense --force"]
    ),
)
def destroy(
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}.")
    ],
    name: Annotated[str, typer.Argument(metavar="NAME", help="As it was generated.")],
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Remove files even if edited since."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what it would do; change nothing.")
    ] = False,
) -> None:
    """Take back a component generated in this project: its files, the folders made for
    them, its export. Refuses if a file was edited since, unless --force."""
    from kgen.destroy import plan_destroy

    project = require_project(Path.cwd(), "destroy")
    if dry_run:
        for action in plan_actions(plan_destroy(project, kind, name, force=force)[0]):
            _echo_action(action)
        typer.echo("dry run: nothing was changed")
        return
    _apply_in_project(
        project, lambda: plan_destroy(project, kind, name, force=force), force=False
    )


@app.command(
    no_args_is_help=True,
    epilog=_examples(["kgen eject loss", "kgen eject layer --shared"]),
)
def eject(
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}.")
    ],
    shared: Annotated[
        bool,
        typer.Option(
            "--shared",
            help="Also copy the templates every kind shares (_module.py.j2, ...).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Overwrite templates that differ."),
    ] = False,
) -> None:
    """Copy a kind's templates into the project's templates folder ([tool.kgen]
    templates), where they win over kgen's own: edit them to change what it generates.
    """
    from kgen.eject import plan_eject

    project = require_project(Path.cwd(), "eject")
    files = plan_eject(project, kind, shared)
    _apply_in_project(project, lambda: (files, []), force=force)


@app.command("list", epilog=_examples(["kgen list", "kgen list --json"]))
def list_kinds(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON, for programs.")
    ] = False,
) -> None:
    """Each kind: its base class, the methods it generates, the param types it takes."""
    import json

    from kgen.listing import kinds_table, kinds_text

    table = kinds_table()
    if json_output:
        typer.echo(json.dumps({"kinds": table}, indent=2))
    else:
        typer.echo(kinds_text(table))


def _exit_on_signal(number: int, frame: object) -> None:
    raise SystemExit(128 + number)


def _apply(plan: Plan, *, force: bool, dry_run: bool) -> None:
    if dry_run:
        files = plan.files()
        for file, action in zip(files, plan_actions(files, force=force), strict=True):
            _echo_action(action)
            if action.verb != "identical" and file.content is not None:
                typer.echo(file.content)
        typer.echo("dry run: nothing was written")
        return
    for action in plan.apply(force=force):
        _echo_action(action)


def _apply_in_project(project: Project, make_plan, *, force: bool) -> None:
    """Plan and write under the project's lock, as one transaction (kgen.transaction)."""
    from kgen.transaction import apply_in_project

    for action in apply_in_project(project.root, make_plan, force=force):
        _echo_action(action)


_COLOURS = {
    "create": "green",
    "overwrite": "yellow",
    "update": "yellow",
    "identical": "blue",
    "skip": "yellow",
    "remove": "red",
}


def _echo_action(action: Action) -> None:
    """`   create  huber.py`, the verb coloured on a terminal (plain when piped, and with
    NO_COLOR or TERM=dumb); paths
    below the current folder are shown relative to it."""
    path = action.path
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    verb = f"{action.verb:>9}"
    if _colour_wanted():
        verb = typer.style(verb, fg=_COLOURS.get(action.verb))
    typer.echo(f"{verb}  {path}")


def _colour_wanted() -> bool:
    """No colour where the user asks for none: NO_COLOR (no-color.org) or a dumb terminal."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


# A full device, a closed pipe, a lost terminal: the errors of a stdout that cannot be written.
_BROKEN_OUTPUT = {errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EBADF, errno.EDQUOT}


def _check_utf8(arguments: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which no file can hold."""
    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            raise KgenError(f"{argument!r} is not UTF-8 text") from None


def _unforeseen(error: OSError) -> str:
    """`path: reason`; without a path, the one kgen can name: a current folder since
    deleted."""
    if error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    try:
        os.getcwd()
    except OSError:
        return f"the current folder: {error.strerror} (deleted since the shell entered it?)"
    return error.strerror or str(error)


def main() -> None:
    """Console entry point: usage errors, too, become one line instead of a usage screen,
    and every failure exits 1."""
    if sys.stdout is None:  # `kgen ... >&-`: refused before a file could take its place
        if sys.stderr is not None:
            sys.stderr.write("kgen: error: stdout is closed; give it somewhere to go\n")
        sys.exit(1)
    try:
        _check_utf8(sys.argv[1:])
        code = app(standalone_mode=False)
        sys.stdout.flush()  # here, so that a full or closed stdout is reported below
    except KgenError as error:  # the one error type of the library
        typer.echo(f"kgen: error: {error}", err=True)
        sys.exit(1)
    except OSError as error:
        if error.errno not in _BROKEN_OUTPUT:  # a path kgen did not foresee: one line
            typer.echo(f"kgen: error: {_unforeseen(error)}", err=True)
            sys.exit(1)
        # As git does: what was to be written is written; only the report failed.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        with contextlib.suppress(OSError):
            typer.echo(
                f"kgen: error: cannot write to stdout: {error.strerror}", err=True
            )
        sys.exit(1)
    except typer.Abort:  # a prompt of `kgen new -i`, at the end of stdin or Ctrl-C
        typer.echo("kgen: error: no answer: stdin ended, or Ctrl-C", err=True)
        sys.exit(1)
    except typer.TyperException as error:  # Click's usage errors, as Typer vendors them
        if type(error).__name__ == "NoArgsIsHelpError":  # `kgen`, `kgen loss`: the help
            typer.echo(error.format_message())
        else:
            typer.echo(f"kgen: error: {error.format_message()}", err=True)
        sys.exit(1)  # not Click's 2: one status for every way kgen refuses
    sys.exit(code if isinstance(code, int) else 0)
