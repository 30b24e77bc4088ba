"""`kgen destroy KIND NAME`: take back what generating wrote in a project, by its manifest.

The manifest's paths are checked on reading (kgen.manifest): all inside the project.
"""

from pathlib import Path

from kgen.errors import KgenError
from kgen.exports import without_export
from kgen.kinds import kind_named
from kgen.manifest import digest, key, manifest_path, manifest_text, read_manifest
from kgen.names import derive_names
from kgen.paths import read_text
from kgen.project import Project
from kgen.writer import PlannedFile


def plan_destroy(
    project: Project, kind: str, name: str, force: bool = False
) -> tuple[list[PlannedFile], list[Path]]:
    """The removals and updates that undo generating KIND NAME, and the folders generating
    made, to remove once they are empty. Refuses if a file was edited, unless `force`.
    Reads the project's state: call under the project's lock.
    """
    kind_named(kind)
    module = derive_names(name).module
    records = read_manifest(project)
    record = records.pop(key(kind, module), None)
    if record is None:
        raise KgenError(
            f"no {kind} {module!r} was generated in this project "
            f"({manifest_path(project).name} has no record of it; kgen records nothing "
            "it writes outside the project)"
        )
    present = [path for path in record.files if (project.root / path).is_file()]
    edited = [
        path
        for path in present
        if digest(read_text(project.root / path, path)) != record.files[path]
    ]
    if edited and not force:
        raise KgenError(
            f"{', '.join(edited)} changed since kgen generated it; "
            "keep your work, or remove it anyway with --force"
        )
    files = [PlannedFile(project.root / path, None) for path in present]
    if record.export_file is not None and record.export is not None:
        init = project.root / record.export_file
        if init.is_file():
            source = read_text(init, record.export_file)
            files.append(
                PlannedFile(
                    init, without_export(source, record.export), existing="update"
                )
            )
    files.append(
        PlannedFile(manifest_path(project), manifest_text(records), existing="update")
    )
    return files, [project.root / folder for folder in record.folders]
