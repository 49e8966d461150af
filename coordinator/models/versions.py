"""A data version: bumped by every commit that changes what a calendar could show."""
from __future__ import annotations

from sqlalchemy import DDL, BigInteger, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataVersion(db.Model):
    """One counter per name ("schedule"); read on every feed poll, bumped on commit."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# The row exists from the start, whether the schema comes from migrations or create_all.
event.listen(DataVersion.__table__, "after_create",
             DDL("INSERT INTO data_versions (name, version) VALUES ('schedule', 0)"))
