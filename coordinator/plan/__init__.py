"""The weekly plan (page, print, PDF, CSV, Excel) and the coordinator's gap list."""
from flask import Blueprint

bp = Blueprint("plan", __name__)


def init_app(app) -> None:
    """Register the blueprint."""
    from ..http.overrides import explain
    from . import gap_views, views  # noqa: F401
    app.jinja_env.add_extension("jinja2.ext.do")
    # The words for an overridden rule, on every page with suggestions (gaps, occurrences).
    app.add_template_global(explain, "explain_rules")
    app.register_blueprint(bp)
