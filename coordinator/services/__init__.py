"""Services: turn requests into domain calls and rows. They flush, never commit, and
take the acting account and the current time as arguments; no Flask imports.

A service that refuses (raises) has written nothing: it checks before it writes, so the
outcome never depends on whether the caller rolls back or commits after the refusal.
"""
