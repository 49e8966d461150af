"""Every value a person sends, cleaned once, here.

- Forms: ``InputForm`` (and ``InputSubForm`` for rows inside a form) normalise the whole
  submitted form data to NFKC, trimmed (passwords are left exactly as typed), and give every
  text field a filter that refuses control characters (newline and tab only in text areas)
  and anything longer than ``MAX_TEXT``: a field error in the user's language, never a 500
  (PostgreSQL refuses NUL in text) and never a stored character that breaks an export later.
- Dates typed in forms: ``ScheduleDate`` holds them to the domain's accepted range.
- URLs: ``int_arg`` reads whole numbers from query strings and small forms (``²`` is not a
  number to ``int()``); a NUL anywhere in the path or query string is a 400 before any view.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, PasswordField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from ..clock import now
from ..domain import dates
from ..domain.errors import DomainError
from ..domain.recurrence import get_zone
from ..domain.text import MAX_TEXT, normalise, parse_int, refused_characters
from .errors import render_error
from .urls import MAX_ID

TEXT_AREA = "TextAreaField"


def _message(chars: str) -> str:
    names = "、".join(f"U+{ord(ch):04X}" for ch in chars[:3])
    return gettext("The text must not contain control characters (%(chars)s); please "
                   "retype it.", chars=names)


def text_filter(multiline: bool):
    """A WTForms filter: refuse control characters and overlong text (ValueError becomes
    the field's error)."""
    def check(value):
        if not isinstance(value, str):
            return value
        if len(value) > MAX_TEXT:
            raise ValueError(gettext("This text is too long."))
        bad = refused_characters(value, multiline=multiline)
        if bad:
            raise ValueError(_message(bad))
        return value
    return check


def _normalised(form, formdata):
    """The submitted values in NFKC, trimmed; password fields untouched."""
    keep = {name for name, field in form._fields.items() if isinstance(field, PasswordField)}
    if form._prefix:
        keep = {form._prefix + name for name in keep}
    out = MultiDict()
    for key, value in formdata.items(multi=True):
        if isinstance(value, str) and key not in keep and len(value) <= MAX_TEXT:
            value = normalise(value)
        out.add(key, value)
    return out


class _Meta:
    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField):  # String, TextArea, Password, Hidden, Search
            multiline = field_class.__name__ == TEXT_AREA
            options["filters"] = (*unbound_field.kwargs.get("filters", ()),
                                  text_filter(multiline))
        return unbound_field.bind(form=form, **options)

    def wrap_formdata(self, form, formdata):
        formdata = super().wrap_formdata(form, formdata)
        return None if formdata is None else _normalised(form, formdata)


class InputForm(FlaskForm):
    """The base of every form with a CSRF token: cleaned input (see the module)."""

    class Meta(_Meta, FlaskForm.Meta):
        pass

    def hidden_tag(self, *fields):
        """The hidden fields; the CSRF token without an id, so that several forms on one
        page never share an id."""
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields or self]
        return Markup("\n").join(
            f(id=False) if f.name == "csrf_token" else f()
            for f in chosen if f is not None and isinstance(f.widget, HiddenInput))


class InputSubForm(Form):
    """The base of rows inside a form (``FormField``): the same cleaning."""

    class Meta(_Meta, Form.Meta):
        pass


class ScheduleDate:
    """A date between a year ago and five years ahead (``domain.dates``), in local time."""

    def __call__(self, form, field):
        if field.data is None:
            return
        today = now().astimezone(get_zone(current_app.config["TIMEZONE"])).date()
        try:
            dates.check_schedule_date(field.data, today, field.name)
        except DomainError as exc:
            raise ValidationError(gettext(exc.message, **exc.params)) from None


def int_arg(name: str, default: int | None = None, lo: int = 1, hi: int = MAX_ID,
            source=None) -> int | None:
    """A whole number from the query string (or ``source``), else ``default``."""
    raw = (request.args if source is None else source).get(name)
    value = parse_int(raw, lo, hi)
    return default if value is None else value


def init_app(app) -> None:
    """Refuse a NUL in the path or query string before any view (no value needs one, and
    PostgreSQL cannot compare text holding one)."""

    @app.before_request
    def _refuse_nul():
        if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                         for key, value in request.args.items(multi=True)):
            return render_error(400, gettext(
                "The address contains a control character; please check the link."))

