"""HTML to PDF on the server with WeasyPrint, reading our own stylesheets from disk.

Nothing is fetched over the network while printing: /static/ URLs are read from the app's
static folder, data: URLs are decoded, anything else is refused (and WeasyPrint goes on
without it).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from ..domain.text import printable

MIME = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def render_pdf(html: str, base_url: str) -> bytes:
    """Return the PDF of ``html`` (without control characters: a title stored before input
    was cleaned must not garble the page's text)."""
    from weasyprint import HTML  # imported late: it loads Pango
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static = Path(current_app.static_folder).resolve()
    prefix = current_app.static_url_path.rstrip("/") + "/"

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if path.startswith(prefix):
                target = (static / path[len(prefix):]).resolve()
                if target.is_file() and static in target.parents:
                    return URLFetcherResponse(url, target.read_bytes(), {
                        "Content-Type": MIME.get(target.suffix, "application/octet-stream")})
            raise ValueError(f"not fetched while printing: {url}")

    html = printable(html, keep="\n\t\r")
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFetcher()).write_pdf()
