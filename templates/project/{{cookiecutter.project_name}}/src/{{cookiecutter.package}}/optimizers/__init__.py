"""The optimizers of {{ cookiecutter.package }}: one export per module, so that importing the package
registers them (kgen adds these lines; `X as X` marks a re-export)."""
