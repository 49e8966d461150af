"""The forms of the care register: a person cared for, ending the care, erasing, and an
admin's opening of a community's register."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..http.forms import options
from ..http.inputs import InputForm
from ..vocab import CARE_PLACES, CARE_REASONS, CARE_STATUSES


def optional_id(value):
    """A select's value as an id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class CareForm(InputForm):
    community_id = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter the person's name.")), Length(max=100)])
    person_id = SelectField(_l("Member record (if they are a member)"), coerce=optional_id,
                            validators=[Optional()])
    place = RadioField(_l("Where are they now?"), choices=options(CARE_PLACES.choices()),
                       default="home",
                       validators=[InputRequired(_l("Choose where they are now."))])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    institution = StringField(_l("Hospital or care home"),
                              validators=[Optional(), Length(max=200)])
    ward = StringField(_l("Ward"), validators=[Optional(), Length(max=200)])
    bed = StringField(_l("Bed"), validators=[Optional(), Length(max=50)])
    family_name = StringField(_l("Family contact: name"),
                              validators=[Optional(), Length(max=100)])
    family_relation = StringField(_l("Relation (e.g. daughter)"),
                                  validators=[Optional(), Length(max=50)])
    family_phone = StringField(_l("Family contact: phone"),
                               validators=[Optional(), Length(max=40)])
    reason = SelectField(_l("Why are they cared for?"), choices=options(CARE_REASONS.choices()),
                         validators=[DataRequired(_l("Choose why they are cared for."))])
    visit_every_days = IntegerField(
        _l("A visit wanted every … days"),
        validators=[Optional(), NumberRange(1, 366, _l("Between 1 and 366 days."))])
    health_notes = TextAreaField(_l("Short notes on their condition"),
                                 validators=[Optional(), Length(max=500)])
    started_on = DateField(_l("Cared for since"), validators=[Optional()])
    version = HiddenField()


ENDINGS = options((code, label) for code, label in CARE_STATUSES.choices() if code != "active")


class EndForm(InputForm):
    status = RadioField(_l("How did the care end?"), choices=ENDINGS,
                        validators=[InputRequired(_l("Choose how the care ended."))])
    ended_on = DateField(_l("On which day?"),
                         validators=[InputRequired(_l("Enter the day."))])


class EraseForm(InputForm):
    pass


class OpenForm(InputForm):
    community_id = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    reason = StringField(_l("Why do you open it?"), validators=[
        DataRequired(_l("Say why you open the register.")), Length(max=300)])
