"""Deterministic seeded data for the BigChange sandbox: a West Yorkshire building-services company.

`generate(seed, jobs, now, hostile=False)` returns `{table: [record, ...]}` (see `state.TABLES`): contacts with
their sites (address, postcode, latitude/longitude) and people, eight resources, job types (some requiring an
order number), job custom field definitions, and `jobs` jobs from ten days back to ten days ahead in every
visible status, with planned and real times and the status history that led there. Same arguments, same world.
A `hostile` world gives its first jobs and one contact the untrusted texts of the ServiceTitan sandbox.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ..data import HOSTILE_CUSTOMER, HOSTILE_TEXTS
from ..state import iso

COMPANY = "Pennine Building Services Ltd"

# (town, postcode area, latitude, longitude)
TOWNS = (
    ("Leeds", "LS", 53.7997, -1.5492), ("Bradford", "BD", 53.7950, -1.7594), ("Wakefield", "WF", 53.6833, -1.4977),
    ("Harrogate", "HG", 53.9921, -1.5418), ("Huddersfield", "HD", 53.6458, -1.7850), ("York", "YO", 53.9600, -1.0873),
)
STREETS = (
    "Kirkstall Road", "Otley Road", "Roundhay Road", "Wellington Street", "Park Row", "Harrogate Road", "York Road",
    "Wakefield Road", "Bradford Road", "Station Road", "Church Lane", "Mill Lane", "High Street", "Victoria Road",
    "Albion Street", "Manor Court", "Westgate", "Northgate", "Queen Street", "Canal Wharf",
)
BUSINESSES = (
    "Aire Valley Dental Practice", "Headingley Community Centre", "Calder Logistics", "St Chad's Primary School",
    "The Black Bull Inn", "Roundhay Care Home", "Wharfedale Veterinary Surgery", "Briggate Hotel",
    "Northern Print Works", "Meanwood Medical Centre", "Holbeck Studios", "Crossgates Leisure Centre",
    "Harewood Estate Office", "Leeds Dock Offices", "Ilkley Lido Cafe", "Saltaire Antiques Centre",
    "Kirkgate Market Traders", "Chapel Allerton Library", "Pudsey Bowling Club", "Shipley Builders Merchants",
    "Otley Methodist Church", "Horsforth Garden Centre", "Castleford Cold Store", "Morley Town Hall",
)
FIRST_NAMES = (
    "James", "Sarah", "Mohammed", "Emily", "Daniel", "Hannah", "Oliver", "Aisha", "George", "Charlotte", "Harry",
    "Zara", "Jack", "Megan", "Ryan", "Chloe", "Adam", "Laura", "Kieran", "Fatima", "Neil", "Rachel", "Paul", "Jess",
)
LAST_NAMES = (
    "Smith", "Ahmed", "Wilson", "Taylor", "Brown", "Khan", "Walker", "Wood", "Robinson", "Thompson", "Wright",
    "Hughes", "Patel", "Green", "Hall", "Lewis", "Harrison", "Jackson", "Clarke", "Turner", "Barker", "Shaw",
)
RESOURCES = (  # (name, group)
    ("Dave Hartley", "Gas & Heating"), ("Priya Sharma", "Electrical"), ("Tom Whitaker", "Gas & Heating"),
    ("Sophie Clarke", "Fire & Security"), ("Imran Hussain", "Electrical"), ("Gareth Jones", "Air Conditioning"),
    ("Emma Lawson", "Fire & Security"), ("Liam O'Connor", "Drainage"),
)
# (name, minutes, order number required, group, descriptions)
JOB_TYPES = (
    ("Boiler service", 60, False, "Gas & Heating", (
        "Annual boiler service, combi in the kitchen cupboard.",
        "Service the boiler and check the flue terminal clearance.",
        "Yearly service; customer reports the pressure drops overnight.")),
    ("Gas safety inspection (CP12)", 45, False, "Gas & Heating", (
        "Landlord gas safety record for the flat: boiler, hob and fire.",
        "CP12 renewal due end of month; tenant will be home after 10.")),
    ("Boiler breakdown", 90, False, "Gas & Heating", (
        "No heating or hot water, boiler showing fault F28.",
        "Boiler locks out after a few minutes; pilot will not stay lit.",
        "Intermittent hot water, customer has a newborn, please prioritise.")),
    ("EICR electrical inspection", 180, True, "Electrical", (
        "Five-yearly EICR for the whole building, three distribution boards.",
        "Electrical installation condition report before the lease renewal.")),
    ("Fire alarm service", 120, True, "Fire & Security", (
        "Six-monthly fire alarm service, 24 detectors over two floors.",
        "Panel shows a zone 3 fault; test all call points while on site.")),
    ("Emergency lighting test", 60, True, "Fire & Security", (
        "Annual three-hour duration test of the emergency lighting.",
        "Two fittings on the stairwell failed the monthly flick test.")),
    ("Air conditioning maintenance", 120, True, "Air Conditioning", (
        "Quarterly maintenance of four split units, clean filters and coils.",
        "Server room unit dripping water onto the floor, check the drain line.")),
    ("Drain unblocking", 60, False, "Drainage", (
        "Blocked drain at the rear of the property, water backing up.",
        "Kitchen sink and outside gully slow to drain, suspect grease.")),
    ("PAT testing", 240, True, "Electrical", (
        "PAT test all portable appliances, about 120 items.",
        "Annual portable appliance testing for the office and kitchen.")),
)
CUSTOM_FIELDS = (  # (name, type, options)
    ("Access notes", "text", ()), ("Asset tag", "text", ()), ("Gas Safe certificate no.", "text", ()),
    ("Customer satisfaction", "list", ("1", "2", "3", "4", "5")),
    ("Parking", "list", ("On site", "Street", "Pay and display", "None nearby")), ("Meter reading", "number", ()),
)
ACCESS_NOTES = (
    "Key safe by the back door, code 4471.", "Report to reception and sign in.", "Ring the bell twice, dog in the garden.",
    "Site manager Phil meets you at the gate.", "Plant room key held at the caretaker's office.",
)

# The statuses that lead to each one, as a job's status history shows them.
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    "new": ("new",),
    "scheduled": ("new", "scheduled"),
    "unscheduled": ("new", "scheduled", "unscheduled"),
    "sent": ("new", "scheduled", "sent"),
    "read": ("new", "scheduled", "sent", "read"),
    "accepted": ("new", "scheduled", "sent", "read", "accepted"),
    "refused": ("new", "scheduled", "sent", "read", "refused"),
    "onTheWay": ("new", "scheduled", "sent", "read", "accepted", "onTheWay"),
    "started": ("new", "scheduled", "sent", "read", "accepted", "onTheWay", "started"),
    "suspended": ("new", "scheduled", "sent", "read", "accepted", "onTheWay", "started", "suspended"),
    "completedOk": ("new", "scheduled", "sent", "read", "accepted", "onTheWay", "started", "completedOk"),
    "completedWithIssues": ("new", "scheduled", "sent", "read", "accepted", "onTheWay", "started",
                            "completedWithIssues"),
    "cancelled": ("new", "scheduled", "cancelled"),
}
UNRESOURCED = frozenset({"new", "unscheduled"})  # no resource allocated in these

CONTACT_BASE, RESOURCE_BASE, TYPE_BASE, FIELD_BASE, JOB_BASE = 38_750_000, 4_100, 500, 9_000, 128_400_000
DAYS = 10  # jobs from DAYS back to DAYS ahead


def generate(seed: int, jobs: int, now: datetime, *, hostile: bool = False) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    now = now.astimezone(UTC)
    resources = [{"id": RESOURCE_BASE + k + 1, "name": name, "reference": f"R{k + 1:03d}",
                  "email": name.lower().replace(" ", ".").replace("'", "") + "@penninebs.co.uk",
                  "phone": f"+44 7700 900{100 + k:03d}", "groupName": group}
                 for k, (name, group) in enumerate(RESOURCES)]
    job_types = [{"id": TYPE_BASE + k + 1, "name": name, "defaultDuration": minutes, "orderNumberRequired": po}
                 for k, (name, minutes, po, _, _) in enumerate(JOB_TYPES)]
    definitions = [{"id": FIELD_BASE + k + 1, "name": name, "type": kind, "options": list(options)}
                   for k, (name, kind, options) in enumerate(CUSTOM_FIELDS)]
    contacts, persons = _contacts(rng, max(12, jobs // 4), hostile)
    data: dict[str, list[dict]] = {"contacts": contacts, "persons": persons, "resources": resources,
                                   "job_types": job_types, "custom_field_definitions": definitions,
                                   "jobs": [], "status_history": []}
    people = {c["id"]: [p for p in persons if p["contactId"] == c["id"]] for c in contacts}
    statuses = list(STATUS_PATHS)
    for k in range(jobs):
        forced = statuses[k] if k < len(statuses) else None  # the first jobs show every visible status
        job = _job(rng, JOB_BASE + k + 1, now, forced, contacts, people, resources, job_types, definitions)
        if hostile and k < len(HOSTILE_TEXTS):
            job["description"] = HOSTILE_TEXTS[k]
        data["jobs"].append(job)
        data["status_history"] += _history(job, len(data["status_history"]), now)
    return data


def _contacts(rng: random.Random, count: int, hostile: bool) -> tuple[list[dict], list[dict]]:
    contacts: list[dict] = []
    persons: list[dict] = []
    for k in range(count):
        town, area, lat, lon = TOWNS[k % len(TOWNS)] if k < len(TOWNS) else rng.choice(TOWNS)
        people = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 3))]
        if k < len(BUSINESSES):
            name = BUSINESSES[k]
        else:
            name = f"{people[0].split()[0][0]}. {people[0].split()[1]} (residential)"
        if hostile and k == 1:
            name = HOSTILE_CUSTOMER
        street = f"{rng.randint(1, 240)} {rng.choice(STREETS)}"
        postcode = f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        contact = {"id": CONTACT_BASE + k + 1, "name": name, "reference": f"C{k + 1:05d}",
                   "address": f"{street}, {town} {postcode}", "postcode": postcode,
                   "location": {"latitude": round(lat + rng.uniform(-0.04, 0.04), 6),
                                "longitude": round(lon + rng.uniform(-0.06, 0.06), 6)},
                   "email": f"accounts@{name.split()[0].lower().strip('.')}-{k + 1}.example.co.uk",
                   "phone": f"+44 113 496 {rng.randint(0, 9999):04d}"}
        for j, person in enumerate(people):
            persons.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "contactId": contact["id"],
                            "name": person, "email": f"{person.lower().replace(' ', '.')}@example.co.uk",
                            "phone": f"+44 7700 9{rng.randint(0, 99999):05d}", "isPrimary": j == 0})
        contact["primaryPersonId"] = persons[-len(people)]["id"]
        contacts.append(contact)
    return contacts, persons


def _status_for(rng: random.Random, start: datetime, end: datetime, now: datetime) -> str:
    """A believable status for a job planned from `start` to `end`, seen at `now`."""
    if end <= now:
        return rng.choices(("completedOk", "completedWithIssues", "cancelled", "refused"), (78, 10, 9, 3))[0]
    if start <= now:
        return rng.choices(("started", "suspended", "onTheWay"), (70, 15, 15))[0]
    if start.date() == now.date():
        return rng.choices(("accepted", "read", "sent", "onTheWay"), (40, 25, 25, 10))[0]
    return rng.choices(("scheduled", "sent", "new", "unscheduled", "cancelled"), (58, 12, 16, 9, 5))[0]


def _planned_start(rng: random.Random, now: datetime, status: str | None) -> datetime:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if status in ("started", "suspended", "onTheWay"):  # work under way: planned to start a little earlier
        return now - timedelta(minutes=rng.choice((15, 30, 45, 60)))
    if status in ("completedOk", "completedWithIssues", "cancelled", "refused"):
        day = today - timedelta(days=rng.randint(1, DAYS))
    elif status is not None:  # still to come: from the next hour to a few days ahead
        day = today + timedelta(days=rng.randint(1, 4))
    else:
        day = today + timedelta(days=rng.randint(-DAYS, DAYS))
    return day + timedelta(hours=rng.randint(7, 16), minutes=rng.choice((0, 15, 30, 45)))


def _job(rng: random.Random, job_id: int, now: datetime, forced: str | None, contacts: list[dict],
         people: dict[int, list[dict]], resources: list[dict], job_types: list[dict],
         definitions: list[dict]) -> dict[str, Any]:
    kind = rng.randrange(len(JOB_TYPES))
    job_type, (_, minutes, po_required, group, descriptions) = job_types[kind], JOB_TYPES[kind]
    contact = rng.choice(contacts)
    duration = max(30, minutes + rng.choice((-15, 0, 0, 15, 30)))
    start = _planned_start(rng, now, forced)
    end = start + timedelta(minutes=duration)
    status = forced or _status_for(rng, start, end, now)
    person = rng.choice(people[contact["id"]])
    skilled = [r for r in resources if r["groupName"] == group] or resources
    resource = None if status in UNRESOURCED else rng.choice(skilled)
    created = min(now - timedelta(minutes=30), start - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8)))
    job: dict[str, Any] = {
        "id": job_id, "reference": f"PBS-{job_id % 100_000:05d}" if rng.random() < 0.85 else None,
        "description": rng.choice(descriptions), "typeId": job_type["id"], "typeName": job_type["name"],
        "status": status, "contactId": contact["id"], "contactName": contact["name"],
        "contactAddress": contact["address"], "contactLocation": dict(contact["location"]),
        "personId": person["id"], "personName": person["name"],
        "orderNumber": f"PO-{rng.randint(10_000, 99_999)}" if po_required or rng.random() < 0.3 else None,
        "resourceId": resource["id"] if resource else None, "resourceName": resource["name"] if resource else None,
        "plannedStartAt": iso(start), "plannedEndAt": iso(end), "plannedDuration": duration,
        "realStartAt": None, "realEndAt": None, "createdAt": iso(created), "customFields": [],
    }
    if "started" in STATUS_PATHS[status]:
        real_start = min(now - timedelta(minutes=5), start + timedelta(minutes=rng.randint(-10, 25)))
        job["realStartAt"] = iso(real_start)
        if status in ("completedOk", "completedWithIssues"):
            job["realEndAt"] = iso(min(now, real_start + timedelta(minutes=duration + rng.randint(-20, 40))))
    job["customFields"] = _custom_fields(rng, definitions, status)
    return job


def _custom_fields(rng: random.Random, definitions: list[dict], status: str) -> list[dict]:
    values: list[dict] = []
    for definition in rng.sample(definitions, rng.randint(0, 3)):
        name, kind = definition["name"], definition["type"]
        if name == "Customer satisfaction" and status not in ("completedOk", "completedWithIssues"):
            continue
        if kind == "list":
            value = rng.choice(definition["options"])
        elif kind == "number":
            value = str(rng.randint(1000, 99999))
        elif name == "Access notes":
            value = rng.choice(ACCESS_NOTES)
        elif name == "Asset tag":
            value = f"AT-{rng.randint(1000, 9999)}"
        else:
            value = str(rng.randint(100000, 999999))
        values.append({"definitionId": definition["id"], "value": value})
    return sorted(values, key=lambda v: v["definitionId"])


def _history(job: dict, last_id: int, now: datetime) -> list[dict]:
    """The status changes that brought `job` to its status, each stamped no later than `now`."""
    path = STATUS_PATHS[job["status"]]
    created = datetime.fromisoformat(job["createdAt"].replace("Z", "+00:00"))
    real_start = job["realStartAt"] and datetime.fromisoformat(job["realStartAt"].replace("Z", "+00:00"))
    real_end = job["realEndAt"] and datetime.fromisoformat(job["realEndAt"].replace("Z", "+00:00"))
    planned = datetime.fromisoformat(job["plannedStartAt"].replace("Z", "+00:00"))
    before_work = [s for s in path if s not in ("onTheWay", "started", "suspended", "completedOk",
                                                 "completedWithIssues")]
    horizon = min(now, real_start or planned, planned) - timedelta(minutes=5)
    step = max(timedelta(minutes=1), (horizon - created) / max(1, len(before_work)))
    stamps: dict[str, datetime] = {s: min(now, created + step * k) for k, s in enumerate(before_work)}
    if real_start:
        stamps["onTheWay"] = real_start - timedelta(minutes=20)
        stamps["started"] = real_start
        stamps["suspended"] = min(now, real_start + timedelta(minutes=40))
    elif "onTheWay" in path:
        stamps["onTheWay"] = min(now, horizon + timedelta(minutes=2))
    for done in ("completedOk", "completedWithIssues"):
        if real_end:
            stamps[done] = real_end
    rows = []
    for k, status in enumerate(path):
        rows.append({"id": last_id + k + 1, "jobId": job["id"], "status": status,
                     "createdAt": iso(stamps[status]), "comment": None})
    return rows
