"""`kgen-manifest.json`: what generating wrote in a project, so that `kgen destroy` can take
back exactly that, and see whether a file was edited since (by its SHA-256)."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kgen.errors import KgenError
from kgen.project import Project

MANIFEST = "kgen-manifest.json"


@dataclass(frozen=True)
class Record:
    """One generated component: its files with their hashes, the folders generating made,
    and its export, all relative to the project's root."""

    files: dict[str, str]
    folders: tuple[str, ...] = ()
    export_file: str | None = None
    export: str | None = None

    def to_json(self) -> dict:
        data = {"files": self.files, "folders": list(self.folders)}
        if self.export_file is not None:
            data["export"] = {"file": self.export_file, "statement": self.export}
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        export = data.get("export") or {}
        return cls(
            files=dict(data["files"]),
            folders=tuple(data.get("folders", ())),
            export_file=export.get("file"),
            export=export.get("statement"),
        )


def key(kind: str, module: str) -> str:
    return f"{kind}/{module}"


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def manifest_path(project: Project) -> Path:
    return project.root / MANIFEST


def read_manifest(project: Project) -> dict[str, Record]:
    path = manifest_path(project)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Record.from_json(entry) for name, entry in data["components"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise KgenError(f"{path} is damaged ({error}); restore it from git") from None


def manifest_text(records: dict[str, Record]) -> str:
    data = {
        "about": "Written by kgen: what `kgen destroy` may remove. Keep it in git.",
        "components": {name: records[name].to_json() for name in sorted(records)},
    }
    return json.dumps(data, indent=2) + "\n"
