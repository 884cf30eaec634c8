"""Deterministic seeded data for the sandbox: a Phoenix-area trades company, as ServiceTitan sends it.

`generate(seed, jobs, now, hostile=False)` returns `{collection: [record, ...]}` for every name in
`state.COLLECTIONS`. A `hostile` world (the tests', `sandbox serve --hostile`) gives its first jobs, a pinned note
and a customer untrusted text the UI must show literally; otherwise they read like the rest of the company's day
(what `--demo` opens on), from the same random stream, so both worlds hold the same records.
Records are wire-shaped dicts (camelCase, required properties present, ISO-8601 UTC date-times). Where a
collection has two documented shapes, a record is the superset; `LIST_OMITS` / `EXPORT_OMITS` name what
each shape leaves out (the routes project through their own shapes anyway). `NEWER_FIELDS` names the
2026 fields the May 2025 documents do not have yet.

Conventions the routes rely on (see routes/jpm.py):
- `job_history`: one record per job, `id == jobId`, `{"jobId", "history": [entry, ...]}`; an entry has
  `memo` (the list shape) which the export shape drops.
- notes and contacts carry their parent id (`jobId`, `projectId`, `customerId`, `locationId`).
- jobs and appointments on hold carry `_hold` (`{"reasonId", "memo"}`, appointments also `"previous"`);
  canceled ones carry `_statusBeforeCancel`. Keys starting with `_` never reach the wire.
- WBS records are loose (newer than the documents): segments `{id, name, type, structure, isActive,
  isRequired}`, items `{id, segmentId, parentId, code, description, path, costCategory, isActive}`,
  budget codes `{id, code, description, segments: [...], projectId}` (projectId None = company-wide).

Determinism: one `random.Random(seed)` drives everything, consumed in a fixed order; nothing depends on
hashing or set order. Speed: records are built from precomputed pools, times are epoch seconds formatted
through small caches, so 200,000 jobs take seconds rather than minutes.
"""

from __future__ import annotations

import gc
import random
from bisect import bisect
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import accumulate
from typing import NamedTuple

from .state import COLLECTIONS, TENANT, USER_ID

# Fields a record carries that the list/get shape does not (export feeds and parent links).
LIST_OMITS: dict[str, tuple[str, ...]] = {
    "jobs": ("active",),
    "projects": ("active",),
    "job_notes": ("id", "active", "jobId"),
    "project_notes": ("id", "active", "projectId"),
    "job_history": ("id", "jobId", "createdOn", "modifiedOn"),
    "customer_contacts": ("active", "customerId"),
    "location_contacts": ("active", "locationId"),
    "customer_notes": ("customerId",),
    "location_notes": ("locationId",),
    "bookings": ("active", "contacts"),
    "leads": ("active",),
    "business_hours": ("id",),  # the document's answer is one object; the collection keys it anyway
}
# Fields a record carries that the export row does not. "history.memo" is inside each history entry.
EXPORT_OMITS: dict[str, tuple[str, ...]] = {
    "job_history": ("id", "createdOn", "modifiedOn", "history.memo"),
    "bookings": ("contacts",),
    "business_hours": ("id",),
}
# Fields added by 2026 that the May 2025 documents (additionalProperties: false) do not list.
NEWER_FIELDS: dict[str, tuple[str, ...]] = {
    "jobs": ("partnerLeadCallId", "createdFromEstimateId", "estimateIds", "equipmentIds", "isAutoDispatched",
             "summaryOfWork"),
    "appointments": ("active", "appointmentSummaries"),
}

DAY = 86400
HOUR = 3600
LOCAL_OFFSET = -7 * HOUR  # Arizona keeps MST all year, so local time is always UTC-7
TIMEZONE = "America/Phoenix"
"""The company's IANA time zone (what LOCAL_OFFSET assumes): the demo board shows times in it."""
PAST_DAYS, FUTURE_DAYS = 21, 21
"""The days every technician has shifts generated for, around today. Busier worlds book further back: their
older days get shifts as the schedule reaches them (_World._tech_day)."""
# The schedule: visits per technician per working day (weights), travel between visits, how long past the
# shift a visit may run, and the share of jobs booked from today on (the rest fill the days before today).
VISITS_PER_DAY = ((2, 15), (3, 35), (4, 35), (5, 15))
TRAVEL_MINUTES = (15, 20, 25, 30, 30, 40, 45)
SHIFT_SLACK = HOUR
FUTURE_SHARE = 0.4
NEAR_DAYS = 2  # today and tomorrow fill technician by technician; later days are drawn, thinning out
UNASSIGNED_SHARE = 0.05  # of Scheduled/Hold appointments: the Unassigned lane (a running quota, not a coin per visit)
UNASSIGNED_AT_LEAST = 3  # future Scheduled appointments left unassigned in any world, however small
SCENARIOS = 3  # the jobs after the first ones: late, running over, just booked (_World._scenario)

# ---------------------------------------------------------------------------------------- company tables

COMPANY = "Saguaro Home Services"
DOMAIN = "saguarohome.example"

# business unit, job class, job types: (name, minutes, default priority, what the customer reported)
TRADES = (
    ("HVAC Service", "Service", (
        ("No Cool", 120, "High", ("AC running but blowing warm air, 88F inside.",
                                  "Outdoor unit not turning on. Breaker looks fine.")),
        ("No Heat", 120, "High", ("Furnace clicks but never lights.", "Heat pump iced over, stuck in defrost.")),
        ("Furnace Tune-Up", 60, "Normal", ("Annual furnace safety inspection (member).",
                                           "Seasonal tune-up before the cold snap.")),
        ("AC Tune-Up", 60, "Normal", ("Spring AC maintenance, two systems.",
                                      "Member tune-up; customer asks us to confirm filter size.")),
        ("Thermostat Replacement", 90, "Low", ("Replace thermostat with customer-supplied smart stat.",
                                               "Thermostat blank, batteries already replaced.")),
    )),
    ("HVAC Install", "Install", (
        ("System Replacement", 480, "Normal", ("Replace 3-ton split system, 18-year-old R-22 unit.",
                                               "Package unit swap on roof, crane booked.")),
        ("Ductwork Replacement", 360, "Normal", ("Replace attic ductwork, flex duct crushed in places.",)),
        ("Mini-Split Install", 300, "Normal", ("Install ductless mini-split in garage workshop.",)),
    )),
    ("Plumbing Service", "Service", (
        ("Leak Repair", 90, "High", ("Water leaking under kitchen sink, cabinet floor soaked.",
                                     "Slab leak suspected, meter spinning with everything off.")),
        ("Water Heater Repair", 90, "High", ("No hot water. Pilot will not stay lit.",
                                             "Water heater leaking from the relief valve.")),
        ("Toilet Repair", 60, "Normal", ("Toilet runs constantly, flapper replaced already.",)),
        ("Faucet Replacement", 60, "Low", ("Replace kitchen faucet, customer has the new one on site.",)),
    )),
    ("Plumbing Install", "Install", (
        ("Water Heater Replacement", 240, "Normal", ("Replace 50 gal gas water heater in garage.",
                                                     "Swap 40 gal electric for hybrid heat pump unit.")),
        ("Tankless Conversion", 360, "Normal", ("Convert tank to tankless, gas line upsize needed.",)),
        ("Water Softener Install", 180, "Low", ("Install softener and RO under sink, loop exists.",)),
    )),
    ("Electrical Service", "Service", (
        ("Panel Upgrade", 420, "Normal", ("Upgrade 100A panel to 200A, utility disconnect scheduled.",)),
        ("Breaker Tripping", 90, "High", ("Kitchen breaker trips when microwave and kettle run.",
                                          "Main breaker tripped twice overnight.")),
        ("EV Charger Install", 240, "Normal", ("Install Level 2 charger in garage, 40 ft run from panel.",)),
        ("Outlet Repair", 60, "Low", ("Two bedroom outlets dead, GFCI reset does not help.",)),
    )),
    ("Drains", "Service", (
        ("Drain Cleaning", 60, "Normal", ("Kitchen sink draining slowly.", "Shower drain clogged, standing water.")),
        ("Main Line Clog", 120, "Urgent", ("Sewage backing up into tub when washer drains.",
                                           "All drains slow, cleanout overflowing.")),
        ("Camera Inspection", 90, "Normal", ("Camera main line before home purchase closes.",)),
        ("Hydro Jetting", 180, "Normal", ("Restaurant grease line jetting, quarterly service.",)),
    )),
)
# The busier trades employ more technicians.
TRADE_WEIGHTS = (6, 2, 5, 2, 3, 3)

SUMMARY_EXTRAS = (
    "Gate code 4471#.", "Dog in backyard, friendly.", "Customer prefers a text before arrival.",
    "Home warranty (First American), claim pending.", "Second opinion: another company quoted $9,800.",
    "Tenant occupied; owner approves up to $500.", "Parking in driveway is fine.",
    "Same issue last summer, see previous job.",
)
# Untrusted text the UI must show literally (a hostile world only): markup, escape sequences, control and bidi
# characters.
HOSTILE_TEXTS = (
    "[bold red]URGENT[/] customer says [link=https://example.com]click here[/link] for photos",
    "\x1b[31mRED\x1b[0m water everywhere \U0001F525\U0001F4A7 please hurry \x1b]0;pwned\x07",
    "Line one\r\nLine two\twith tab\n\n<script>alert('x')</script> & <b>bold</b> {{name}} %s",
    "Zero\u200bwidth and right-to-left \u202eevil\u202c text and a bell \x07 " + "W" * 160,
)
HOSTILE_CUSTOMER = "[reverse]O'Brien[/reverse] & Sons \x1b[5mPlumbing\x1b[0m \u2603"
# The plain world's pinned note on its second job, where a hostile world pins HOSTILE_TEXTS[1].
PINNED_NOTE = "Customer asked for a call 30 minutes before arrival."
SPECIAL_INSTRUCTIONS = (
    "Call 30 minutes ahead.", "Gate code 2580#. Close the gate, dogs.", "Park on the street, HOA is strict.",
    "Customer works nights, knock softly.", "Use side door; front door sticks.",
    "Commercial site: check in at front desk, badge required.",
)
NOTE_TEXTS = (
    "Customer called to confirm the appointment.", "Quoted replacement, customer wants to think it over.",
    "Part ordered, ETA 2 business days.", "Left voicemail about arrival time.",
    "Customer requested same technician as last visit.", "Permit pulled with the city.",
    "Photos uploaded to the job.", "Warranty claim submitted to manufacturer.",
)
CRM_NOTE_TEXTS = ("Prefers morning appointments.", "Large dog in backyard, call before entering.",
                  "Pays by check only.", "Member since 2021, always offer a tune-up.", "Gate code 2580#.")
WORK_SUMMARIES = (
    "Replaced dual run capacitor, tested amp draw, system cooling normally.",
    "Cleared blockage with cable machine, ran water 10 min, flowing freely.",
    "Replaced flapper and fill valve, no more running.",
    "Tightened neutral in panel, replaced 20A breaker, verified load.",
    "Flushed tank, replaced thermocouple, hot water restored.",
)
CANCEL_REASONS = ("Customer canceled", "Scheduled by mistake", "Went with another company",
                  "Price too high", "Duplicate job", "Customer unreachable")
HOLD_REASONS = ("Waiting for parts", "Waiting for customer approval", "Permit pending",
                "Financing pending", "Weather")
HOLD_MEMOS = ("Compressor on back order.", "Customer reviewing the quote with spouse.",
              "City inspection not booked yet.", "Monsoon storm, roof work unsafe.")
CANCEL_MEMOS = ("Customer fixed it himself.", "Booked twice by phone and web.", "Found a cheaper quote.", "")

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "Carlos", "Sofia",
    "Daniel", "Emily", "Luis", "Ashley", "Kevin", "Hannah", "Anh", "Priya", "Marcus", "Grace", "Tyler",
    "Rosa", "Brandon", "Mei", "Jose", "Olivia", "Andre", "Fatima", "Ethan", "Kaylee", "Omar", "Leah",
)
LAST_NAMES = (
    "Nguyen", "Garcia", "Smith", "Johnson", "Martinez", "Brown", "Lopez", "Davis", "Hernandez", "Wilson",
    "Anderson", "Thomas", "Patel", "Kim", "Begay", "Yazzie", "Ramirez", "Clark", "Lewis", "Walker",
    "Young", "Allen", "Torres", "Nelson", "Hill", "Flores", "Green", "Adams", "Baker", "Rivera", "Chen",
    "O'Brien",
)
BUSINESS_PLACES = (
    "Desert Ridge", "Camelback", "Papago", "Superstition", "Mill Avenue", "South Mountain", "Kierland",
    "Arcadia", "Sonoran", "Riverview", "Ocotillo", "Red Mountain", "Dobson Ranch", "Tempe Marketplace",
)
BUSINESS_KINDS = (
    "Dental", "Family Pharmacy", "Self Storage", "Apartments", "Veterinary Clinic", "Fitness", "Plaza",
    "Medical Center", "Taqueria", "Auto Care", "Preschool", "Community Church", "Brewing Co.", "Office Park",
)
# city, zips, latitude, longitude of the city centre
CITIES = (
    ("Phoenix", ("85004", "85008", "85016", "85018", "85020", "85044"), 33.4484, -112.0740),
    ("Tempe", ("85281", "85282", "85283", "85284"), 33.4255, -111.9400),
    ("Mesa", ("85201", "85203", "85204", "85205", "85210"), 33.4152, -111.8315),
    ("Scottsdale", ("85250", "85251", "85254", "85257", "85260"), 33.4942, -111.9261),
    ("Chandler", ("85224", "85225", "85226", "85248", "85249"), 33.3062, -111.8413),
    ("Gilbert", ("85233", "85234", "85295", "85296", "85297"), 33.3528, -111.7890),
    ("Glendale", ("85301", "85302", "85304", "85306", "85308"), 33.5387, -112.1860),
)
STREETS = (
    "E Baseline Rd", "N Scottsdale Rd", "W Southern Ave", "S Mill Ave", "E McKellips Rd", "N 7th St",
    "E Camelback Rd", "W Indian School Rd", "S Rural Rd", "E Guadalupe Rd", "N Hayden Rd", "W Chandler Blvd",
    "E Ray Rd", "S Alma School Rd", "N Central Ave", "E Thomas Rd", "W Glendale Ave", "E University Dr",
    "E Broadway Rd", "N 44th St", "E Warner Rd", "S Gilbert Rd", "W Olive Ave", "E Shea Blvd",
)
AREA_CODES = ("480", "602", "623")
CONTACT_MEMOS = (None, "Cell", "Home", "Office", "Billing")
TEAMS = ("Red Team", "Blue Team", "Gold Team", "Install Crew", "Night & Weekend")  # service techs: first three
# arrival windows: (local start hour, length in hours)
ARRIVAL_WINDOWS = ((7, 2), (8, 4), (9, 3), (10, 2), (12, 4), (13, 3), (15, 2))
CAMPAIGN_IDS = (60301, 60302, 60315, 60322, 60340, 60377, 60391)  # Google LSA, Yard signs, Referral, ...
TIMESHEET_CODES = {"Meeting": 7101, "Training": 7102, "Vehicle": 7103, "Personal": 7104}
NON_JOB_KINDS = (  # name, minutes, timesheet code, summary
    ("Truck Maintenance", 90, "Vehicle", "Oil change and tire rotation at fleet shop."),
    ("Training", 240, "Training", "Manufacturer certification class."),
    ("Doctor Appointment", 120, "Personal", "Personal time."),
)
TAG_TYPES = (  # name, code, color, importance, conversion opportunity
    ("VIP", "VIP", "#C9A227", "High", False), ("Member", "MBR", "#2E7D32", "Medium", True),
    ("Warranty", "WTY", "#1565C0", None, False), ("Commercial", "COM", "#6A1B9A", None, False),
    ("Do Not Call", "DNC", "#B71C1C", "High", False), ("Pets On Site", "PET", "#EF6C00", None, False),
    ("Second Opinion", "2ND", "#00838F", "Medium", True), ("Financing", "FIN", "#455A64", None, True),
)
# Tags a job type applies to every job booked with it (JPM document: JobType.tagTypeIds, "Tags here will
# automatically be applied to jobs booked"), and the tags a CSR adds to a job by hand. Customer and location
# tags (Commercial, Member, Pets On Site, Do Not Call) stay on the customer and the location.
JOB_TYPE_TAGS = {"Furnace Tune-Up": ("Member",), "AC Tune-Up": ("Member",), "System Replacement": ("Financing",),
                 "Tankless Conversion": ("Financing",), "Camera Inspection": ("Second Opinion",)}
JOB_TAGS = ("VIP", "Warranty", "Second Opinion", "Financing")
EMPLOYEE_ROLES = (  # position, settings role, how many per 1000 jobs (at least one)
    ("Dispatcher", "Dispatch", 3), ("CSR", "CSR", 4), ("Service Manager", "FieldManager", 1),
    ("Office Manager", "GeneralOffice", 1),
)
TECH_ROLES = ("Technician", "Lead Technician", "Installer")
JOB_FILTERS = (None, "AllScheduledDispatchedWorkingToday", "NextScheduledDispatchedWorking")
JOB_CUSTOM_FIELDS = (  # name, data type, dropdown options, values jobs use
    ("Equipment Age (years)", "Numeric", None, ("3", "8", "12", "17", "22")),
    ("Filter Size", "Text", None, ("16x25x1", "20x20x1", "14x30x1", "20x25x4")),
    ("Access", "Dropdown", ["Front door", "Side gate", "Garage", "Lockbox"], ("Side gate", "Garage", "Lockbox")),
    ("Home Warranty Company", "Dropdown", ["None", "First American", "Choice", "AHS"], ("None", "Choice", "AHS")),
)
PROJECT_CUSTOM_FIELDS = (
    ("Permit Number", "Text", None, ("BP-2026-0412", "BP-2026-1187", "ELEC-55120")),
    ("Financing", "Dropdown", ["Cash", "GreenSky", "Synchrony"], ("Cash", "GreenSky", "Synchrony")),
)
PROJECT_STATUSES = (  # status, substatuses
    ("Not Started", ("Awaiting Deposit", "Design")),
    ("In Progress", ("Permit Pending", "Materials Ordered", "Install Scheduled", "Inspection")),
    ("On Hold", ("Customer Delay",)),
    ("Completed", ("Final Walkthrough", "Closed Out")),
)
PROJECT_TYPES = (
    ("Full System Replacement", "Equipment change-out across multiple visits."),
    ("Repipe", "Whole-home repipe in PEX."), ("Remodel", "Kitchen or bath remodel trades work."),
    ("Commercial Build-Out", "Tenant improvement for a commercial client."),
)
COST_CODES = (  # parent code and description, children
    (("01", "General Requirements"), (("01-100", "Permits"), ("01-200", "Supervision"))),
    (("15", "Mechanical"), (("15-100", "HVAC Equipment"), ("15-200", "Ductwork"), ("15-300", "Plumbing Fixtures"))),
    (("16", "Electrical"), (("16-100", "Panels"), ("16-200", "Wiring"))),
)
COST_TYPES = (("L", "Labor"), ("M", "Material"), ("E", "Equipment"), ("S", "Subcontract"))  # code, category
BOOKING_SOURCES = ("Website", "Google Local Services", "Angi", "Facebook")
BOOKING_STATUSES = ("New", "New", "Converted", "Converted", "Dismissed", "Accepted")
LEAD_STATUSES = ("Open", "Open", "Dismissed", "Converted")
BOOKING_PROVIDER_ID = 8701  # the web scheduler; providers and dismissal reasons are not modelled
DISMISSING_REASON_ID = 8801

# Appointment status by where it sits against `now`: (status, weight). A few late (Dispatched past their
# window) come from the "earlier today" table, and one from _World._scenario, since early in the day that
# table has nothing to draw for; the running-over one (Working past its end) only from _World._scenario: drawn
# from these tables, its technician would be Working on their next visit too. A technician is on the way (Dispatched) only to a
# visit starting soon, within DISPATCH_AHEAD, never hours ahead.
STATUS_EARLIER_TODAY = (("Done", 92), ("Canceled", 4), ("Dispatched", 4))
STATUS_PAST = (("Done", 93), ("Canceled", 7))
STATUS_NOW = (("Working", 80), ("Dispatched", 20))
STATUS_SOON = (("Scheduled", 80), ("Dispatched", 10), ("Hold", 5), ("Canceled", 5))
DISPATCH_AHEAD = 2 * HOUR
STATUS_FUTURE = (("Scheduled", 88), ("Hold", 6), ("Canceled", 6))
JOB_STATUS = {"Scheduled": "Scheduled", "Dispatched": "Dispatched", "Working": "InProgress", "Hold": "Hold",
              "Done": "Completed", "Canceled": "Canceled"}
ASSIGNMENT_STATUS = {"Scheduled": "Scheduled", "Dispatched": "Dispatched", "Working": "Working",
                     "Done": "Done", "Hold": "Scheduled"}
PRIORITY_WEIGHTS = (("Low", 10), ("Normal", 65), ("High", 18), ("Urgent", 7))

# Ids: each collection owns a block of 20 million, which keeps them disjoint and 8-9 digits long.
ID_BLOCK = 20_000_000
ID_BASE = {name: ID_BLOCK * (k + 1) for k, name in enumerate(COLLECTIONS)}


def generate(seed: int, jobs: int, now: datetime, *, hostile: bool = False) -> dict[str, list[dict]]:
    """The sandbox world for `jobs` jobs (100..1,000,000) as of `now`, with the hostile texts or without;
    same arguments, same output."""
    # Millions of new dicts make the cyclic collector rescan a growing heap over and over (half the
    # run time at 200,000 jobs); the records hold no cycles, so pause it while building.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _World(seed, jobs, now, hostile).build()
    finally:
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------------------------------------- helpers


class _Clock:
    """Formats epoch seconds as ISO-8601 UTC through per-day and per-minute caches (strftime per value
    would dominate the run time at 200,000 jobs)."""

    def __init__(self, now: datetime) -> None:
        self.now = int(now.astimezone(UTC).timestamp())
        # local midnight of today, in UTC epoch seconds
        self.today = self.day_of(self.now)
        self._days: dict[int, str] = {}
        self._minutes = [f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
        self._seconds = [f"{s:02d}Z" for s in range(60)]

    def iso(self, ts: int) -> str:
        day, rest = divmod(ts, DAY)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
        minute, second = divmod(rest, 60)
        return text + self._minutes[minute] + self._seconds[second]

    def day_of(self, ts: int) -> int:
        """The local midnight (UTC epoch) of the day `ts` falls on."""
        return (ts + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET

    def weekday(self, day_start: int) -> int:
        """Monday 0 .. Sunday 6 of the local day starting at `day_start`."""
        return datetime.fromtimestamp(day_start + LOCAL_OFFSET, UTC).weekday()


class _JobKind(NamedTuple):
    record: dict
    bu_id: int
    minutes: int
    job_class: str
    summaries: tuple[str, ...]


class _Weighted:
    """rng.choices without its per-call setup: values and cumulative weights built once."""

    def __init__(self, table) -> None:
        self.values = [v for v, _ in table]
        self.cum = list(accumulate(w for _, w in table))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.total)]


class _Ids:
    def __init__(self) -> None:
        self._next = dict(ID_BASE)

    def __call__(self, collection: str) -> int:
        self._next[collection] += 1
        return self._next[collection]


# rng.choice / rng.randrange cost several times more than one rng.random() call; at millions of draws
# that is most of the run time. These are the cheap equivalents (deterministic all the same).


def _pick(rng: random.Random, values):
    return values[int(rng.random() * len(values))]


def _randrange(rng: random.Random, start: int, stop: int | None = None) -> int:
    if stop is None:
        start, stop = 0, start
    return start + int(rng.random() * (stop - start))


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _phone(rng: random.Random) -> str:
    return f"{_pick(rng, AREA_CODES)}{_randrange(rng, 200, 1000)}{_randrange(rng, 10000):04d}"


def _login(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "")


# --------------------------------------------------------------------------------------------- world


class _World:
    """Builds the collections in dependency order; later steps look up what earlier ones made."""

    def __init__(self, seed: int, jobs: int, now: datetime, hostile: bool) -> None:
        self.rng = random.Random(seed)
        self.hostile = hostile
        self.clock = _Clock(now)
        self.iso = self.clock.iso
        self.jobs = max(0, int(jobs))
        self.id = _Ids()
        self.out: dict[str, list[dict]] = {name: [] for name in COLLECTIONS}
        self.founded = self.clock.now - 3 * 365 * DAY  # setup records date from the company's start

    def build(self) -> dict[str, list[dict]]:
        self._settings()
        self._dispatch_setup()
        self._jpm_setup()
        self._customers()
        self._projects()
        self._jobs()
        self._bookings()
        self._leads()
        return self.out

    def add(self, collection: str, record: dict) -> dict:
        self.out[collection].append(record)
        return record

    def setup_stamps(self) -> dict:
        """createdOn/modifiedOn of a configuration record: set up early, edited some time later."""
        created = self.founded + _randrange(self.rng, 0, 60) * DAY
        modified = created + _randrange(self.rng, 0, 700) * DAY
        return {"createdOn": self.iso(created), "modifiedOn": self.iso(min(modified, self.clock.now))}

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def maybe_id(self, p: float, base: int) -> int | None:
        """With probability p, an id of something the sandbox does not model (call, membership, ...)."""
        return base + _randrange(self.rng, 9_000_000) if self.rng.random() < p else None

    def between(self, start: int, end: int) -> int:
        """A whole minute in [start, end] (end when the range is empty)."""
        return start + _randrange(self.rng, max(1, (end - start) // 60)) * 60 if end > start else end

    # ------------------------------------------------------------------------------------- settings

    def _settings(self) -> None:
        self.business_units = []
        for name, _, _ in TRADES:
            bu = self.add("business_units", {
                "id": self.id("business_units"), "active": True, "name": name,
                "officialName": f"{COMPANY} - {name}", "email": f"{name.lower().replace(' ', '-')}@{DOMAIN}",
                "currency": "USD", "phoneNumber": "4805550100", "invoiceHeader": f"<b>{COMPANY}</b>",
                "invoiceMessage": "Thank you for choosing us!", "defaultTaxRate": 0.081,
                "authorizationParagraph": "I authorize the work described above.",
                "acknowledgementParagraph": "I acknowledge the work was completed to my satisfaction.",
                "address": {"street": "1850 W Broadway Rd", "unit": "Suite 4", "city": "Tempe", "state": "AZ",
                            "zip": "85282", "country": "USA"},
                "materialSku": None, "quickbooksClass": name,
                "accountCode": f"BU-{len(self.business_units) + 1:02d}",
                "franchiseId": None, "conceptCode": None, "corporateContractNumber": None,
                "tenant": {"id": TENANT, "name": COMPANY, "accountCode": None, "franchiseId": None,
                           "conceptCode": None, "modifiedOn": self.iso(self.founded)},
                **self.setup_stamps(), "externalData": [],
            })
            self.business_units.append(bu)
        self.tags = {name: self.add("tag_types", {
            "id": self.id("tag_types"), "name": name, "color": color, "code": code, "importance": importance,
            "isConversionOpportunity": conversion, "allowToUseOnTimesheetActivity": False, "active": True,
            **self.setup_stamps(),
        })["id"] for name, code, color, importance, conversion in TAG_TYPES}
        self.tag_ids = list(self.tags.values())
        kinds = [(r[0], "Employee") for r in EMPLOYEE_ROLES] + [(r, "Technician") for r in TECH_ROLES]
        self.role_ids = {name: self.add("user_roles", {
            "id": self.id("user_roles"), "active": True, "name": name,
            "createdOn": self.setup_stamps()["createdOn"], "employeeType": kind,
        })["id"] for name, kind in kinds}
        self._employees(self.role_ids)

    def _person(self, used: set[str]) -> str:
        """A first + last name nobody on staff has yet (1,024 pairs; the largest company has ~560 staff,
        and unique names keep logins and emails unique)."""
        name = f"{_pick(self.rng, FIRST_NAMES)} {_pick(self.rng, LAST_NAMES)}"
        while name in used:
            name = f"{_pick(self.rng, FIRST_NAMES)} {_pick(self.rng, LAST_NAMES)}"
        used.add(name)
        return name

    def _staff(self, record_id: int, name: str, role_ids: list[int], bu_id: int | None) -> dict:
        """What technicians and employees share in the Settings documents."""
        login = _login(name)
        return {
            "id": record_id, "userId": record_id + ID_BLOCK // 2, "name": name, "roleIds": role_ids,
            "businessUnitId": bu_id, **self.setup_stamps(), "email": f"{login}@{DOMAIN}",
            "phoneNumber": _phone(self.rng), "loginName": login, "customFields": [], "active": True,
            "aadUserId": None, "permissions": [], "accountLocked": False,
        }

    def _employees(self, roles: dict[str, int]) -> None:
        self.names: set[str] = set()
        self.add("employees", {**self._staff(USER_ID, "API Integration", [roles["Office Manager"]], None),
                               "role": "Admin"})
        self.staff: dict[str, list[int]] = {}
        for position, role, per_thousand in EMPLOYEE_ROLES:
            count = max(1, min(40, self.jobs * per_thousand // 1000))
            self.staff[role] = [self.add("employees", {
                **self._staff(self.id("employees"), self._person(self.names), [roles[position]], None), "role": role,
            })["id"] for _ in range(count)]
        self.office_ids = self.staff["Dispatch"] + self.staff["CSR"]

    # ------------------------------------------------------------------------------------- dispatch

    def _dispatch_setup(self) -> None:
        self.zones = []
        for city, zips, _, _ in CITIES:
            self.zones.append(self.add("zones", {
                "id": self.id("zones"), "active": True, "name": city, "zips": list(zips), "cities": [city],
                "territoryNumbers": [], "locnNumbers": [], "createdBy": USER_ID, **self.setup_stamps(),
                "serviceDaysEnabled": False, "serviceDays": [],
                "businessUnits": [bu["id"] for bu in self.business_units], "technicians": [],
            }))
        self.zone_by_city = {zone["name"]: zone for zone in self.zones}
        for name in TEAMS:
            self.add("teams", {"id": self.id("teams"), "active": True, "name": name, "createdBy": USER_ID,
                               **self.setup_stamps()})
        for start, hours in ARRIVAL_WINDOWS:
            self.add("arrival_windows", {
                "id": self.id("arrival_windows"), "start": f"{start:02d}:00:00", "duration": f"{hours:02d}:00:00",
                "businessUnitIds": [bu["id"] for bu in self.business_units], "active": True,
            })
        self.add("business_hours", {"id": self.id("business_hours"),
                                    "weekdays": [{"fromHour": 7, "toHour": 18}],
                                    "saturday": [{"fromHour": 8, "toHour": 14}], "sunday": []})
        self._technicians()
        self._shifts()
        self._non_job_appointments()

    def _technicians(self) -> None:
        rng = self.rng
        count = min(400, max(6, self.jobs // 25))
        trade = _Weighted(list(zip(range(len(TRADES)), TRADE_WEIGHTS)))
        self.techs_by_bu: dict[int, list[dict]] = {bu["id"]: [] for bu in self.business_units}
        self.unassigned_owed = UNASSIGNED_AT_LEAST
        self.unassigned_due = 0.0  # the share of waiting visits owed to the Unassigned lane so far
        self.technicians = []
        for i in range(count):
            # the first of each trade are fixed so every business unit has someone to send
            t = i if i < len(TRADES) else trade.pick(rng)
            bu = self.business_units[t]
            home_zone = _randrange(rng, len(self.zones))
            zone_ids = sorted({self.zones[home_zone]["id"], _pick(rng, self.zones)["id"]})
            installer = TRADES[t][1] == "Install"
            role = "Installer" if installer else "Lead Technician" if rng.random() < 0.2 else "Technician"
            tech = self.add("technicians", {
                **self._staff(self.id("technicians"), self._person(self.names), [self.role_ids[role]], bu["id"]),
                "mainZoneId": self.zones[home_zone]["id"], "zoneIds": zone_ids,
                "home": self._tech_home(home_zone), "dailyGoal": float(_pick(rng, (1200, 1500, 2000, 2500))),
                "isManagedTech": True, "burdenRate": float(_randrange(rng, 28, 55)),
                "team": "Install Crew" if installer else _pick(rng, TEAMS[:3]),
                "jobFilter": _pick(rng, JOB_FILTERS),
            })
            # a few former employees: kept for history, never scheduled
            if i >= len(TRADES) and rng.random() < 0.04:
                tech["active"] = False
                continue
            self.technicians.append(tech)
            self.techs_by_bu[bu["id"]].append(tech)
            for zone in self.zones:
                if zone["id"] in zone_ids:
                    zone["technicians"].append(tech["id"])

    def _tech_home(self, zone_index: int) -> dict:
        street, unit, city, state, zip_code, country, lat, lon = self._address(zone_index)
        return {"street": street, "unit": unit, "country": country, "city": city, "state": state,
                "zip": zip_code, "streetAddress": street, "latitude": lat, "longitude": lon}

    def _days(self) -> list[int]:
        """Local midnights (UTC epoch) of every day the schedule covers."""
        return [self.clock.today + d * DAY for d in range(-PAST_DAYS, FUTURE_DAYS + 1)]

    def _shifts(self) -> None:
        """Mon-Fri 07:00-17:00, a rotating weekend on call (a quarter of the crew each Saturday and Sunday),
        now and then a day off. `self.shift_of[(technician id, day)]` is the (start, end) worked, or None."""
        self.shift_of: dict[tuple[int, int], tuple[int, int] | None] = {}
        self.first_day = self.clock.today - PAST_DAYS * DAY
        for day in self._days():
            weekday = self.clock.weekday(day)
            for tech in self.technicians:
                self._shift(tech, tech["id"], day, weekday)

    def _shift(self, tech: dict, k: int, day: int, weekday: int) -> None:
        if weekday < 5:
            kind, title, start, hours = "Normal", "Regular shift", 7, 10
            if self.rng.random() < 0.02:
                kind, title = "TimeOff", "Vacation"
        elif (k + day // DAY + weekday) % 4 == 0:
            kind, title, start, hours = "OnCall", "On call", 8, 12
        else:
            self.shift_of[(tech["id"], day)] = None
            return
        begin = day + start * HOUR
        self.shift_of[(tech["id"], day)] = None if kind == "TimeOff" else (begin, begin + hours * HOUR)
        self._shift_record(tech, kind, title, begin, begin + hours * HOUR, begin - 14 * DAY)

    def _shift_record(self, tech: dict, kind: str, title: str, begin: int, end: int, made: int) -> None:
        stamp = self.iso(min(made, self.clock.now))
        self.add("technician_shifts", {
            "id": self.id("technician_shifts"), "shiftType": kind, "title": title,
            "note": None if kind == "Normal" else title, "active": True, "technicianId": tech["id"],
            "start": self.iso(begin), "end": self.iso(end),
            "timesheetCodeId": None, "createdOn": stamp, "modifiedOn": stamp,
        })

    def _non_job_appointments(self) -> None:
        """Monday team meetings for everyone, plus the odd truck service, class or doctor visit. The
        schedule books visits around them (`self.busy[(technician id, day)]` = (start, end))."""
        rng = self.rng
        self.busy: dict[tuple[int, int], tuple[int, int]] = {}
        for day in self._days():
            monday = self.clock.weekday(day) == 0
            for tech in self.technicians:
                if monday:
                    self._non_job(tech, day + 7 * HOUR, "Team Meeting", 30, "Meeting", "Weekly safety huddle.")
                    self.busy[(tech["id"], day)] = (day + 7 * HOUR, day + 7 * HOUR + 1800)
                elif rng.random() < 0.01:
                    name, minutes, code, summary = _pick(rng, NON_JOB_KINDS)
                    self._non_job(tech, day + 13 * HOUR, name, minutes, code, summary)
                    self.busy[(tech["id"], day)] = (day + 13 * HOUR, day + 13 * HOUR + minutes * 60)

    def _non_job(self, tech: dict, start: int, name: str, minutes: int, code: str, summary: str) -> None:
        stamp = self.iso(min(start - 7 * DAY, self.clock.now))
        self.add("non_job_appointments", {
            "id": self.id("non_job_appointments"), "technicianId": tech["id"], "start": self.iso(start),
            "name": name, "duration": f"{minutes // 60:02d}:{minutes % 60:02d}:00",
            "timesheetCodeId": TIMESHEET_CODES[code], "summary": summary, "clearDispatchBoard": False,
            "clearTechnicianView": False, "removeTechnicianFromCapacityPlanning": minutes > 60,
            "allDay": False, "showOnTechnicianSchedule": True, "active": True, "createdOn": stamp,
            "modifiedOn": stamp, "createdById": _pick(self.rng, self.staff["Dispatch"]),
        })

    # ------------------------------------------------------------------------------------------ jpm

    def _jpm_setup(self) -> None:
        self.job_types: list[_JobKind] = []
        for (bu_name, job_class, types), bu in zip(TRADES, self.business_units):
            for name, minutes, priority, summaries in types:
                record = self.add("job_types", {
                    "id": self.id("job_types"), "name": name, "businessUnitIds": [bu["id"]],
                    "skills": [bu_name.split()[0]],
                    "tagTypeIds": [self.tags[tag] for tag in JOB_TYPE_TAGS.get(name, ())], "priority": priority,
                    "duration": minutes * 60, "soldThreshold": 1000.0 if job_class == "Install" else None,
                    "class": job_class, "summary": summaries[0], "noCharge": False,
                    "enforceRecurringServiceEventSelection": False,
                    "invoiceSignaturesRequired": job_class == "Install",
                    **self.setup_stamps(), "externalData": [], "active": True,
                })
                self.job_types.append(_JobKind(record, bu["id"], minutes, job_class, summaries))
        self.cancel_reasons = self._reasons("job_cancel_reasons", CANCEL_REASONS)
        self.hold_reasons = self._reasons("job_hold_reasons", HOLD_REASONS)
        self.job_fields = self._field_types("job_custom_field_types", JOB_CUSTOM_FIELDS)
        self.project_fields = self._field_types("project_custom_field_types", PROJECT_CUSTOM_FIELDS)
        self.project_statuses = []
        for order, (status, subs) in enumerate(PROJECT_STATUSES, 1):
            record = self.add("project_statuses", {"id": self.id("project_statuses"), "name": status,
                                                   "order": order, "modifiedOn": self.setup_stamps()["modifiedOn"]})
            substatuses = [self.add("project_substatuses", {
                "id": self.id("project_substatuses"), "name": sub, "statusId": record["id"], "order": k,
                "modifiedOn": record["modifiedOn"], "active": True,
            }) for k, sub in enumerate(subs, 1)]
            self.project_statuses.append((record, substatuses))
        self.project_types = [self.add("project_types", {
            "id": self.id("project_types"), "name": name, "description": text, "createdById": USER_ID,
        }) for name, text in PROJECT_TYPES]
        self._wbs()

    def _reasons(self, collection: str, names: tuple[str, ...]) -> list[dict]:
        return [self.add(collection, {"id": self.id(collection), "name": name, "active": True,
                                      **self.setup_stamps()}) for name in names]

    def _field_types(self, collection: str, table) -> list[tuple[dict, tuple[str, ...]]]:
        """The field type records, each with the values records may hold."""
        return [(self.add(collection, {"id": self.id(collection), "name": name, "dataType": kind,
                                       "dataTypeOptions": options, **self.setup_stamps()}), samples)
                for name, kind, options, samples in table]

    def _custom_fields(self, fields: list[tuple[dict, tuple[str, ...]]], p: float) -> list[dict]:
        """With probability p, one filled-in custom field."""
        if not self.chance(p):
            return []
        field, samples = _pick(self.rng, fields)
        return [{"typeId": field["id"], "name": field["name"], "value": _pick(self.rng, samples)}]

    def _wbs(self) -> None:
        """A hierarchical cost-code segment and a flat cost-type segment; a budget code per leaf x type."""
        cost_code = self._segment("Cost Code", "CostCode", "Hierarchal")
        leaves = []
        for (code, text), children in COST_CODES:
            parent = self._segment_item(cost_code, None, code, text, text, "None")
            for child_code, child_text in children:
                leaves.append(self._segment_item(cost_code, parent["id"], child_code, child_text,
                                                 f"{text} / {child_text}", "None"))
        cost_type = self._segment("Cost Type", "CostType", "Flat")
        types = [self._segment_item(cost_type, None, code, category, category, category)
                 for code, category in COST_TYPES]
        for leaf in leaves:
            for kind in types:
                self.add("budget_codes", {
                    "id": self.id("budget_codes"), "code": f"{leaf['code']}-{kind['code']}",
                    "description": f"{leaf['description']} / {kind['description']}",
                    "segments": [{"segmentId": item["segmentId"], "segmentItemId": item["id"], "code": item["code"],
                                  "description": item["description"], "path": item["path"]} for item in (leaf, kind)],
                    "projectId": None,
                })

    def _segment(self, name: str, kind: str, structure: str) -> dict:
        return self.add("wbs_segments", {"id": self.id("wbs_segments"), "name": name, "type": kind,
                                         "structure": structure, "isActive": True, "isRequired": True})

    def _segment_item(self, segment: dict, parent_id, code: str, text: str, path: str, category: str) -> dict:
        return self.add("wbs_segment_items", {
            "id": self.id("wbs_segment_items"), "segmentId": segment["id"], "parentId": parent_id, "code": code,
            "description": text, "path": path, "costCategory": category, "isActive": True,
        })

    # ------------------------------------------------------------------------------------------ crm

    def _address(self, zone_index: int, commercial: bool = False) -> tuple:
        rng = self.rng
        city, zips, lat, lon = CITIES[zone_index]
        unit = None
        if commercial and rng.random() < 0.5:
            unit = f"Suite {_randrange(rng, 1, 40) * 10}"
        elif rng.random() < 0.1:
            unit = f"Apt {_randrange(rng, 1, 300)}"
        return (f"{_randrange(rng, 100, 9999)} {_pick(rng, STREETS)}", unit, city, "AZ", _pick(rng, zips), "USA",
                round(lat + rng.uniform(-0.045, 0.045), 6), round(lon + rng.uniform(-0.045, 0.045), 6))

    def _customers(self) -> None:
        """About one customer per 2.5 jobs (repeat business); commercial ones may have several sites."""
        self.locations: Sequence[dict] = self.out["locations"]
        for i in range(max(20, self.jobs * 2 // 5)):
            self._customer(i)

    def _customer(self, i: int) -> None:
        """The i-th customer, its sites and their contacts and notes."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        commercial = rng.random() < 0.15
        if commercial:
            name = f"{_pick(rng, BUSINESS_PLACES)} {_pick(rng, BUSINESS_KINDS)}"
        elif rng.random() < 0.6:
            name = f"{_pick(rng, LAST_NAMES)} Residence"
        else:
            name = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, LAST_NAMES)}"
        if i == 1 and self.hostile:
            name = HOSTILE_CUSTOMER
        created = self.between(self.founded, now - 130 * DAY)  # before any project or job below
        stamps = {"createdOn": iso(created), "createdById": _pick(rng, self.office_ids),
                  "modifiedOn": iso(self.between(created, now))}
        zone = _randrange(rng, len(CITIES))
        address = dict(zip(("street", "unit", "city", "state", "zip", "country", "latitude", "longitude"),
                           self._address(zone, commercial)))
        tags = [self.tags["Commercial"]] if commercial else [self.tags["Member"]] if self.chance(0.25) else []
        customer = self.add("customers", {
            "id": self.id("customers"), "active": True, "name": name,
            "type": "Commercial" if commercial else "Residential", "address": address, "customFields": [],
            "balance": round(_pick(rng, (0, 0, 0, rng.uniform(40, 900))), 2), "tagTypeIds": tags,
            "doNotMail": rng.random() < 0.05, "doNotService": False, **stamps, "mergedToId": None,
            "externalData": [],
        })
        self._contacts("customer_contacts", "customerId", customer, stamps, email=True)
        if rng.random() < 0.12:
            self._note("customer_notes", "customerId", customer["id"], created)
        for k in range(_randrange(rng, 1, 4) if commercial else 1):
            where = address if k == 0 else dict(zip(address, self._address(_randrange(rng, len(CITIES)), True)))
            self._location(customer, where, stamps, k)

    def _location(self, customer: dict, address: dict, stamps: dict, k: int) -> None:
        rng = self.rng
        name = customer["name"] if k == 0 else f"{customer['name']} - {address['city']}"
        zone = self.zone_by_city[address["city"]]
        location = self.add("locations", {
            "taxZoneId": None, "id": self.id("locations"), "customerId": customer["id"], "active": True,
            "name": name, "address": dict(address), "customFields": [], **stamps, "mergedToId": None,
            "zoneId": zone["id"], "tagTypeIds": [self.tags["Pets On Site"]] if self.chance(0.1) else [],
            "externalData": [],
        })
        if rng.random() < 0.3:
            self._contacts("location_contacts", "locationId", location, stamps, email=False)
        if rng.random() < 0.08:
            self._note("location_notes", "locationId", location["id"], self.between(self.founded, self.clock.now))

    def _contacts(self, collection: str, key: str, parent: dict, stamps: dict, *, email: bool) -> None:
        rng = self.rng
        kinds = ["MobilePhone" if rng.random() < 0.7 else "Phone"]
        if rng.random() < 0.3:
            kinds.append("Phone")
        if email and rng.random() < 0.75:
            kinds.append("Email")
        handle = "".join(ch for ch in parent["name"].split()[0].lower() if ch.isalnum()) or "contact"
        for kind in kinds:
            value = f"{handle}{_randrange(rng, 10, 99)}@mail.example.com" if kind == "Email" else _phone(rng)
            self.add(collection, {
                "id": self.id(collection), "type": kind, "value": value,
                "memo": _pick(rng, CONTACT_MEMOS) if key == "customerId" else "Site contact",
                "modifiedOn": stamps["modifiedOn"],
                "phoneSettings": {"phoneNumber": "" if kind == "Email" else value, "doNotText": rng.random() < 0.05},
                "createdOn": stamps["createdOn"], key: parent["id"], "active": True,
            })

    def _note(self, collection: str, key: str, parent_id: int, created: int) -> None:
        self.add(collection, {
            "id": self.id(collection), "text": _pick(self.rng, CRM_NOTE_TEXTS), "isPinned": self.chance(0.3),
            "createdById": _pick(self.rng, self.office_ids), "createdOn": self.iso(created),
            "modifiedOn": self.iso(created), key: parent_id,
        })

    # ------------------------------------------------------------------------------------- projects

    def _projects(self) -> None:
        """About one project per 40 jobs, at a customer's location; jobs join them in _jobs()."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        self.projects = []
        managers = self.staff["FieldManager"]
        for i in range(max(3, self.jobs // 40)):
            location = _pick(rng, self.locations)
            status, substatuses = _pick(rng, self.project_statuses)
            sub = _pick(rng, substatuses)
            kind = _pick(rng, self.project_types)
            created = self.between(now - 120 * DAY, now - 35 * DAY)
            start = created + _randrange(rng, 3, 30) * DAY
            done = status["name"] == "Completed"
            project = self.add("projects", {
                "id": self.id("projects"), "number": f"P{3000 + i}", "name": f"{location['name']} - {kind['name']}",
                "summary": kind["description"] if rng.random() < 0.7 else None, "status": status["name"],
                "statusId": status["id"], "subStatus": sub["name"], "subStatusId": sub["id"],
                "customerId": location["customerId"], "locationId": location["id"], "projectTypeId": kind["id"],
                "projectManagerIds": [_pick(rng, managers)], "businessUnitIds": [], "startDate": iso(start),
                "targetCompletionDate": iso(start + _randrange(rng, 14, 90) * DAY),
                "actualCompletionDate": iso(min(start + _randrange(rng, 10, 60) * DAY, now)) if done else None,
                "modifiedOn": iso(self.between(created, now)), "createdOn": iso(created),
                "customFields": self._custom_fields(self.project_fields, 0.8),
                "externalData": [], "jobIds": [], "active": True,
            })
            self.projects.append(project)
            for _ in range(_randrange(rng, 1, 3)):
                self._project_note(project, created)

    def _project_note(self, project: dict, after: int) -> None:
        at = self.between(after, self.clock.now)
        self.add("project_notes", {
            "id": self.id("project_notes"), "active": True, "text": _pick(self.rng, NOTE_TEXTS),
            "isPinned": self.rng.random() < 0.2, "createdById": _pick(self.rng, self.staff["FieldManager"]),
            "createdOn": self.iso(at), "modifiedOn": self.iso(at), "projectId": project["id"],
        })

    # ----------------------------------------------------------------------------------------- jobs

    def _jobs(self) -> None:
        self._job_setup()
        # the scenario visits' times are set by now: they are placed before anything else is booked
        self.scenarios = [self._scenario(k, self.call_kinds.pick(self.rng)) for k in range(SCENARIOS)]
        self.on_hold = 0  # jobs put on hold so far
        for i in range(self.jobs):
            self._job(i)
        for project in self.projects:
            project["businessUnitIds"] = sorted(set(project["businessUnitIds"]))

    def _job_setup(self) -> None:
        """The draw tables every job is booked from, and the schedule they are booked into."""
        self.tables = {name: _Weighted(t) for name, t in (
            ("earlier_today", STATUS_EARLIER_TODAY), ("past", STATUS_PAST), ("now", STATUS_NOW),
            ("soon", STATUS_SOON), ("future", STATUS_FUTURE))}
        self.priority = _Weighted(PRIORITY_WEIGHTS)
        self.bookable = [kind for kind in self.job_types if self.techs_by_bu[kind.bu_id]]
        # service calls outnumber installs, and each trade books about as much as its crew can do
        trade_of = {bu["id"]: t for t, bu in enumerate(self.business_units)}
        types_in = {bu_id: sum(k.bu_id == bu_id for k in self.bookable) for bu_id in trade_of}
        table = [(kind, TRADE_WEIGHTS[trade_of[kind.bu_id]] / types_in[kind.bu_id]
                  * (0.6 if kind.job_class == "Install" else 1.0)) for kind in self.bookable]
        self.kinds = _Weighted(table)
        # what the day's scenario visits are: service calls of two hours at most (what an on-call
        # technician is called out for), not installs that would have started the evening before
        self.call_kinds = _Weighted([(kind, w) for kind, w in table if kind.job_class == "Service"
                                     and kind.minutes <= 120])
        self._schedule_setup()

    def _job_tags(self, job_type: dict, drawn: int | None) -> list[int]:
        """The job type's tags, plus (one job in five) a tag added by hand. ``drawn`` is a tag type drawn from
        the seeded stream; it is mapped onto the job tags so the stream (and every record after it) stays put."""
        tags = list(job_type["tagTypeIds"])
        if drawn is not None:
            extra = self.tags[JOB_TAGS[self.tag_ids.index(drawn) % len(JOB_TAGS)]]
            if extra not in tags:
                tags.append(extra)
        return tags

    def _job(self, i: int) -> None:
        """One job: where and what, its visits and their statuses, then the job record and its logs."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        k = i - len(HOSTILE_TEXTS)
        scenario = self.scenarios[k] if 0 <= k < SCENARIOS else None
        kind = self.kinds.pick(rng)
        project = _pick(rng, self.projects) if self.chance(0.08) else None
        site = project or self.locations[_randrange(rng, len(self.locations))]
        first = i < len(HOSTILE_TEXTS)  # booked for today where possible (a hostile world gives them HOSTILE_TEXTS)
        if scenario is not None:
            visits, status, kind = scenario
        else:
            visits = self._book(kind.bu_id, kind.minutes, first)
            status = self._status_at(visits[-1])
            if status == "Scheduled" and not self.on_hold and visits[-1][0] > now + DAY:
                status = "Hold"  # the first more than a day ahead, if none came before: every world has one
            self.on_hold += status == "Hold"
        job_type, bu_id, install = kind.record, kind.bu_id, kind.job_class == "Install"
        job_id, job_number = ID_BASE["jobs"] + i + 1, str(41000 + i)
        just_booked = scenario is not None and status == "Scheduled"
        created = (now - _randrange(rng, 1, 60) * 60 if just_booked
                   else min(visits[0][0] - _randrange(rng, 60, 21 * 24 * 60) * 60, now - _randrange(rng, 1, 600) * 60))
        # a return visit's job changed when its earlier visits finished, not only when it was booked
        floor = max([created] + [visit[1] for visit in visits[:-1] if visit[1] <= now])
        changed = self._changed_at(status, visits[-1], floor)
        appointments = self._appointments(job_id, job_number, site["customerId"], visits, status, created, changed,
                                          bu_id)
        if just_booked:
            appointments[-1]["isConfirmed"] = False
        completed = status == "Done"
        job = self.add("jobs", {
            "id": job_id, "jobNumber": job_number, "projectId": project["id"] if project else None,
            "customerId": site["customerId"], "locationId": site["locationId"] if project else site["id"],
            "jobStatus": JOB_STATUS[status], "completedOn": iso(changed) if completed else None,
            "businessUnitId": bu_id, "jobTypeId": job_type["id"],
            "priority": job_type["priority"] if self.chance(0.5) else self.priority.pick(rng),
            "campaignId": _pick(rng, CAMPAIGN_IDS),
            "summary": self._first_summary(i, kind) if first else self._summary(kind.summaries),
            "customFields": self._custom_fields(self.job_fields, 0.25), "appointmentCount": len(appointments),
            "firstAppointmentId": appointments[0]["id"], "lastAppointmentId": appointments[-1]["id"],
            "recallForId": job_id - _randrange(rng, 1, i + 1) if i and self.chance(0.03) else None,
            "warrantyId": None,
            "jobGeneratedLeadSource": ({"jobId": job_id - 1, "employeeId": _pick(rng, self.technicians)["id"]}
                                       if i and self.chance(0.04) else None),
            "noCharge": self.chance(0.03), "notificationsEnabled": self.chance(0.9),
            "createdOn": iso(created), "createdById": _pick(rng, self.staff["CSR"]), "modifiedOn": iso(changed),
            "tagTypeIds": self._job_tags(job_type, _pick(rng, self.tag_ids) if self.chance(0.2) else None),
            "leadCallId": self.maybe_id(0.5, 90_000_000), "bookingId": None,
            "soldById": _pick(rng, self.staff["FieldManager"]) if completed and install else None,
            "externalData": [], "customerPo": f"PO-{_randrange(rng, 10000, 99999)}" if project else "",
            "invoiceId": ID_BASE["jobs"] + ID_BLOCK // 2 + i, "membershipId": self.maybe_id(0.2, 5_000_000),
            "total": round(rng.uniform(89, 14000 if install else 900), 2) if completed else None,
            "active": True, "partnerLeadCallId": None,
            "createdFromEstimateId": self.maybe_id(0.3 if install else 0.0, 70_000_000),
            "estimateIds": [], "equipmentIds": [], "isAutoDispatched": self.chance(0.1),
            "summaryOfWork": _pick(rng, WORK_SUMMARIES) if completed else None,
        })
        if project:
            project["jobIds"].append(job_id)
            project["businessUnitIds"].append(bu_id)
        self._job_logs(job, appointments, status, created, changed)
        self._job_notes(job, created, pin_first=i == 1)

    def _first_summary(self, i: int, kind: _JobKind) -> str:
        """A first job's hostile text, or (plain world) one of its kind's summaries: no draw, so both worlds keep one
        random stream."""
        return HOSTILE_TEXTS[i] if self.hostile else kind.summaries[i % len(kind.summaries)]

    def _summary(self, summaries: tuple[str, ...]) -> str:
        """What the customer reported, sometimes with a second line for the technician."""
        text = _pick(self.rng, summaries)
        return text + "\n" + _pick(self.rng, SUMMARY_EXTRAS) if self.chance(0.3) else text

    # ------------------------------------------------------------------------------------ schedule
    #
    # Each technician's working day is booked end to end: `self.tech_days[(technician id, day)]` is
    # [next free time, visits, visits wanted, shift end], made when the day is first asked for (None when
    # the technician has no shift that day). A visit is (start, end, window start, window end, slot),
    # slot = (technician, day record, its time and count before the visit) so a visit that ends up
    # canceled or unassigned gives its time back. Per job the work is O(1): a few tries, never a sort.
    #
    # From today on, per business unit, today and tomorrow fill technician by technician, later days are
    # drawn with thinning weights; what does not fit goes to the days before today, which fill backwards
    # from yesterday, day by day, as far back as the number of jobs needs (a big world has years of it).
    #
    # The scenario visits come first, at times `now` sets; one outside every shift (at night, on a day off)
    # is a call-out: `self.calls[technician id]` lists when they are out on each (until now for one still
    # going), each has an on-call shift record, and the technician's day is booked around it.

    def _schedule_setup(self) -> None:
        self.tech_days: dict[tuple[int, int], list | None] = {}
        self.calls: dict[int, list[tuple[int, int]]] = {}  # technician id -> each call-out's (start, until)
        self.visits_wanted = _Weighted(VISITS_PER_DAY)
        today = self.clock.today
        self.near = {bu_id: [today, 0, 0] for bu_id in self.techs_by_bu}  # day, next technician, misses
        self.back = {bu_id: [today - DAY, 0, 0] for bu_id in self.techs_by_bu}
        table = []
        for d in range(NEAR_DAYS, FUTURE_DAYS + 1):
            day = today + d * DAY
            table.append((day, (1.0 - (d - NEAR_DAYS) / (FUTURE_DAYS + 4)) * (0.2 if self.clock.weekday(day) >= 5
                                                                               else 1.0)))
        self.later_days = _Weighted(table)
        # arrival windows containing each half hour of the day
        self.windows_at = [[(h, n) for h, n in ARRIVAL_WINDOWS if h * 2 <= half < (h + n) * 2] for half in range(48)]

    def _tech_day(self, tech: dict, day: int) -> list | None:
        key = (tech["id"], day)
        state = self.tech_days.get(key, False)
        if state is not False:
            return state
        if key not in self.shift_of:  # a day before the generated shifts: its shift is made now
            self._shift(tech, tech["id"], day, self.clock.weekday(day))
        shift = self.shift_of[key]
        if shift is None:
            state = None
        else:
            start, end = shift
            wanted = self.visits_wanted.pick(self.rng)
            d = (day - self.clock.today) // DAY
            if end - start > 10 * HOUR:  # on call: an emergency or two
                wanted = 1 + (self.rng.random() < 0.4)
            elif d >= NEAR_DAYS:  # further out the book is still filling up
                wanted = max(1, int(wanted * (1.0 - d / (FUTURE_DAYS + 7)) + self.rng.random()))
            state = [start, 0, wanted, end]
        self.tech_days[key] = state
        return state

    def _fit(self, tech: dict, day: int, minutes: int) -> tuple | None:
        """Book `minutes` for `tech` on `day` after what they have, ending within their shift, or None."""
        state = self._tech_day(tech, day)
        if state is None or state[1] >= state[2]:
            return None
        rng = self.rng
        start = state[0] + _pick(rng, TRAVEL_MINUTES) * 60 if state[1] else state[0] + _randrange(rng, 0, 3) * 900
        start = -(-start // 900) * 900  # quarter hours
        busy = self.busy.get((tech["id"], day))
        if busy and start < busy[1] and start + minutes * 60 > busy[0]:
            start = -(-(busy[1] + _pick(rng, TRAVEL_MINUTES) * 60) // 900) * 900
        end = start + minutes * 60
        if end > state[3] + SHIFT_SLACK:
            return None
        slot = (tech, state, state[0], state[1])
        state[0], state[1] = end, state[1] + 1
        return start, end, *self._window(start, day), slot

    def _window(self, start: int, day: int) -> tuple[int | None, int | None]:
        """An arrival window that contains `start` (one visit in ten is booked without one)."""
        fits = self.windows_at[min(47, (start - day) // 1800)] if start >= day else []
        if not fits or self.rng.random() < 0.1:
            return None, None
        hour, hours = _pick(self.rng, fits)
        return day + hour * HOUR, day + (hour + hours) * HOUR

    def _sweep(self, front: list, pool: list[dict], minutes: int, step: int) -> tuple:
        """The next technician on the front's day with room, moving the day by `step` once a whole round
        of the crew found none."""
        n = len(pool)
        while True:
            tech = pool[front[1] % n]
            front[1] += 1
            visit = self._fit(tech, front[0], minutes)
            if visit is not None:
                front[2] = 0
                return visit
            front[2] += 1
            if front[2] >= n:
                front[0] += step
                front[1], front[2] = 0, 0
                if step > 0 and front[0] >= self.clock.today + NEAR_DAYS * DAY:
                    return None

    def _book(self, bu_id: int, minutes: int, first: bool) -> list[tuple]:
        """A job's visits, last one first placed: from today on (or before today if there is no room),
        earlier visits of a return job 1-4 days before it, with the same technician where possible."""
        rng, today = self.rng, self.clock.today
        pool = self.techs_by_bu[bu_id]
        last = None
        if first:  # booked for today where it fits, else called out for it at 10:00, else as any job
            for tech in pool:
                last = self._fit(tech, today, minutes)
                if last:
                    break
            booked = None if last else self._take(pool, today + 10 * HOUR, minutes * 60, 0)
            if booked:
                start, slot = booked
                last = (start, start + minutes * 60, *self._window(start, today), slot)
        if last is None and (first or rng.random() < FUTURE_SHARE):
            near = self.near[bu_id]
            if near[0] < today + NEAR_DAYS * DAY:
                last = self._sweep(near, pool, minutes, DAY)
            for _ in range(2 if last is None else 0):
                day = self.later_days.pick(rng)
                last = self._fit(pool[_randrange(rng, len(pool))], day, minutes)
                if last:
                    break
        if last is None:
            last = self._sweep(self.back[bu_id], pool, minutes, -DAY)
        r = rng.random()
        visits = [last]
        for _ in range(0 if r < 0.76 else 1 if r < 0.96 else 2):
            day = self.clock.day_of(visits[0][0]) - _randrange(rng, 1, 5) * DAY
            tech = visits[0][4][0]
            visit = self._fit(tech, day, minutes) or self._fit(pool[_randrange(rng, len(pool))], day, minutes)
            if visit is None:
                break
            visits.insert(0, visit)
        return visits

    def _release(self, visit: tuple) -> None:
        """Give a canceled or unassigned visit's time back (it was the last booked on its day)."""
        _, state, cursor, count = visit[4]
        if state[1] == count + 1:
            state[0], state[1] = cursor, count

    def _scenario(self, k: int, kind: _JobKind) -> tuple[list[tuple], str, _JobKind] | None:
        """The jobs the board must show whatever the hour `now` falls on: a technician due two hours ago and
        still not there an hour after the arrival window closed (late); one still Working 45 minutes after the
        visit should have ended (running over); a call booked a moment ago for the next opening within a day,
        not confirmed with the customer yet. Their times follow from `now` (a slot found later could put a
        visit that is over into the future): each goes to a technician of the trade on shift and free then,
        else, when no shift has room (at night, on a day off), to one called out for it. The late and the
        running-over technicians are still out on theirs: nothing else of theirs is due before now. Where
        nobody is free (a Monday meeting), the late or running-over one tries a little earlier or later;
        where the drawn trade has nobody, another call kind's trade takes the job."""
        now = self.clock.now // 60 * 60
        for kind in (kind, *self.call_kinds.values):  # noqa: B020 - the drawn kind first, then the others
            seconds, pool = kind.minutes * 60, self.techs_by_bu[kind.bu_id]
            if k == 2:
                soon = -(-now // 900) * 900 + HOUR
                booked = self._opening(pool, soon, seconds) or self._take(pool, soon, seconds, soon + seconds)
            else:  # minutes before now: the late one's start, the running-over one's end
                for back in (120, 90, 150, 180) if k == 0 else (45, 30, 60, 90):
                    booked = self._take(pool, now - back * 60 - (seconds if k else 0), seconds, now)
                    if booked is not None:
                        break
            if booked is not None:
                break
        else:
            return None
        start, slot = booked
        window = ((start - 2 * HOUR, start + HOUR), (start - HOUR, start + HOUR), (start, start + 2 * HOUR))[k]
        return [(start, start + seconds, *window, slot)], ("Dispatched", "Working", "Scheduled")[k], kind

    def _take(self, pool: list[dict], start: int, seconds: int, until: int) -> tuple[int, tuple] | None:
        """The first technician of `pool` on shift and free for [start, start + seconds), else the first off
        shift then and free, called out: (start, slot), or None. They are taken until `until` (or the end)."""
        day, end = self.clock.day_of(start), start + seconds
        until = max(end, until)
        for tech in pool:
            if self._free_from(tech, day, start, seconds) == start:
                return start, self._book_at(tech, day, until)
        for tech in pool:
            if self._off_shift(tech, day, start, end, until):
                return start, self._call_out(tech, day, start, end, until)
        return None

    def _opening(self, pool: list[dict], earliest: int, seconds: int) -> tuple[int, tuple] | None:
        """The earliest start from `earliest`, within a day of now, that a technician of `pool` has on
        shift (that day or the next): (start, slot), or None."""
        best = None
        for day in (self.clock.day_of(earliest), self.clock.day_of(earliest) + DAY):
            for tech in pool:
                start = self._free_from(tech, day, earliest, seconds)
                if start is not None and start < self.clock.now + DAY and (best is None or start < best[0]):
                    best = start, tech, day
        if best is None:
            return None
        start, tech, day = best
        return start, self._book_at(tech, day, start + seconds)

    def _free_from(self, tech: dict, day: int, earliest: int, seconds: int) -> int | None:
        """When, from `earliest`, `tech` can work `seconds` on shift on `day`: after what they have booked,
        clear of their meeting and call-outs, ending within the shift (and its slack); or None."""
        state = self._tech_day(tech, day)
        if state is None:
            return None
        start = max(earliest, -(-state[0] // 900) * 900)
        busy = self.busy.get((tech["id"], day))
        if busy and start < busy[1] and start + seconds > busy[0]:
            start = busy[1]
        if start + seconds > state[3] + SHIFT_SLACK or not self._clear(tech, start, start + seconds):
            return None
        return start

    def _book_at(self, tech: dict, day: int, until: int) -> tuple:
        """Book `tech` on shift, from when `_free_from` found, until `until`; the visit's slot."""
        state = self.tech_days[(tech["id"], day)]
        slot = (tech, state, state[0], state[1])
        state[0], state[1] = until, state[1] + 1
        return slot

    def _clear(self, tech: dict, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.calls.get(tech["id"], ()))

    def _off_shift(self, tech: dict, day: int, start: int, end: int, until: int) -> bool:
        """Whether `tech`, taken from `start` to `until`, is off shift and free for [start, end): on a day
        off; before their shift (into it only if nothing is booked that day yet); or past its end and slack,
        with nothing booked after `start`."""
        if not self._clear(tech, start, end):
            return False
        state = self._tech_day(tech, day)
        if state is None:
            return True
        shift_start, shift_end = self.shift_of[(tech["id"], day)]
        if start < shift_start:
            return until <= shift_start or state[1] == 0
        return end > shift_end + SHIFT_SLACK and start >= state[0]

    def _call_out(self, tech: dict, day: int, start: int, end: int, until: int) -> tuple:
        """Book `tech`, off shift, for [start, end), taken until `until`: an on-call shift covers that beside
        their regular shift. On a day off a call in the day makes them on call for the day (08:00-20:00, the
        call included), one at night only for the call. The day's bookings follow a call before the shift
        and end before one after it. The slot is a day of its own."""
        self.calls.setdefault(tech["id"], []).append((start, until))
        key = (tech["id"], day)
        shift = self.shift_of[key]
        begin, last = start // HOUR * HOUR, -(-until // HOUR) * HOUR
        slot = tech, [end, 1, 1, end], start, 0
        if shift is None and (until <= day + 8 * HOUR or start >= day + 20 * HOUR + SHIFT_SLACK):
            self._shift_record(tech, "OnCall", "Called out", begin, last, start - HOUR)
            return slot
        if shift is None:
            shift = self.shift_of[key] = (day + 8 * HOUR, day + 20 * HOUR)
            self.tech_days[key] = [shift[0], 0, 2, shift[1]]
            begin, last = min(begin, shift[0]), max(last, shift[1])
        elif start < shift[0]:
            last = min(last, shift[0])
        else:
            begin = max(begin, shift[1])
        state = self.tech_days[key]
        if start < shift[0]:
            if until > shift[0]:
                state[0] = max(state[0], until + _pick(self.rng, TRAVEL_MINUTES) * 60)
        elif end > shift[1] + SHIFT_SLACK:
            state[3] = min(state[3], start - SHIFT_SLACK)
        else:  # within a day off's on-call hours
            state[0], state[1] = until, state[1] + 1
        self._shift_record(tech, "OnCall", "Called out", begin, last, start - HOUR)
        return slot

    def _status_at(self, visit: tuple) -> str:
        start, end = visit[0], visit[1]
        now, today = self.clock.now, self.clock.today
        if end <= now:
            table = "earlier_today" if start >= today else "past"
        elif start <= now:
            table = "now"
        else:
            table = "soon" if start < now + DISPATCH_AHEAD else "future"
        return self.tables[table].pick(self.rng)

    def _changed_at(self, status: str, visit: tuple, created: int) -> int:
        """When the job last changed (not before `created`, not after now): finished, started,
        dispatched, or put on hold/canceled."""
        now, start, end = self.clock.now, visit[0], visit[1]
        if status == "Done":
            at = end + _randrange(self.rng, 0, 90) * 60
        elif status == "Working":
            at = start + _randrange(self.rng, 0, 30) * 60
        elif status == "Dispatched":
            at = min(start - _randrange(self.rng, 15, 180) * 60, now - _randrange(self.rng, 1, 120) * 60)
        elif status == "Scheduled":
            at = created + _randrange(self.rng, 0, 30) * 60
        else:
            at = self.between(created, now)
        return max(created, min(at, now))

    def _appointments(self, job_id: int, job_number: str, customer_id: int, visits: list, last: str,
                      created: int, changed: int, bu_id: int) -> list[dict]:
        """Every visit is booked with the job; earlier visits are Done once over, else follow the job."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        records = []
        for k, visit in enumerate(visits):
            start, end, window_start, window_end = visit[:4]
            final = k == len(visits) - 1
            status = last if final else ("Done" if end <= now else "Canceled" if last == "Canceled" else "Scheduled")
            modified = changed if final or status == "Canceled" else min(end, now) if status == "Done" else created
            appointment = self.add("appointments", {
                "id": self.id("appointments"), "jobId": job_id, "appointmentNumber": f"{job_number}-{k + 1}",
                "start": iso(start), "end": iso(end),
                "arrivalWindowStart": iso(window_start) if window_start else None,
                "arrivalWindowEnd": iso(window_end) if window_end else None, "status": status,
                "specialInstructions": _pick(rng, SPECIAL_INSTRUCTIONS) if rng.random() < 0.15 else None,
                "createdOn": iso(created), "modifiedOn": iso(modified), "customerId": customer_id,
                "unused": False, "createdById": _pick(rng, self.office_ids),
                "isConfirmed": status in ("Working", "Done") or rng.random() < 0.8, "active": True,
                "appointmentSummaries": [],
            })
            self._assign(appointment, visit, bu_id, created)
            records.append(appointment)
        return records

    def _assign(self, appointment: dict, visit: tuple, bu_id: int, booked: int) -> None:
        """The booked technician on Dispatched/Working/Done appointments and on all but a few future
        Scheduled/Hold ones (the Unassigned lane); now and then a helper who is free at that time."""
        rng, now = self.rng, self.clock.now
        status, start, end, slot = appointment["status"], visit[0], visit[1], visit[4]
        waiting = False
        if status in ("Scheduled", "Hold"):
            # A coin per visit left a small world's lane anywhere from 0 to 15% of its waiting visits; a
            # quota keeps it at the share, the first few from tomorrow on (every world has the lane) included.
            self.unassigned_due += UNASSIGNED_SHARE
            owed = status == "Scheduled" and start > now + DAY and self.unassigned_owed > 0
            if owed or self.unassigned_due >= 1:
                waiting = True
                self.unassigned_due -= 1
                if start > now + DAY:
                    self.unassigned_owed = max(0, self.unassigned_owed - 1)
        if status == "Canceled" or waiting:
            self._release(visit)
            if status != "Canceled" and start > now:  # waiting for a technician:
                day = self.clock.day_of(start)  # in any window of its day
                hour, hours = _pick(rng, ARRIVAL_WINDOWS)
                begin = max(day + hour * HOUR + _randrange(rng, hours * 4) * 900, now // 900 * 900 + 900)
                iso = self.iso
                appointment["start"], appointment["end"] = iso(begin), iso(begin + end - start)
                if appointment["arrivalWindowStart"]:
                    appointment["arrivalWindowStart"] = iso(min(begin, day + hour * HOUR))
                    appointment["arrivalWindowEnd"] = iso(max(begin, day + (hour + hours) * HOUR))
            return
        crew = [slot[0]]
        if rng.random() < 0.15:
            pool = self.techs_by_bu[bu_id]
            helper = pool[_randrange(rng, len(pool))]
            day = self.clock.day_of(start)
            state = self._tech_day(helper, day) if helper is not crew[0] else None
            if state is not None and state[1] < state[2] and state[0] <= start - 900 and end <= state[3] + SHIFT_SLACK:
                # a helper on a visit still going past its end is still there too
                state[0], state[1] = max(end, now) if status in ("Working", "Dispatched") else end, state[1] + 1
                crew.append(helper)
        assigned = self.between(booked, min(start, now))
        for tech in crew:
            self.add("appointment_assignments", {
                "id": self.id("appointment_assignments"), "technicianId": tech["id"], "technicianName": tech["name"],
                "assignedById": _pick(rng, self.staff["Dispatch"]), "assignedOn": self.iso(assigned),
                "status": ASSIGNMENT_STATUS[status], "isPaused": status == "Hold", "jobId": appointment["jobId"],
                "appointmentId": appointment["id"], "modifiedOn": appointment["modifiedOn"], "active": True,
            })
        if status == "Done" and rng.random() < 0.3:
            notes = _pick(rng, WORK_SUMMARIES)
            self.add("appointment_summaries", {
                "id": self.id("appointment_summaries"), "appointmentId": appointment["id"],
                "jobId": appointment["jobId"], "technicianId": crew[0]["id"], "notes": notes,
                "createdOn": appointment["modifiedOn"], "createdById": crew[0]["id"],
            })
            appointment["appointmentSummaries"].append({"technicianId": crew[0]["id"], "notes": notes})

    def _job_logs(self, job: dict, appointments: list[dict], status: str, created: int, changed: int) -> None:
        """Booked log, history, notes, and the cancel/hold records of the job's final state."""
        rng, iso = self.rng, self.iso
        first = appointments[0]
        self.add("job_booked_logs", {
            "id": self.id("job_booked_logs"), "jobId": job["id"], "jobAppointmentId": first["id"],
            "start": first["start"], "arrivalWindowStart": first["arrivalWindowStart"],
            "arrivalWindowEnd": first["arrivalWindowEnd"], "createdOn": job["createdOn"],
            "createdById": job["createdById"], "active": True,
        })
        events = [("Job Booked", job["createdById"], created, "")]
        for appointment in appointments[1:]:
            events.append(("Appointment Added", appointment["createdById"], None, ""))
        if status in ("Dispatched", "Working", "Done"):
            events.append(("Technician Dispatched", _pick(rng, self.staff["Dispatch"]), None, ""))
        if status in ("Working", "Done"):
            events.append(("Technician Working", None, None, ""))
        if status == "Canceled":
            reason = _pick(rng, self.cancel_reasons)
            memo, by = _pick(rng, CANCEL_MEMOS), _pick(rng, self.office_ids)
            self.add("job_canceled_logs", {"id": self.id("job_canceled_logs"), "jobId": job["id"],
                                           "reasonId": reason["id"], "memo": memo or None,
                                           "createdOn": iso(changed), "createdById": by, "active": True})
            job["_statusBeforeCancel"] = "Scheduled"
            for appointment in appointments:
                if appointment["status"] == "Canceled":
                    appointment["_statusBeforeCancel"] = "Scheduled"
            events.append(("Job Canceled", by, None, f"{reason['name']}. {memo}".strip()))
        elif status == "Hold":
            reason = _pick(rng, self.hold_reasons)
            memo = _pick(rng, HOLD_MEMOS)
            job["_hold"] = {"reasonId": reason["id"], "memo": memo}
            appointments[-1]["_hold"] = {"reasonId": reason["id"], "memo": memo, "previous": "Scheduled"}
            events.append(("Job Put On Hold", _pick(rng, self.office_ids), None, f"{reason['name']}. {memo}"))
        elif status == "Done":
            events.append(("Job Completed", None, None, ""))
        self._history(job, events, created, changed)

    def _history(self, job: dict, events: list, created: int, changed: int) -> None:
        """Entries dated in order between booking and the job's last change."""
        rng, iso = self.rng, self.iso
        entries, at = [], created
        for k, (event, employee, when, memo) in enumerate(events):
            at = when if when is not None else changed if k == len(events) - 1 else self.between(at, changed)
            entries.append({
                "id": self.id("job_history"), "employeeId": employee, "eventType": event, "date": iso(at),
                "usedSchedulingTool": "Manual" if rng.random() < 0.85 else "SmartDispatch", "memo": memo,
            })
        self.add("job_history", {"id": job["id"], "jobId": job["id"], "history": entries,
                                 "createdOn": job["createdOn"], "modifiedOn": job["modifiedOn"]})

    def _job_notes(self, job: dict, created: int, *, pin_first: bool) -> None:
        """None to two notes, a few pinned; `pin_first` pins one first (escape-laden in a hostile world)."""
        rng = self.rng
        r = rng.random()
        texts = [] if r < 0.4 else [_pick(rng, NOTE_TEXTS)] if r < 0.85 else [_pick(rng, NOTE_TEXTS) for _ in "ab"]
        if pin_first:
            texts.insert(0, HOSTILE_TEXTS[1] if self.hostile else PINNED_NOTE)
        for n, text in enumerate(texts):
            at = self.between(created, self.clock.now)
            self.add("job_notes", {
                "id": self.id("job_notes"), "active": True, "text": text,
                "isPinned": (pin_first and n == 0) or self.chance(0.08), "createdById": _pick(rng, self.office_ids),
                "createdOn": self.iso(at), "modifiedOn": self.iso(at), "jobId": job["id"],
            })

    # ---------------------------------------------------------------------------------- bookings/leads

    def _bookings(self) -> None:
        """Online booking requests; converted ones point at a job (and the job back at them)."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        jobs = self.out["jobs"]
        for i in range(max(5, self.jobs // 50)):
            status = _pick(rng, BOOKING_STATUSES)
            job = jobs[_randrange(rng, len(jobs))] if status == "Converted" and jobs else None
            if job is not None and job["bookingId"] is not None:
                job = None
            if status == "Converted" and job is None:
                status = "New"
            # a converted booking came in shortly before its job was booked
            created = _ts(job["createdOn"]) - _randrange(rng, 5, 120) * 60 if job else self.between(now - 30 * DAY, now)
            kind = _pick(rng, self.job_types)
            street, unit, city, state, zip_code, country, _, _ = self._address(_randrange(rng, len(CITIES)))
            modified = iso(self.between(created, now))
            booking = self.add("bookings", {
                "id": self.id("bookings"), "source": _pick(rng, BOOKING_SOURCES), "createdOn": iso(created),
                "name": f"{_pick(rng, FIRST_NAMES)} {_pick(rng, LAST_NAMES)}",
                "address": {"street": street, "unit": unit, "city": city, "state": state, "zip": zip_code,
                            "country": country},
                "customerType": "Residential", "start": iso(created + _randrange(rng, 1, 10) * DAY),
                "summary": _pick(rng, kind.summaries), "campaignId": _pick(rng, CAMPAIGN_IDS),
                "businessUnitId": kind.bu_id, "isFirstTimeClient": self.chance(0.6), "uploadedImages": [],
                "isSendConfirmationEmail": True, "status": status,
                "dismissingReasonId": DISMISSING_REASON_ID if status == "Dismissed" else None,
                "jobId": job["id"] if job else None, "externalId": f"web-{i + 1:06d}", "priority": "Normal",
                "jobTypeId": kind.record["id"], "bookingProviderId": BOOKING_PROVIDER_ID, "modifiedOn": modified,
                "active": True, "contacts": [],
            })
            booking["contacts"].append({"id": booking["id"] + ID_BLOCK // 2, "type": "MobilePhone",
                                        "value": _phone(rng), "memo": "", "modifiedOn": modified})
            if job is not None:
                job["bookingId"] = booking["id"]

    def _leads(self) -> None:
        """Call-center leads: follow-ups on quotes, some dismissed or converted."""
        rng, iso, now = self.rng, self.iso, self.clock.now
        for _ in range(max(5, self.jobs // 40)):
            location = _pick(rng, self.locations)
            kind = _pick(rng, self.job_types)
            status = _pick(rng, LEAD_STATUSES)
            created = self.between(now - 60 * DAY, now)
            self.add("leads", {
                "id": self.id("leads"), "status": status, "customerId": location["customerId"],
                "locationId": location["id"], "businessUnitId": kind.bu_id, "jobTypeId": kind.record["id"],
                "priority": self.priority.pick(rng), "campaignId": _pick(rng, CAMPAIGN_IDS),
                "summary": "Follow up on quote: " + _pick(rng, kind.summaries), "callReasonId": None,
                "callId": None, "bookingId": None, "manualCallId": None,
                "followUpDate": iso(created + _randrange(rng, 2, 21) * DAY) if status == "Open" else None,
                "createdOn": iso(created), "createdById": _pick(rng, self.staff["CSR"]),
                "modifiedOn": iso(self.between(created, now)), "tagTypeIds": [],
                "dismissingReasonId": DISMISSING_REASON_ID if status == "Dismissed" else None, "leadUrl": None,
                "active": True,
            })
