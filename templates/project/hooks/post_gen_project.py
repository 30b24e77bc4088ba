"""One subpackage per kind of component, as `_subpackages` names them; kgen passes its kinds."""

from pathlib import Path

PACKAGE = {{ cookiecutter.package | jsonify }}
SUBPACKAGES = {{ cookiecutter._subpackages.split() | jsonify }}
DOC = '''"""The {subpackage} of {package}: one export per module, so that importing the package
registers them (kgen adds these lines; `X as X` marks a re-export)."""
'''

for subpackage in SUBPACKAGES:
    folder = Path("src", PACKAGE, subpackage)
    folder.mkdir()
    (folder / "__init__.py").write_text(DOC.format(subpackage=subpackage, package=PACKAGE))
