"""Demo directory for Sunderland: about 150 services across the early help categories, their
organisations and a hierarchical taxonomy, published under the "Find a service" directory.

The services are made from hand-written archetypes (what a service is, who runs it, who it
is for, when it runs) placed at the venues where such a service would run: a stay and play
at each family hub, a food bank in each area, one IDVA service for the city. Every name is
invented; the national helplines are real and may be called.

``load()`` is a ``load_demo`` step. It is idempotent: organisations, terms and services are
found by name, code and slug, what exists is left alone (editors' changes survive), and a
second run creates nothing and no revisions. Pages are created live with one revision each
(no per-page publish machinery), so the whole load takes a few seconds.

Phone numbers in 0191 498 0xxx and 07700 900xxx are Ofcom's drama ranges: they reach no one.
Exactly one location is confidential: the refuge's, shown to families as its area and phone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page, Revision

from directory.models import (
    ClosureDate,
    Contact,
    CostOption,
    DirectoryIndexPage,
    Location,
    Organisation,
    Phone,
    Schedule,
    ServiceArea,
    ServicePage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

TAXONOMY = "Sunderland early help categories"
INDEX_TITLE = "Find a service"
INDEX_SLUG = "services"  # service pages at /services/<slug>/ (DESIGN.md §5); /services/ itself is the search page
PROVIDER_EDITOR = "provider.editor@example.org"
EDITOR_ORGANISATIONS = ("Wearside Family Hub", "Little Steps Early Years Network", "Wear Valley Parenting Trust")

# The refuge: its address never leaves the database.
REFUGE_SLUG = "wearside-safe-haven-refuge"

# --- Taxonomy ------------------------------------------------------------------------------

# (code, name, description, [(code, name), ...])
CATEGORIES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "domestic-abuse",
        "Domestic abuse",
        "Safety, support and recovery for anyone affected by domestic abuse.",
        [
            ("refuges", "Refuges and safe accommodation"),
            ("idva", "Independent domestic violence advisers (IDVAs)"),
            ("da-helplines", "Domestic abuse helplines"),
            ("da-children", "Support for children affected by domestic abuse"),
            ("perpetrator-programmes", "Changing abusive behaviour"),
        ],
    ),
    (
        "parenting",
        "Parenting and family support",
        "Courses, groups and one-to-one help with being a parent.",
        [
            ("parenting-courses", "Parenting courses"),
            ("family-support", "Family support workers"),
        ],
    ),
    (
        "early-years",
        "Early years",
        "Play, learning and childcare for babies and young children.",
        [
            ("stay-and-play", "Stay and play groups"),
            ("childcare", "Childcare and funded early education"),
        ],
    ),
    (
        "send-autism",
        "SEND and autism",
        "Special educational needs and disabilities, and autism.",
        [
            ("send-advice", "SEND information and advice"),
            ("autism-support", "Autism support"),
        ],
    ),
    (
        "mental-health",
        "Mental health and wellbeing",
        "Emotional wellbeing and mental health support.",
        [
            ("cyp-mental-health", "Children and young people's mental health"),
            ("adult-mental-health", "Adult mental health"),
        ],
    ),
    (
        "money-and-food",
        "Money and food",
        "Food, debt, benefits and help with the cost of living.",
        [
            ("food-banks", "Food banks and community pantries"),
            ("debt-advice", "Debt and benefits advice"),
        ],
    ),
    ("housing", "Housing", "Help to find or keep a home.", []),
    ("young-carers", "Young carers", "Support for children who look after someone at home.", []),
    ("youth-activities", "Youth activities", "Clubs and activities for young people.", []),
    ("school-attendance", "School attendance", "Help when a child is missing school or finds it hard to go.", []),
    ("substance-misuse", "Drugs and alcohol", "Support for young people and adults with drugs or alcohol.", []),
    ("health-visiting", "Health visiting and school nursing", "Health advice for families with children.", []),
    ("bereavement", "Bereavement", "Support after someone has died.", []),
]

# --- Organisations -------------------------------------------------------------------------

ORGANISATIONS: dict[str, str] = {
    "Sunderland Family Hubs": "The council's family hubs: one place in each area for help with family life.",
    "Wearside Family Hub": "A local charity running groups and family support from community venues.",
    "Northern Lights Domestic Abuse Service": "Refuge, outreach and recovery for women and children.",
    "Safer Homes North East": "Independent domestic violence advisers for people at high risk.",
    "Riverbank Children's Recovery": "Group work for children and young people who have lived with domestic abuse.",
    "Changing Patterns CIC": "Behaviour change programmes for people who have been abusive.",
    "Wear Valley Parenting Trust": "Parenting courses and peer support across Sunderland.",
    "Little Steps Early Years Network": "A network of early years settings and play groups.",
    "Wearside SEND Information and Advice Service": "Impartial advice on special educational needs and disability.",
    "Autism Family Network Sunderland": "Families of autistic children supporting each other.",
    "North East Children's Wellbeing Service": "NHS mental health services for children and young people.",
    "Talking Minds Wearside": "NHS talking therapies for adults.",
    "Wearside Food Network": "Food banks and community pantries run by volunteers.",
    "Sunderland Money Matters": "Free, confidential advice on debt, benefits and budgeting.",
    "Roof Over Us Housing Advice": "Housing advice and homelessness prevention.",
    "Wearside Young Carers Project": "Breaks, groups and support for young carers.",
    "Youth Works Sunderland": "Youth clubs and detached youth work across the city.",
    "Back to School Partnership": "Help for children who find it hard to go to school, and their families.",
    "Clear Path Recovery Service": "Drug and alcohol treatment and recovery.",
    "Wearside 0 to 19 Children's Public Health Service": "Health visitors and school nurses.",
    "Forget Me Not Bereavement Support": "Support for children and adults after a death.",
    "Sunderland Family Information Service": "The council's information service for families.",
}


def _org_slug(name: str) -> str:
    return slugify(name).replace("-", "")[:30]


# --- Venues --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Venue:
    name: str
    address: str
    area: str
    postcode: str
    lat: float
    lng: float
    place: str
    town: str = "Sunderland"
    access: str = "Step-free entrance, accessible toilet and baby changing."


VENUES: dict[str, Venue] = {
    "central": Venue(
        "Sunderland Central Family Hub",
        "21 Norfolk Street",
        "Sunderland East",
        "SR1 1EA",
        54.9063,
        -1.3788,
        "Sunderland city centre",
    ),
    "hendon": Venue(
        "Hendon Family Hub", "40 Villiers Street South", "Sunderland East", "SR2 8SF", 54.8985, -1.3722, "Hendon"
    ),
    "millfield": Venue(
        "Millfield Community Centre", "9 Hylton Road", "Sunderland West", "SR4 7AG", 54.9034, -1.3985, "Millfield"
    ),
    "pallion": Venue(
        "Pallion Family Hub", "2 Waterloo Place", "Sunderland West", "SR4 6NE", 54.9088, -1.4183, "Pallion"
    ),
    "southwick": Venue(
        "Southwick Family Hub", "77 Southwick Road", "Sunderland North", "SR5 2AA", 54.9178, -1.4048, "Southwick"
    ),
    "roker": Venue(
        "Roker Community Rooms", "3 Side Cliff Road", "Sunderland North", "SR6 9PX", 54.9251, -1.3721, "Roker"
    ),
    "fulwell": Venue(
        "Fulwell Children's Centre", "18 Sea Road", "Sunderland North", "SR6 9BS", 54.9322, -1.3846, "Fulwell"
    ),
    "silksworth": Venue(
        "Silksworth Community Hub", "5 Silksworth Lane", "Sunderland West", "SR3 1PD", 54.8801, -1.4102, "Silksworth"
    ),
    "doxford": Venue(
        "Doxford Park Family Hub", "1 Mill Hill Road", "Sunderland West", "SR3 2LT", 54.8655, -1.4248, "Doxford Park"
    ),
    "washington": Venue(
        "Washington Family Hub",
        "12 The Galleries",
        "Washington",
        "NE38 7SD",
        54.8996,
        -1.5198,
        "Washington",
        town="Washington",
    ),
    "concord": Venue(
        "Concord Youth and Community Centre",
        "30 Front Street",
        "Washington",
        "NE37 2BA",
        54.9181,
        -1.5330,
        "Concord",
        town="Washington",
    ),
    "houghton": Venue(
        "Houghton Family Hub",
        "6 Newbottle Street",
        "Coalfield",
        "DH4 4AF",
        54.8425,
        -1.4682,
        "Houghton-le-Spring",
        town="Houghton le Spring",
    ),
    "hetton": Venue(
        "Hetton Community Centre",
        "14 Market Place",
        "Coalfield",
        "DH5 9DT",
        54.8224,
        -1.4522,
        "Hetton-le-Hole",
        town="Houghton le Spring",
    ),
}
HUBS = ("central", "hendon", "pallion", "southwick", "doxford", "washington", "houghton")
AREAS = ("Sunderland North", "Sunderland East", "Sunderland West", "Washington", "Coalfield")
CITY = "Sunderland"
DAYS = ("MO", "TU", "WE", "TH", "FR")

# --- Archetypes ----------------------------------------------------------------------------


@dataclass
class Archetype:
    title: str  # "{place}" is replaced by the venue's area or name
    org: str
    terms: tuple[str, ...]
    summary: str
    description: str
    eligibility: str = ""
    ages: tuple[int | None, int | None] = (None, None)
    access: str = "self_referral"
    instructions: str = ""
    referral_url: str = ""
    modes: tuple[str, ...] = ("in_person",)
    needs: tuple[str, ...] = ("universal",)
    costs: tuple = ((True, "", None, ""),)
    schedules: tuple = ()  # (byday, opens, closes, description[, freq]); "ROTATE" picks a weekday per venue
    languages: tuple[str, ...] = ("en",)
    accessibility: str = ""
    phones: tuple = ()  # (number, description[, type])
    email: str = ""
    website: str = ""
    venues: tuple[str, ...] = ()  # () = no public location: runs citywide
    areas: tuple[str, ...] = (CITY,)
    per_area: bool = False  # one service per area in `areas` (no venue)
    confidential: bool = False
    christmas: bool = False
    contacts: tuple = ()


def A(*args, **kwargs) -> Archetype:
    return Archetype(*args, **kwargs)


FREE = ((True, "", None, ""),)

ARCHETYPES: list[Archetype] = [
    # --- Domestic abuse ---
    A(
        "Wearside Safe Haven refuge",
        "Northern Lights Domestic Abuse Service",
        ("refuges",),
        "Safe, self-contained rooms for women and their children escaping domestic abuse.",
        "Our refuge offers a safe place to stay while you decide what to do next. Each family has its own room, "
        "with shared kitchens and a playroom.\n\nSupport workers help with safety planning, benefits, school places, "
        "health and finding a new home. Children have their own worker.",
        eligibility="Women, with or without children, who need to leave home because of domestic abuse. "
        "We take referrals from anywhere in the country.",
        ages=(16, None),
        access="both",
        instructions="Phone us at any time, day or night. You can also ask the National Domestic Abuse Helpline "
        "to find you a refuge space.",
        modes=("in_person", "phone"),
        needs=("targeted", "specialist"),
        languages=("en", "ur", "ar", "pl"),
        accessibility="Two ground-floor rooms for families with a disabled member. Interpreters by phone.",
        phones=(("0191 498 0101", "24 hours, every day"),),
        email="refuge@northernlights.example.org",
        areas=("Sunderland and South Tyneside",),
        confidential=True,
    ),
    A(
        "IDVA service for Sunderland",
        "Safer Homes North East",
        ("idva",),
        "Independent advisers who support people at high risk of serious harm from a partner or family member.",
        "An IDVA works with you from the point of crisis: safety planning, going to court, housing and police. "
        "They speak up for you at the MARAC meeting, where agencies plan how to keep you safe.",
        eligibility="Adults at high risk of harm from domestic abuse who live in Sunderland.",
        ages=(16, None),
        access="both",
        instructions="Phone the service, or ask the police, your GP or a support worker to refer you. "
        "Professionals: send a referral with a completed DASH risk checklist.",
        referral_url="https://saferhomes.example.org/refer",
        modes=("in_person", "phone", "home_visit"),
        needs=("targeted", "specialist"),
        languages=("en", "bn", "pl"),
        phones=(("0191 498 0111", "Monday to Friday, 9am to 5pm"),),
        email="idva@saferhomes.example.org",
        schedules=(
            ("MO,TU,WE,TH,FR", "09:00", "17:00", "Outside these hours, call the National Domestic Abuse Helpline"),
        ),
    ),
    A(
        "National Domestic Abuse Helpline",
        "Sunderland Family Information Service",
        ("da-helplines",),
        "Free, confidential advice for anyone affected by domestic abuse, 24 hours a day.",
        "Trained advisers listen, help you understand your options, and can find you a refuge space anywhere "
        "in England. You can also use the online chat.",
        eligibility="Anyone experiencing domestic abuse, and friends, family and professionals worried about someone.",
        modes=("phone", "online"),
        needs=("universal",),
        languages=("en", "ar", "pl", "ur", "bfi"),
        phones=(("0808 2000 247", "Free, 24 hours a day"),),
        website="https://www.nationaldahelpline.org.uk/",
    ),
    A(
        "Men's Advice Line",
        "Sunderland Family Information Service",
        ("da-helplines",),
        "A confidential helpline for men experiencing domestic abuse from a partner or family member.",
        "Advisers offer emotional support and practical advice, and can tell you about services near you.",
        eligibility="Men affected by domestic abuse, and people worried about them.",
        ages=(18, None),
        modes=("phone",),
        phones=(("0808 801 0327", "Free, Monday to Friday"),),
        website="https://mensadviceline.org.uk/",
    ),
    A(
        "Domestic abuse outreach in {place}",
        "Northern Lights Domestic Abuse Service",
        ("domestic-abuse",),
        "Support in the community for women living with, or who have left, an abusive relationship.",
        "An outreach worker meets you somewhere safe, helps you make a safety plan, and stays with you as long as "
        "you need: through court, housing and benefits.",
        eligibility="Women aged 16 and over living in the area.",
        ages=(16, None),
        access="both",
        instructions="Phone or text us. We will agree a safe way and time to contact you.",
        modes=("in_person", "phone"),
        needs=("early_help", "targeted"),
        phones=(("0191 498 0102", "Monday to Friday, 9am to 5pm"), ("07700 900102", "Text us", "text")),
        email="outreach@northernlights.example.org",
        areas=AREAS,
        per_area=True,
    ),
    A(
        "Helping Hands children's recovery group",
        "Riverbank Children's Recovery",
        ("da-children",),
        "A 10-week group for children who have lived with domestic abuse, with a parallel group for their mum.",
        "Children learn, through play and talk, that the abuse was not their fault and how to name their feelings. "
        "Mums meet at the same time to learn how to support them.",
        eligibility="Children aged 5 to 11 who no longer live with the abusive parent.",
        ages=(5, 11),
        access="professional_referral",
        instructions="Ask your child's school, social worker or early help worker to refer you.",
        needs=("targeted",),
        schedules=(("ROTATE", "16:00", "17:30", "Term time only"),),
        phones=(("0191 498 0121", ""),),
        email="groups@riverbank.example.org",
        venues=("hendon", "washington", "houghton"),
    ),
    A(
        "Teen recovery group",
        "Riverbank Children's Recovery",
        ("da-children", "cyp-mental-health"),
        "Group and one-to-one support for young people who have grown up with domestic abuse.",
        "Young people explore healthy relationships, anger and anxiety, and make a personal safety plan.",
        eligibility="Young people aged 12 to 17.",
        ages=(12, 17),
        access="both",
        needs=("targeted",),
        schedules=(("WE", "17:00", "18:30", "Term time only"),),
        phones=(("0191 498 0122", ""),),
        venues=("central",),
    ),
    A(
        "Changing Patterns programme",
        "Changing Patterns CIC",
        ("perpetrator-programmes",),
        "A 26-week group programme for men who want to stop being abusive to their partner.",
        "The programme is accredited and works alongside support for partners and children, whose safety comes "
        "first. You will be assessed before you join.",
        eligibility="Men aged 18 and over who have been abusive to a partner and want to change.",
        ages=(18, None),
        access="both",
        instructions="Phone us for an assessment, or ask your social worker or probation officer to refer you.",
        needs=("targeted", "specialist"),
        schedules=(("TU", "18:00", "20:30", ""),),
        phones=(("0191 498 0131", "Monday to Friday, 10am to 4pm"),),
        costs=((True, "", None, ""),),
        venues=("millfield",),
    ),
    # --- Parenting ---
    A(
        "Positive parenting course in {place}",
        "Wear Valley Parenting Trust",
        ("parenting-courses",),
        "A free 8-week course for parents and carers of children aged 2 to 11.",
        "Learn ways to encourage good behaviour, set routines and manage tantrums and arguments, with other parents "
        "who understand. A crèche is available at most venues.",
        eligibility="Parents and carers of children aged 2 to 11.",
        ages=(18, None),
        access="both",
        instructions="Book a place by phone or email. A health visitor, school or early help worker can refer you.",
        needs=("universal", "early_help"),
        schedules=(("ROTATE", "09:30", "11:30", "8 weeks, starting each half term"),),
        phones=(("0191 498 0201", ""),),
        email="courses@wearvalleyparenting.example.org",
        venues=("central", "pallion", "southwick", "doxford", "washington", "hetton"),
    ),
    A(
        "Teen parenting course",
        "Wear Valley Parenting Trust",
        ("parenting-courses",),
        "A 6-week course for parents of teenagers: staying connected, setting limits and keeping them safe online.",
        "Sessions cover communication, conflict, risky behaviour and online safety.",
        eligibility="Parents and carers of young people aged 11 to 17.",
        access="both",
        needs=("universal", "early_help"),
        schedules=(("TH", "18:00", "20:00", ""),),
        phones=(("0191 498 0202", ""),),
        modes=("in_person", "online"),
        venues=("fulwell", "concord"),
    ),
    A(
        "Family support in {place}",
        "Sunderland Family Hubs",
        ("family-support",),
        "A family worker who helps with whatever is making family life hard: routines, behaviour, money, school.",
        "The worker visits you at home, helps you make a plan together and links you to other services. "
        "This is early help: it is voluntary and you decide what you want help with.",
        eligibility="Families with children aged 0 to 18 living in the area.",
        ages=(0, 18),
        access="both",
        instructions="Ask at the family hub, phone us, or ask anyone working with your family to refer you.",
        modes=("in_person", "home_visit", "phone"),
        needs=("early_help", "targeted"),
        schedules=(("MO,TU,WE,TH,FR", "08:30", "17:00", ""),),
        phones=(("0191 498 0210", ""),),
        email="familyhubs@sunderland.example.org",
        venues=HUBS,
        christmas=True,
    ),
    A(
        "Dads' group in {place}",
        "Wearside Family Hub",
        ("parenting",),
        "A relaxed Saturday morning group for dads, grandads and male carers and their children.",
        "Play, breakfast and a chat with other dads. Sometimes a visiting speaker on money, health or work.",
        eligibility="Dads and male carers with children aged 0 to 11.",
        ages=(0, 11),
        needs=("universal",),
        schedules=(("SA", "10:00", "12:00", "Second and fourth Saturday of the month"),),
        phones=(("0191 498 0220", ""),),
        venues=("southwick", "washington"),
    ),
    # --- Early years ---
    A(
        "Stay and play at {venue}",
        "Sunderland Family Hubs",
        ("stay-and-play",),
        "Drop-in play sessions for babies and young children with their parents or carers.",
        "Messy play, songs and stories. Meet other families and chat to family hub staff about anything that's on "
        "your mind.",
        eligibility="Children aged 0 to 4 with a parent or carer.",
        ages=(0, 4),
        needs=("universal",),
        schedules=(("ROTATE", "09:30", "11:00", "Drop in, no need to book"),),
        phones=(("0191 498 0301", ""),),
        venues=HUBS,
        christmas=True,
    ),
    A(
        "Baby massage at {venue}",
        "Little Steps Early Years Network",
        ("stay-and-play", "health-visiting"),
        "A 5-week course to learn baby massage and bond with your baby.",
        "A trained instructor shows you simple strokes that can help with sleep, wind and colic.",
        eligibility="Babies from 6 weeks until they are crawling, with a parent or carer.",
        ages=(0, 1),
        access="self_referral",
        needs=("universal",),
        costs=((False, "", Decimal("2.00"), "per session"), (True, "Families on Universal Credit", None, "")),
        schedules=(("ROTATE", "13:30", "14:30", "Book a place"),),
        phones=(("0191 498 0302", ""),),
        email="hello@littlesteps.example.org",
        venues=("central", "fulwell", "washington", "houghton"),
    ),
    A(
        "Toddler music and rhyme at {venue}",
        "Little Steps Early Years Network",
        ("stay-and-play",),
        "Songs, instruments and rhymes for toddlers, to build language and confidence.",
        "A lively half hour of music, followed by free play and a drink for grown-ups.",
        ages=(1, 4),
        needs=("universal",),
        costs=((False, "", Decimal("1.50"), "per child"),),
        schedules=(("ROTATE", "10:00", "10:45", ""),),
        phones=(("0191 498 0303", ""),),
        venues=("roker", "silksworth", "concord", "hetton"),
    ),
    A(
        "Free childcare for 2-year-olds",
        "Sunderland Family Information Service",
        ("childcare",),
        "Up to 15 hours a week of free early education for eligible 2-year-olds.",
        "If you get certain benefits, or your child has an education, health and care plan, your 2-year-old can "
        "have a free place at a nursery or childminder. We help you check and find a place.",
        eligibility="2-year-olds whose families get certain benefits, or who are looked after or have an EHC plan.",
        ages=(2, 2),
        access="self_referral",
        instructions="Check if you can get it and apply online, or phone us for help.",
        referral_url="https://sunderland-fis.example.org/two-year-funding",
        modes=("online", "phone"),
        needs=("universal", "early_help"),
        phones=(("0191 498 0310", "Monday to Friday, 9am to 4:30pm"),),
        email="fis@sunderland.example.org",
        website="https://sunderland-fis.example.org/",
    ),
    A(
        "Ready for school sessions",
        "Little Steps Early Years Network",
        ("early-years", "school-attendance"),
        "Summer sessions to help children starting reception feel ready for school.",
        "Practise lunchtime, going to the toilet on their own and saying goodbye at the door.",
        ages=(3, 5),
        needs=("universal",),
        schedules=(("TU,TH", "10:00", "11:30", "July and August only"),),
        phones=(("0191 498 0304", ""),),
        venues=("pallion", "doxford"),
    ),
    A(
        "Breastfeeding support group at {venue}",
        "Wearside 0 to 19 Children's Public Health Service",
        ("health-visiting", "early-years"),
        "Friendly help with breastfeeding from trained peer supporters and an infant feeding lead.",
        "Come along while you are pregnant or at any stage of feeding. Partners and grandparents are welcome.",
        ages=(0, 2),
        needs=("universal",),
        schedules=(("ROTATE", "10:00", "11:30", ""),),
        phones=(("0191 498 1204", ""),),
        venues=("central", "southwick", "washington", "houghton"),
    ),
    A(
        "Chatterbox speech and language drop-in at {venue}",
        "Little Steps Early Years Network",
        ("early-years", "send-advice"),
        "Advice from a speech and language therapy assistant if you are worried about your child's talking.",
        "Bring your child along for a play-based chat. We will suggest things to try at home and, if needed, "
        "refer your child for an assessment.",
        ages=(1, 5),
        needs=("universal", "early_help"),
        schedules=(("1FR", "09:30", "11:30", "", "MONTHLY"),),
        phones=(("0191 498 0305", ""),),
        venues=("hendon", "pallion", "doxford"),
    ),
    A(
        "English for parents in {place}",
        "Wearside Family Hub",
        ("parenting",),
        "Free English classes for parents, with a crèche, so you can help your children with school.",
        "Classes from beginner level. We also help with reading school letters and booking appointments.",
        ages=(18, None),
        needs=("universal", "early_help"),
        languages=("en", "ar", "ku", "pl", "fa"),
        schedules=(("TU,TH", "09:30", "11:30", "Term time only"),),
        phones=(("0191 498 0230", ""),),
        venues=("hendon", "millfield", "washington"),
    ),
    A(
        "Relationship support for parents in {place}",
        "Wear Valley Parenting Trust",
        ("parenting",),
        "Help for parents who argue a lot, are separating, or co-parent after a break-up.",
        "Sessions for couples and for separated parents, focused on reducing conflict for the children's sake. "
        "Not suitable where there is domestic abuse: we will help you find the right support instead.",
        ages=(18, None),
        access="both",
        modes=("in_person", "online"),
        needs=("early_help",),
        costs=((True, "", None, ""),),
        schedules=(("WE", "18:00", "20:00", "By appointment"),),
        phones=(("0191 498 0240", ""),),
        venues=("central", "washington", "houghton"),
    ),
    A(
        "Kinship carers group",
        "Wearside Family Hub",
        ("parenting", "family-support"),
        "Support for grandparents, aunts, uncles and friends bringing up a child who cannot live with their parents.",
        "Meet other kinship carers, get advice on legal orders and allowances, and have a break.",
        needs=("early_help", "targeted"),
        schedules=(("2MO", "10:00", "12:00", "", "MONTHLY"),),
        phones=(("0191 498 0250", ""),),
        venues=("pallion",),
    ),
    # --- SEND and autism ---
    A(
        "SEND information and advice",
        "Wearside SEND Information and Advice Service",
        ("send-advice",),
        "Free, impartial advice about special educational needs and disability, and EHC plans.",
        "We explain the law and your choices, help you prepare for meetings, and can come to meetings with you.",
        eligibility="Parents and carers of children with SEND, and young people up to 25.",
        ages=(0, 25),
        access="self_referral",
        modes=("phone", "online", "in_person"),
        needs=("universal", "early_help"),
        languages=("en", "bfi"),
        schedules=(("MO,TU,WE,TH,FR", "09:00", "16:30", ""),),
        phones=(("0191 498 0401", "Helpline"),),
        email="advice@wearside-sendias.example.org",
        website="https://wearside-sendias.example.org/",
    ),
    A(
        "Autism parent support group in {place}",
        "Autism Family Network Sunderland",
        ("autism-support",),
        "A monthly group for parents of autistic children, with or without a diagnosis.",
        "Share what works with other parents, and hear from speakers on sleep, eating, school and benefits.",
        eligibility="Parents and carers of autistic children, including those waiting for an assessment.",
        needs=("universal", "early_help"),
        schedules=(("1WE", "10:00", "12:00", "", "MONTHLY"),),
        phones=(("0191 498 0402", ""),),
        email="hello@autismfamily.example.org",
        venues=("central", "washington", "houghton"),
    ),
    A(
        "Autism-friendly Saturday club",
        "Autism Family Network Sunderland",
        ("autism-support", "youth-activities"),
        "A quiet, structured club for autistic children and their brothers and sisters.",
        "Sensory room, games and crafts with trained staff. Parents stay on site.",
        ages=(5, 16),
        needs=("early_help",),
        costs=((False, "", Decimal("3.00"), "per child"),),
        schedules=(("SA", "10:00", "12:00", ""),),
        phones=(("0191 498 0403", ""),),
        venues=("silksworth",),
    ),
    A(
        "Short breaks for disabled children",
        "Sunderland Family Hubs",
        ("send-advice",),
        "Clubs, activities and overnight breaks for disabled children, giving families a rest.",
        "After an assessment, families can use holiday clubs, sitting services and short overnight stays.",
        eligibility="Disabled children aged 0 to 18 living in Sunderland.",
        ages=(0, 18),
        access="both",
        instructions="Phone the short breaks team for an assessment.",
        needs=("targeted", "specialist"),
        modes=("in_person", "home_visit"),
        phones=(("0191 498 0404", ""),),
    ),
    # --- Mental health ---
    A(
        "Children's wellbeing service (CAMHS)",
        "North East Children's Wellbeing Service",
        ("cyp-mental-health",),
        "NHS mental health assessment and treatment for children and young people.",
        "For anxiety, low mood, self-harm, eating difficulties and other mental health problems that are affecting "
        "daily life. If you are worried about a child's safety right now, call 999 or go to A&E.",
        eligibility="Children and young people aged 0 to 18 registered with a Sunderland GP.",
        ages=(0, 18),
        access="professional_referral",
        instructions="Your GP, school nurse or another professional can refer. Young people aged 16 and over can "
        "also phone us.",
        referral_url="https://necws.example.org/referrals",
        modes=("in_person", "online", "phone"),
        needs=("targeted", "specialist"),
        phones=(("0191 498 0501", "Monday to Friday, 9am to 5pm. Crisis line: 24 hours"),),
    ),
    A(
        "Mental health support team in schools",
        "North East Children's Wellbeing Service",
        ("cyp-mental-health",),
        "Wellbeing practitioners who work in schools with children who have mild to moderate worries.",
        "Short courses of help for anxiety, low mood and behaviour, in school and with parents.",
        eligibility="Pupils at a school that works with the team.",
        ages=(5, 18),
        access="professional_referral",
        instructions="Ask your child's school.",
        needs=("early_help",),
        phones=(("0191 498 0502", ""),),
        areas=AREAS,
        per_area=True,
    ),
    A(
        "Talk It Out online counselling for young people",
        "North East Children's Wellbeing Service",
        ("cyp-mental-health",),
        "Free, anonymous online chat with counsellors for young people.",
        "Chat to a counsellor, read articles and join moderated forums. No referral and no waiting list.",
        ages=(11, 25),
        modes=("online",),
        needs=("universal", "early_help"),
        schedules=(("MO,TU,WE,TH,FR", "12:00", "22:00", ""), ("SA,SU", "18:00", "22:00", "")),
        website="https://necws.example.org/online",
    ),
    A(
        "Talking therapies for adults",
        "Talking Minds Wearside",
        ("adult-mental-health",),
        "NHS talking therapies for stress, anxiety and depression. Refer yourself.",
        "Guided self-help, cognitive behavioural therapy and counselling, in person, by phone or online.",
        eligibility="Adults aged 18 and over registered with a Sunderland GP.",
        ages=(18, None),
        access="both",
        referral_url="https://talkingminds.example.org/self-refer",
        modes=("in_person", "phone", "online"),
        needs=("universal", "early_help"),
        languages=("en", "pl", "ar"),
        phones=(("0191 498 0510", "Monday to Friday, 8am to 6pm"),),
        venues=("central", "washington"),
    ),
    A(
        "Perinatal mental health peer support in {place}",
        "Wearside Family Hub",
        ("adult-mental-health", "early-years"),
        "A friendly group for parents who are struggling emotionally during pregnancy or after having a baby.",
        "Led by trained parents who have been there. Babies are welcome.",
        eligibility="Parents who are pregnant or have a baby under 2.",
        needs=("universal", "early_help"),
        schedules=(("ROTATE", "13:00", "14:30", ""),),
        phones=(("0191 498 0511", ""),),
        venues=("hendon", "southwick", "hetton"),
    ),
    A(
        "Samaritans",
        "Sunderland Family Information Service",
        ("adult-mental-health",),
        "Someone to talk to, any time, about anything that's troubling you.",
        "Call free, day or night, 365 days a year. You do not have to be suicidal.",
        modes=("phone",),
        phones=(("116 123", "Free, 24 hours a day"),),
        website="https://www.samaritans.org/",
    ),
    # --- Money and food ---
    A(
        "{place} food bank",
        "Wearside Food Network",
        ("food-banks",),
        "Emergency food parcels for people in crisis, with advice on money and benefits.",
        "Bring your food bank voucher, or come along and we will help you get one. Volunteers can also help you "
        "with energy vouchers and benefits checks.",
        eligibility="Anyone in a food crisis. A voucher from an agency is usually needed.",
        access="both",
        instructions="Ask your GP, school, family hub or Citizens Advice for a voucher, or come to a session.",
        needs=("early_help",),
        schedules=(("ROTATE", "11:00", "14:00", ""), ("SA", "10:00", "12:00", "")),
        phones=(("0191 498 0601", ""),),
        email="foodbank@wearsidefood.example.org",
        venues=("hendon", "millfield", "southwick", "silksworth", "concord", "hetton"),
    ),
    A(
        "Community pantry at {venue}",
        "Wearside Food Network",
        ("food-banks",),
        "A members' pantry: a weekly shop of around £15 worth of food for £4.",
        "Choose your own food, including fresh fruit and vegetables. Join on your first visit.",
        eligibility="Local residents on a low income.",
        needs=("universal", "early_help"),
        costs=((False, "", Decimal("4.00"), "per visit"),),
        schedules=(("ROTATE", "10:00", "13:00", ""),),
        phones=(("0191 498 0602", ""),),
        venues=("pallion", "fulwell", "doxford", "washington"),
    ),
    A(
        "Debt and benefits advice in {place}",
        "Sunderland Money Matters",
        ("debt-advice",),
        "Free, confidential advice on debts, benefits and budgeting.",
        "An adviser checks you are getting all the benefits you are entitled to, helps you deal with debts and "
        "can speak to creditors for you.",
        ages=(18, None),
        access="self_referral",
        instructions="Drop in or phone to book an appointment.",
        modes=("in_person", "phone"),
        needs=("universal", "early_help"),
        languages=("en", "ur", "bn"),
        schedules=(("ROTATE", "09:30", "15:30", "Drop in or book"),),
        phones=(("0191 498 0610", "Monday to Friday, 9am to 5pm"),),
        email="advice@moneymatters.example.org",
        venues=("central", "southwick", "pallion", "washington", "houghton"),
    ),
    A(
        "National Debtline",
        "Sunderland Family Information Service",
        ("debt-advice",),
        "Free, independent debt advice by phone and online.",
        "Advisers help you work out a budget, deal with priority debts and choose a debt solution.",
        ages=(18, None),
        modes=("phone", "online"),
        phones=(("0808 808 4000", "Monday to Friday, 9am to 8pm"),),
        website="https://nationaldebtline.org/",
    ),
    A(
        "School uniform exchange",
        "Wearside Family Hub",
        ("money-and-food",),
        "Free pre-loved school uniform, shoes and coats.",
        "Take what you need and bring back what your children have grown out of.",
        ages=(4, 16),
        needs=("universal",),
        schedules=(("1SA", "10:00", "13:00", "", "MONTHLY"),),
        phones=(("0191 498 0620", ""),),
        venues=("millfield", "concord"),
    ),
    # --- Housing ---
    A(
        "Housing options and homelessness advice",
        "Roof Over Us Housing Advice",
        ("housing",),
        "Help if you are homeless, about to lose your home, or living somewhere unsafe.",
        "An adviser works with you to keep your home if you can, or find somewhere else to live. If you are "
        "homeless tonight, phone us straight away.",
        access="self_referral",
        modes=("in_person", "phone"),
        needs=("early_help", "targeted"),
        schedules=(("MO,TU,WE,TH,FR", "08:30", "17:00", "Out of hours: phone for emergencies"),),
        phones=(("0191 498 0701", "Out of hours: 0191 498 0702"),),
        email="housing@roofoverus.example.org",
        venues=("central",),
    ),
    A(
        "Private renters' advice surgery",
        "Roof Over Us Housing Advice",
        ("housing",),
        "Advice for people renting privately: repairs, deposits, rent rises and eviction notices.",
        "Bring your tenancy agreement and any letters from your landlord.",
        ages=(18, None),
        needs=("universal",),
        schedules=(("TH", "13:00", "16:00", ""),),
        phones=(("0191 498 0703", ""),),
        venues=("washington", "hendon"),
    ),
    A(
        "Shelter helpline",
        "Sunderland Family Information Service",
        ("housing",),
        "Free national helpline for urgent housing problems.",
        "Advisers can help if you are homeless or at risk of losing your home.",
        modes=("phone",),
        phones=(("0808 800 4444", "Free"),),
        website="https://england.shelter.org.uk/",
    ),
    # --- Young carers ---
    A(
        "Young carers group in {place}",
        "Wearside Young Carers Project",
        ("young-carers",),
        "A weekly group where young carers can have fun, take a break and meet others who understand.",
        "Activities, trips and a listening ear. We can also help at school and with a young carer's assessment.",
        eligibility="Children and young people aged 8 to 18 who help look after someone at home.",
        ages=(8, 18),
        access="both",
        needs=("early_help",),
        schedules=(("ROTATE", "17:00", "19:00", ""),),
        phones=(("0191 498 0801", ""),),
        email="hello@wearsideyoungcarers.example.org",
        venues=("roker", "silksworth", "concord", "hetton"),
    ),
    # --- Youth ---
    A(
        "{place} youth club",
        "Youth Works Sunderland",
        ("youth-activities",),
        "An open-access youth club with sport, music, cooking and somewhere safe to hang out.",
        "Youth workers are there to listen and help with anything from exams to relationships.",
        ages=(11, 18),
        needs=("universal",),
        costs=((False, "", Decimal("0.50"), "per session"),),
        schedules=(("ROTATE", "18:00", "21:00", ""), ("FR", "18:00", "21:00", "")),
        phones=(("0191 498 0901", ""),),
        venues=("millfield", "southwick", "roker", "silksworth", "concord", "hetton"),
    ),
    A(
        "Detached youth work in {place}",
        "Youth Works Sunderland",
        ("youth-activities",),
        "Youth workers who meet young people where they are: parks, streets and shopping centres.",
        "We talk about what matters to young people, help them stay safe and link them to activities.",
        ages=(11, 19),
        modes=("in_person",),
        needs=("universal", "early_help"),
        schedules=(("TU,FR", "18:00", "22:00", ""),),
        phones=(("0191 498 0902", ""),),
        areas=AREAS,
        per_area=True,
    ),
    A(
        "Holiday activities and food",
        "Youth Works Sunderland",
        ("youth-activities", "money-and-food"),
        "Free holiday clubs with a healthy meal for children on benefits-related free school meals.",
        "Sports, crafts and trips during the Easter, summer and Christmas holidays.",
        ages=(5, 16),
        access="self_referral",
        referral_url="https://youthworks.example.org/holiday-clubs",
        needs=("universal", "early_help"),
        phones=(("0191 498 0903", ""),),
        venues=("pallion", "doxford", "washington"),
    ),
    # --- School attendance ---
    A(
        "Attendance support for families",
        "Back to School Partnership",
        ("school-attendance",),
        "Help when your child is missing school or finds it hard to go, before things get worse.",
        "A worker meets you and your child, works out what's behind it, such as anxiety, bullying or unmet needs, "
        "and agrees a plan with the school.",
        eligibility="Families of pupils at Sunderland schools whose attendance is falling.",
        ages=(4, 16),
        access="both",
        instructions="Phone us or ask your child's school.",
        modes=("in_person", "home_visit", "phone"),
        needs=("early_help", "targeted"),
        phones=(("0191 498 1001", ""),),
        email="attendance@backtoschool.example.org",
        areas=AREAS,
        per_area=True,
    ),
    A(
        "Emotionally based school avoidance group",
        "Back to School Partnership",
        ("school-attendance", "cyp-mental-health"),
        "A group for parents whose children are too anxious to go to school.",
        "Understand what is happening and plan small steps back, with other parents who get it.",
        needs=("early_help",),
        schedules=(("1TH,3TH", "10:00", "12:00", "", "MONTHLY"),),
        phones=(("0191 498 1002", ""),),
        modes=("in_person", "online"),
        venues=("central",),
    ),
    # --- Substance misuse ---
    A(
        "Young people's drug and alcohol service",
        "Clear Path Recovery Service",
        ("substance-misuse",),
        "Confidential support for young people worried about their own or someone else's drinking or drug use.",
        "One-to-one sessions, wherever you feel comfortable. We won't judge and we won't tell your parents "
        "unless you are at risk.",
        ages=(10, 18),
        access="both",
        modes=("in_person", "phone"),
        needs=("early_help", "targeted"),
        phones=(("0191 498 1101", ""), ("07700 900111", "Text us", "text")),
    ),
    A(
        "Adult drug and alcohol recovery in {place}",
        "Clear Path Recovery Service",
        ("substance-misuse",),
        "Treatment and recovery support for adults, with support for their families too.",
        "Assessment, prescribing, detox, groups and mutual aid. Parents are supported to keep children safe and well.",
        ages=(18, None),
        access="both",
        modes=("in_person", "phone"),
        needs=("targeted",),
        schedules=(("MO,TU,WE,TH,FR", "09:00", "17:00", "Late night Wednesday until 7pm"),),
        phones=(("0191 498 1102", ""),),
        venues=("central", "washington", "houghton"),
    ),
    A(
        "FRANK",
        "Sunderland Family Information Service",
        ("substance-misuse",),
        "Honest information about drugs, 24 hours a day.",
        "Call, text or chat online for confidential advice.",
        modes=("phone", "online"),
        phones=(("0300 123 6600", "24 hours"),),
        website="https://www.talktofrank.com/",
    ),
    # --- Health visiting ---
    A(
        "Health visiting team in {place}",
        "Wearside 0 to 19 Children's Public Health Service",
        ("health-visiting",),
        "Health visitors support every family from pregnancy until your child starts school.",
        "Home visits and clinics for feeding, sleep, development reviews and your own wellbeing.",
        eligibility="Families with children aged 0 to 5.",
        ages=(0, 5),
        access="self_referral",
        modes=("in_person", "home_visit", "phone"),
        needs=("universal", "early_help"),
        languages=("en", "pl", "ar", "ur"),
        schedules=(("MO,TU,WE,TH,FR", "09:00", "17:00", ""),),
        phones=(("0191 498 1201", "Duty health visitor"),),
        venues=("central", "pallion", "southwick", "washington", "houghton"),
    ),
    A(
        "Baby clinic at {venue}",
        "Wearside 0 to 19 Children's Public Health Service",
        ("health-visiting", "early-years"),
        "Weigh your baby and talk to a health visitor. No appointment needed.",
        "Drop in with questions about feeding, sleep, teething or how you're feeling.",
        ages=(0, 2),
        needs=("universal",),
        schedules=(("ROTATE", "13:30", "15:30", ""),),
        phones=(("0191 498 1202", ""),),
        venues=("hendon", "fulwell", "doxford", "concord", "hetton"),
    ),
    A(
        "School nursing",
        "Wearside 0 to 19 Children's Public Health Service",
        ("health-visiting",),
        "School nurses help children and young people with their health, in and out of school.",
        "Drop-ins in secondary schools, help with bedwetting, sleep, emotional health and sexual health. Text "
        "a school nurse in confidence.",
        ages=(5, 19),
        modes=("in_person", "phone"),
        needs=("universal", "early_help"),
        phones=(("0191 498 1203", ""), ("07700 900120", "Text a school nurse", "text")),
    ),
    # --- Bereavement ---
    A(
        "Children's bereavement support",
        "Forget Me Not Bereavement Support",
        ("bereavement",),
        "One-to-one and group support for children and young people after someone important has died.",
        "We help children understand and express their grief, and support parents and carers too.",
        ages=(4, 18),
        access="both",
        modes=("in_person", "home_visit"),
        needs=("early_help", "targeted"),
        phones=(("0191 498 1301", ""),),
        email="support@forgetmenot.example.org",
        venues=("millfield",),
    ),
    A(
        "Bereavement drop-in at {venue}",
        "Forget Me Not Bereavement Support",
        ("bereavement",),
        "A monthly drop-in for adults who have been bereaved.",
        "Tea, a listening ear and information about other support.",
        ages=(18, None),
        needs=("universal",),
        schedules=(("-1TU", "14:00", "16:00", "", "MONTHLY"),),
        phones=(("0191 498 1302", ""),),
        venues=("roker", "washington", "hetton"),
    ),
    A(
        "Cruse Bereavement Support helpline",
        "Sunderland Family Information Service",
        ("bereavement",),
        "Free national helpline for anyone grieving.",
        "Talk to a trained volunteer about how you are feeling.",
        modes=("phone",),
        phones=(("0808 808 1677", "Free"),),
        website="https://www.cruse.org.uk/",
    ),
]


# --- Building the services -----------------------------------------------------------------


@dataclass
class Planned:
    archetype: Archetype
    title: str
    venue: Venue | None
    area: str | None
    index: int = 0
    extras: dict = field(default_factory=dict)


def plan() -> list[Planned]:
    """Every demo service, in a fixed order (so the same run gives the same result)."""
    planned: list[Planned] = []
    for archetype in ARCHETYPES:
        if archetype.venues:
            for i, key in enumerate(archetype.venues):
                venue = VENUES[key]
                title = archetype.title.format(place=venue.place, venue=venue.name)
                if title == archetype.title and len(archetype.venues) > 1:
                    title = f"{title} in {venue.place}"
                planned.append(Planned(archetype, title, venue, venue.area, index=i))
        elif archetype.per_area:
            for i, area in enumerate(archetype.areas):
                title = archetype.title.format(place=area)
                if title == archetype.title:
                    title = f"{title}: {area}"
                planned.append(Planned(archetype, title, None, area, index=i))
        else:
            planned.append(Planned(archetype, archetype.title.format(place=CITY), None, None))
    for n, item in enumerate(planned):
        item.extras = _variation(n, item)
    return planned


def _variation(n: int, item: Planned) -> dict:
    """Deterministic variety: when each was last checked, and a few temporarily closed,
    inactive, overdue for review or never checked (so the review list has content)."""
    today = timezone.localdate()
    extras = {"assured_date": today - datetime.timedelta(days=3 + (n * 7) % 150), "status": ServiceStatus.ACTIVE}
    if item.archetype.confidential or "domestic-abuse" in item.archetype.terms or "idva" in item.archetype.terms:
        return extras
    if n % 23 == 11:
        extras["status"] = ServiceStatus.TEMPORARILY_CLOSED
        extras["alert"] = "Closed for refurbishment. Sessions are running at the nearest family hub in the meantime."
    elif n % 41 == 17:
        extras["status"] = ServiceStatus.INACTIVE
    elif n % 29 == 7:
        extras["assured_date"] = today - datetime.timedelta(days=200)  # review due, still in its grace period
    elif n % 53 == 25:
        extras["assured_date"] = None  # never checked: hidden from families until verified
    return extras


def _schedules(archetype: Archetype, index: int) -> list[Schedule]:
    result = []
    for spec in archetype.schedules:
        byday, opens, closes, description = spec[:4]
        freq = spec[4] if len(spec) > 4 else "WEEKLY"
        if byday == "ROTATE":
            byday = DAYS[index % len(DAYS)]
        kwargs = {"bymonthday": ""}
        result.append(
            Schedule(
                freq=freq,
                byday=byday,
                opens_at=datetime.time.fromisoformat(opens),
                closes_at=datetime.time.fromisoformat(closes),
                description=description,
                **kwargs,
            )
        )
    return result


def _christmas() -> list[ClosureDate]:
    today = timezone.localdate()
    year = today.year if today <= datetime.date(today.year, 12, 24) else today.year + 1
    return [
        ClosureDate(
            start_date=datetime.date(year, 12, 24),
            end_date=datetime.date(year + 1, 1, 2),
            reason="Christmas and New Year",
        )
    ]


def _build(item: Planned, organisations: dict[str, Organisation], terms: dict[str, TaxonomyTerm]):
    """An unsaved page, its child objects by relation name, and its terms."""
    a = item.archetype
    page = ServicePage(
        title=item.title,
        slug=slugify(item.title)[:255],
        summary=a.summary,
        description=a.description,
        organisation=organisations[a.org],
        eligibility_description=a.eligibility,
        minimum_age=a.ages[0],
        maximum_age=a.ages[1],
        how_to_access=a.access,
        referral_instructions=a.instructions,
        referral_url=a.referral_url,
        languages=list(a.languages),
        accessibility=a.accessibility,
        email=a.email,
        website=a.website or organisations[a.org].website,
        alert=item.extras.get("alert", ""),
        status=item.extras["status"],
        assured_date=item.extras["assured_date"],
        **{f"attend_{mode}": True for mode in a.modes},
        **{f"need_{need}": True for need in a.needs},
    )
    children: dict[str, list] = {}
    if item.venue is not None:
        v = item.venue
        children["locations"] = [
            Location(
                name=v.name,
                address_1=v.address,
                city=v.town,
                state_province="Tyne and Wear",
                postal_code=v.postcode,
                latitude=v.lat,
                longitude=v.lng,
                accessibility=v.access,
            )
        ]
    elif a.confidential:
        children["locations"] = [
            Location(
                name="Refuge",
                address_1="12 Demo Confidential Row",
                city=CITY,
                postal_code="SR2 9ZZ",
                latitude=54.8901,
                longitude=-1.3802,
                confidential=True,
            )
        ]
    children["service_areas"] = [ServiceArea(name=item.area)] if item.area else [ServiceArea(name=n) for n in a.areas]
    children["schedules"] = _schedules(a, item.index)
    children["phones"] = [Phone(number=p[0], description=p[1], type=p[2] if len(p) > 2 else "voice") for p in a.phones]
    children["cost_options"] = [
        CostOption(is_free=free, option=option, amount=amount, amount_description=desc)
        for free, option, amount, desc in a.costs
    ]
    if a.christmas:
        children["closures"] = _christmas()
    children["contacts"] = [Contact(**c) for c in a.contacts]
    return page, children, [terms[code] for code in a.terms]


def _taxonomy() -> dict[str, TaxonomyTerm]:
    taxonomy, _ = Taxonomy.objects.get_or_create(
        name=TAXONOMY,
        defaults={
            "description": "The categories families use to find early help services in Sunderland.",
            "version": "1",
        },
    )
    existing = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy=taxonomy)}
    for code, name, description, children in CATEGORIES:
        parent = existing.get(code) or TaxonomyTerm.objects.create(
            taxonomy=taxonomy, code=code, name=name, description=description
        )
        existing[code] = parent
        for child_code, child_name in children:
            if child_code not in existing:
                existing[child_code] = TaxonomyTerm.objects.create(
                    taxonomy=taxonomy, code=child_code, name=child_name, parent=parent
                )
    return existing


def _organisations() -> dict[str, Organisation]:
    existing = {o.name: o for o in Organisation.objects.filter(name__in=ORGANISATIONS)}
    missing = [
        Organisation(
            name=name,
            description=description,
            website=f"https://{_org_slug(name)}.example.org/",
            email=f"hello@{_org_slug(name)}.example.org",
        )
        for name, description in ORGANISATIONS.items()
        if name not in existing
    ]
    for organisation in missing:
        organisation.save()
        existing[organisation.name] = organisation
    return existing


def _editors(organisations: dict[str, Organisation]) -> None:
    from portal.accounts.models import User

    editor = User.objects.filter(email__iexact=PROVIDER_EDITOR).first()
    if editor is None:
        return
    for name in EDITOR_ORGANISATIONS:
        org = organisations[name]
        if not org.editors.filter(pk=editor.pk).exists():
            org.editors.add(editor)


def directory_index() -> DirectoryIndexPage:
    """The directory index, under the home page (or the default site's root)."""
    index = DirectoryIndexPage.objects.first()
    if index is not None:
        return index
    from portal.home.models import HomePage

    parent = HomePage.objects.first()
    if parent is None:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        parent = site.root_page if site else Page.get_first_root_node()
    index = DirectoryIndexPage(
        title=INDEX_TITLE,
        slug=INDEX_SLUG,
        introduction="Family hubs, parenting groups, help with money and housing, mental health support, and "
        "support if you are affected by domestic abuse: services in Sunderland that families can use.",
    )
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def _publish(pending) -> None:
    """Add the pages' children and terms in bulk, give each page one revision, make it live
    and index it: what Wagtail's per-page save, revision and publish would do, in a few
    statements instead of thousands."""
    by_model: dict[type, list] = {}
    for page, children, _terms in pending:
        for objects in children.values():
            for obj in objects:
                obj.page = page
                by_model.setdefault(type(obj), []).append(obj)
    for model, objects in by_model.items():
        model.objects.bulk_create(objects)
    through = ServicePage.taxonomy_terms.through
    through.objects.bulk_create(
        [
            through(servicepage_id=page.pk, taxonomyterm_id=term.pk)
            for page, _c, page_terms in pending
            for term in page_terms
        ]
    )
    now = timezone.now()
    base_type = ContentType.objects.get_for_model(Page)
    revisions = []
    for page, children, page_terms in pending:
        for relation, objects in children.items():
            setattr(page, relation, objects)
        page.taxonomy_terms = page_terms
        page.live, page.has_unpublished_changes = True, False
        page.first_published_at = page.last_published_at = now
        revisions.append(
            Revision(
                content_object=page,
                base_content_type=base_type,
                content=page.serializable_data(),
                object_str=page.title,
                created_at=now,
            )
        )
    Revision.objects.bulk_create(revisions)
    for page, revision in zip((p for p, _c, _t in pending), revisions, strict=True):
        Page.objects.filter(pk=page.pk).update(
            live=True,
            first_published_at=now,
            last_published_at=now,
            latest_revision=revision,
            live_revision=revision,
            latest_revision_created_at=now,
            has_unpublished_changes=False,
        )
    pages = list(ServicePage.objects.filter(pk__in=[p.pk for p, _c, _t in pending]))
    # Wagtail's own index (the admin's search), then the directory search's indexes.
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends():
        backend.add_bulk(ServicePage, pages)
    try:
        from search.indexing import enqueue_many
    except ImportError:  # the search app is optional for the directory
        return
    enqueue_many([page.pk for page in pages])


@transaction.atomic
def load() -> str:
    """The ``load_demo`` step. Returns a one-line summary."""
    terms = _taxonomy()
    organisations = _organisations()
    _editors(organisations)
    index = directory_index()
    existing = set(ServicePage.objects.child_of(index).values_list("slug", flat=True))
    pending = []
    for item in plan():
        slug = slugify(item.title)[:255]
        if slug in existing:
            continue
        page, children, page_terms = _build(item, organisations, terms)
        # Created as a draft, so nothing indexes a page whose children are not there yet;
        # published below, in bulk, once everything is in place.
        page.live = False
        index.add_child(instance=page)
        pending.append((page, children, page_terms))
        existing.add(slug)
    if pending:
        _publish(pending)
    total = ServicePage.objects.child_of(index).count()
    return f"{total} directory services ({len(pending)} new) from {len(organisations)} organisations in {len(CATEGORIES)} categories"
