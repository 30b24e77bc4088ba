"""A folder of text keyed by a hash, shared by every kgen command of the user.

The folder is `$KGEN_CACHE_DIR`, else the user's cache folder (`~/.cache/kgen` on Linux,
which honours `XDG_CACHE_HOME`). An entry is written to a temporary file beside it, then
renamed into place, so that a reader, even one in another process, sees all of it or
nothing; it starts with the SHA-256 of its text, so that one damaged since is ignored. The
cache may speed a command up, never stop it: an entry that cannot be read is a miss, and
one that cannot be written is not written.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

CACHE_DIR_VARIABLE = "KGEN_CACHE_DIR"


def cache_dir() -> Path:
    folder = os.environ.get(CACHE_DIR_VARIABLE)
    if folder:
        return Path(folder)
    import platformdirs  # only when needed: a few milliseconds

    return Path(platformdirs.user_cache_dir("kgen", appauthor=False))


def key(*parts: str) -> str:
    """The hex SHA-256 of the parts, each length-prefixed so that no two lists collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(b"%d:" % len(data) + data)
    return digest.hexdigest()


def read(section: str, entry: str) -> str | None:
    """The text stored under `entry`, or None if there is none or it is damaged."""
    try:
        data = (cache_dir() / section / entry).read_bytes()
        checksum, _, text = data.partition(b"\n")
        if checksum.decode("ascii") != hashlib.sha256(text).hexdigest():
            return None
        return text.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write(section: str, entry: str, text: str) -> None:
    """Store `text` under `entry`, atomically; do nothing if the folder is not writable."""
    data = text.encode("utf-8")
    folder = cache_dir() / section
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{entry}.")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data)
        os.replace(temporary, folder / entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
