"""`kgen build SPEC.toml`: generate every component listed in a TOML file, or check them."""

from pathlib import Path

from kgen.assignment import assignment_in
from kgen.errors import KgenError
from kgen.request import Plan, Request, plan_requests, spec_of
from kgen.tomlfile import parse_toml

_TOP_KEYS = {"package", "component", "assignment"}  # assignment: kgen check's
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
    "test",
    "extra",
    "module_extra",
    "signatures",
    "imports",
    "base_defaults",
    "backend",
}


def plan_build(spec_file: Path, out: Path | None = None) -> Plan:
    """Every file the spec describes, rendered. Inside a project the components are placed
    in it, as `kgen KIND NAME` places them; elsewhere they go to `out`, by default the
    spec's own folder."""
    requests = read_requests(spec_file, out)
    try:
        return plan_requests(requests, spec_file.parent)
    except KgenError as error:
        raise KgenError(f"{spec_file}: {error}") from None


def read_requests(spec_file: Path, out: Path | None = None) -> list[Request]:
    """The spec's components, each checked."""
    try:
        text = spec_file.read_text(encoding="utf-8")
    except OSError as error:
        raise KgenError(f"cannot read {spec_file}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise KgenError(f"{spec_file}: not valid TOML: {error}") from None
    data = parse_toml(text, str(spec_file))
    _reject_unknown(data, _TOP_KEYS, str(spec_file))
    if not isinstance(data.get("package", ""), str):
        raise KgenError(f"{spec_file}: package must be a string")
    components = data.get("component", [])
    if not isinstance(components, list) or not components:
        raise KgenError(f"{spec_file}: no [[component]] tables")
    requests = []
    for index, entry in enumerate(components, start=1):
        name = entry.get("name", "?") if isinstance(entry, dict) else "?"
        where = f"{spec_file}: component {index} ({name})"
        _reject_unknown(entry, _COMPONENT_KEYS, where)
        get = _Getter(entry, where)
        request = Request(
            get("kind", str, ""),
            get("name", str, ""),
            tuple(get("params", list, [])),
            package=get("package", str, data.get("package", "")) or None,
            summary=get("summary", str, ""),
            docs=get("docs", dict, {}),
            bodies=get("bodies", dict, {}),
            input_shape=get("input_shape", str, ""),
            output_shape=get("output_shape", str, ""),
            style=get("style", str, "") or None,
            explain=get("explain", bool, None),
            reference=get("reference", str, ""),
            test=_table(entry.get("test", {}), f"{where}: test"),
            extra=get("extra", str, ""),
            module_extra=get("module_extra", str, ""),
            signatures=get("signatures", dict, {}),
            imports=tuple(get("imports", list, [])),
            base_defaults=_table(
                entry.get("base_defaults", {}), f"{where}: base_defaults"
            ),
            out=out,
            backend=get("backend", str, "") or None,
            backend_from_environment=False,  # a checked-in spec: not the shell's
        )
        try:
            spec_of(request, None)  # each component's own mistakes, named by where
        except KgenError as error:
            raise KgenError(f"{where}: {error}") from None
        requests.append(request)
    assignment_in(data, spec_file)  # kgen check's, refused here too when wrong
    return requests


def _reject_unknown(table: object, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise KgenError(f"{where}: expected a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise KgenError(
            f"{where}: unknown keys {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}"
        )


def _table(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise KgenError(f"{where} must be a table")
    return value


class _Getter:
    """Read a key of a component table, refusing a value of the wrong TOML type."""

    def __init__(self, table: dict, where: str) -> None:
        self.table, self.where = table, where

    def __call__(self, key: str, kind: type, default: object) -> object:
        value = self.table.get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, kind):
            raise KgenError(f"{self.where}: {key} must be {_TOML_TYPES[kind]}")
        if kind is dict:  # a key the table swallowed: written after [component.KEY]
            for name, item in value.items():
                if not isinstance(item, str):
                    raise KgenError(
                        f"{self.where}: {key}.{name} must be a string (a key after "
                        f"[component.{key}] belongs to that table)"
                    )
        elif kind is list and not all(isinstance(v, str) for v in value):
            raise KgenError(f"{self.where}: {key} must be {_TOML_TYPES[kind]}")
        return value


_TOML_TYPES = {
    str: "a string",
    bool: "true or false",
    list: "a list of strings",
    dict: "a table of strings",
}
