"""Open enums: the domain's vocabularies (statuses, priorities, contact types) that accept values they do not know.

A value the domain does not know becomes a pseudo-member whose ``name`` is ``"UNKNOWN"`` and whose ``value`` is
the text as received, so nothing is lost and ``str(status)`` still shows what the backend said::

    >>> JobStatus("Invoiced")
    <JobStatus.UNKNOWN: 'Invoiced'>
    >>> JobStatus("Invoiced").known, JobStatus.HOLD.known
    (False, True)
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

__all__ = ["AppointmentStatus", "AssignmentStatus", "ContactType", "JobStatus", "OpenEnum", "Priority", "fold"]


class OpenEnum(enum.StrEnum):
    """A ``StrEnum`` that accepts values it does not know.

    ``Cls("Whatever")`` returns a cached pseudo-member named ``UNKNOWN`` whose value is the text received.
    Lookup is exact first, then case- and separator-insensitive (``"in progress"`` finds ``IN_PROGRESS``).
    Every subclass must define ``UNKNOWN``.
    """

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum:
        text = "" if value is None else str(value)
        folded = fold(text)
        for member in cls:
            if member.name != "UNKNOWN" and (fold(member.value) == folded or fold(member.name) == folded):
                return member
        return _pseudo_member(cls, "_unknown_cache_", text)

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    @property
    def rank(self) -> int:
        """Position in the declared (workflow) order; unknown values sort last, or where ``verbatim`` placed them."""
        if not self.known:
            return getattr(self, "_rank_", 99)
        return list(type(self).__members__).index(self._name_)

    @classmethod
    def verbatim(cls: type[E], value: Any, rank: int | None = None) -> E:
        """The member whose value is exactly ``value``, else a pseudo-member keeping the text as it is: no folding
        (a backend whose words differ, FSM Navigator's "In Progress", keeps them; ``parse`` would read ServiceTitan's
        ``InProgress``). ``rank`` places the value in its backend's order (sorting by status or priority): then it is
        always a pseudo-member, even for a member's words (FSM Navigator's "Completed" is not ServiceTitan's 5th)."""
        text = "" if value is None else str(value)
        member = cls._value2member_map_.get(text)
        if member is not None and rank is None:
            return member  # type: ignore[return-value]
        pseudo = _pseudo_member(cls, "_verbatim_cache_", text)
        if rank is not None:
            # a pseudo-member's own attribute: declared in the class body it would become a member
            pseudo._rank_ = rank  # type: ignore[attr-defined]
        return pseudo  # type: ignore[return-value]

    @classmethod
    def parse(cls: type[E], value: Any) -> E:
        if isinstance(value, cls):
            return value
        if type(value) is str:  # a known value as sent: a dict lookup (Enum's call costs ~10x; a sync makes millions)
            member = cls._value2member_map_.get(value)
            if member is not None:
                return member  # type: ignore[return-value]
        return cls(value)


E = TypeVar("E", bound=OpenEnum)


def fold(text: str) -> str:
    """How a name is matched loosely: letters and digits only, lower case ("In Progress" finds "inProgress")."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _pseudo_member(cls: type[OpenEnum], cache_name: str, text: str) -> OpenEnum:
    """The pseudo-member of ``cls`` for ``text`` (named ``UNKNOWN``, valued the text), made once per class and
    cache: ``_missing_`` and ``verbatim`` keep apart caches, so a rank ``verbatim`` sets never reaches ``cls(text)``."""
    cache: dict[str, OpenEnum] = cls.__dict__.get(cache_name) or {}
    if cache_name not in cls.__dict__:
        type.__setattr__(cls, cache_name, cache)
    pseudo = cache.get(text)
    if pseudo is None:
        pseudo = str.__new__(cls, text)
        pseudo._name_ = "UNKNOWN"
        pseudo._value_ = text
        # enum sets _sort_order_ on every member (3.11+); typeshed does not declare it
        pseudo._sort_order_ = len(cls.__members__)  # type: ignore[attr-defined]
        cache[text] = pseudo
    return pseudo


class JobStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    IN_PROGRESS = "InProgress"
    HOLD = "Hold"
    COMPLETED = "Completed"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"


class AppointmentStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    HOLD = "Hold"
    DONE = "Done"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"

    @property
    def open(self) -> bool:
        """Still ahead of the technician (not done, not canceled)."""
        return self not in (AppointmentStatus.DONE, AppointmentStatus.CANCELED)


class AssignmentStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    DONE = "Done"
    UNKNOWN = "Unknown"


class Priority(OpenEnum):
    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"
    URGENT = "Urgent"
    UNKNOWN = "Unknown"


class ContactType(OpenEnum):
    PHONE = "Phone"
    MOBILE = "MobilePhone"
    EMAIL = "Email"
    FAX = "Fax"
    UNKNOWN = "Unknown"

    @property
    def is_phone(self) -> bool:
        return self in (ContactType.PHONE, ContactType.MOBILE, ContactType.FAX)
