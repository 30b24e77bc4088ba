"""`kgen build SPEC.toml`: generate every component listed in a TOML file, or check them."""

import tomllib
from collections import Counter
from pathlib import Path

from kgen.errors import KgenError
from kgen.generate import Target
from kgen.parallel import plan_each
from kgen.spec import DEFAULT_PACKAGE, make_spec
from kgen.writer import PlannedFile

_TOP_KEYS = {"package", "component"}
_COMPONENT_KEYS = {
    "kind",
    "name",
    "params",
    "package",
    "summary",
    "docs",
    "bodies",
    "input_shape",
    "output_shape",
    "style",
    "explain",
    "reference",
}


def plan_build(spec_file: Path, out: Path | None = None) -> list[PlannedFile]:
    """Every file the spec describes, rendered; `out` defaults to the spec's own folder."""
    try:
        data = tomllib.loads(spec_file.read_text(encoding="utf-8"))
    except OSError as error:
        raise KgenError(f"cannot read {spec_file}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KgenError(f"{spec_file}: not valid TOML: {error}") from None
    _reject_unknown(data, _TOP_KEYS, str(spec_file))
    if not isinstance(data.get("package", DEFAULT_PACKAGE), str):
        raise KgenError(f"{spec_file}: package must be a string")
    components = data.get("component", [])
    if not isinstance(components, list) or not components:
        raise KgenError(f"{spec_file}: no [[component]] tables")
    target = Target(out=out if out is not None else spec_file.parent)
    specs = []
    for index, entry in enumerate(components, start=1):
        where = f"{spec_file}: component {index} ({entry.get('name', '?')})"
        _reject_unknown(entry, _COMPONENT_KEYS, where)
        get = _Getter(entry, where)
        try:
            spec = make_spec(
                get("kind", str, ""),
                get("name", str, ""),
                get("params", list, []),
                get("package", str, data.get("package", DEFAULT_PACKAGE)),
                summary=get("summary", str, ""),
                param_docs=get("docs", dict, {}),
                bodies=get("bodies", dict, {}),
                input_shape=get("input_shape", str, ""),
                output_shape=get("output_shape", str, ""),
                style=get("style", str, "") or None,
                explain=get("explain", bool, False),
                reference=get("reference", str, ""),
            )
        except KgenError as error:
            raise KgenError(f"{where}: {error}") from None
        specs.append(spec)
    # Components may share a file (conftest.py): each file once, in order.
    files = list(dict.fromkeys(f for each in plan_each(specs, target) for f in each))
    written = Counter(str(f.path) for f in files)
    duplicates = sorted(path for path, count in written.items() if count > 1)
    if duplicates:
        raise KgenError(f"{spec_file}: two components write {', '.join(duplicates)}")
    return files


def _reject_unknown(table: object, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise KgenError(f"{where}: expected a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise KgenError(
            f"{where}: unknown keys {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


class _Getter:
    """Read a key of a component table, refusing a value of the wrong TOML type."""

    def __init__(self, table: dict, where: str) -> None:
        self.table, self.where = table, where

    def __call__(self, key: str, kind: type, default: object) -> object:
        value = self.table.get(key, default)
        items = value.values() if isinstance(value, dict) else value
        if not isinstance(value, kind) or (
            kind in (list, dict) and not all(isinstance(v, str) for v in items)
        ):
            raise KgenError(f"{self.where}: {key} must be {_TOML_TYPES[kind]}")
        return value


_TOML_TYPES = {
    str: "a string",
    bool: "true or false",
    list: "a list of strings",
    dict: "a table of strings",
}
