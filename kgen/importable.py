"""The top-level modules a generated module must not shadow.

A module written into a folder shadows, for every test run from that folder, any module of the
same name that the generated code or its tests import, directly or through their dependencies:
the standard library, and the top-level modules of keras, numpy, pytest, the backends
(tensorflow, jax, torch: refused whether installed or not) and every distribution they require. The set is read from the installed distributions' metadata (nothing
is imported) and kept in kgen's cache folder (kgen.cache), since reading it costs about 80 ms.
"""

import json
import os
import re
import sys

from kgen import cache

ROOTS = ("keras", "tensorflow", "jax", "torch", "numpy", "pytest")
# Refused even where not installed: a project moves between machines and backends.
_BACKEND_MODULES = frozenset({"tensorflow", "jax", "jaxlib", "torch"})
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NOT_MODULES = (".dist-info", ".data", ".egg-info")


def shadowable_modules() -> frozenset[str]:
    """Every top-level module a generated module or its test may import, indirectly too."""
    return frozenset(sys.stdlib_module_names) | _BACKEND_MODULES | _required_modules()


def _required_modules() -> frozenset[str]:
    entry = cache.key(json.dumps(_cache_key()))
    cached = cache.read("modules", entry)
    if cached is not None:
        return frozenset(cached.split())
    modules = _read_required_modules(ROOTS)
    cache.write("modules", entry, "\n".join(sorted(modules)))
    return modules


def _read_required_modules(roots: tuple[str, ...]) -> frozenset[str]:
    """The top-level modules of `roots` and all they require, transitively (extras left out)."""
    from importlib import metadata

    seen, todo, modules = set(), list(roots), set()
    while todo:
        name = todo.pop()
        normalized = re.sub(r"[-_.]+", "-", name).lower()
        if normalized in seen:
            continue
        seen.add(normalized)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:  # required on another platform only
            continue
        modules |= _top_level_modules(distribution)
        for requirement in distribution.requires or ():
            text, _, marker = requirement.partition(";")
            if "extra" not in marker:
                todo.append(_REQUIREMENT_NAME.match(text.strip()).group())
    return frozenset(modules)


def _top_level_modules(distribution) -> set[str]:
    """From top_level.txt where there is one, else from the files the RECORD lists."""
    listed = distribution.read_text("top_level.txt")
    if listed is not None:
        return set(listed.split())
    modules = set()
    for line in (distribution.read_text("RECORD") or "").splitlines():
        first, slash, _ = line.partition("/")
        if slash:
            if not first.endswith(_NOT_MODULES) and first not in ("..", "__pycache__"):
                modules.add(first)
        else:
            stem, _, suffix = first.partition(",")[0].partition(".")
            if suffix.endswith(("py", "so", "pyd")):
                modules.add(stem)
    return modules


def _cache_key() -> list:
    """The interpreter and every folder of sys.path with its modification time, which
    changes when a distribution is installed or removed there. sys.path[0], the script's
    or the current folder, holds no distributions."""

    def mtime(folder: str) -> int | None:
        try:
            return os.stat(folder).st_mtime_ns
        except OSError:
            return None

    return [sys.version, sys.prefix, [[p, mtime(p)] for p in sys.path[1:]]]
