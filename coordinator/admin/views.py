"""Account administration and the audit log (admins only)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..clock import now
from ..extensions import db
from ..http.access import roles_required
from ..http.forms import options
from ..http.i18n import localdate, localtime, repeat_rule_text
from ..http.transactions import write
from ..http.urls import page_arg
from ..models import Account, Community, Person
from ..services.audit_log import AuditFormat, read_page
from ..services.people import accounts
from ..services.people.lookup import find_member
from . import bp
from .forms import AccountForm

PAGE = 50


def _community_choices():
    return options((c.id, c.name) for c in
                   db.session.scalars(select(Community).order_by(Community.code)))


@bp.route("/accounts")
@roles_required("admin")
def accounts_list():
    q = (request.args.get("q") or "").strip()[:50]
    page = page_arg()
    stmt = select(Account).outerjoin(Person, Account.person_id == Person.id)
    if q:
        stmt = stmt.where(or_(Account.username.like(f"%{q}%"), Person.full_name.like(f"%{q}%"),
                              Person.phone.like(f"%{q}%")))
    else:
        # Without a search, list the staff accounts: volunteers are hundreds.
        stmt = stmt.where(Account.role != "volunteer")
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Account.role, Account.id).limit(PAGE)
                              .offset((page - 1) * PAGE)).all()
    return render_template("admin/accounts.html", accounts=rows, q=q, total=total, page=page,
                           pages=max(1, -(-total // PAGE)))


def _input(form: AccountForm, person_id: int | None) -> accounts.AccountInput:
    return accounts.AccountInput(role=form.role.data, username=(form.username.data or "").strip()
                                 or None, person_id=person_id,
                                 password=form.password.data or None,
                                 community_ids=tuple(form.community_ids.data or ()),
                                 is_also_leader=bool(form.is_also_leader.data))


@bp.route("/accounts/new", methods=["GET", "POST"])
@roles_required("admin")
def account_new():
    form = AccountForm()
    form.community_ids.choices = _community_choices()
    if form.validate_on_submit():
        def create():
            typed = (form.member.data or "").strip()
            person = find_member(db.session, typed) if typed else None
            return accounts.create_account(db.session, current_user,
                                           _input(form, person.id if person else None), now())

        account, error = write(create, form=form, success=_("Account created."))
        if error is None:
            return redirect(url_for("admin.account_edit", account_id=account.id))
    return render_template("admin/account_form.html", form=form, account=None), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/accounts/<id:account_id>", methods=["GET", "POST"])
@roles_required("admin")
def account_edit(account_id: int):
    account = db.get_or_404(Account, account_id)
    form = AccountForm(obj=account)
    form.community_ids.choices = _community_choices()
    if request.method == "GET":
        form.community_ids.data = [s.community_id for s in account.scopes]
        form.password.data = ""
    if form.validate_on_submit():
        _account, error = write(lambda: accounts.update_account(
            db.session, current_user, account_id, _input(form, account.person_id), now()),
            form=form, success=_("Saved."))
        if error is None:
            return redirect(url_for("admin.account_edit", account_id=account_id))
    return render_template("admin/account_form.html", form=form, account=account), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/accounts/<id:account_id>/enabled", methods=["POST"])
@roles_required("admin")
def account_enabled(account_id: int):
    enable = request.form.get("enabled") == "1"
    _account, error = write(lambda: accounts.set_enabled(db.session, current_user, account_id,
                                                         enable, now()),
                            flash_refusal=True)
    if error is None:
        flash(_("Account enabled.") if enable else
              _("Account deactivated; its sessions have ended."), "info")
    return redirect(url_for("admin.account_edit", account_id=account_id))


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    page = page_arg()
    fmt = AuditFormat(
        instant=lambda at: localtime(at, "record"), day=lambda day: localdate(day, "date"),
        repeat=lambda rule, series: repeat_rule_text(rule, series),
        yes=_("Yes"), no=_("No"), changed=_("changed"), change=_("%(before)s → %(after)s"),
        separator=_(", "), label_value=_("%(label)s: %(value)s"),
        named=_("%(label)s: %(name)s"))
    rows = read_page(db.session, page, PAGE, fmt)
    return render_template("admin/audit.html", rows=rows, page=page, more=len(rows) == PAGE)
