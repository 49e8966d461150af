"""The forms of service records: the certificate's period, a revocation, the export."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..http.forms import options
from ..http.inputs import InputForm

PERIODS = options((("year", _l("This year")), ("all", _l("All my service")),
           ("range", _l("From a day to a day"))))


class CertificateForm(InputForm):
    period = RadioField(_l("Period"), choices=PERIODS, default="year",
                        validators=[DataRequired()])
    period_start = DateField(_l("First day"), validators=[Optional()])
    period_end = DateField(_l("Last day"), validators=[Optional()])


class RevokeForm(InputForm):
    reason = StringField(_l("Why is it revoked?"),
                         validators=[DataRequired(_l("Say why the certificate is revoked.")),
                                     Length(max=300)])


class ExportForm(InputForm):
    class Meta:
        csrf = False  # a GET form that only reads

    community = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    period_start = DateField(_l("First day"), validators=[DataRequired()])
    period_end = DateField(_l("Last day"), validators=[DataRequired()])
    format = RadioField(_l("File"), choices=options((("xlsx", _l("Excel (.xlsx)")),
                                                     ("csv", _l("CSV (.csv)")))),
                        default="xlsx", validators=[DataRequired()])
