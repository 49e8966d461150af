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

# Attendance: how a person took part in one occurrence (tapir's Done / Missed / Excused,
# with late and left early apart). "Not recorded" is the absence of a row.
ATTENDANCE_STATUSES = Vocabulary(("present", _l("Present")), ("late", _l("Late")),
                                 ("left_early", _l("Left early")),
                                 ("absent", _l("Absent")), ("excused", _l("On leave")))
ATTENDANCE_SOURCES = Vocabulary(("roll", _l("Marked on the roll")),
                                ("checkin", _l("Checked in")),
                                ("leave", _l("Asked for leave")),
                                ("staff", _l("Added by staff")))
LEAVE_REASONS = Vocabulary(("illness", _l("Ill")), ("away", _l("Away")),
                           ("family", _l("Family matters")), ("other", _l("Other")))
CORRECTION_STATUSES = Vocabulary(("pending", _l("Awaits approval")),
                                 ("applied", _l("Applied")), ("rejected", _l("Rejected")))

# Care visits
CARE_PLACES = Vocabulary(("home", _l("At home")), ("hospital", _l("In hospital")),
                         ("care_home", _l("In a care home")))
CARE_REASONS = Vocabulary(("illness", _l("Illness")), ("hospital", _l("In hospital")),
                          ("bereaved", _l("Bereavement")), ("alone", _l("Living alone")),
                          ("old_age", _l("Old age")), ("festival", _l("Festival visit")))
CARE_STATUSES = Vocabulary(("active", _l("Being cared for")), ("recovered", _l("Recovered")),
                           ("moved", _l("Moved away")), ("deceased", _l("Passed away")))
CARE_CONDITIONS = Vocabulary(("better", _l("Better")), ("same", _l("About the same")),
                             ("worse", _l("Worse")))
CARE_NEEDS = Vocabulary(("medical", _l("Medical")), ("daily", _l("Daily life")),
                        ("money", _l("Money")), ("company", _l("Someone to talk to")))
# Festivals on which everyone cared for in a community is visited (festival visits).
CARE_FESTIVALS = Vocabulary(("spring", _l("Spring Festival")),
                            ("mid_autumn", _l("Mid-Autumn Festival")),
                            ("double_ninth", _l("Double Ninth Festival")))

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

# The audit log: every action code ``services.audit.record`` is given, what it changed and
# the fields of its details (tests/integration/app/test_audit_log.py finds every code written).
AUDIT_ACTIONS = Vocabulary(
    ("account.create", _l("Account created")), ("account.update", _l("Account changed")),
    ("account.enable", _l("Account enabled")), ("account.disable", _l("Account disabled")),
    ("password.change", _l("Password changed")),
    ("person.create", _l("Member added")), ("person.update", _l("Member changed")),
    ("availability.weekly", _l("Weekly unavailable time added")),
    ("availability.range", _l("Unavailable dates added")),
    ("availability.remove", _l("Unavailable time removed")),
    ("availability.limit", _l("Weekly shift limit set")),
    ("community.create", _l("Community added")), ("team.create", _l("Team added")),
    ("venue.create", _l("Venue added")), ("team.member", _l("Team member added or changed")),
    ("team.remove", _l("Removed from a team")),
    ("series.create", _l("Work planned")), ("series.end", _l("Series ended")),
    ("series.split", _l("Series changed from a date on")),
    ("series.capacity_override", _l("Planned beyond the room's capacity")),
    ("occurrence.cancel", _l("Date cancelled")), ("occurrence.move", _l("Date moved")),
    ("occurrence.counts", _l("Number of places changed")),
    ("assignment.signup", _l("Signed up")), ("assignment.assign", _l("Assigned by staff")),
    ("assignment.withdraw", _l("Withdrew")), ("assignment.unassign", _l("Removed by staff")),
    ("assignment.promote", _l("Moved up from the waitlist")),
    ("response", _l("Answered an invitation")),
    ("swap.offer", _l("Shift offered for a swap")),
    ("swap.take", _l("Swap taken, awaiting approval")),
    ("swap.done", _l("Swap done")), ("swap.refuse", _l("Swap refused")),
    ("swap.withdraw", _l("Swap offer withdrawn")),
    ("feed.issue", _l("Calendar link created")), ("feed.rotate", _l("Calendar link renewed")),
    ("feed.alarm", _l("Calendar alarm set")), ("feed.public", _l("Public calendar switched")),
    ("attendance.mark", _l("Attendance marked")),
    ("attendance.all_present", _l("Everyone marked present")),
    ("attendance.walk_in", _l("Walk-in added to the roll")),
    ("attendance.checkin", _l("Checked in with the code")),
    ("attendance.checkout", _l("Checked out")),
    ("attendance.leave", _l("Asked for leave")),
    ("attendance.correct", _l("Attendance corrected after the roll closed")),
    ("attendance.approve", _l("Attendance correction approved")),
    ("attendance.reject", _l("Attendance correction rejected")),
    ("certificate.issue", _l("Service certificate issued")),
    ("certificate.revoke", _l("Service certificate revoked")),
    ("member.contact", _l("Member called")),
    ("care.create", _l("Person cared for registered")),
    ("care.update", _l("Person cared for changed")),
    ("care.end", _l("Care ended")), ("care.erase", _l("Care details erased")),
    ("care.open", _l("Care register opened by an administrator")),
    ("care.plan", _l("Care visits planned")),
    ("care.log", _l("Visit log written")),
    ("care.close", _l("Follow-up closed")))
AUDIT_ENTITIES = Vocabulary(
    ("account", _l("Account")), ("person", _l("Member")), ("community", _l("Community")),
    ("team", _l("Team")), ("venue", _l("Venue")), ("series", _l("Planned work")),
    ("occurrence", _l("Date")), ("assignment", _l("Assignment")), ("swap", _l("Swap")),
    ("attendance", _l("Attendance")), ("certificate", _l("Certificate")),
    ("care", _l("Person cared for")))
AUDIT_FIELDS = Vocabulary(
    ("kind", _l("Kind")), ("title", _l("Title")), ("rrule", _l("Repeats")),
    ("occurrences", _l("Dates planned")), ("reason", _l("Reason")),
    ("released", _l("Places freed")), ("start_at", _l("Start")), ("end_at", _l("End")),
    ("venue_id", _l("Venue")), ("role", _l("Role")), ("role_id", _l("Role")),
    ("last_day", _l("Last day")), ("cancelled", _l("Dates cancelled")),
    ("parent", _l("Earlier series")), ("kept", _l("Dates kept")),
    ("created", _l("Dates planned")), ("occurrence_id", _l("Date")),
    ("person_id", _l("Member")), ("status", _l("State")), ("position", _l("Waitlist place")),
    ("overridden", _l("Rules overridden")), ("was", _l("Was")), ("giver", _l("Given by")),
    ("taker", _l("Taken by")), ("assignment_id", _l("Assignment")),
    ("pending", _l("Awaits approval")), ("attending", _l("Coming")),
    ("scope", _l("Calendar")), ("scope_id", _l("For")), ("minutes", _l("Minutes before")),
    ("on", _l("Switched on")), ("community_id", _l("Community")),
    ("communities", _l("Communities")), ("fields", _l("Fields changed")),
    ("name", _l("Name")), ("code", _l("Code")), ("is_lead", _l("Team lead")),
    ("limit", _l("Most shifts per week")), ("username", _l("User name")),
    ("is_also_leader", _l("Also a leader")), ("password", _l("Password")),
    ("places", _l("Places needed / at most")), ("before", _l("Before")),
    ("after", _l("After")), ("skipped", _l("Dates skipped")), ("moved", _l("Dates moved")),
    ("venue", _l("Venue")), ("capacity", _l("Capacity (people)")),
    ("expected", _l("Expected attendance")), ("override_note", _l("Rules overridden")),
    ("override_rules", _l("Rules overridden")), ("rule", _l("Rule")),
    ("actual_start", _l("Arrived")), ("actual_end", _l("Left")),
    ("minutes_served", _l("Minutes served")), ("leave_reason", _l("Leave reason")),
    ("note", _l("Note")), ("number", _l("Certificate number")),
    ("period", _l("Period")), ("hours", _l("Hours")), ("people", _l("People")),
    ("correction_id", _l("Correction")), ("walk_in", _l("Walk-in")),
    ("period_start", _l("Period from")), ("period_end", _l("Period until")),
    ("total_minutes", _l("Minutes in all")))
# The member fields a "person.update" entry names (names only: never the values).
PERSON_FIELDS = Vocabulary(
    ("full_name", _l("Full name")), ("community_id", _l("Community")), ("phone", _l("Phone")),
    ("email", _l("E-mail")), ("address", _l("Address")), ("languages", _l("Languages")),
    ("birth_year", _l("Birth year")), ("status", _l("Status")), ("away_from", _l("Away from")),
    ("away_until", _l("Away until")), ("max_shifts_per_week", _l("Most shifts per week")),
    ("notes", _l("Notes")))
# The soft rules of the eligibility check a coordinator may override.
OVERRIDABLE_RULES = Vocabulary(
    ("unavailable", _l("said not available")), ("away", _l("away then")),
    ("weekly_limit", _l("beyond their weekly limit")),
    ("window", _l("before sign-up opens")))
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
    "month": {"zh_CN": "yyyy年M月", "en": "MMM yyyy"},
    "month_short": {"zh_CN": "M月", "en": "MMM"},
}


def date_pattern(style: str, locale: str) -> str:
    """Return the Babel pattern of a named date style in ``locale`` (Chinese for any zh
    locale, English otherwise)."""
    patterns = DATE_STYLES[style]  # a KeyError names a style that does not exist
    # Babel may name the Chinese locale zh_Hans_CN (the catalogue's folder): any zh is zh_CN.
    return patterns["zh_CN" if locale.startswith("zh") else "en"]


ALL = {"ROLES": ROLES, "PERSON_STATUSES": PERSON_STATUSES, "TEXT_SIZES": TEXT_SIZES,
       "TEAM_KINDS": TEAM_KINDS, "VENUE_KINDS": VENUE_KINDS, "SERIES_KINDS": SERIES_KINDS,
       "PARTICIPATION": PARTICIPATION, "OCCURRENCE_STATUSES": OCCURRENCE_STATUSES,
       "ASSIGNMENT_STATUSES": ASSIGNMENT_STATUSES, "SWAP_STATUSES": SWAP_STATUSES,
       "WEEKDAYS": WEEKDAYS, "FEED_SCOPES": FEED_SCOPES,
       "DELIVERY_STATUSES": DELIVERY_STATUSES, "CHANNELS": CHANNELS,
       "DELIVERY_KINDS": DELIVERY_KINDS, "AUDIT_ACTIONS": AUDIT_ACTIONS,
       "AUDIT_ENTITIES": AUDIT_ENTITIES, "AUDIT_FIELDS": AUDIT_FIELDS,
       "PERSON_FIELDS": PERSON_FIELDS, "OVERRIDABLE_RULES": OVERRIDABLE_RULES,
       "ATTENDANCE_STATUSES": ATTENDANCE_STATUSES, "ATTENDANCE_SOURCES": ATTENDANCE_SOURCES,
       "LEAVE_REASONS": LEAVE_REASONS, "CORRECTION_STATUSES": CORRECTION_STATUSES,
       "CARE_PLACES": CARE_PLACES, "CARE_REASONS": CARE_REASONS,
       "CARE_STATUSES": CARE_STATUSES, "CARE_CONDITIONS": CARE_CONDITIONS,
       "CARE_NEEDS": CARE_NEEDS}


def init_app(app) -> None:
    """Make the label functions available to every template."""
    app.jinja_env.globals.update(
        role_label=ROLES.label, kind_label=SERIES_KINDS.label,
        status_label=ASSIGNMENT_STATUSES.label, person_status_label=PERSON_STATUSES.label,
        team_kind_label=TEAM_KINDS.label, venue_kind_label=VENUE_KINDS.label,
        text_size_choices=TEXT_SIZES.choices,
        attendance_label=ATTENDANCE_STATUSES.label, leave_reason_label=LEAVE_REASONS.label,
        correction_state_label=CORRECTION_STATUSES.label)
