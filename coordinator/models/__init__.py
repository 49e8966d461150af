"""All models, imported here so that Alembic and the app see every table."""
from . import attendance_days, totals  # noqa: F401  (triggers on the roll and the slots)
from .attendance import (
                         AttendanceCorrection,
                         AttendanceEntry,
                         Certificate,
                         CheckinCode,
                         MemberContact,
                         StarAward,
)
from .attendance_days import AttendanceDay, AttendanceMonth
from .audit import AuditEntry
from .care import (
    CareRead,
    CareRecipient,
    CareRegisterOpening,
    CareVisitDetail,
    CareVisitLog,
)
from .notify import Delivery, FeedCache, FeedToken, Notification
from .people import Account, Community, CoordinatorScope, Person
from .schedule import (
                       Assignment,
                       Occurrence,
                       OccurrenceRole,
                       Response,
                       Series,
                       SeriesRole,
                       SwapOffer,
                       Unavailability,
)
from .settings import AppSetting
from .teams import Team, TeamMember
from .throttle import LoginThrottle
from .venues import Venue
from .versions import DataVersion

__all__ = [
    "AttendanceCorrection", "AttendanceDay", "AttendanceEntry", "AttendanceMonth", "Certificate",
    "CheckinCode",
    "MemberContact",
    "StarAward",
    "Account", "AppSetting", "Assignment", "AuditEntry", "CareRead", "CareRecipient",
    "CareRegisterOpening", "CareVisitDetail", "CareVisitLog",
    "Community", "CoordinatorScope", "DataVersion", "Delivery", "FeedCache", "FeedToken",
    "Notification", "Occurrence", "OccurrenceRole", "Person", "Response", "Series",
    "SeriesRole", "SwapOffer",
    "Team", "TeamMember", "Unavailability", "Venue",
    "LoginThrottle",
]
