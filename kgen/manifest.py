"""`kgen-manifest.json`: what generating wrote in a project, so that `kgen destroy` can take
back exactly that, and see whether a file was edited since (by its SHA-256).

The manifest is kept in git, so it may come from anyone: it is checked on every read
against the shape kgen writes, and each path in it must stay inside the project.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kgen.errors import KgenError
from kgen.paths import confined, read_text
from kgen.profile import KEYS as PROFILE_KEYS
from kgen.project import Project

MANIFEST = "kgen-manifest.json"
_KEY = re.compile(r"[a-z]+/[a-z_][a-z0-9_]*\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_RECORD_KEYS = {"files", "folders", "export", "registered", "test"}


@dataclass(frozen=True)
class Record:
    """One generated component: its files with their hashes, the folders generating made,
    its export and the name Keras registers it under, paths relative to the root."""

    files: dict[str, str]
    folders: tuple[str, ...] = ()
    export_file: str | None = None
    export: str | None = None
    registered: str | None = None  # "demo>Huber"
    # Its test profile, as a build spec's [component.test] holds it; {}: the default.
    test: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = {"files": self.files, "folders": list(self.folders)}
        if self.export_file is not None:
            data["export"] = {"file": self.export_file, "statement": self.export}
        if self.registered is not None:
            data["registered"] = self.registered
        if self.test:
            data["test"] = self.test
        return data


def key(kind: str, module: str) -> str:
    return f"{kind}/{module}"


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def manifest_path(project: Project) -> Path:
    return project.root / MANIFEST


def read_manifest(project: Project) -> dict[str, Record]:
    path = confined(project.root, MANIFEST, MANIFEST)
    if not path.exists():
        return {}
    try:
        data = json.loads(read_text(path, MANIFEST))
    except ValueError as error:
        raise KgenError(
            f"{MANIFEST} is damaged ({error}); restore it from git"
        ) from None
    return _records(data, project.root)


def _records(data: object, root: Path) -> dict[str, Record]:
    """The records of a parsed manifest, refusing any value kgen would not have written."""
    where = MANIFEST
    _expect(isinstance(data, dict), where, "must be a JSON object")
    unknown = set(data) - {"about", "components"}
    _expect(not unknown, where, f"unknown keys {sorted(unknown)}")
    components = data.get("components")
    _expect(isinstance(components, dict), where, '"components" must be an object')
    records = {}
    for name, entry in components.items():
        where = f"{MANIFEST}: component {name!r}"
        _expect(bool(_KEY.match(name)), where, "is not KIND/module")
        _expect(isinstance(entry, dict), where, "must be an object")
        unknown = set(entry) - _RECORD_KEYS
        _expect(not unknown, where, f"unknown keys {sorted(unknown)}")
        files = entry.get("files")
        _expect(isinstance(files, dict), where, '"files" must be an object')
        for path, sha in files.items():
            confined(root, path, f"{where}: file")
            _expect(path.endswith(".py"), where, f"{path!r} is not a Python module")
            _expect(
                isinstance(sha, str) and bool(_SHA256.match(sha)),
                where,
                f"the hash of {path!r} is not a SHA-256",
            )
        folders = entry.get("folders", [])
        _expect(isinstance(folders, list), where, '"folders" must be a list')
        for folder in folders:
            confined(root, folder, f"{where}: folder")
        export = entry.get("export") or {}
        _expect(isinstance(export, dict), where, '"export" must be an object')
        if export:
            _expect(
                set(export) == {"file", "statement"},
                where,
                "export needs file, statement",
            )
            confined(root, export["file"], f"{where}: export file")
            _expect(
                export["file"].endswith("/__init__.py")
                and isinstance(export["statement"], str),
                where,
                "the export must be a statement in an __init__.py",
            )
        registered = entry.get("registered")
        _expect(
            registered is None or isinstance(registered, str),
            where,
            '"registered" must be a string',
        )
        test = entry.get("test", {})
        _expect(
            isinstance(test, dict) and set(test) <= set(PROFILE_KEYS),
            where,
            f'"test" must be an object of {", ".join(PROFILE_KEYS)}',
        )
        records[name] = Record(
            dict(files),
            tuple(folders),
            export.get("file"),
            export.get("statement"),
            registered,
            test,
        )
    return records


def _expect(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise KgenError(f"{where}: {problem}; kgen changes nothing while it is so")


def manifest_text(records: dict[str, Record]) -> str:
    data = {
        "about": "Written by kgen: what `kgen destroy` may remove. Keep it in git.",
        "components": {name: records[name].to_json() for name in sorted(records)},
    }
    return json.dumps(data, indent=2) + "\n"
