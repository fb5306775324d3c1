"""Print the longest modules and functions of a package, by lines (for reviews of the code's shape).

Usage: python scripts/longest.py [PACKAGE_DIR] [--top N]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def sizes(package: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(lines, module) and (lines, module:function) for every module and function under ``package``."""
    modules, functions = [], []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(package.parent).as_posix()
        modules.append((len(text.splitlines()), name))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                functions.append((node.end_lineno - node.lineno + 1, f"{name}:{node.name}"))
    return sorted(modules, reverse=True), sorted(functions, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("package", nargs="?", default=str(Path(__file__).resolve().parent.parent / "sharedservices"))
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    modules, functions = sizes(Path(args.package))
    print("longest modules (lines):")
    for lines, name in modules[: args.top]:
        print(f"  {lines:5d}  {name}")
    print("longest functions and classes (lines):")
    for lines, name in functions[: args.top]:
        print(f"  {lines:5d}  {name}")


if __name__ == "__main__":
    main()
