"""The register of people cared for: list, create, edit, end, erase, the person's page
with who read it, and an admin's audited opening of a community's register."""
from __future__ import annotations

from . import bp  # noqa: F401
