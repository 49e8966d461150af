"""Forms of the roster pages."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..domain.dates import BIRTH_YEARS
from ..http.forms import options
from ..http.inputs import InputForm, ScheduleDate
from ..vocab import PERSON_STATUSES


class PersonForm(InputForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    community_id = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=100)])
    birth_year = IntegerField(_l("Birth year"),
                              validators=[Optional(), NumberRange(*BIRTH_YEARS)])
    status = SelectField(_l("Status"), choices=options(PERSON_STATUSES.choices()))
    away_from = DateField(_l("Away from"), validators=[Optional(), ScheduleDate()])
    away_until = DateField(_l("Away until"), validators=[Optional(), ScheduleDate()])
    max_shifts_per_week = IntegerField(_l("Most shifts per week"),
                                       validators=[Optional(), NumberRange(min=0, max=21)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)])
