"""`kgen list`: what each kind generates, read from the code its templates render."""

import ast

from kgen.generate import template_of
from kgen.kinds import KINDS
from kgen.params import TYPES
from kgen.render import render
from kgen.spec import make_spec


def kinds_table() -> list[dict]:
    """Per kind: base class, project subpackage, styles, the methods (or functions) each
    style defines, the methods a build spec may give bodies for, and the param types."""
    return [
        {
            "kind": kind.name,
            "summary": kind.summary,
            "base": kind.base,
            "subpackage": kind.subpackage,
            "default_style": kind.default_style,
            "styles": {style: _defined(kind.name, style) for style in kind.styles},
            "bodies": list(kind.methods),
            "base_args": [arg.name for arg in kind.base_args],
            "param_types": list(TYPES),
        }
        for kind in KINDS.values()
    ]


def _defined(kind: str, style: str) -> list[str]:
    """The signatures of the class's methods, or of the module's functions (given one
    param, so that the function style shows its factory)."""
    spec = make_spec(kind, "Example", ["param=1.0"], style=style)
    tree = ast.parse(render(template_of(spec, 0), spec))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    body = classes[0].body if classes else tree.body
    functions = []
    for node in body:
        if isinstance(node, ast.FunctionDef):
            functions.append(node)
            functions += [n for n in node.body if isinstance(n, ast.FunctionDef)]
    return [f"{f.name}({_arguments(f.args)})" for f in functions]


def _arguments(args: ast.arguments) -> str:
    if args.args and args.args[0].arg == "self":
        args.args = args.args[1:]
    return ast.unparse(args)


def kinds_text(table: list[dict]) -> str:
    lines = []
    for row in table:
        lines.append(f"{row['kind']}: {row['summary']}")
        lines.append(f"  base class  {row['base']}")
        lines.append(f"  in project  src/<package>/{row['subpackage']}/")
        for style, defined in row["styles"].items():
            default = " (default)" if style == row["default_style"] else ""
            lines.append(f"  {style}{default} style")
            lines += [f"    {signature}" for signature in defined]
    lines.append("")
    lines.append(f"param types, every kind: {', '.join(TYPES)}")
    return "\n".join(lines)
