"""The patch format's named constants, read once from hotswap/patch_format.json.

Why it exists: that file is the one written-down source of the format's names (file names,
suffixes, failure kinds, ignored exports, manifest fields) shared by the C++
engine, the page's loader and these tools; every tool imports PATCH_FORMAT from here.
"""
from __future__ import annotations

import json
from pathlib import Path

PATCH_FORMAT: dict = json.loads((Path(__file__).resolve().parent.parent / "patch_format.json").read_text())
