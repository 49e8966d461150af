"""Services: turn requests into domain calls and rows. They flush, never commit, and
take the acting account and the current time as arguments; no Flask imports."""
