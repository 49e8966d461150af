"""What the blueprints share, itself no blueprint: the one write boundary
(``transactions``), access decorators, error pages and the domain-error handlers, security
headers, language and time display, logs, forms helpers and URL converters."""
