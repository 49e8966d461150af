"""Forms for planning work."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..http.forms import options
from ..http.inputs import InputForm, InputSubForm, ScheduleDate
from ..vocab import PARTICIPATION, SERIES_KINDS, WEEKDAYS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoleForm(InputSubForm):
    """One role row; a row without a name is ignored."""

    name = StringField(_l("Role"), validators=[Optional(), Length(max=100)])
    needed = IntegerField(_l("People needed"), validators=[Optional(),
                                                           NumberRange(min=1, max=1000)])
    maximum = IntegerField(_l("At most"), validators=[Optional(), NumberRange(min=1, max=1000)])
    required_team_id = SelectField(_l("Only members of"), coerce=int)
    is_lead = BooleanField(_l("Team lead role"))


class SeriesForm(InputForm):
    kind = SelectField(_l("Kind of work"), choices=options(SERIES_KINDS.choices()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    community_id = SelectField(_l("Community"), coerce=int)
    participation = SelectField(_l("Who takes part"), choices=options(PARTICIPATION.choices()))
    team_id = SelectField(_l("Team"), coerce=int)
    venue_id = SelectField(_l("Venue"), coerce=int)
    start_date = DateField(_l("First date"), validators=[DataRequired(), ScheduleDate()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[DataRequired(), NumberRange(min=1, max=1440)])
    frequency = SelectField(_l("Repeats"), choices=options([
        ("once", _l("Once (a single event)")), ("daily", _l("Every day")),
        ("weekly", _l("Every week on the days below")),
        ("monthly", _l("Every month on the day below"))]))
    weekdays = MultiCheckboxField(_l("Weekly on"), coerce=int,
                                  choices=options(WEEKDAYS.choices()))
    month_day = IntegerField(_l("Monthly on day"),
                             validators=[Optional(), NumberRange(min=1, max=31)])
    month_week = SelectField(_l("Or monthly on the"), coerce=int, default=0, choices=options([
        (0, _l("— the day above —")), (1, _l("first")), (2, _l("second")),
        (3, _l("third")), (4, _l("fourth")), (-1, _l("last"))]))
    month_weekday = SelectField(_l("Weekday of the month"), coerce=int, default=0,
                                choices=options(WEEKDAYS.choices()))
    interval = IntegerField(_l("Every how many days, weeks or months"), default=1,
                            validators=[Optional(), NumberRange(min=1, max=52)])
    # A rule the controls above cannot say (kept when a series is changed from a date on).
    rrule = HiddenField(validators=[Optional(), Length(max=500)])
    until = DateField(_l("Last date"), validators=[Optional(), ScheduleDate()])
    signup_opens_days = IntegerField(_l("Sign-up opens this many days ahead"),
                                     validators=[Optional(), NumberRange(min=1, max=365)])
    withdraw_cutoff_hours = IntegerField(_l("Volunteers may withdraw until this many hours "
                                            "before"),  # default: WITHDRAW_CUTOFF_HOURS
                                         validators=[Optional(), NumberRange(min=0, max=336)])
    requires_swap_approval = BooleanField(_l("Swaps need a coordinator's approval"))
    is_public = BooleanField(_l("Show in the public calendar (no names)"))
    description = TextAreaField(_l("Notes for the volunteers"),
                                validators=[Optional(), Length(max=2000)])
    expected_attendance = IntegerField(
        _l("Expected attendance"), validators=[Optional(), NumberRange(min=1, max=100000)])
    capacity_override = BooleanField(
        _l("Plan it in this room anyway: I know it is too small for everyone expected "
           "(this is recorded)"))
    roles = FieldList(FormField(RoleForm), min_entries=3, max_entries=6)


class CancelForm(InputForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class MoveForm(InputForm):
    start_date = DateField(_l("Date"), validators=[DataRequired(), ScheduleDate()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[DataRequired(), NumberRange(min=1, max=1440)])
    venue_id = SelectField(_l("Venue"), coerce=int)


class AssignForm(InputForm):
    person_id = IntegerField(_l("Member number"),
                             validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    # The rules the coordinator confirmed, by code, from the confirm step (never ticked
    # blind beforehand: the confirmation names each rule first).
    override = HiddenField(validators=[Optional(), Length(max=200)])


def assign_form(role_id: int, **kwargs) -> AssignForm:
    """The assign form of one role: its ids are the role's own (one form per role on a
    page, so a label never focuses another role's input)."""
    form = AssignForm(**kwargs)
    for f in (form.person_id, form.override):
        f.id = f"slot{role_id}-{f.name}"
        f.label.field_id = f.id
    return form


class EndForm(InputForm):
    last_day = DateField(_l("Last day"), validators=[DataRequired(), ScheduleDate()])
