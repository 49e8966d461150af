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
from wtforms.widgets import CheckboxInput, ListWidget

from ..http.forms import options
from ..http.inputs import InputForm
from ..vocab import ROLES, TEAM_KINDS, VENUE_KINDS


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: a multi-select needs Ctrl or a long press."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MemberChoice:
    """A form with a ``member`` field typed by name or phone: the services' errors about
    ``person_id`` are shown on it."""

    @property
    def person_id(self):
        return self.member


class AccountForm(MemberChoice, InputForm):
    role = SelectField(_l("Role"), choices=options(ROLES.choices()))
    username = StringField(_l("Username"), validators=[Optional(), Length(max=50)])
    member = StringField(_l("Member (for volunteers): name or phone number"),
                         validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])
    community_ids = CheckboxesField(_l("Communities (for coordinators)"), coerce=int)
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


class MemberForm(MemberChoice, InputForm):
    member = StringField(_l("Name or phone number"),
                         validators=[DataRequired(), Length(max=100)])
    is_lead = BooleanField(_l("Team lead"))
