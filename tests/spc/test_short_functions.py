"""The SPC package stays a set of short, named steps: no function grows past about 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import spc

LONGEST = 60


def test_no_function_in_spc_is_longer_than_sixty_lines() -> None:
    long = []
    for path in sorted(Path(spc.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > LONGEST:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, "functions over 60 lines: " + ", ".join(long)


def test_the_batch_and_the_single_series_path_share_their_rules() -> None:
    """A rule is written once: both paths import the steps from spc.rules, neither defines its own."""
    from spc import batch, engine, rules

    for name in ("combine", "position", "outside_rule", "sequence_rules", "runs_rows", "point_types"):
        assert getattr(batch, name) is getattr(rules, name)
    for name in ("combine", "position", "outside_rule", "sequence_rules", "runs_rows", "point_types"):
        assert getattr(engine, name) is getattr(rules, name)
