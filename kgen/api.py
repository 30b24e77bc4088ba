"""kgen from Python, for a notebook or a script: the same request pipeline as the command.

>>> from kgen.api import generate, sources
>>> print(sources("loss", "Huber", ["threshold=1.0"])["huber.py"])
>>> generate("loss", "Huber", ["threshold=1.0"], folder="components")
"""

from pathlib import Path

from kgen.generate import Target, plan
from kgen.request import Request, plan_requests, spec_of
from kgen.writer import Action


def generate(
    kind: str,
    name: str,
    params: list[str] | tuple[str, ...] = (),
    *,
    folder: str | Path = ".",
    force: bool = False,
    **options: object,
) -> list[Action]:
    """Write the component and its tests as `kgen KIND NAME` run in `folder` would (inside
    a project: placed, exported, recorded). `options` are the fields of `Request`:
    package, style, explain, summary, docs, bodies, out, tests_dir, with_tests, ...
    Returns what was done to each file; raises KgenError, with nothing written, on bad
    input or a file that differs (unless `force`)."""
    request = Request(kind, name, tuple(params), **options)
    return plan_requests([request], Path(folder)).apply(force=force)


def sources(
    kind: str, name: str, params: list[str] | tuple[str, ...] = (), **options: object
) -> dict[str, str]:
    """The module, its tests and their support files as strings, by file name; nothing
    is read from a project or written."""
    spec = spec_of(Request(kind, name, tuple(params), **options), None)
    return {file.path.name: file.content for file in plan(spec, Target(out=Path(".")))}
