"""Money is integer øre everywhere: no float on any money path."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "klynge"
# Geometry, not money: the map projects longitudes and latitudes.
NOT_MONEY = {SRC / "core" / "svgmap.py"}


def test_no_float_call_or_float_field_outside_geometry() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path in NOT_MONEY or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if is_call and node.func.id == "float":  # type: ignore[attr-defined]
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} float()")
            if isinstance(node, ast.Attribute) and node.attr == "FloatField":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} FloatField")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} float literal")

    assert offenders == []


def test_money_fields_are_integers() -> None:
    from django.apps import apps
    from django.db import models

    money = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_ore")
    ]

    assert len(money) >= 8
    for model, field in money:
        assert isinstance(field, models.BigIntegerField | models.PositiveIntegerField), (
            model.__name__,
            field.name,
        )
