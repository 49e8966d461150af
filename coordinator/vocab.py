"""Each closed vocabulary once: the codes stored in the database with their labels.

Models build their CHECK constraints from a vocabulary's codes, forms take its
``choices()``, templates call the label functions ``init_app`` registers, and services
test membership (``code in SERIES_KINDS``). Labels are lazy (``lazy_gettext``): this module
imports without an app, and it imports no models (models import it).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask_babel import lazy_gettext as _l


class Vocabulary(Mapping):
    """Codes in their stored order, each with its translated label; a read-only mapping."""

    def __init__(self, *pairs):
        self._labels = dict(pairs)
        self.codes = tuple(self._labels)

    def __getitem__(self, code):
        return self._labels[code]

    def __iter__(self) -> Iterator:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"Vocabulary{self.codes!r}"

    def label(self, code) -> str:
        """Return the label of ``code`` in the current language (the code when unknown)."""
        found = self._labels.get(code)
        return str(found) if found is not None else str(code)

    def choices(self) -> list[tuple]:
        """Return (code, lazy label) pairs for a form's ``choices``."""
        return list(self._labels.items())

    def check(self, column: str) -> str:
        """Return the SQL of a CHECK that ``column`` holds one of the codes."""
        return f"{column} IN ({', '.join(repr(c) for c in self.codes)})"


# People
ROLES = Vocabulary(("volunteer", _l("Volunteer")), ("coordinator", _l("Coordinator")),
                   ("leader", _l("Leader")), ("admin", _l("Administrator")))
PERSON_STATUSES = Vocabulary(("active", _l("Active")), ("away", _l("Away for a while")),
                             ("inactive", _l("Inactive")))
TEXT_SIZES = Vocabulary(("standard", _l("Standard")), ("large", _l("Large")),
                        ("xlarge", _l("Extra large")))
TEAM_KINDS = Vocabulary(("patrol", _l("Patrol team")), ("troupe", _l("Troupe")),
                        ("care", _l("Care group")), ("speakers", _l("Speakers' group")),
                        ("branch", _l("Branch")), ("other", _l("Other")))
VENUE_KINDS = Vocabulary(("room", _l("Room")), ("hall", _l("Hall")),
                         ("outside", _l("Outside place")))

# Schedule
SERIES_KINDS = Vocabulary(("patrol", _l("Patrol")), ("care", _l("Care visit")),
                          ("rehearsal", _l("Rehearsal")), ("talk", _l("Youth talk")),
                          ("meeting", _l("Meeting / study day")))
# "slots": people fill counted roles; "team": the whole team is invited and answers.
PARTICIPATION = Vocabulary(
    ("slots", _l("People sign up for counted places")),
    ("team", _l("The whole team is invited and answers yes or no")))
OCCURRENCE_STATUSES = Vocabulary(("scheduled", _l("Scheduled")), ("cancelled", _l("Cancelled")))
ASSIGNMENT_STATUSES = Vocabulary(("confirmed", _l("Confirmed")),
                                 ("waitlisted", _l("On the waitlist")),
                                 ("withdrawn", _l("Withdrawn")))
SWAP_STATUSES = Vocabulary(("open", _l("Offered for a swap")),
                           ("pending", _l("Taken in a swap; waits for coordinator approval")),
                           ("done", _l("Swap done")), ("expired", _l("Offer expired")),
                           ("withdrawn", _l("Offer withdrawn")), ("refused", _l("Swap refused")))
# Python's date.weekday(): 0 is Monday (the CHECK on unavailabilities says BETWEEN 0 AND 6).
WEEKDAYS = Vocabulary((0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")),
                      (3, _l("Thursday")), (4, _l("Friday")), (5, _l("Saturday")),
                      (6, _l("Sunday")))

# Feeds and messages
FEED_SCOPES = Vocabulary(("mine", _l("My volunteer shifts")), ("team", _l("Team")),
                         ("community", _l("Community")),
                         ("organisation", _l("All communities")))
DELIVERY_STATUSES = Vocabulary(("pending", _l("Waiting")), ("claimed", _l("Being sent")),
                               ("sent", _l("Sent")), ("failed", _l("Failed")),
                               ("skipped", _l("Skipped")))
CHANNELS = Vocabulary(("email", _l("E-mail")), ("sms", _l("SMS")), ("app", _l("In the app")))
DELIVERY_KINDS = Vocabulary(("reminder24", _l("Reminder the day before")),
                            ("reminder2", _l("Reminder two hours before")),
                            ("notice", _l("Change notice")), ("digest", _l("Daily digest")),
                            ("weekly", _l("Weekly summary")))

# One date style per context, per language (Babel patterns). ``when`` is a shift as people
# read it on pages, in messages and in the plan; ``when_year`` the same where dates may lie
# in another year (a series' dates); ``day``/``date`` a day without a time; ``record`` the
# time a row was written, in admin tables (audit log, messages), where it sorts and compares.
DATE_STYLES = {
    "when": {"zh_CN": "M月d日 EEE HH:mm", "en": "EEE d MMM, HH:mm"},
    "when_year": {"zh_CN": "yyyy年M月d日 EEE HH:mm", "en": "EEE d MMM yyyy, HH:mm"},
    "day": {"zh_CN": "M月d日 EEE", "en": "EEE d MMM"},
    "date": {"zh_CN": "yyyy年M月d日", "en": "d MMM yyyy"},
    "record": {"zh_CN": "yyyy-MM-dd HH:mm", "en": "yyyy-MM-dd HH:mm"},
    "time": {"zh_CN": "HH:mm", "en": "HH:mm"},
}


def date_pattern(style: str, locale: str) -> str:
    """Return the Babel pattern of a named date style in ``locale`` (English otherwise)."""
    patterns = DATE_STYLES.get(style)
    if patterns is None:  # a Babel pattern of its own (being replaced by the named styles)
        return style
    return patterns.get(locale, patterns["en"])


ALL = {"ROLES": ROLES, "PERSON_STATUSES": PERSON_STATUSES, "TEXT_SIZES": TEXT_SIZES,
       "TEAM_KINDS": TEAM_KINDS, "VENUE_KINDS": VENUE_KINDS, "SERIES_KINDS": SERIES_KINDS,
       "PARTICIPATION": PARTICIPATION, "OCCURRENCE_STATUSES": OCCURRENCE_STATUSES,
       "ASSIGNMENT_STATUSES": ASSIGNMENT_STATUSES, "SWAP_STATUSES": SWAP_STATUSES,
       "WEEKDAYS": WEEKDAYS, "FEED_SCOPES": FEED_SCOPES,
       "DELIVERY_STATUSES": DELIVERY_STATUSES, "CHANNELS": CHANNELS,
       "DELIVERY_KINDS": DELIVERY_KINDS}


def init_app(app) -> None:
    """Make the label functions available to every template."""
    app.jinja_env.globals.update(
        role_label=ROLES.label, kind_label=SERIES_KINDS.label,
        status_label=ASSIGNMENT_STATUSES.label, person_status_label=PERSON_STATUSES.label,
        team_kind_label=TEAM_KINDS.label, venue_kind_label=VENUE_KINDS.label,
        text_size_choices=TEXT_SIZES.choices)
