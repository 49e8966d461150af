"""export_views (issue 14)."""
from . import bp  # noqa: F401
