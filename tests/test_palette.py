"""One palette: the colours Python draws with are the stylesheet's."""

from __future__ import annotations

import re
from pathlib import Path

from missionlead import palette

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "app.css"


def test_the_stylesheet_declares_the_palettes_colours() -> None:
    root = re.search(r":root\s*\{(.*?)\}", STYLESHEET.read_text(), re.S).group(1)
    declared = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6})", root))
    for variable, colour in palette.CSS_VARIABLES.items():
        assert declared[variable].lower() == colour, variable


def test_no_module_spells_a_colour_of_its_own() -> None:
    root = Path(__file__).resolve().parent.parent
    spelled = [
        str(path.relative_to(root))
        for app in ("measures", "missions", "reviews", "accounts")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and re.search(r"#[0-9a-fA-F]{6}\b", path.read_text())
    ]
    assert not spelled
