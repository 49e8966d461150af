"""Forms for planning care visits: for one person, and festival visits for a community."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..http.forms import options
from ..http.inputs import InputForm, ScheduleDate
from ..vocab import CARE_FESTIVALS

REPEAT_CHOICES = (("once", _l("Once (a single visit)")), ("weekly", _l("Every week")),
                  ("fortnightly", _l("Every two weeks")),
                  ("every_weeks", _l("Every few weeks (say how many below)")),
                  ("monthly", _l("Every month on the same day")))


class PlanForm(InputForm):
    """A single or repeating visit for one person cared for."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("Date of the (first) visit"),
                           validators=[DataRequired(), ScheduleDate()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[DataRequired(), NumberRange(min=1, max=1440)])
    repeat = SelectField(_l("Repeats"), default="once", choices=options(REPEAT_CHOICES))
    every_weeks = IntegerField(_l("Every how many weeks"),
                               validators=[Optional(), NumberRange(min=1, max=12)])
    until = DateField(_l("Last date"), validators=[Optional(), ScheduleDate()])
    count = IntegerField(_l("Or: how many visits"),
                         validators=[Optional(), NumberRange(min=1, max=104)])
    visitors = IntegerField(_l("How many visitors"), default=2,
                            validators=[DataRequired(), NumberRange(min=1, max=10)])
    team_id = SelectField(_l("Only members of"), coerce=int, default=0)
    notes = TextAreaField(_l("Notes for the visitors"),
                          validators=[Optional(), Length(max=500)])
    condolence = HiddenField()


class FestivalForm(InputForm):
    """One visit for every person cared for in a community, over a few days."""

    festival = SelectField(_l("Festival"), choices=options(CARE_FESTIVALS.choices()))
    community_id = SelectField(_l("Community"), coerce=int)
    first_day = DateField(_l("First day"), validators=[DataRequired(), ScheduleDate()])
    last_day = DateField(_l("Last day"), validators=[DataRequired(), ScheduleDate()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[DataRequired(), NumberRange(min=1, max=1440)])
    visitors = IntegerField(_l("Visitors for each person"), default=2,
                            validators=[DataRequired(), NumberRange(min=1, max=10)])
