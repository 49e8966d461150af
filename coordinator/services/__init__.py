"""Services: turn requests into domain calls and rows. They flush, never commit, and
take the acting account and the current time as arguments; no Flask imports.

Grouped by capability, the same names as the blueprints' templates and the tests' folders:

- ``people/``    accounts, the roster, the organisation (communities, teams, venues), availability
- ``schedule/``  series, the horizon (occurrence expansion), changes (move, cancel, split),
  room bookings
- ``shifts/``    sign-ups, swaps, team-event answers, the eligibility facts, suggestions,
  the lists built on the one eligibility rule (open shifts, my shifts), the gap list
- ``feeds/``     feed tokens, what a feed shows, its validator, rendering
- ``plan/``      the weekly plan: filters, queries, figures, grid, export
- ``notify/``    planning, digests, deliveries, channels, inbox, preferences

Shared by all: ``access`` (who may see or change what), ``audit``, ``locks`` (row locks and
their one order).

A service that refuses (raises) has written nothing: it checks before it writes, so the
outcome never depends on whether the caller rolls back or commits after the refusal.
"""
