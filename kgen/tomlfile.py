"""TOML as kgen reads it (build specs, pyproject.toml): any failure is one line."""

import tomllib

from kgen.errors import KgenError


def parse_toml(text: str, where: str) -> dict:
    """The table `text` holds; a KgenError naming `where` if it is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KgenError(f"{where}: not valid TOML: {error}") from None
    except (
        RecursionError
    ):  # tomllib recurses once per level of nested arrays and tables
        raise KgenError(f"{where}: not valid TOML: nested too deeply") from None
