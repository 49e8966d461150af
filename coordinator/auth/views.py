"""Thin auth views: form → service → commit."""
from __future__ import annotations

from datetime import timedelta
from math import ceil

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..clock import now
from ..extensions import db
from ..http.access import public
from ..http.errors import retry_message
from ..http.transactions import write
from ..http.urls import safe_next
from ..models import AppSetting
from ..models.people import TEXT_SIZES
from ..services.people import accounts, throttle
from . import bp
from .forms import LoginForm, NotificationForm, PasswordForm


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        chosen_size = session.get("text_size")

        def sign_in():
            # A failure returns None and is committed: it counts in every process and host.
            found = accounts.authenticate(
                db.session, form.identifier.data, form.password.data, now(),
                address=request.remote_addr,
                policy=throttle.Policy.from_config(current_app.config))
            if found is not None and chosen_size:
                # Chosen on this login page just now (特大 to read it): keep it, or the
                # account's stored size would shrink the text back at login.
                accounts.set_preferences(found, text_size=chosen_size)
            return found

        account, refused = write(sign_in)
        if isinstance(refused, throttle.Throttled):
            return _login_page(form, retry_after=refused.retry_after)
        if account is None:
            form.password.errors = [_("Wrong username, phone number or password.")]
        else:
            locale = session.get("locale")
            text_size = session.get("text_size")
            session.clear()  # a fresh session at login: no fixation
            login_user(account, remember=False)
            if account.locale is None and locale:
                session["locale"] = locale
            if text_size:
                session["text_size"] = text_size
            return redirect(safe_next(form.next.data, url_for("web.home")))
    return _login_page(form)


def _login_page(form, retry_after: timedelta | None = None):
    """The login form; refused for a while (429, Retry-After) after too many failures."""
    if retry_after is not None:
        form.password.errors = [retry_message(retry_after)]
    demo = db.session.get(AppSetting, "demo_loaded") is not None
    # Members log in by phone: the demo box shows the demo volunteer's number too.
    demo_phone = accounts.login_phone(db.session, "volunteer") if demo else None
    page = render_template("auth/login.html", form=form, demo=demo, demo_phone=demo_phone,
                           demo_password=current_app.config["DEMO_PASSWORD"])
    if retry_after is None:
        return page
    return page, 429, {"Retry-After": str(ceil(retry_after.total_seconds()))}


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # The cookie, even if copied, is dead once this commits; then the session goes.
    write(lambda: accounts.end_sessions(db.session.merge(current_user._get_current_object())))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/preferences", methods=["POST"])
@public
def preferences():
    """Switch language or text size; remembered in the session and on the account."""
    # CSRFProtect has already checked the token of this POST.
    target = safe_next(request.form.get("next"), url_for("web.home"))
    locale = request.form.get("locale") or None
    text_size = request.form.get("text_size") or None
    if (locale and locale not in current_app.config["LANGUAGES"]) or (
            text_size and text_size not in TEXT_SIZES):
        flash(_("That choice is not available."), "error")
        return redirect(target)
    if locale:
        session["locale"] = locale
    if text_size:
        session["text_size"] = text_size
    if current_user.is_authenticated:
        write(lambda: accounts.set_preferences(
            db.session.merge(current_user._get_current_object()), locale=locale,
            text_size=text_size, languages=current_app.config["LANGUAGES"]))
    return redirect(target)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        def change():
            account = db.session.merge(current_user._get_current_object())
            accounts.change_password(db.session, account, form.current.data, form.new.data,
                                     now())
            return account

        account, refused = write(change, form=form)
        if refused is None:
            login_user(account)  # keep this session alive under the new token
            flash(_("Your password is changed. Other devices are logged out."), "info")
            return redirect(url_for("web.home"))
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Choose channels (e-mail, SMS; in-app always) and which reminders to get."""
    from ..services.notify import preferences

    account = current_user._get_current_object()
    person = account.person
    form = NotificationForm()
    if request.method == "GET":
        chosen = preferences.current(account, person)
        form.email.data, form.sms.data = chosen.email, chosen.sms
        form.remind_24h.data, form.remind_2h.data = chosen.remind_24h, chosen.remind_2h
    elif form.validate_on_submit():
        choices = preferences.Choices(email=form.email.data, sms=form.sms.data,
                                      remind_24h=form.remind_24h.data,
                                      remind_2h=form.remind_2h.data)
        write(lambda: preferences.save(db.session.merge(account), person, choices))
        flash(_("Your notification settings are saved."), "info")
        return redirect(url_for("auth.notification_settings"))
    return render_template("auth/notifications.html", form=form,
                           reach=preferences.reach(person),
                           quiet_start=current_app.config["QUIET_HOURS_START"],
                           quiet_end=current_app.config["QUIET_HOURS_END"]), (
        400 if form.errors else 200)
