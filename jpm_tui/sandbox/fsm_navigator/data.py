"""Seeded, deterministic data for the FSM Navigator sandbox: a mid-sized HVAC, plumbing and electrical
company. Eight technicians, forty customers (companies and households) with their service locations, the
equipment at each location (tags such as HVAC-007), and jobs in every status across past and coming days.

Ids live in separate ranges per kind (technicians 11.., customers 201.., locations 501.., assets 1001..,
jobs 10001..), so a test that mixes one kind's id up with another's fails instead of passing by luck.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..state import iso
from .workflow import STATUSES

TECHNICIANS = (  # first, last, vehicle, availability
    ("Mike", "Johnson", "Van", "Available"), ("Dana", "Whitfield", "Van", "Busy"),
    ("Luis", "Ortega", "Pickup", "Available"), ("Priya", "Raman", "Van", "Busy"),
    ("Tom", "Becker", "Box truck", "Offline"), ("Grace", "Okafor", "Van", "Available"),
    ("Sam", "Kowalski", "Pickup", "Busy"), ("Hannah", "Lindqvist", None, "Offline"),
)
TIMEZONE = "America/New_York"
"""The company's zone (Columbus, Ohio): its working day is 7:00-16:30 there; the API writes every time in UTC."""
INACTIVE_TECHNICIAN = 7  # Hannah left in the spring: kept on old jobs, offered for nothing new

COMPANIES = (
    "Maple Ridge Dental", "Harbor View Apartments", "Summit Family Medicine", "Oak Street Bakery",
    "Riverside Plumbing Supply", "Brightwater Elementary", "Cedar Point Veterinary", "Northgate Self Storage",
    "Lakeshore Fitness", "Copper Kettle Diner", "Greenfield Public Library", "Pinecrest Senior Living",
    "Bluebird Daycare", "Ironwood Machine Shop", "Willow Creek Church", "Keystone Auto Repair",
    "Sunrise Hotel", "Hillside Animal Clinic", "Granite Office Park", "Westfield Community Center",
    "Silver Spoon Catering", "Foxglove Florists",
)
PEOPLE = (
    "Jane Smith", "Robert Chen", "Maria Gonzalez", "David Okonkwo", "Emily Carter", "James O'Neill",
    "Sofia Rossi", "Ahmed Hassan", "Linda Park", "Kevin Murphy", "Olivia Brooks", "Daniel Novak",
    "Grace Kim", "Peter Lindgren", "Aisha Bello", "Thomas Wright", "Rachel Adler", "Marcus Reed",
)
SITE_NAMES = ("Main Office", "Warehouse", "Downtown Branch", "North Campus", "Kitchen & Service Wing",
              "Building 2 - East Wing", "Storage Yard")
STREETS = ("Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Lakeview Road", "Cedar Lane",
           "Washington Boulevard", "Park Place", "Mill Road", "High Street", "Sycamore Court", "River Road")
CITIES = (("Columbus", "43215"), ("Dublin", "43017"), ("Westerville", "43081"), ("Worthington", "43085"),
          ("Grove City", "43123"), ("Hilliard", "43026"), ("Gahanna", "43230"), ("Upper Arlington", "43221"))

# Equipment kinds: tag prefix, names, the trade whose jobs service them.
EQUIPMENT = (
    ("HVAC", ("Rooftop AC Unit", "Gas Furnace", "Heat Pump", "Split System Condenser", "Air Handler"), "hvac"),
    ("PLB", ("Water Heater", "Tankless Water Heater", "Sump Pump", "Backflow Preventer"), "plumbing"),
    ("ELC", ("Main Electrical Panel", "Standby Generator", "EV Charger", "Sub-Panel"), "electrical"),
    ("BLR", ("Hot Water Boiler", "Steam Boiler"), "hvac"),
)
MAKERS = ("Carrier", "Trane", "Lennox", "Rheem", "A. O. Smith", "Bradford White", "Generac", "Square D",
          "Eaton", "Daikin", "Goodman", "Navien")

JOBS = {  # trade -> (title, description) pairs
    "hvac": (
        ("AC unit not cooling", "Customer reports warm air from the vents; check refrigerant charge and the "
                                "condenser fan."),
        ("Furnace will not ignite", "Pilot lights but the burners do not; inspect the flame sensor and the "
                                    "igniter."),
        ("Annual HVAC maintenance", "Replace filters, clean the coils, check belts and the thermostat "
                                    "calibration."),
        ("Thermostat replacement", "Install the new programmable thermostat the customer bought and pair it "
                                   "with the app."),
        ("Strange noise from air handler", "Rattling at start-up; likely a loose blower wheel or panel."),
        ("Boiler pressure dropping", "Pressure falls below 12 psi overnight; look for a leak at the relief "
                                     "valve."),
        ("Heat pump iced over", "Outdoor unit covered in ice; check the defrost board and the sensor."),
    ),
    "plumbing": (
        ("Water heater leaking", "Puddle under the tank; check the drain valve and the T&P valve before "
                                 "quoting a replacement."),
        ("Clogged kitchen drain", "Slow drain in the prep sink; snake the line and check the grease trap."),
        ("No hot water", "Tankless unit shows error code 11; check gas supply and venting."),
        ("Sump pump inspection", "Test the float switch and the check valve ahead of the rainy season."),
        ("Backflow test", "Annual backflow preventer certification for the city; bring the test kit."),
        ("Running toilet in restroom", "Replace the fill valve and the flapper in the staff restroom."),
    ),
    "electrical": (
        ("Breaker keeps tripping", "Kitchen circuit trips when the mixer runs; check load and the breaker."),
        ("Generator will not start", "Weekly exercise failed; check the battery and the transfer switch."),
        ("Install EV charger", "Level 2 charger in the garage; a 60 A circuit from the main panel."),
        ("Panel inspection", "Thermal scan of the main panel and torque check on the lugs."),
        ("Parking lot lights out", "Three poles dark along the north side; check the photocell and the "
                                   "contactor."),
    ),
}

# How often each status comes up (a working company: mostly closed history, a live front of open work).
STATUS_WEIGHTS = {"Pending": 10, "Assigned": 14, "In Progress": 4, "On Hold": 4, "Completed": 12,
                  "Invoiced": 10, "Paid": 12, "Closed": 26, "Cancelled": 8}

HOSTILE_TITLES = (
    "[bold red]URGENT[/] rooftop unit [link=http://example.invalid]click[/link]",
    "Leak in \x1b[31mboiler room\x1b[0m \x07 after hours",
    "\u202eevlav ffo-tuhs ecalper\u202c (RTL override)",
    "Zero\u200bwidth\u200djoiner\u2060title\ufeff check",
    "Line one\nLine two\r\nTab\there <script>alert(1)</script>",
    "مرحبا — שלום — replace compressor 🔧" + " very long title" * 20,
)


@dataclass(frozen=True)
class _World:
    """What every job is drawn from."""

    rng: random.Random
    now: datetime
    span_days: int
    technicians: list[dict[str, Any]]
    active: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    customer_names: dict[int, str]
    assets_at: dict[int, list[dict[str, Any]]]


def generate(*, seed: int, jobs: int, now: datetime, hostile: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every record, as of `now`. The same seed, count and `now` give the same data."""
    rng = random.Random(seed)
    now = now.astimezone(UTC).replace(microsecond=0)
    technicians = _technicians(now)
    customers, locations = _customers(rng, now)
    assets = _assets(rng, now, locations)
    assets_at: dict[int, list[dict[str, Any]]] = {}
    for asset in assets:
        assets_at.setdefault(asset["location_id"], []).append(asset)
    world = _World(rng=rng, now=now, span_days=max(60, jobs // 150),  # 100,000 jobs: about two years
                   technicians=technicians, active=[t for t in technicians if t["status"] == "Active"],
                   locations=locations, customer_names={c["customer_id"]: c["customer_name"] for c in customers},
                   assets_at=assets_at)
    rows = [_job(world, 10001 + n, _status_for(rng, n)) for n in range(jobs)]
    if hostile:
        for title in HOSTILE_TITLES:
            job = _job(world, 10001 + len(rows), "Pending")
            job["job_title"] = title
            job["job_description"] = title + "\n\u0000 NUL and \u2028 separator"
            rows.append(job)
    return {"technicians": technicians, "customers": customers, "locations": locations, "assets": assets,
            "jobs": rows}


def _status_for(rng: random.Random, n: int) -> str:
    if n < len(STATUSES):  # even a 30-job world has every status
        return STATUSES[n]
    return rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]


def _technicians(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n, (first, last, vehicle, availability) in enumerate(TECHNICIANS):
        inactive = n == INACTIVE_TECHNICIAN
        rows.append({
            "technician_id": 11 + n, "first_name": first, "last_name": last,
            "status": "Inactive" if inactive else "Active",
            "availability_status": "Offline" if inactive else availability,
            "vehicle_type": vehicle, "transport_modes": ["driving"],
            "created_at": iso(now - timedelta(days=700 - 40 * n)), "updated_at": iso(now - timedelta(days=3 + n)),
        })
    return rows


def _customers(rng: random.Random, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    customers: list[dict[str, Any]] = []
    locations: list[dict[str, Any]] = []
    for n, name in enumerate(COMPANIES + PEOPLE):
        company = n < len(COMPANIES)
        customer_id = 201 + n
        slug = name.lower().replace("'", "")
        created = now - timedelta(days=rng.randint(90, 900))
        customers.append({
            "customer_id": customer_id, "customer_name": name,
            "customer_email": f"office@{slug.replace(' ', '')}.example.com" if company
            else f"{slug.replace(' ', '.')}@mail.example",
            "customer_phone": f"+1614555{1000 + n:04d}",
            "default_sla_hours": rng.choice((4, 8, 24, 48)) if company else 48,
            "tax_exempt": name.endswith(("Church", "Library", "Elementary", "Center")),
            "tax_exemption_reason": "Non-profit organisation" if name.endswith(("Church", "Center")) else None,
            "created_at": iso(created), "updated_at": iso(created + timedelta(days=rng.randint(0, 60))),
        })
        sites = rng.sample(SITE_NAMES, rng.randint(1, 3)) if company else ["Home"]
        for k, site in enumerate(sites):
            city, zip_code = rng.choice(CITIES)
            locations.append({
                "location_id": 501 + len(locations), "customer_id": customer_id, "location_name": site,
                "street": f"{rng.randint(10, 9800)} {rng.choice(STREETS)}", "city": city, "state": "OH",
                "zip": zip_code, "is_primary": k == 0,
                "notes": rng.choice((None, "Gate code 4417", "Park at the loading dock", "Dog in the yard")),
                "created_at": iso(created), "updated_at": iso(created),
            })
    return customers, locations


def _assets(rng: random.Random, now: datetime, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assets: list[dict[str, Any]] = []
    tag_numbers = {prefix: 0 for prefix, _, _ in EQUIPMENT}
    for location in locations:
        for _ in range(rng.randint(1, 4)):
            prefix, names, trade = rng.choice(EQUIPMENT)
            tag_numbers[prefix] += 1
            installed = now - timedelta(days=rng.randint(200, 4000))
            assets.append({
                "asset_id": 1001 + len(assets), "asset_tag": f"{prefix}-{tag_numbers[prefix]:03d}",
                "asset_name": f"{rng.choice(names)} #{tag_numbers[prefix]}", "asset_type": trade,
                "asset_status": rng.choices(("Active", "Idle", "In Maintenance", "Non-Compliant"),
                                            weights=(80, 8, 10, 2))[0],
                "condition": rng.choice(("Good", "Good", "Fair", "Poor")),
                "manufacturer": rng.choice(MAKERS), "serial_number": f"SN{rng.randint(10**7, 10**8 - 1)}",
                "location_id": location["location_id"], "customer_id": location["customer_id"],
                "installed_at": iso(installed), "created_at": iso(installed), "updated_at": iso(installed),
            })
    return assets


def _job(world: _World, job_id: int, status: str) -> dict[str, Any]:
    rng, now = world.rng, world.now
    location = rng.choice(world.locations)
    trade = rng.choice(tuple(JOBS))
    title, description = rng.choice(JOBS[trade])
    start = _scheduled_start(rng, now, status, world.span_days)
    hours = rng.choice((1, 1, 2, 2, 3, 4))
    technician = None if status == "Pending" else rng.choice(world.active if start is None or start > now else world.technicians)
    if status == "Cancelled" and rng.random() < 0.4:
        technician = None
    created = min(now - timedelta(minutes=rng.randint(5, 600)),
                  (start or now) - timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 8)))
    actual_start = actual_end = None
    begun = status in ("In Progress", "Completed", "Invoiced", "Paid", "Closed")
    if begun or (status == "On Hold" and start is not None and start < now):
        actual_start = min(now - timedelta(minutes=10), start + timedelta(minutes=rng.randint(-10, 40)))
    if actual_start and status not in ("In Progress", "On Hold"):
        worked = timedelta(hours=hours, minutes=rng.randint(-30, 60))
        actual_end = min(now - timedelta(minutes=1), actual_start + worked)
    updated = max(filter(None, (created, actual_start, actual_end)))
    if status in ("Invoiced", "Paid", "Closed"):
        updated = min(now, updated + timedelta(days={"Invoiced": 1, "Paid": 12, "Closed": 20}[status]))
    job = {
        "job_id": job_id, "job_title": title, "job_description": description, "job_status": status,
        "job_priority": rng.choices(("Low", "Medium", "High", "Urgent"), weights=(20, 50, 22, 8))[0],
        "assigned_technician_id": technician["technician_id"] if technician else None,
        "assigned_technician_name": f"{technician['first_name']} {technician['last_name']}" if technician else None,
        "customer_location_id": location["location_id"], "customer_location_name": location["location_name"],
        "customer_id": location["customer_id"], "customer_name": world.customer_names[location["customer_id"]],
        "scheduled_start": iso(start) if start else None,
        "scheduled_end": iso(start + timedelta(hours=hours)) if start else None,
        "actual_start": iso(actual_start) if actual_start else None,
        "actual_end": iso(actual_end) if actual_end else None,
        "created_at": iso(created), "updated_at": iso(updated), "assets": [],
    }
    here = [a for a in world.assets_at.get(location["location_id"], ()) if a["asset_type"] == trade]
    if here and rng.random() < 0.7:
        asset = rng.choice(here)
        job["assets"].append({
            "asset_id": asset["asset_id"], "relationship_type": "maintenance" if "maintenance" in title.lower()
            else rng.choice(("serviced", "serviced", "inspected", "replaced")),
            "relationship_notes": None, "linked_at": iso(created),
        })
    return job


def _scheduled_start(rng: random.Random, now: datetime, status: str, span_days: int) -> datetime | None:
    """A start on the hour or half hour, 7:00-16:30 in the company's zone, on a day that fits the status (UTC)."""
    today = now.astimezone(ZoneInfo(TIMEZONE)).replace(hour=0, minute=0, second=0)
    if status == "Pending":
        if rng.random() < 0.4:
            return None
        day = rng.randint(0, 21)
    elif status == "Assigned":
        day = rng.randint(0, 21)
    elif status in ("In Progress", "On Hold"):
        day = -rng.randint(0, 3) if status == "On Hold" else 0
    elif status == "Completed":
        day = -rng.randint(0, 14)
    elif status == "Cancelled":
        day = rng.randint(-span_days, 21)
    else:  # Invoiced, Paid, Closed: further back the further along
        low = {"Invoiced": 3, "Paid": 10, "Closed": 25}[status]
        day = -rng.randint(low, max(low + 1, span_days))
    start = (today + timedelta(days=day, hours=7, minutes=30 * rng.randint(0, 19))).astimezone(UTC)
    if status == "In Progress" and start > now:
        start = now - timedelta(hours=rng.randint(1, 3))
    if status in ("Completed", "Invoiced", "Paid", "Closed") and start > now - timedelta(hours=1):
        start = now - timedelta(hours=rng.randint(2, 6))
    if status == "Assigned" and start < now:
        start = now + timedelta(hours=rng.randint(1, 5))
    return start.replace(minute=(start.minute // 30) * 30, second=0)
