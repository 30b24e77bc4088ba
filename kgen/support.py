"""The files every test folder shares (conftest.py, kgen_harness.py): written once, then
kept up to date while they are kgen's own.

Each starts with a stamp line holding the digest of the rest. A file whose stamp still
matches is unedited, so a newer kgen replaces it (its test modules may need the newer
harness); a file the user edited, or one without a stamp, is theirs and is kept.
"""

import hashlib
import re
from pathlib import Path

from kgen.paths import read_text
from kgen.render import render_support
from kgen.writer import PlannedFile

SUPPORT_FILES = (
    ("conftest.py", "_conftest.py.j2"),
    ("kgen_harness.py", "_harness.py.j2"),
)
_STAMP = "# kgen updates this file while it is unedited (digest {}).\n"
_STAMPED = re.compile(re.escape(_STAMP).replace(r"\{\}", "([0-9a-f]{16})"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stamped(content: str) -> str:
    return _STAMP.format(_digest(content)) + content


def unedited(text: str) -> bool:
    """Whether `text` is a support file as kgen wrote it, whatever kgen's version."""
    found = _STAMPED.match(text)
    return bool(found) and found[1] == _digest(text[found.end() :])


def support_contents(user_templates: Path | None = None) -> dict[str, str]:
    """Each support file's name and content, stamped."""
    return {
        name: stamped(render_support(template, user_templates))
        for name, template in SUPPORT_FILES
    }


def planned_support(
    folder: Path, user_templates: Path | None = None
) -> list[PlannedFile]:
    """The support files of the test folder `folder`: created, updated while unedited,
    else kept."""
    planned = []
    for name, content in support_contents(user_templates).items():
        path = folder / name
        ours = path.is_file() and unedited(read_text(path))
        planned.append(
            PlannedFile(path, content, existing="update" if ours else "keep")
        )
    return planned
