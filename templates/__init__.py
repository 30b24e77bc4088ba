"""kgen's built-in Jinja2 templates: `_module.py.j2` and `_test.py.j2`, extended per kind."""
