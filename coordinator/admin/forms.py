"""Forms of the administration pages."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..http.forms import options
from ..http.inputs import InputForm
from ..vocab import ROLES, TEAM_KINDS, VENUE_KINDS


class AccountForm(InputForm):
    role = SelectField(_l("Role"), choices=options(ROLES.choices()))
    username = StringField(_l("Username"), validators=[Optional(), Length(max=50)])
    person_id = IntegerField(_l("Member number (for volunteers)"),
                             validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])
    community_ids = SelectMultipleField(_l("Communities (for coordinators)"), coerce=int)
    is_also_leader = BooleanField(_l("Also a township leader: reads every community"))


class CommunityForm(InputForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    code = StringField(_l("Short code"), validators=[DataRequired(), Length(max=20)])


class TeamForm(InputForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=options(TEAM_KINDS.choices()))
    community_id = SelectField(_l("Community"), coerce=int)


class VenueForm(InputForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=options(VENUE_KINDS.choices()))
    community_id = SelectField(_l("Community"), coerce=int)
    capacity = IntegerField(_l("Capacity (people)"),
                            validators=[Optional(), NumberRange(min=1, max=100000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])


class MemberForm(InputForm):
    person_id = IntegerField(_l("Member number"),
                             validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    is_lead = BooleanField(_l("Team lead"))
