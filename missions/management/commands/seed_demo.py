"""``manage.py seed_demo``: create the demo organisation (slug ``demo``) when it is missing.

Northvale Health, a regional health provider, turning its five-year strategy ("Northvale 2031")
into twelve-month missions: a vision and CEO's intent, an executive board and five directorates
(twelve teams, sixty people), missions at every level with their operating space, KPIs with
about six months of check-ins, key tasks, interdependencies and 30-day reviews.

An existing demo organisation is the users' own: the command leaves it as they left it and
writes nothing, so ``make run`` can call it every time. ``--reset`` deletes the organisation
and everything in it (the same purge as ``generate_org --replace``, which opens the append-only
check-ins for that one transaction) and builds it again. The demo people are reused when they
exist (their password set back to the demo one) and created otherwise; a user of that name who
is not a demo person stops the command before anything is written or deleted.

Dates follow the day the demo is built: missions start on the first of the month six months
ago, task and link dates are counted from today, and check-ins and reviews sit on a fixed
calendar grid up to today, so two builds on the same day are identical.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from measures.models import CheckIn, Kpi
from measures.services import kpi_create, kpi_refresh_all
from missions.audit import audit_record
from missions.management.commands.generate_org import purge
from missions.models import (
    CoachAssignment,
    KeyTask,
    Membership,
    Mission,
    Organisation,
    Team,
)
from missions.services import (
    interdependency_create,
    interdependency_respond,
    key_task_create,
    mission_align,
    mission_create,
    mission_propose,
    mission_send_back,
    team_create,
    vision_update,
)
from reviews.checks import run_checks
from reviews.models import Review

SLUG = "demo"
ORG_NAME = "Northvale Health"
PASSWORD = "mission-demo"
EMAIL_DOMAIN = "northvale.example"
# Check-ins and reviews sit on a fixed calendar grid counted from this Monday, whatever the day
# the demo is built.
GRID_EPOCH = dt.date(2024, 1, 1)
GRID_STEP = {7: 7, 14: 14, 30: 28}  # cadence in days -> grid step (4-weekly for "monthly")
REVIEW_STEP = 30
HISTORY_DAYS = 183  # about six months of check-ins and reviews
LOGINS = ("ceo", "lead", "staff", "coach", "admin")

Role = Membership.Role
A = Mission.AlignmentStatus
INC, DEC, RNG = Kpi.Direction.INCREASE, Kpi.Direction.DECREASE, Kpi.Direction.RANGE
TODO, DOING, DONE, BLOCKED = "todo", "in_progress", "done", "blocked"

# --- the organisation ----------------------------------------------------------------------------

VISION = {
    "purpose": (
        "We exist so that the 640,000 people of the Northvale region live longer, healthier "
        "lives, with care that is close to home, timely and kind."
    ),
    "vision": (
        "Northvale 2031: most care happens at home or in the neighbourhood, nobody waits more "
        "than 18 weeks for planned treatment or four hours in our emergency department, and we "
        "are in the top tenth of NHS providers for patient experience and for staff engagement."
    ),
    "success_picture": (
        "What will be different: frail and older people are looked after at home by one joined-"
        "up neighbourhood team; hospital beds are kept for those who truly need them; our staff "
        "stay because they can do their best work here.\n"
        "Why it matters: every long wait and every avoidable admission costs our patients "
        "health and independence, and costs the region money it could spend on prevention.\n"
        "How we will know: 18-week performance above 92%, emergency admissions down 15%, bed "
        "occupancy at 85–92%, nursing vacancies below 5%, engagement above 7.2, and a balanced "
        "budget every year."
    ),
    "ceo_intent": (
        "This year we turn the strategy into action: cut the longest waits, move care closer to "
        "home, make Northvale a great place to work and live within our means. Every team "
        "writes its own mission against these, decides how inside its operating space, measures "
        "what matters and reviews it every 30 days. Act on the intent, not the instruction: if "
        "the plan stops serving patients, change the plan and tell us why."
    ),
}

# (key, name, parent key, leader username)
TEAMS = [
    ("exec", "Executive Board", None, "ceo"),
    ("community", "Community Services", "exec", "lead"),
    ("planned", "Planned Care", "exec", "andrew.boyd"),
    ("uec", "Urgent & Emergency Care", "exec", "michael.dunn"),
    ("people", "People & Culture", "exec", "laura.kent"),
    ("finance", "Finance & Digital", "exec", "robert.fox"),
    ("vw", "Virtual Wards", "community", "daniel.kerr"),
    ("dn", "District Nursing", "community", "fiona.grant"),
    ("theatres", "Theatres", "planned", "claire.dawson"),
    ("outpatients", "Outpatients", "planned", "susan.park"),
    ("ed", "Emergency Department", "uec", "olivia.hughes"),
    ("digital", "Digital Services", "finance", "ethan.moore"),
]

# (username, first name, last name, team key, role, job title)
PEOPLE = [
    ("ceo", "Helen", "Marsh", "exec", Role.LEADER, "Chief Executive"),
    ("rachel.obi", "Rachel", "Obi", "exec", Role.STAFF, "Chief of Staff"),
    ("martin.hale", "Martin", "Hale", "exec", Role.STAFF, "Director of Strategy"),
    ("amira.haddad", "Amira", "Haddad", "exec", Role.STAFF, "Chief Nurse"),
    ("james.whitaker", "James", "Whitaker", "exec", Role.STAFF, "Medical Director"),
    ("lead", "Priya", "Shah", "community", Role.LEADER, "Director of Community Services"),
    ("staff", "Sam", "Okafor", "community", Role.STAFF, "Frailty Pathway Lead"),
    ("nadia.rahman", "Nadia", "Rahman", "community", Role.STAFF, "Transformation Manager"),
    ("owen.price", "Owen", "Price", "community", Role.STAFF, "Finance Business Partner"),
    ("leah.morgan", "Leah", "Morgan", "community", Role.STAFF, "Clinical Governance Lead"),
    ("daniel.kerr", "Daniel", "Kerr", "vw", Role.LEADER, "Virtual Ward Clinical Director"),
    ("chloe.bennett", "Chloe", "Bennett", "vw", Role.STAFF, "Advanced Nurse Practitioner"),
    ("ravi.patel", "Ravi", "Patel", "vw", Role.STAFF, "Remote Monitoring Lead"),
    ("ellie.ward", "Ellie", "Ward", "vw", Role.STAFF, "Virtual Ward Coordinator"),
    ("ben.achebe", "Ben", "Achebe", "vw", Role.STAFF, "Digital Nurse"),
    ("fiona.grant", "Fiona", "Grant", "dn", Role.LEADER, "Head of District Nursing"),
    ("kate.lowe", "Kate", "Lowe", "dn", Role.STAFF, "Tissue Viability Nurse"),
    ("gareth.jones", "Gareth", "Jones", "dn", Role.STAFF, "Team Leader, Northvale"),
    ("mei.chen", "Mei", "Chen", "dn", Role.STAFF, "District Nurse"),
    ("sophie.turner", "Sophie", "Turner", "dn", Role.STAFF, "District Nurse"),
    ("andrew.boyd", "Andrew", "Boyd", "planned", Role.LEADER, "Director of Planned Care"),
    ("hannah.cole", "Hannah", "Cole", "planned", Role.STAFF, "Deputy Director of Operations"),
    ("liam.osei", "Liam", "Osei", "planned", Role.STAFF, "Waiting List Manager"),
    ("zara.khan", "Zara", "Khan", "planned", Role.STAFF, "Performance Analyst"),
    ("claire.dawson", "Claire", "Dawson", "theatres", Role.LEADER, "Theatres Manager"),
    ("marcus.reid", "Marcus", "Reid", "theatres", Role.STAFF, "Theatre Scheduling Lead"),
    ("joanne.wu", "Joanne", "Wu", "theatres", Role.STAFF, "Pre-operative Assessment Lead"),
    ("peter.nash", "Peter", "Nash", "theatres", Role.STAFF, "Anaesthetic Practitioner"),
    ("aisha.bello", "Aisha", "Bello", "theatres", Role.STAFF, "Scrub Nurse"),
    ("susan.park", "Susan", "Park", "outpatients", Role.LEADER, "Head of Outpatients"),
    ("david.lee", "David", "Lee", "outpatients", Role.STAFF, "Dermatology Service Manager"),
    ("emma.walsh", "Emma", "Walsh", "outpatients", Role.STAFF, "Booking Team Leader"),
    ("kwame.mensah", "Kwame", "Mensah", "outpatients", Role.STAFF, "Outpatient Nurse"),
    ("lucy.hart", "Lucy", "Hart", "outpatients", Role.STAFF, "Clinic Coordinator"),
    ("michael.dunn", "Michael", "Dunn", "uec", Role.LEADER, "Director of Urgent Care"),
    ("natalie.brooks", "Natalie", "Brooks", "uec", Role.STAFF, "Patient Flow Lead"),
    ("sanjay.mehta", "Sanjay", "Mehta", "uec", Role.STAFF, "Discharge Lead"),
    ("carys.evans", "Carys", "Evans", "uec", Role.STAFF, "Site Manager"),
    ("olivia.hughes", "Olivia", "Hughes", "ed", Role.LEADER, "ED Clinical Lead"),
    ("jack.simmons", "Jack", "Simmons", "ed", Role.STAFF, "ED Consultant"),
    ("priyanka.nair", "Priyanka", "Nair", "ed", Role.STAFF, "ED Matron"),
    ("connor.byrne", "Connor", "Byrne", "ed", Role.STAFF, "Emergency Nurse Practitioner"),
    ("ruth.adams", "Ruth", "Adams", "ed", Role.STAFF, "SDEC Nurse Lead"),
    ("laura.kent", "Laura", "Kent", "people", Role.LEADER, "Director of People"),
    ("isaac.boateng", "Isaac", "Boateng", "people", Role.STAFF, "Head of Recruitment"),
    ("hollie.green", "Hollie", "Green", "people", Role.STAFF, "Organisational Development Lead"),
    ("yusuf.ali", "Yusuf", "Ali", "people", Role.STAFF, "Workforce Analyst"),
    ("bethan.rees", "Bethan", "Rees", "people", Role.STAFF, "Wellbeing Lead"),
    ("robert.fox", "Robert", "Fox", "finance", Role.LEADER, "Chief Finance Officer"),
    ("anna.kowalski", "Anna", "Kowalski", "finance", Role.STAFF, "Head of Financial Planning"),
    ("george.hill", "George", "Hill", "finance", Role.STAFF, "Efficiency Programme Lead"),
    ("maya.singh", "Maya", "Singh", "finance", Role.STAFF, "Head of Business Intelligence"),
    ("ethan.moore", "Ethan", "Moore", "digital", Role.LEADER, "Chief Digital Officer"),
    ("lily.chapman", "Lily", "Chapman", "digital", Role.STAFF, "Product Manager"),
    ("omar.farouk", "Omar", "Farouk", "digital", Role.STAFF, "Integration Engineer"),
    ("jess.taylor", "Jess", "Taylor", "digital", Role.STAFF, "User Researcher"),
    ("ibrahim.diallo", "Ibrahim", "Diallo", "digital", Role.STAFF, "Service Desk Lead"),
    ("coach", "Grace", "Adeyemi", None, Role.COACH, "Leadership Coach"),
    ("dan.whitfield", "Dan", "Whitfield", None, Role.COACH, "Improvement Coach"),
    ("admin", "Tom", "Reed", None, Role.ADMIN, "Systems Administrator"),
]
# Coaches: (username, team key or None for the whole organisation)
COACHING = [("coach", None), ("dan.whitfield", "uec")]


# --- the missions --------------------------------------------------------------------------------


class K(NamedTuple):
    """A KPI and the story its check-ins tell."""

    name: str
    unit: str
    direction: str
    baseline: str
    target: str
    target_max: str | None = None
    cadence: int = 30
    # increase/decrease: ahead, on, behind, off, worse; range: in, into, drift
    trend: str = "on"
    parent: str | None = None  # the name of the parent mission's KPI it contributes to
    dp: int = 1
    weight: str = "1"
    stale: bool = False  # check-ins stopped two months ago


class T(NamedTuple):
    """A key task: due so many days from today."""

    title: str
    due: int
    status: str = TODO
    owner: str | None = None  # username; default: the mission's owner (or team leader)


class M(NamedTuple):
    key: str
    level: str
    owner: str  # a team key (organisation and team level) or a username (individual)
    parent: str | None
    title: str
    statement: str
    intent: str
    scope: str = ""
    budget: int | None = None
    headcount: int | None = None
    constraints: str = ""
    free: tuple[str, ...] = ()
    consult: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    alignment: str = A.ALIGNED
    kpis: tuple[K, ...] = ()
    tasks: tuple[T, ...] = ()
    review: str = "regular"  # regular | overdue | none
    months: tuple[int, int] = (0, 12)  # period, in months from the start of the year's plan


ORG, TEAM, PERSON = Mission.Level.ORGANISATION, Mission.Level.TEAM, Mission.Level.INDIVIDUAL

# fmt: off
MISSIONS: list[M] = [
    # --- organisation missions: the executive board's, tied to the vision ------------------------
    M(
        "O1", ORG, "exec", None, "Cut the longest waits for planned care",
        "Treat 65% of patients within 18 weeks and bring the number waiting over 52 weeks to "
        "zero by the end of the year.",
        "Long waits harm patients and erode trust. Recovering planned care is the first promise "
        "we made to our communities, and it frees capacity for everything else in Northvale 2031.",
        scope="All elective specialties at Northvale General and Eastbrook Community Hospital, "
        "including work sent to independent providers.",
        budget=14_500_000, headcount=920,
        constraints="NHS referral-to-treatment rules; clinical priority (P1–P4) always comes "
        "before waiting time; no reduction in cancer or urgent activity.",
        free=("Order in which specialties recover", "Weekend and evening lists",
              "Moving work between our two sites"),
        consult=("Sending work to independent providers (Finance)",
                 "Changes to clinical prioritisation (Medical Director)"),
        must_not=("Remove patients from the list without clinical validation",
                  "Exceed the agency pay cap"),
        kpis=(
            K("Patients treated within 18 weeks", "%", INC, "56.4", "65", trend="behind"),
            K("Patients waiting over 52 weeks", "patients", DEC, "1480", "0", dp=0),
            K("Elective activity vs 2019/20", "%", INC, "97", "109"),
        ),
        tasks=(
            T("Agree a recovery trajectory for every specialty", -120, DONE),
            T("Open the Eastbrook day-case unit", 45, DOING, "andrew.boyd"),
            T("Publish the waiting-list validation results", -9, DOING, "hannah.cole"),
        ),
    ),
    M(
        "O2", ORG, "exec", None, "Care closer to home",
        "Look after 2,000 more people a month at home or in the community instead of in a "
        "hospital bed.",
        "Most of our frail and older patients would rather be treated at home, and do better "
        "there. Every bed day we move into the community frees a hospital bed for someone who "
        "truly needs it.",
        scope="Northvale, Eastbrook and Westfield neighbourhoods; adult community services, "
        "virtual wards and urgent community response.",
        budget=9_800_000, headcount=640,
        constraints="CQC registration for community services; shared care records only with "
        "patient consent; no new buildings this year.",
        free=("How virtual ward beds are split between pathways", "Neighbourhood team boundaries",
              "Referral criteria into community services"),
        consult=("Changes that affect GP practices (primary care board)",
                 "New remote monitoring suppliers (Digital Services)"),
        must_not=("Close hospital beds before the community alternative is running",
                  "Sign contracts over £250k without the Board"),
        kpis=(
            K("Patients cared for on virtual wards per month", "patients", INC, "180", "600",
              dp=0),
            K("Emergency admissions per 1,000 population", "per 1,000", DEC, "9.2", "8.3",
              trend="behind", dp=2),
            K("General and acute bed occupancy", "%", RNG, "97.1", "85", "92", cadence=7,
              trend="into"),
        ),
        tasks=(
            T("Sign the neighbourhood partnership agreement", -60, DONE, "martin.hale"),
            T("Agree the virtual ward safety framework", -25, DONE, "amira.haddad"),
            T("Close the winter escalation ward", 75, TODO, "michael.dunn"),
        ),
    ),
    M(
        "O3", ORG, "exec", None, "A great place to work",
        "Cut the nursing vacancy rate to 7% and staff turnover to 11%, and lift engagement to "
        "7.0 out of 10.",
        "We cannot keep any of our promises without enough people who want to stay. Fewer "
        "vacancies also means less agency spend and safer, more consistent care.",
        scope="All 6,400 staff: recruitment, retention, wellbeing and leadership development.",
        budget=3_200_000, headcount=85,
        constraints="Agenda for Change terms and conditions; national agency price caps; the "
        "public sector equality duty.",
        free=("Recruitment campaigns and channels", "Flexible working patterns within services",
              "How the wellbeing budget is spent"),
        consult=("Changes to terms and conditions (staff side)",
                 "International recruitment volumes (Chief Nurse)"),
        must_not=("Offer pay outside Agenda for Change", "Use agencies off the national framework"),
        kpis=(
            K("Registered nurse vacancy rate", "%", DEC, "11.5", "7.0"),
            K("Staff turnover (12-month rolling)", "%", DEC, "14.2", "11.0", trend="behind"),
            K("Staff engagement (monthly pulse)", "score /10", INC, "6.6", "7.0", trend="ahead",
              dp=2),
        ),
        tasks=(
            T("Launch the staff retention pledge", -100, DONE, "laura.kent"),
            T("Run the autumn pulse survey", -14, DONE, "hollie.green"),
            T("Agree the flexible working policy with staff side", -3, BLOCKED, "laura.kent"),
        ),
    ),
    M(
        "O4", ORG, "exec", None, "Live within our means",
        "Deliver £18m of recurrent efficiencies and finish the year on plan, without cutting "
        "safe staffing.",
        "Every pound we waste is care we cannot give. Financial balance buys us the freedom to "
        "invest in Northvale 2031 instead of having our choices made for us.",
        scope="Every directorate's pay and non-pay budget; procurement; estates; agency and bank "
        "staffing.",
        budget=2_600_000, headcount=60,
        constraints="Standing financial instructions; NHS capital limits; safe staffing levels "
        "are not up for trade.",
        free=("Which schemes deliver the savings", "How savings are phased through the year"),
        consult=("Schemes that change patient services (Quality Committee)",
                 "Disinvestments over £500k (Board)"),
        must_not=("Cut registered nursing establishments", "Defer statutory maintenance"),
        kpis=(
            K("Recurrent efficiencies delivered", "£m", INC, "0", "18", trend="behind", dp=2),
            K("Agency spend as a share of the pay bill", "%", DEC, "6.8", "3.7"),
            K("Variance to the financial plan", "£m", RNG, "-1.4", "-0.5", "0.5", trend="in",
              dp=2),
        ),
        tasks=(
            T("Sign off directorate budgets", -150, DONE, "robert.fox"),
            T("Quarter-two efficiency stocktake with every directorate", -20, DONE, "george.hill"),
            T("Close the gap in the year-end forecast", 40, DOING, "robert.fox"),
        ),
    ),
    M(
        "O5", ORG, "exec", None, "Urgent care without the long wait",
        "See 78% of emergency department patients within four hours and end ambulance "
        "handovers that take over an hour.",
        "Crowded emergency departments are dangerous. Flow through the whole hospital, not just "
        "the front door, decides how long people wait when they are most unwell.",
        scope="Emergency department, same-day emergency care, acute medical and surgical wards, "
        "discharge.",
        budget=6_400_000, headcount=540,
        constraints="Royal College of Emergency Medicine safety standards; no corridor care; "
        "the ambulance handover protocol agreed with the ambulance service.",
        free=("Streaming and triage model in ED", "Opening hours of same-day emergency care",
              "Use of the discharge lounge"),
        consult=("Changes to ambulance pathways (ambulance service)",
                 "Escalation beds (Chief Nurse)"),
        must_not=("Hold patients in ambulances to protect the four-hour figure",
                  "Open unstaffed escalation beds"),
        kpis=(
            K("ED patients seen within 4 hours", "%", INC, "68.2", "78", cadence=7,
              trend="behind"),
            K("Ambulance handovers over 60 minutes", "per week", DEC, "52", "0", cadence=7, dp=0),
        ),
        tasks=(
            T("Agree the handover protocol with the ambulance service", -80, DONE, "michael.dunn"),
            T("Winter plan signed off by the Board", -12, DONE, "michael.dunn"),
        ),
    ),
    # --- directorate missions --------------------------------------------------------------------
    M(
        "C1", TEAM, "community", "O2", "Virtual wards at scale",
        "Grow virtual wards from 45 to 120 beds across frailty, respiratory and heart failure, "
        "and keep them 80–90% full.",
        "Virtual wards are the biggest single lever we have to bring care home. Full, safe "
        "virtual wards let the hospital close its escalation beds for good.",
        scope="Frailty, respiratory and heart failure virtual wards for adults registered with a "
        "Northvale GP.",
        budget=3_600_000, headcount=140,
        constraints="Clinical model signed off by the Medical Director; remote monitoring only "
        "with approved devices; a response to deterioration within 2 hours.",
        free=("Mix of beds between pathways", "Staffing model and rotas",
              "Referral criteria, agreed with consultants"),
        consult=("Remote monitoring suppliers (Digital Services)",
                 "Changes to what GPs are asked to do (primary care)"),
        must_not=("Admit a patient without a named responsible clinician",
                  "Go beyond 120 beds without a safety review"),
        kpis=(
            K("Virtual ward admissions per month", "patients", INC, "150", "520", dp=0,
              parent="Patients cared for on virtual wards per month"),
            K("Virtual ward beds open", "beds", INC, "45", "120", dp=0),
            K("Virtual ward occupancy", "%", RNG, "62", "80", "90", cadence=14, trend="into"),
        ),
        tasks=(
            T("Agree the respiratory virtual ward clinical model", -90, DONE, "daniel.kerr"),
            T("Sign the remote monitoring contract", -30, DONE),
            T("Recruit 30 band-6 virtual ward nurses", 60, DOING),
            T("Six-month safety review to the Quality Committee", -5, TODO, "leah.morgan"),
        ),
    ),
    M(
        "C2", TEAM, "community", "O2", "Two-hour urgent community response",
        "Reach 75% of urgent community referrals within two hours, 8am to 8pm, seven days a week.",
        "A fast response at home keeps people out of the emergency department and off a "
        "trolley. It is the front door of care closer to home.",
        scope="Urgent referrals from GPs, NHS 111 and the ambulance service for adults in our "
        "three neighbourhoods.",
        budget=1_900_000, headcount=130,
        constraints="National two-hour response standard; lone-working policy; falls response "
        "agreed with the ambulance service.",
        free=("Rota and shift patterns", "Triage rules for the single point of access"),
        consult=("Taking referrals straight from ambulance crews (ambulance service)",),
        must_not=("Turn a referral away without a clinical conversation",),
        kpis=(
            K("Urgent referrals reached within 2 hours", "%", INC, "58", "75", cadence=14),
            K("Ambulance conveyances avoided", "per month", INC, "210", "400", trend="ahead",
              dp=0, parent="Emergency admissions per 1,000 population", weight="0.5"),
        ),
        tasks=(
            T("Extend the service to 8pm on weekdays", -45, DONE),
            T("Take falls referrals directly from ambulance crews", 30, DOING, "nadia.rahman"),
        ),
    ),
    M(
        "P1", TEAM, "planned", "O1", "Recover elective activity",
        "Run elective activity at 110% of 2019/20 levels and clear every wait over 52 weeks in "
        "planned care.",
        "Our elective recovery decides whether the organisation meets its first promise; "
        "theatres and beds are the constraint, so we spend our effort there.",
        scope="General surgery, orthopaedics, urology, ENT, gynaecology and ophthalmology.",
        budget=8_200_000, headcount=410,
        constraints="Clinical priority first; no weekend lists without anaesthetic cover.",
        free=("Specialty order of recovery", "Weekend and evening lists", "Insourcing partners"),
        consult=("Independent-sector contracts (Finance)",),
        must_not=("Cancel cancer or P1 patients to hit activity targets",),
        kpis=(
            K("Elective activity vs 2019/20 (planned care)", "%", INC, "96", "110",
              trend="behind", parent="Elective activity vs 2019/20"),
            K("Over-52-week waiters in planned care", "patients", DEC, "1310", "0", cadence=14,
              dp=0, parent="Patients waiting over 52 weeks"),
        ),
        tasks=(
            T("Weekend orthopaedic lists at Eastbrook", -35, DONE, "hannah.cole"),
            T("Insourcing contract for ophthalmology", -2, DOING, "hannah.cole"),
            T("Specialty-level trajectories reviewed with the Board", 25, TODO),
        ),
    ),
    M(
        "P2", TEAM, "planned", "O1", "Transform outpatients",
        "Free a fifth of follow-up appointments through patient-initiated follow-up and advice "
        "and guidance.",
        "Every follow-up that does not need to happen is a new patient seen sooner.",
        scope="All outpatient specialties; booking and clinic administration.",
        budget=1_100_000, headcount=160,
        constraints="Patients keep the right to a face-to-face appointment.",
        free=("Which specialties go first", "Clinic templates"),
        consult=("Changes to GP referral routes (primary care)",),
        must_not=("Discharge a patient without telling their GP",),
        kpis=(
            K("Outpatients moved to patient-initiated follow-up", "%", INC, "1.8", "5.0",
              trend="ahead", parent="Patients treated within 18 weeks", weight="0.5"),
            K("Outpatient did-not-attend rate", "%", DEC, "8.1", "5.5", cadence=14,
              trend="off"),
        ),
        tasks=(
            T("Text reminders in every specialty", -50, DONE, "emma.walsh"),
            T("Patient-initiated follow-up in five more specialties", 55, DOING),
        ),
    ),
    M(
        "U1", TEAM, "uec", "O5", "Four hours, every day",
        "Get 78% of emergency department patients seen within four hours by fixing flow from "
        "the front door to discharge.",
        "The four-hour standard is a measure of the whole hospital; discharge is where most of "
        "the delay starts.",
        scope="Northvale General: ED, acute medical unit, base wards and discharge.",
        budget=4_300_000, headcount=380,
        constraints="No corridor care; escalation only through the site team.",
        free=("Daily board rounds and discharge processes", "Discharge lounge opening hours"),
        consult=("Changes to social care packages (local authority)",),
        must_not=("Discharge before a patient is medically fit",),
        kpis=(
            K("ED 4-hour performance (Northvale General)", "%", INC, "66.5", "78", cadence=7,
              trend="behind", parent="ED patients seen within 4 hours"),
            K("Patients with no criteria to reside", "patients", DEC, "120", "60", cadence=7,
              dp=0),
            K("Discharges before noon", "%", INC, "14", "30", cadence=14, trend="worse", dp=0),
        ),
        tasks=(
            T("Daily discharge huddle on every ward", -70, DONE, "natalie.brooks"),
            T("Discharge lounge open until 10pm", -8, DOING, "carys.evans"),
            T("Weekend discharge team business case", 20, TODO, "sanjay.mehta"),
        ),
    ),
    M(
        "W1", TEAM, "people", "O3", "Recruit and keep our nurses",
        "Cut registered nurse vacancies from 310 to 180 and keep nine in ten new nurses past "
        "their first year.",
        "Nursing vacancies drive agency spend and make every shift harder for the people who "
        "stay.",
        scope="Registered nurses and midwives; international, graduate and return-to-practice "
        "recruitment.",
        budget=2_300_000, headcount=40,
        constraints="NMC registration rules; ethical international recruitment code.",
        free=("Recruitment channels and campaigns", "Preceptorship design"),
        consult=("International recruitment numbers (Chief Nurse)",),
        must_not=("Recruit from red-list countries",),
        kpis=(
            K("Registered nurse vacancies", "WTE", DEC, "310", "180", dp=0,
              parent="Registered nurse vacancy rate"),
            K("Nurses leaving in their first year", "%", DEC, "22", "15", trend="behind"),
            K("Time to hire", "days", RNG, "68", "35", "45", trend="into", dp=0),
        ),
        tasks=(
            T("Graduate nurse open day", -40, DONE, "isaac.boateng"),
            T("New preceptorship programme", 35, DOING, "hollie.green"),
        ),
    ),
    M(
        "W2", TEAM, "people", "O3", "Wellbeing and flexible working",
        "Bring sickness absence down to 4.5% and give three in ten staff a flexible working "
        "agreement.",
        "Tired people leave. Flexibility and real support keep experienced staff with us.",
        scope="All staff groups and sites.",
        budget=650_000, headcount=12,
        constraints="Service cover must be kept when flexible working is agreed.",
        free=("Wellbeing offer and where it is delivered",),
        consult=("Flexible working policy changes (staff side)",),
        must_not=("Make flexible working depend on grade",),
        kpis=(
            K("Sickness absence rate", "%", DEC, "5.6", "4.5",
              parent="Staff turnover (12-month rolling)", weight="0.5"),
            K("Staff with a flexible working agreement", "%", INC, "18", "30", trend="ahead",
              dp=0),
        ),
        tasks=(T("Manager training on flexible working", -18, TODO, "hollie.green"),),
        review="overdue",
    ),
    M(
        "F1", TEAM, "finance", "O4", "Deliver the £18m efficiency plan",
        "Identify, approve and deliver £18m of recurrent efficiency schemes, each with a signed "
        "quality impact assessment.",
        "Savings we can repeat next year are worth more than one-off cuts, and no scheme may "
        "make care less safe.",
        scope="All directorates; corporate services; procurement.",
        budget=900_000, headcount=18,
        constraints="Standing financial instructions; every scheme needs a quality impact "
        "assessment signed by the Chief Nurse and Medical Director.",
        free=("Programme governance and reporting",),
        consult=("Schemes affecting patient services (Quality Committee)",),
        must_not=("Count non-recurrent savings towards the £18m",),
        kpis=(
            K("Efficiency schemes delivered", "£m", INC, "0", "18", trend="behind", dp=2,
              parent="Recurrent efficiencies delivered"),
            K("Agency spend", "£m per month", DEC, "2.4", "1.3", dp=2,
              parent="Agency spend as a share of the pay bill"),
            K("Schemes with a signed quality impact assessment", "%", INC, "40", "100", dp=0),
        ),
        tasks=(
            T("Procurement savings plan", -65, DONE, "anna.kowalski"),
            T("Theatre consumables review", -4, DOING, "george.hill"),
        ),
    ),
    M(
        "F2", TEAM, "finance", "O4", "Digital by default",
        "Halve the paper letters we post and let a quarter of patients book their appointments "
        "online.",
        "Paper and phone bookings are slow, costly and error-prone; patients expect better.",
        scope="Outpatient letters, appointment booking, patient communications.",
        budget=1_400_000, headcount=22,
        constraints="NHS data security and protection toolkit; accessibility standards (WCAG 2.2 "
        "AA); paper stays available on request.",
        free=("Product roadmap", "Which specialties go digital first"),
        consult=("Anything that changes clinical content of letters (Medical Director)",),
        must_not=("Store patient data outside the UK",),
        kpis=(
            K("Paper letters posted", "per month", DEC, "92000", "40000", trend="behind", dp=0),
            K("Appointments booked online", "%", INC, "3", "25"),
        ),
        tasks=(T("Digital letters supplier go-live", -28, DONE, "ethan.moore"),),
    ),
    # --- team missions under the directorates ----------------------------------------------------
    M(
        "V1", TEAM, "vw", "C1", "Respiratory and frailty virtual wards",
        "Open 70 respiratory and frailty virtual ward beds and monitor 320 patients remotely.",
        "Respiratory and frailty admissions fill our medical beds every winter; these two wards "
        "take the pressure off first.",
        scope="Adults with COPD, pneumonia or moderate-to-severe frailty.",
        budget=1_600_000, headcount=55,
        constraints="Frailty and respiratory clinical models as signed off.",
        free=("Daily ward round model", "Which patients are monitored remotely"),
        consult=("Device choices (Digital Services)",),
        must_not=("Take patients with a NEWS2 score above 5",),
        kpis=(
            K("Frailty and respiratory virtual ward beds", "beds", INC, "20", "70", dp=0,
              parent="Virtual ward beds open"),
            K("Patients monitored remotely", "patients", INC, "90", "320", cadence=14,
              trend="ahead", dp=0),
            K("Readmissions within 30 days of virtual ward discharge", "%", DEC, "14", "10",
              trend="behind"),
        ),
        tasks=(
            T("Respiratory ward go-live", -100, DONE),
            T("Frailty ward go-live in Eastbrook", -20, DONE, "staff"),
            T("Heart failure pathway design", 40, TODO, "chloe.bennett"),
        ),
    ),
    M(
        "D1", TEAM, "dn", "C2", "Neighbourhood nursing teams",
        "Reorganise district nursing into three neighbourhood teams with safe caseloads and "
        "halve pressure ulcers acquired in our care.",
        "Nurses who know their patients and their GP practices catch deterioration earlier.",
        scope="District nursing in Northvale, Eastbrook and Westfield.",
        budget=950_000, headcount=96,
        constraints="Safe caseload guidance; lone-working policy.",
        free=("Team boundaries and rotas",),
        consult=("Changes to GP practice alignment (primary care)",),
        must_not=("Leave a visit unallocated at the end of the day",),
        kpis=(
            K("Visits per nurse per day", "visits", RNG, "9.4", "6", "8", cadence=14,
              trend="drift"),
            K("Pressure ulcers acquired in our care", "per month", DEC, "26", "12", dp=0),
            K("Urgent visits reached within 2 hours", "%", INC, "55", "75", cadence=14, dp=0,
              parent="Urgent referrals reached within 2 hours"),
        ),
        tasks=(
            T("Agree the three neighbourhood boundaries", -85, DONE),
            T("E-rostering for all district nurses", -15, DOING, "gareth.jones"),
        ),
    ),
    M(
        "T1", TEAM, "theatres", "P1", "Theatre utilisation to 85%",
        "Raise capped theatre utilisation to 85% and halve on-the-day cancellations.",
        "Theatres are the bottleneck of elective recovery: every lost hour is a patient who "
        "waits longer.",
        scope="Twelve theatres at Northvale General and four at Eastbrook.",
        budget=2_800_000, headcount=160,
        constraints="WHO surgical safety checklist; no lists without a full team.",
        free=("List scheduling and session planning", "Start-time rules"),
        consult=("Session changes affecting surgeons' job plans (clinical directors)",),
        must_not=("Overrun lists past 8pm without the site team's agreement",),
        kpis=(
            K("Theatre utilisation (capped)", "%", INC, "71", "85", cadence=7, trend="behind",
              parent="Elective activity vs 2019/20 (planned care)"),
            K("On-the-day cancellations", "per month", DEC, "48", "20", dp=0),
            K("Cases per all-day list", "cases", INC, "3.1", "3.8", cadence=14),
        ),
        tasks=(
            T("Six-four-two scheduling meeting every week", -60, DONE, "marcus.reid"),
            T("Second recovery bay at Eastbrook", -11, BLOCKED),
        ),
        review="overdue",
    ),
    M(
        "OP1", TEAM, "outpatients", "P2", "Advice and guidance before referral",
        "Answer a quarter of GP referrals with specialist advice and guidance instead of an "
        "appointment, and cut waits over 18 weeks for a first appointment.",
        "Many referrals need an answer, not an appointment; advice within days beats an "
        "appointment in months.",
        scope="Dermatology, cardiology, gastroenterology and rheumatology.",
        budget=300_000, headcount=30,
        constraints="Advice within 5 working days; the GP stays responsible until the patient "
        "is accepted.",
        free=("Specialty order and rota for advice sessions",),
        consult=("Template changes for GPs (primary care)",),
        must_not=("Reject a referral without advice",),
        kpis=(
            K("Referrals answered with advice and guidance", "%", INC, "12", "25", cadence=14,
              parent="Outpatients moved to patient-initiated follow-up"),
            K("New outpatient waits over 18 weeks", "patients", DEC, "4200", "2500", cadence=14,
              trend="behind", dp=0),
        ),
        tasks=(T("Advice and guidance in cardiology", -22, DONE, "susan.park"),),
    ),
    M(
        "E1", TEAM, "ed", "U1", "Same-day emergency care for a third of patients",
        "Stream 30% of emergency department patients to same-day emergency care and triage "
        "everyone within 15 minutes.",
        "Patients who can go home the same day should never wait behind those who need a bed.",
        scope="Northvale General emergency department and the same-day emergency care unit.",
        budget=750_000, headcount=95,
        constraints="RCEM triage standards.",
        free=("Streaming criteria", "SDEC opening hours"),
        consult=("Medical take arrangements (acute medicine)",),
        must_not=("Stream a patient without a clinician's assessment",),
        alignment=A.PROPOSED,
        kpis=(
            K("ED patients streamed to same-day emergency care", "%", INC, "12", "30",
              cadence=7, parent="ED 4-hour performance (Northvale General)"),
            K("Median time to triage", "minutes", DEC, "28", "15", cadence=7, trend="behind",
              dp=0),
        ),
        tasks=(T("SDEC open until midnight", 15, DOING, "ruth.adams"),),
    ),
    M(
        "G1", TEAM, "digital", "F2", "Launch the Northvale patient app",
        "Put 40,000 patients on the Northvale app and send half of all letters digitally.",
        "The app is the front door to digital by default.",
        scope="Outpatient letters and appointments first; results later.",
        budget=600_000, headcount=9,
        constraints="NHS login only; accessibility audit before launch.",
        free=("Features and release plan",),
        consult=("Clinical content (Medical Director)",),
        must_not=("Launch without the accessibility audit",),
        alignment=A.SENT_BACK,
        kpis=(
            K("Patients registered on the app", "patients", INC, "0", "40000", dp=0,
              parent="Appointments booked online"),
            K("Letters sent digitally", "%", INC, "5", "50", trend="behind", dp=0,
              parent="Paper letters posted"),
        ),
        tasks=(
            T("Accessibility audit", -16, TODO, "jess.taylor"),
            T("NHS login integration", -40, DONE, "omar.farouk"),
        ),
    ),
    # --- individual missions ---------------------------------------------------------------------
    M(
        "S1", PERSON, "staff", "C1", "Launch the frailty virtual ward in Eastbrook",
        "Open a 25-bed frailty virtual ward for Eastbrook and keep it 80–90% full, with fewer "
        "readmissions than a hospital stay.",
        "Eastbrook has the oldest population and the most frailty admissions in Northvale: this "
        "is where the virtual ward programme proves itself.",
        scope="Adults over 65 with moderate or severe frailty registered with the six Eastbrook "
        "GP practices.",
        budget=420_000, headcount=12,
        constraints="Frailty clinical model as signed off; devices from the approved list; "
        "escalation to the acute frailty team.",
        free=("Recruitment and rotas for the ward team", "Which practices go live first",
              "How daily board rounds run"),
        consult=("Changes to referral criteria (Priya Shah)",
                 "Device choices (Ravi Patel, remote monitoring)"),
        must_not=("Go beyond 25 beds", "Accept a referral without a frailty score"),
        kpis=(
            K("Frailty virtual ward admissions per month", "patients", INC, "0", "90",
              cadence=14, dp=0, parent="Virtual ward admissions per month"),
            K("Frailty virtual ward occupancy", "%", RNG, "0", "80", "90", cadence=14,
              trend="into", dp=0, parent="Virtual ward occupancy"),
            K("Readmissions within 30 days", "%", DEC, "16", "11", trend="behind"),
        ),
        tasks=(
            T("Agree clinical criteria with the geriatricians", -75, DONE),
            T("Go-live session with the Eastbrook GPs", -40, DONE),
            T("Recruit four band-6 virtual ward nurses", 20, DOING),
            T("Set up remote monitoring kits with the supplier", -6, DOING),
            T("Write the six-month evaluation", 70, TODO),
        ),
        months=(1, 12),
    ),
    M(
        "I-nadia", PERSON, "nadia.rahman", "C2", "One number for urgent community referrals",
        "Run a single point of access that triages every urgent referral within 15 minutes.",
        "Referrers should not have to know our structure to get help for a patient.",
        scope="All urgent community referrals.", budget=80_000, headcount=6,
        free=("Triage script and rota",), consult=("Changes to GP referral forms (primary care)",),
        alignment=A.PROPOSED,
        kpis=(
            K("Referrals triaged within 15 minutes", "%", INC, "40", "90", cadence=14, dp=0),
            K("Referrals passed between teams", "per month", DEC, "310", "100", trend="behind",
              dp=0),
        ),
        tasks=(T("Single phone number live", 10, DOING),),
        months=(2, 12),
    ),
    M(
        "I-leah", PERSON, "leah.morgan", "C1", "Virtual ward governance that keeps up",
        "Review every virtual ward incident within 10 days and share the learning monthly.",
        "Growth must not outrun safety: quick learning keeps a new service safe.",
        scope="All virtual wards.", free=("Format of learning reviews",),
        consult=("Serious incident declarations (Chief Nurse)",),
        kpis=(
            K("Virtual ward incidents reviewed within 10 days", "%", INC, "55", "95",
              cadence=14, dp=0),
            K("Serious incidents on virtual wards", "per month", RNG, "2", "0", "1",
              trend="in", dp=0),
        ),
        tasks=(T("Monthly learning bulletin", -3, DONE),),
    ),
    M(
        "I-owen", PERSON, "owen.price", "C1", "Community services cost tracking",
        "Give every community team a monthly view of its spend against budget.",
        "Draft: still working out what to measure.",
        alignment=A.DRAFT, review="none",
    ),
    M(
        "I-chloe", PERSON, "chloe.bennett", "V1", "Respiratory virtual ward clinical model",
        "Step 60 respiratory patients a month down from hospital wards to the virtual ward.",
        "Earlier step-down frees beds and patients recover better at home.",
        scope="COPD and pneumonia patients at Northvale General.", free=("Step-down criteria",),
        kpis=(
            K("Respiratory patients stepped down from wards", "per month", INC, "10", "60",
              cadence=14, dp=0),
            K("Oxygen saturation alerts answered within 1 hour", "%", INC, "70", "95",
              cadence=14, trend="ahead", dp=0),
        ),
        tasks=(T("Step-down criteria agreed with respiratory consultants", -55, DONE),),
    ),
    M(
        "I-ravi", PERSON, "ravi.patel", "V1", "Remote monitoring for 300 patients",
        "Keep 300 virtual ward patients on remote monitoring with kit that works.",
        "Monitoring is what makes a virtual ward a ward.",
        scope="All virtual ward patients.", free=("Kit logistics",),
        consult=("Supplier changes (Digital Services)",),
        kpis=(
            K("Patients on remote monitoring", "patients", INC, "90", "300", cadence=14,
              trend="ahead", dp=0, parent="Patients monitored remotely"),
            K("Monitoring kits lost or broken", "per month", DEC, "14", "5", trend="off", dp=0),
        ),
        tasks=(T("Kit returns process with couriers", -10, TODO),),
    ),
    M(
        "I-kate", PERSON, "kate.lowe", "D1", "Pressure ulcer prevention in Westfield",
        "Halve pressure ulcers in the Westfield caseload.",
        "Pressure ulcers are avoidable harm.",
        kpis=(
            K("Pressure ulcers in the Westfield caseload", "per month", DEC, "9", "4", dp=0,
              parent="Pressure ulcers acquired in our care"),
            K("Patients with a skin assessment within 24 hours", "%", INC, "62", "95",
              cadence=14, dp=0, stale=True),
        ),
    ),
    M(
        "I-gareth", PERSON, "gareth.jones", "D1", "Rostering that protects visit time",
        "Cut rostered hours lost to admin from 22% to 12%.",
        "Time spent on admin is time not spent with patients.",
        alignment=A.PROPOSED, review="overdue",
        kpis=(
            K("Rostered hours lost to admin", "%", DEC, "22", "12", trend="behind", dp=0),
            K("Visits per nurse per day (Northvale team)", "visits", RNG, "9.8", "6", "8",
              cadence=14, trend="into", parent="Visits per nurse per day"),
        ),
    ),
    M(
        "I-marcus", PERSON, "marcus.reid", "T1", "Start every list on time",
        "Start 85% of theatre lists within 15 minutes of the planned time.",
        "Late starts are the biggest single loss of theatre time.",
        kpis=(
            K("Lists starting within 15 minutes", "%", INC, "48", "85", cadence=7,
              trend="behind", dp=0, parent="Theatre utilisation (capped)"),
            K("Late starts caused by missing kit", "per month", DEC, "31", "5", dp=0),
        ),
        tasks=(T("Kit checked the evening before every list", -30, DONE),),
    ),
    M(
        "I-joanne", PERSON, "joanne.wu", "T1", "Pre-operative assessment six weeks ahead",
        "Assess 90% of patients at least six weeks before their operation.",
        "Patients found unfit on the day are a cancelled list slot and a disappointed patient.",
        kpis=(
            K("Patients pre-assessed 6 weeks before surgery", "%", INC, "35", "90", cadence=14,
              dp=0),
            K("Cancellations for unfit patients", "per month", DEC, "19", "5", trend="ahead",
              dp=0, parent="On-the-day cancellations"),
        ),
    ),
    M(
        "I-david", PERSON, "david.lee", "OP1", "Advice and guidance in dermatology",
        "Answer 45% of dermatology referrals with advice and guidance within 3 days.",
        "Dermatology has our longest outpatient wait.",
        kpis=(
            K("Dermatology referrals with advice and guidance", "%", INC, "20", "45", cadence=14,
              trend="ahead", dp=0, parent="Referrals answered with advice and guidance"),
            K("Dermatology advice turnaround", "days", DEC, "9", "3", cadence=14),
        ),
        tasks=(T("Teledermatology cameras in GP practices", -13, DOING),),
    ),
    M(
        "I-liam", PERSON, "liam.osei", "P1", "Validate the whole waiting list",
        "Validate every patient on the planned care waiting list at least every 12 weeks.",
        "An accurate list is the basis of fair, safe prioritisation.",
        kpis=(
            K("Waiting list validated in the last 12 weeks", "%", INC, "40", "95", cadence=14,
              dp=0),
            K("Patients removed after validation", "per month", RNG, "60", "150", "400",
              trend="in", dp=0),
        ),
    ),
    M(
        "I-zara", PERSON, "zara.khan", "P1", "A weekly demand and capacity model",
        "Give every specialty a weekly demand and capacity plan with a forecast error under 5%.",
        "We cannot recover what we cannot forecast.",
        kpis=(
            K("Specialties with a weekly capacity plan", "specialties", INC, "3", "18",
              cadence=14, trend="ahead", dp=0),
            K("Forecast error on weekly activity", "%", DEC, "15", "5", cadence=14,
              trend="behind"),
        ),
    ),
    M(
        "I-natalie", PERSON, "natalie.brooks", "U1", "Criteria-led discharge on eight wards",
        "Roll out criteria-led discharge to eight wards and lift weekend discharges.",
        "Patients should not wait for a consultant's round to go home.",
        kpis=(
            K("Wards using criteria-led discharge", "wards", INC, "1", "8", dp=0),
            K("Weekend discharges as a share of weekday", "%", INC, "55", "80", cadence=7,
              trend="behind", dp=0, parent="Discharges before noon", weight="0.5"),
        ),
        tasks=(T("Criteria-led discharge on ward 7", -26, DONE),),
    ),
    M(
        "I-sanjay", PERSON, "sanjay.mehta", "U1", "Discharge to assess, home first",
        "Cut patients waiting over a week for a care package from 48 to 15.",
        "Most people assessed at home need less care than those assessed in hospital.",
        kpis=(
            K("Patients waiting over 7 days for a care package", "patients", DEC, "48", "15",
              cadence=7, trend="off", dp=0, parent="Patients with no criteria to reside"),
            K("Discharges home first", "%", INC, "61", "75", cadence=14, dp=0),
        ),
        tasks=(T("Joint discharge team with the council", -21, BLOCKED),),
    ),
    M(
        "I-ruth", PERSON, "ruth.adams", "E1", "Streaming protocol for same-day emergency care",
        "Make a streaming decision for 85% of patients within 15 minutes of arrival.",
        "Fast streaming is what makes same-day emergency care work.",
        alignment=A.DRAFT,
        kpis=(
            K("Streaming decisions within 15 minutes of arrival", "%", INC, "45", "85",
              cadence=7, dp=0),
            K("SDEC patients returned to ED", "%", DEC, "9", "5", cadence=14, trend="behind"),
        ),
        months=(3, 12),
    ),
    M(
        "I-isaac", PERSON, "isaac.boateng", "W1", "120 international nurses, well settled",
        "Welcome 120 internationally educated nurses and see nine in ten pass their OSCE first "
        "time.",
        "International nurses fill a third of our vacancy gap; settling them well keeps them.",
        kpis=(
            K("International nurses arrived", "nurses", INC, "0", "120", dp=0,
              parent="Registered nurse vacancies"),
            K("International nurses passing OSCE first time", "%", INC, "72", "90",
              trend="ahead", dp=0),
        ),
        tasks=(T("Pastoral support programme", -45, DONE), T("Spring cohort offers", 12, DOING)),
    ),
    M(
        "I-bethan", PERSON, "bethan.rees", "W2", "Wellbeing hubs on every site",
        "Open a staffed wellbeing hub on all six sites.",
        "Support has to be where people work, on every shift.",
        kpis=(
            K("Sites with a staffed wellbeing hub", "sites", INC, "1", "6", dp=0),
            K("Staff using wellbeing services", "per month", INC, "310", "900", trend="behind",
              dp=0),
        ),
        tasks=(T("Hub at Eastbrook", -7, DOING),),
    ),
    M(
        "I-george", PERSON, "george.hill", "F1", "Run the efficiency programme office",
        "Work up 45 schemes and identify 110% of the savings target.",
        "A pipeline bigger than the target absorbs the schemes that slip.",
        kpis=(
            K("Schemes fully worked up", "schemes", INC, "12", "45", cadence=14, dp=0),
            K("Savings identified vs target", "%", INC, "62", "110", trend="behind", dp=0,
              parent="Efficiency schemes delivered"),
        ),
    ),
    M(
        "I-martin", PERSON, "martin.hale", "O2", "Northvale 2031 place partnership",
        "Set up three neighbourhood partnership boards with GPs, the council and the voluntary "
        "sector.",
        "Care closer to home is a partnership or it is nothing.",
        kpis=(
            K("Neighbourhood partnership boards running", "boards", INC, "0", "3", dp=0),
            K("Partners using the shared care record", "organisations", INC, "4", "20",
              trend="ahead", dp=0),
        ),
        tasks=(T("Westfield partnership board", 18, TODO),),
    ),
    M(
        "I-rachel", PERSON, "rachel.obi", "O3", "A 30-day review rhythm for the board",
        "Make sure nine in ten missions are reviewed every 30 days and board actions close on "
        "time.",
        "A strategy that is not reviewed drifts.",
        kpis=(
            K("Missions reviewed in the last 30 days", "%", INC, "35", "90", cadence=14, dp=0),
            K("Board actions closed on time", "%", INC, "58", "85", trend="behind", dp=0),
        ),
    ),
]

# (from mission, to mission, kind, description, status, days ago asked, days ago answered)
LINKS = [
    ("C1", "W1", "depends_on", "Virtual wards need 30 band-6 nurses from the recruitment "
     "pipeline by the spring.", "acknowledged", 120, 112),
    ("E1", "C2", "depends_on", "Same-day emergency care needs the two-hour response team to "
     "take patients home the same evening.", "proposed", 19, None),
    ("C2", "E1", "supports", "We can take falls patients straight from the SDEC unit.",
     "acknowledged", 40, 33),
    ("T1", "W1", "depends_on", "Two more theatre teams need anaesthetic practitioners.",
     "declined", 95, 80),
    ("U1", "C1", "depends_on", "Stepping patients down to virtual wards frees 25 medical beds.",
     "acknowledged", 70, 66),
    ("F1", "W2", "supports", "Funding for the wellbeing hubs agreed from the charity fund.",
     "resolved", 130, 90),
    ("S1", "I-ravi", "depends_on", "Twenty-five remote monitoring kits for frailty patients.",
     "acknowledged", 50, 47),
    ("I-kate", "I-leah", "supports", "Tissue viability data for the governance dashboard.",
     "proposed", 9, None),
    ("P1", "F1", "depends_on", "Weekend insourcing lists need £1.2m in the forecast.",
     "acknowledged", 60, 52),
    ("G1", "P2", "supports", "Digital letters and reminders to cut did-not-attend rates.",
     "proposed", 33, None),
]
# fmt: on

SENT_BACK_COMMENT = (
    "The app is a good idea, but the mission does not show how it cuts paper or missed "
    "appointments. Link it to the letters KPI and start with one specialty."
)
REVIEW_NOTES = [
    (
        "Steady progress; the trajectory holds.",
        "Weekly huddles keep everyone on the same page.",
        "Data arrives late from two teams.",
        "Agreed a single data cut-off on Mondays.",
    ),
    (
        "Behind plan on one measure, ahead on the others.",
        "Staff are proposing their own improvements.",
        "Recruitment is slower than we assumed.",
        "Asked People & Culture for a joint recruitment drive.",
    ),
    (
        "Good month: two milestones delivered.",
        "Clear decision rights: nobody waits for permission.",
        "Dependencies on other teams are not visible early enough.",
        "Added the dependencies to the weekly agenda.",
    ),
    (
        "Mixed month; winter pressure is showing.",
        "Patients and families give good feedback.",
        "Sickness absence in the team is high.",
        "Protected time for the team's own wellbeing.",
    ),
    (
        "On track; nothing to escalate.",
        "Measures are trusted and discussed openly.",
        "Some KPIs are updated at the last minute.",
        "Check-ins move to the Friday before the review.",
    ),
]
CHECKIN_COMMENTS = {
    "ahead": ["Ahead of plan.", "Better than expected this period.", "Momentum is good."],
    "on": ["On trajectory.", "As planned.", "Holding steady."],
    "behind": ["Behind plan; recovery actions agreed.", "Slower than hoped.", "Gap is closing."],
    "off": ["Off track: escalated.", "No improvement yet.", "Needs a different approach."],
    "worse": ["Going the wrong way.", "Worse this period: investigating."],
    "in": ["Inside the range.", "Stable inside the range."],
    "into": ["Moving towards the range.", "Not in range yet."],
    "drift": ["Drifting out of range.", "Caseloads rising again."],
}
CONFIDENCE = {"ahead": 85, "on": 75, "behind": 55, "off": 35, "worse": 25}
CONFIDENCE.update({"in": 80, "into": 60, "drift": 50})
RATE = {"ahead": 1.25, "on": 1.0, "behind": 0.65, "off": 0.15, "worse": -0.3}


# --- small helpers -------------------------------------------------------------------------------


def _stable(*parts: object) -> int:
    """A number that depends only on ``parts`` (not on Python's hash seed)."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(map(str, parts)))


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    month = first_of_month.month - 1 + months
    return dt.date(first_of_month.year + month // 12, month % 12 + 1, 1)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _grid(start: dt.date, end: dt.date, step: int, phase: int) -> list[dt.date]:
    """The dates ``GRID_EPOCH + phase + k * step`` in ``[start, end]``."""
    first = GRID_EPOCH + dt.timedelta(days=phase)
    k = -((first - start).days // step)  # ceil((start - first) / step)
    day = first + dt.timedelta(days=k * step)
    dates = []
    while day <= end:
        dates.append(day)
        day += dt.timedelta(days=step)
    return dates


def _differs(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """The names of the fields whose stored value differs from ``values``."""
    changed = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if field.many_to_one:
            current, value = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current = getattr(obj, name)
        if current != value:
            changed.append(name)
    return changed


# --- the seeding ---------------------------------------------------------------------------------


class Seeder:
    """Builds the demo organisation for ``today``; there must be no demo organisation yet.

    ``former_members``: the usernames of the people of a demo organisation a reset has just
    removed, so they are reused even where a user has since changed their email address.
    """

    def __init__(self, today: dt.date, *, former_members: Collection[str] = ()) -> None:
        self.today = today
        self.now = timezone.now()
        self.former_members = set(former_members)
        self.stats: Counter[str] = Counter()
        # The plan year started on the first of the month six months ago.
        self.year_start = _add_months(today.replace(day=1), -6)
        self.users: dict[str, Any] = {}
        self.teams: dict[str, Team] = {}
        self.missions: dict[str, Mission] = {}
        self.kpis: dict[tuple[str, str], Kpi] = {}

    def create(self, model: type[models.Model], **values: Any) -> Any:
        """Write a row the services do not cover, and count it."""
        obj = model(**values)
        obj.save()
        self.stats[f"{model._meta.verbose_name_plural} created"] += 1
        return obj

    def _set(self, obj: models.Model, **values: Any) -> None:
        """Write fields the services do not cover (back-dating, mostly), only when they
        differ."""
        changed = _differs(obj, values)
        if changed:
            type(obj)._default_manager.filter(pk=obj.pk).update(
                **{name: values[name] for name in changed}
            )
            for name in changed:
                setattr(obj, name, values[name])

    # steps ---------------------------------------------------------------------------------------

    def run(self) -> Organisation:
        self.organisation = self.create(
            Organisation, slug=SLUG, name=ORG_NAME, review_cadence_days=30, max_active_missions=5
        )
        self.seed_people()
        self.seed_teams()
        self.seed_memberships()
        self.seed_vision()
        self.seed_missions()
        self.seed_kpis()
        self.seed_check_ins()
        self.seed_key_tasks()
        self.seed_links()
        self.seed_reviews()
        return self.organisation

    def seed_people(self) -> None:
        """Reuse the demo people that exist (back to their demo name, roles and password) and
        create the others; refuse to take over anyone else's account."""
        User = get_user_model()
        usernames = [p[0] for p in PEOPLE]
        existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
        elsewhere = set(
            Membership.objects.filter(user__username__in=usernames).values_list(
                "user__username", flat=True
            )
        )
        for username, user in existing.items():
            ours = username in self.former_members or (
                username not in elsewhere and user.email.endswith("@" + EMAIL_DOMAIN)
            )
            if not ours:
                raise CommandError(
                    f"A user {username!r} already exists outside the demo organisation; "
                    "seed_demo will not take it over. Rename or remove it first."
                )
        # One password hash for everyone (hashing is deliberately slow); keep a valid one.
        ceo = existing.get("ceo")
        if ceo is not None and check_password(PASSWORD, ceo.password):
            password = ceo.password
        else:
            password = make_password(PASSWORD)
        for username, first, last, _team, role, _title in PEOPLE:
            values = {
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}@{EMAIL_DOMAIN}".lower(),
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "password": password,
            }
            user = existing.get(username)
            if user is None:
                user = self.create(User, username=username, **values)
            elif changed := _differs(user, values):
                for name in changed:
                    setattr(user, name, values[name])
                user.save(update_fields=changed)
                self.stats["users reset"] += 1
            self.users[username] = user

    def seed_teams(self) -> None:
        for key, name, parent_key, leader in TEAMS:
            self.teams[key] = team_create(
                organisation=self.organisation,
                name=name,
                parent=self.teams[parent_key] if parent_key else None,
                leader=self.users[leader],
            )
            self.stats["teams created"] += 1

    def seed_memberships(self) -> None:
        org = self.organisation
        for username, _first, _last, team_key, role, title in PEOPLE:
            self.create(
                Membership,
                organisation=org,
                user=self.users[username],
                role=role,
                team=self.teams.get(team_key),
                job_title=title,
            )
        for username, team_key in COACHING:
            self.create(
                CoachAssignment,
                organisation=org,
                coach=self.users[username],
                team=self.teams.get(team_key) if team_key else None,
            )

    def seed_vision(self) -> None:
        horizon = dt.date(self.year_start.year + 5, self.year_start.month, 1) - dt.timedelta(1)
        data = {**VISION, "horizon": horizon}
        vision_update(organisation=self.organisation, data=data, by=self.users["ceo"])
        self.stats["vision written"] += 1

    # missions ------------------------------------------------------------------------------------

    def owner_user(self, spec: M) -> Any:
        """The person who acts for the mission: its owner, or its owner team's leader."""
        if spec.level == PERSON:
            return self.users[spec.owner]
        return self.teams[spec.owner].leader

    def period(self, spec: M) -> tuple[dt.date, dt.date]:
        start = _add_months(self.year_start, spec.months[0])
        end = _add_months(self.year_start, spec.months[1]) - dt.timedelta(days=1)
        return start, end

    def mission_data(self, spec: M) -> dict[str, Any]:
        start, end = self.period(spec)
        rights = {"free": list(spec.free), "consult": list(spec.consult)}
        rights["must_not"] = list(spec.must_not)
        return {
            "level": spec.level,
            "title": spec.title,
            "statement": spec.statement,
            "intent": spec.intent,
            "parent": self.missions[spec.parent] if spec.parent else None,
            "owner_team": self.teams[spec.owner] if spec.level != PERSON else None,
            "owner_user": self.users[spec.owner] if spec.level == PERSON else None,
            "period_start": start,
            "period_end": end,
            "deadline": end,
            "scope": spec.scope,
            "budget": Decimal(spec.budget) if spec.budget is not None else None,
            "headcount": spec.headcount,
            "constraints": spec.constraints,
            "decision_rights": rights if any(rights.values()) else {},
        }

    def seed_missions(self) -> None:
        for spec in MISSIONS:
            data = self.mission_data(spec)
            mission = mission_create(
                organisation=self.organisation, data=data, by=self.owner_user(spec)
            )
            self.stats["missions created"] += 1
            self.missions[spec.key] = mission
            self.ensure_alignment(mission, spec)

    def approver(self, mission: Mission) -> Any:
        parent = mission.parent
        if parent is None:
            return self.users["ceo"]
        return parent.owner_user or parent.owner_team.leader

    def ensure_alignment(self, mission: Mission, spec: M) -> None:
        """Walk the new (draft) mission to its demo alignment status through the services."""
        target, current = spec.alignment, mission.alignment_status
        if target == current:
            return
        self.stats["alignments set"] += 1
        owner, approver = self.owner_user(spec), self.approver(mission)
        if mission.parent_id is None:
            # The organisation missions are the board's own (nothing above them to align
            # with): set directly, on record.
            extra = {}
            if target == A.ALIGNED:
                extra = {"aligned_at": self.now, "aligned_by": approver}
            self._set(mission, alignment_status=target, **extra)
            verb = "aligned" if target == A.ALIGNED else "updated"
            audit_record(
                obj=mission,
                organisation=self.organisation,
                verb=verb,
                by=approver,
                mission=mission,
                changes={"alignment_status": [current, target]},
            )
            return
        mission_propose(mission=mission, by=owner)
        if target == A.ALIGNED:
            mission_align(mission=mission, by=approver)
        elif target == A.SENT_BACK:
            mission_send_back(mission=mission, by=approver, comment=SENT_BACK_COMMENT)

    # measures ------------------------------------------------------------------------------------

    def kpi_data(self, spec: M, k: K) -> dict[str, Any]:
        _start, end = self.period(spec)
        parent = self.kpis[(spec.parent, k.parent)] if k.parent else None
        return {
            "name": k.name,
            "unit": k.unit,
            "direction": k.direction,
            "baseline": Decimal(k.baseline),
            "target": Decimal(k.target),
            "target_max": Decimal(k.target_max) if k.target_max is not None else None,
            "due_date": end,
            "cadence_days": k.cadence,
            "weight": Decimal(k.weight),
            "parent_kpi": parent,
        }

    def seed_kpis(self) -> None:
        for spec in MISSIONS:
            mission = self.missions[spec.key]
            by = self.owner_user(spec)
            for k in spec.kpis:
                kpi = kpi_create(mission=mission, data=self.kpi_data(spec, k), by=by)
                self.stats["KPIs created"] += 1
                self.kpis[(spec.key, k.name)] = kpi

    def readings(self, spec: M, k: K) -> list[tuple[dt.date, Decimal, int, str]]:
        """The KPI's check-ins up to today: (date, value, confidence, comment)."""
        start, due = self.period(spec)
        step = GRID_STEP.get(k.cadence, k.cadence)
        first = max(start + dt.timedelta(days=1), self.today - dt.timedelta(days=HISTORY_DAYS))
        last = self.today - dt.timedelta(days=63) if k.stale else self.today
        dates = _grid(first, last, step, _stable(spec.key, k.name) % step)
        baseline, target = float(k.baseline), float(k.target)
        span = (due - start).days
        out = []
        for i, day in enumerate(dates):
            rng = _rng(spec.key, k.name, day.isoformat())
            t = (day - start).days / span
            if k.direction == RNG:
                value = self._range_value(k, t, rng)
            else:
                value = baseline + (target - baseline) * RATE[k.trend] * t
                value += rng.gauss(0, 0.035) * abs(target - baseline)
            if k.unit == "%":
                value = min(max(value, 0.0), 100.0)
            elif min(baseline, target) >= 0:
                value = max(value, 0.0)
            confidence = CONFIDENCE[k.trend] + rng.randint(-8, 8)
            latest = i == len(dates) - 1
            comment = ""
            if latest or rng.random() < 0.2:
                comment = rng.choice(CHECKIN_COMMENTS[k.trend])
            quantum = Decimal(1).scaleb(-k.dp)
            out.append((day, Decimal(repr(value)).quantize(quantum), confidence, comment))
        return out

    @staticmethod
    def _range_value(k: K, t: float, rng: random.Random) -> float:
        low, high, baseline = float(k.target), float(k.target_max), float(k.baseline)
        middle, width = (low + high) / 2, high - low
        if k.trend == "into":  # still converging: reaches the band around the due date
            value = baseline + (middle - baseline) * min(1.0, t / 0.75)
        elif k.trend == "drift":  # in the band, then drifting out over the last months
            value = middle + max(0.0, t - 0.3) * width * 3.5 * (1 if baseline > high else -1)
            value = baseline + (value - baseline) * min(1.0, t / 0.1)
        else:  # "in": quickly inside the band and staying there
            value = baseline + (middle - baseline) * min(1.0, t / 0.2)
        return value + rng.gauss(0, 0.12) * width

    def seed_check_ins(self) -> None:
        new = []
        for spec in MISSIONS:
            owner = self.owner_user(spec)
            team_members = []
            if spec.level != PERSON:
                team_members = [
                    self.users[p[0]] for p in PEOPLE if p[3] == spec.owner and p[4] == Role.STAFF
                ]
            for k in spec.kpis:
                kpi = self.kpis[(spec.key, k.name)]
                for day, value, confidence, comment in self.readings(spec, k):
                    author = owner
                    # The author depends on the date only: the same person on every build.
                    if team_members and _stable(spec.key, k.name, day) % 3 == 0:
                        author = team_members[_stable(day) % len(team_members)]
                    created = min(_at(day, 16, _stable(spec.key, k.name, day) % 60), self.now)
                    new.append(
                        CheckIn(
                            kpi=kpi,
                            value=value,
                            confidence=max(0, min(100, confidence)),
                            comment=comment,
                            recorded_on=day,
                            author=author,
                            created_at=created,
                        )
                    )
        CheckIn.objects.bulk_create(new, batch_size=500)
        self.stats["check-ins created"] += len(new)
        # Bulk-created check-ins bypass the check-in service: compute the stored figures.
        kpi_refresh_all(organisation_id=self.organisation.pk)

    # work ----------------------------------------------------------------------------------------

    def seed_key_tasks(self) -> None:
        for spec in MISSIONS:
            mission = self.missions[spec.key]
            by = self.owner_user(spec)
            for t in spec.tasks:
                due = self.today + dt.timedelta(days=t.due)
                data = {
                    "title": t.title,
                    "description": "",
                    "owner": self.users[t.owner] if t.owner else by,
                    "due_date": due,
                    "status": t.status,
                }
                task = key_task_create(mission=mission, data=data, by=by)
                self.stats["key tasks created"] += 1
                if t.status == DONE:
                    done_on = min(due - dt.timedelta(days=2), self.today - dt.timedelta(days=1))
                    self._set(task, completed_at=_at(done_on, 15))

    def seed_links(self) -> None:
        for source, target, kind, description, status, asked, answered in LINKS:
            by = self.owner_user(self.spec(source))
            responder = self.owner_user(self.spec(target))
            link = interdependency_create(
                from_mission=self.missions[source],
                to_mission=self.missions[target],
                kind=kind,
                description=description,
                by=by,
            )
            if status != link.status:
                link = interdependency_respond(link=link, status=status, by=responder)
            self.stats["interdependencies created"] += 1
            # Back-dated: asked and answered some days ago.
            self._set(
                link,
                created_at=_at(self.today - dt.timedelta(days=asked), 9, 30),
                responded_by=responder if answered is not None else None,
                responded_at=(
                    _at(self.today - dt.timedelta(days=answered), 11) if answered else None
                ),
            )

    def spec(self, key: str) -> M:
        return next(spec for spec in MISSIONS if spec.key == key)

    # reviews -------------------------------------------------------------------------------------

    def review_plan(self, spec: M) -> list[tuple[dt.date, bool]]:
        """(due date, held?) of the mission's reviews in the last six months and the next one."""
        start, _end = self.period(spec)
        first = max(start + dt.timedelta(days=7), self.today - dt.timedelta(days=HISTORY_DAYS))
        phase = _stable("review", spec.key) % REVIEW_STEP
        due_dates = _grid(first, self.today + dt.timedelta(days=REVIEW_STEP), REVIEW_STEP, phase)
        if spec.review == "overdue":
            # The last review fell due at least three days ago and has not been held.
            past = [d for d in due_dates if d <= self.today - dt.timedelta(days=3)]
            return [(d, True) for d in past[:-1]] + [(past[-1], False)] if past else []
        past = [d for d in due_dates if d < self.today]
        upcoming = [d for d in due_dates if d >= self.today][:1]
        return [(d, True) for d in past] + [(d, False) for d in upcoming]

    def seed_reviews(self) -> None:
        for spec in MISSIONS:
            if spec.review == "none":
                continue
            mission = self.missions[spec.key]
            held_by = self.owner_user(spec)
            plan = self.review_plan(spec)
            for due, held in plan:
                notes = ("", "", "", "")
                if held:
                    notes = REVIEW_NOTES[_stable(spec.key, due) % len(REVIEW_NOTES)]
                self.create(
                    Review,
                    mission=mission,
                    due_date=due,
                    status=Review.Status.DONE if held else Review.Status.SCHEDULED,
                    held_on=due - dt.timedelta(_stable(due) % 3) if held else None,
                    held_by=held_by if held else None,
                    summary=notes[0],
                    working=notes[1],
                    not_working=notes[2],
                    changes=notes[3],
                    still_aligned=True if held else None,
                )
            upcoming = [due for due, held in plan if not held]
            self._set(mission, next_review_due=upcoming[0] if upcoming else None)


LEFT_AS_IT_IS = "The demo organisation exists; left as it is (use --reset to rebuild it)."


class Command(BaseCommand):
    help = (
        "Create the demo organisation (slug 'demo', Northvale Health) and its log-ins "
        f"({', '.join(LOGINS)}; password {PASSWORD!r}) when it is missing. An existing one is "
        "left as its users left it; --reset deletes it and builds it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisation and everything in it, then build it again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        removed = 0
        with transaction.atomic():
            existing = Organisation.objects.filter(slug=SLUG).first()
            if existing is not None and not options["reset"]:
                self.stdout.write(LEFT_AS_IT_IS)
                return
            former_members: set[str] = set()
            if existing is not None:
                former_members = set(existing.memberships.values_list("user__username", flat=True))
                counts = purge(Organisation, Organisation.objects.filter(pk=existing.pk))
                removed = sum(counts.values())
            seeder = Seeder(timezone.localdate(), former_members=former_members)
            org = seeder.run()
            # Findings and today's alignment scores, so the dashboards have something to show.
            run_checks(organisation=org)
        elapsed = time.monotonic() - started
        if existing is not None:
            self.stdout.write(f"Removed the old demo organisation ({removed:,} rows).")
        self.print_summary(org, seeder, elapsed)

    def print_summary(self, org: Organisation, seeder: Seeder, elapsed: float) -> None:
        counts = {
            "teams": org.teams.count(),
            "people": org.memberships.count(),
            "missions": org.missions.count(),
            "KPIs": org.kpis.count(),
            "check-ins": CheckIn.objects.filter(kpi__organisation=org).count(),
            "key tasks": KeyTask.objects.filter(mission__organisation=org).count(),
            "interdependencies": org.interdependencies.count(),
            "reviews": Review.objects.filter(mission__organisation=org).count(),
        }
        write = self.stdout.write
        write(f"Demo organisation {org.name!r} (slug {org.slug!r}) ready in {elapsed:.1f} s:")
        write("  " + ", ".join(f"{n:,} {label}" for label, n in counts.items()))
        changes = ", ".join(f"{label}: {n:,}" for label, n in sorted(seeder.stats.items()))
        write(f"  this run: {changes}")
        write(f"Log-ins (password {PASSWORD!r}):")
        people = {p[0]: p for p in PEOPLE}
        teams = {key: name for key, name, _parent, _leader in TEAMS}
        for username in LOGINS:
            _u, first, last, team, role, title = people[username]
            where = f", {teams[team]}" if team else ""
            write(f"  {username:<6} {first} {last}: {title}{where} ({Role(role).label})")
