"""Forms helpers shared by the blueprints: domain errors onto fields, choices."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext

from ..domain.errors import DomainError


def apply_error(form, exc: DomainError) -> None:
    """Show a domain error on its form field, or at the top of the form."""
    message = gettext(exc.message, **exc.params)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        form.form_errors.append(message)
    flash(message, "error")


def options(pairs) -> list:
    """Turn (value, label) pairs into WTForms choices."""
    from wtforms.fields.choices import SelectChoice
    return [SelectChoice(value, label) for value, label in pairs]
