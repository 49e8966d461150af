"""Forms of the auth blueprint."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..http.inputs import InputForm


class LoginForm(InputForm):
    identifier = StringField(_l("Username or phone number"),
                             validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(InputForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class NotificationForm(InputForm):
    email = BooleanField(_l("By e-mail"))
    sms = BooleanField(_l("By text message (SMS)"))
    remind_24h = BooleanField(_l("A reminder one day (24 hours) before each shift"))
    remind_2h = BooleanField(_l("A reminder two hours before each shift"))
