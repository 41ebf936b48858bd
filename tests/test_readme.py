"""The README's settings table names every setting, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from privategpt.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_settings_table_matches_the_code() -> None:
    documented = set(re.findall(r"^\| `PGPT_([A-Z0-9_]+)`", README.read_text(), flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields
