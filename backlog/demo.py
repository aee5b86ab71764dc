"""Demo backlog: about sixty common problems, as council officers would write them, with votes
from officers at many real councils, comments, status changes and one merged pair.

Used by `manage.py seed_demo` (after institute.demo has created the demo people). Everything is
written through backlog.services, acting as the people involved; afterwards the timestamps are
spread over the past months so that "newest", "recently active" and "trending" mean something.
Idempotent: problems are matched by title and a problem that exists is left alone, so running
it twice changes nothing. Randomness is seeded, so every database gets the same backlog.
"""

import random
import textwrap
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from backlog import services
from backlog.models import Comment, Merge, Problem, Status, StatusChange, Vote
from institute.demo import DEMO_PASSWORD, DEMO_PEOPLE
from institute.models import Membership, Organisation, Role, ServiceArea, Theme, User

STAFF_EMAIL = "staff@institute.test"
OFFICER_COUNCILS = 200  # councils that get generated demo officers

UPPER = {"county", "unitary", "metropolitan_borough", "london_borough", "sui_generis"}
LOWER = {"district", "unitary", "metropolitan_borough", "london_borough", "sui_generis"}
ALL = UPPER | LOWER
# Which councils run a service, so that only they say they have its problems.
AREA_COUNCIL_TYPES = {
    "adult-social-care": UPPER,
    "childrens-services": UPPER,
    "education-and-skills": UPPER,
    "highways-and-transport": UPPER,
    "libraries-and-culture": UPPER,
    "public-health": UPPER,
    "elections-and-registration": LOWER,
    "environmental-health": LOWER,
    "housing": LOWER,
    "revenues-and-benefits": LOWER,
    "waste-and-recycling": ALL,
    "planning-and-building-control": ALL,
    "corporate-it-finance-and-hr": ALL,
    "customer-services": ALL,
}

# The path a problem takes to reach a status; the last step carries the problem's own note.
STATUS_PATHS = {
    Status.NEW: [],
    Status.TRIAGED: [Status.TRIAGED],
    Status.IN_DISCOVERY: [Status.TRIAGED, Status.IN_DISCOVERY],
    Status.IN_PROGRESS: [Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS],
    Status.SOLVED: [Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS, Status.SOLVED],
    Status.NOT_TAKEN_FORWARD: [Status.TRIAGED, Status.NOT_TAKEN_FORWARD],
}
STEP_NOTES = {
    Status.TRIAGED: "Checked, tagged and open for other councils to add their demand.",
    Status.IN_DISCOVERY: "Enough councils share this to start a discovery.",
    Status.IN_PROGRESS: "Discovery finished; a lead council is building the fix.",
}

FIRST_NAMES = [
    "Aisha", "Alan", "Alice", "Amir", "Andrew", "Angharad", "Anna", "Ben", "Bethany", "Bola",
    "Carys", "Chloe", "Chris", "Ciaran", "Daniel", "Deborah", "Dylan", "Eleanor", "Emma",
    "Fatima", "Gareth", "Georgia", "Hannah", "Harry", "Imogen", "Isaac", "Jack", "James",
    "Jasmine", "Joanne", "Kate", "Kwame", "Laura", "Liam", "Lucy", "Mark", "Megan", "Mohammed",
    "Natalie", "Neil", "Nia", "Niamh", "Oliver", "Paul", "Priya", "Rebecca", "Richard", "Rosie",
    "Ruth", "Sam", "Sarah", "Sean", "Sophie", "Stephen", "Tariq", "Wei", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Allen", "Bailey", "Baker", "Begum", "Bell", "Brown", "Campbell", "Carter",
    "Chowdhury", "Clarke", "Collins", "Cooper", "Davies", "Edwards", "Evans", "Fisher", "Green",
    "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Jones", "Kaur", "Khan", "King",
    "Kowalski", "Lee", "Lewis", "Martin", "Mensah", "Mitchell", "Morgan", "Morris", "Murphy",
    "Nowak", "Okoro", "Owen", "Patel", "Phillips", "Price", "Roberts", "Robinson", "Scott",
    "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward",
    "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
]  # fmt: skip


def _md(text: str) -> str:
    """Dedent, and join the lines of each paragraph (lists keep their lines)."""
    blocks = textwrap.dedent(text).strip().split("\n\n")
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        if any(line.startswith(("- ", "1. ")) for line in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
    return "\n\n".join(out)


def staff(text: str) -> tuple[str, str]:
    """A comment by institute staff (others are by officers of councils that voted)."""
    return ("staff", text)


@dataclass(frozen=True)
class DemoProblem:
    title: str
    summary: str
    theme: str
    areas: tuple[str, ...]
    councils: int  # how many councils say they have it
    description: str
    status: str = Status.NEW
    note: str = ""  # for the last status change
    comments: tuple = ()
    submitter: str = ""  # a demo person's email; otherwise a generated officer
    council_types: frozenset = frozenset()  # overrides the service areas' council types


P = DemoProblem
INFRA, DATA, LEAD, SKILLS, STD, PROC = (
    Theme.INFRASTRUCTURE,
    Theme.DATA,
    Theme.LEADERSHIP,
    Theme.SKILLS,
    Theme.STANDARDS,
    Theme.PROCUREMENT,
)

PROBLEMS = [
    # --- Infrastructure, learning and collaboration ---------------------------------------
    P(
        "Missed bin reports do not reach collection crews until the next day",
        "Residents report a missed bin online, but the report sits in the back office until "
        "someone re-keys it into the crews' system, so the bin is not collected for days.",
        INFRA,
        ("waste-and-recycling", "customer-services"),
        64,
        """
        When a resident reports a missed collection on our website, the form creates a case in
        our customer system. The crews use a separate in-cab system from another supplier, and
        the two do not talk to each other. Someone in the waste office copies reports across
        each morning.

        By the time the crew sees the report they have usually left the street. The resident
        rings to chase, the contact centre raises a second case, and the bin is often picked
        up on the next scheduled round anyway.

        - about 4% of our missed-bin reports are duplicates created by chasing calls
        - the re-keying takes one officer most mornings
        - we cannot tell residents whether the crew has seen the report

        We would like a simple, shared way to pass a report to the in-cab system as it is
        made, and to send the crew's outcome back to the resident.
        """,
        status=Status.IN_DISCOVERY,
        note=(
            "Discovery starts in March with six councils covering three in-cab suppliers. "
            "Weekly show and tells are open to any council."
        ),
        comments=(
            "Same here. Our crews only see reports at the depot at 6am, after the round has "
            "been planned.",
            "We built a small integration between our forms and the in-cab system. It works, "
            "but only for one supplier, and nobody else can maintain it.",
            staff(
                "Thank you all. We have enough councils to run a discovery; please say here "
                "if you can give time from a waste officer."
            ),
        ),
    ),
    P(
        "Every council builds its own online forms for the same services",
        "Hundreds of councils design, build and maintain their own online forms for identical "
        "services such as reporting fly-tipping or applying for a bus pass.",
        INFRA,
        ("customer-services", "corporate-it-finance-and-hr"),
        72,
        """
        We maintain around 180 online forms. Most of them do the same job as forms at every
        other council: report a pothole, apply for a garden waste permit, tell us about a
        change of circumstances. Each one was designed, tested and made accessible by us.

        When legislation changes, every council updates its forms separately. When a form
        fails an accessibility audit, the fix is not shared.

        We would like a library of tested form patterns and question sets that any council
        can reuse on the platform it already has.
        """,
        status=Status.TRIAGED,
        comments=(
            "We counted 240 forms on our site last year, about half of them duplicated work "
            "other councils have already done.",
            "The question wording matters as much as the technology. A shared set of tested "
            "questions would help us even without shared code.",
        ),
        submitter="officer@leeds.council.test",
    ),
    P(
        "There is no easy way to find out what other councils have already built or bought",
        "Before starting a project we cannot easily find out which councils have solved the "
        "same problem, what they used, and whether it worked.",
        INFRA,
        ("corporate-it-finance-and-hr",),
        47,
        """
        We usually find out that a neighbouring council solved the same problem months after
        we started our own project, often by chance at a conference.

        Suppliers' case studies only tell one side of the story, and informal networks only
        reach the people who are already in them.

        A shared catalogue of what councils use, with honest notes on what worked, would save
        duplicated discovery work and help us choose better.
        """,
        status=Status.IN_PROGRESS,
        note=(
            "The components catalogue on this platform is the first answer. Councils can now "
            "record what they use and how it went."
        ),
        comments=(
            "We would happily record what we use if others do the same.",
            staff(
                "The catalogue is live for early testing. Please add one component your "
                "council uses and tell us what is missing."
            ),
        ),
        submitter="centre@gmca.test",
    ),
    P(
        "Moving off end-of-life telephony with no shared playbook",
        "Our contact centre telephony and the analogue lines behind it are being switched "
        "off, and every council is planning the move alone.",
        INFRA,
        ("customer-services", "corporate-it-finance-and-hr"),
        12,
        """
        The national switch-off of analogue phone lines affects our contact centre, lifts,
        alarms and some care technology. We have found lines nobody knew we were paying for.

        We are writing our migration plan from scratch. Other councils must be doing the same
        inventory and the same supplier conversations.

        A shared checklist and a list of the things people found late would help.
        """,
        comments=("We found telecare alarms on lines we had not listed. Check those first.",),
    ),
    P(
        "Cyber incident response plans are never tested with neighbouring councils",
        "We have an incident response plan, but we have never rehearsed it with the councils "
        "and partners we would depend on during an attack.",
        INFRA,
        ("corporate-it-finance-and-hr",),
        26,
        """
        Recent attacks on councils have shown that recovery takes months and depends on
        partners as much as on our own team.

        Our plan assumes help from neighbouring councils and shared service partners, but we
        have never practised it with them. Exercises cost time we do not have.

        We would like a ready-made exercise pack that a group of councils could run together
        in half a day.
        """,
        status=Status.TRIAGED,
        comments=(
            "Our regional group ran one exercise two years ago. It was very useful and we "
            "have not repeated it.",
        ),
    ),
    P(
        "Decades of records are stuck in an old document management system",
        "Our document management system is out of support, but it holds decades of records "
        "that we cannot migrate or easily delete.",
        INFRA,
        ("corporate-it-finance-and-hr", "planning-and-building-control"),
        8,
        """
        Planning files, building control records and old correspondence sit in a system whose
        supplier stopped supporting it. Export tools lose the links between documents and
        cases.

        We know some records should have been deleted under our retention schedule, but
        nobody can safely check which ones.

        We would like to hear how other councils handled a migration like this.
        """,
    ),
    P(
        "Staff cannot book desks in partner buildings on the shared public estate",
        "Council, NHS and police staff share some buildings, but each organisation has its own "
        "desk booking system, so nobody can book across them.",
        INFRA,
        ("corporate-it-finance-and-hr",),
        2,
        """
        In our shared hub, three organisations use three booking tools. Staff turn up to find
        their desk taken by someone from a partner who booked in a different system.

        A simple shared booking for the few shared buildings would be enough.
        """,
        status=Status.NOT_TAKEN_FORWARD,
        note=(
            "Only two councils have this and it is a local estates arrangement rather than a "
            "sector-wide problem. We suggest the partners agree one tool for the shared hub."
        ),
    ),
    P(
        "Library membership does not carry across council boundaries",
        "Residents who live near a boundary need a separate library card for each council, "
        "and they cannot reserve books across library services.",
        INFRA,
        ("libraries-and-culture",),
        5,
        """
        Many residents use the library nearest their work rather than their home. Each
        library service keeps its own membership records and catalogue.

        A resident of one council cannot reserve a book held by the next council's library,
        even when the library is a ten minute walk away.

        Could library services recognise each other's members, or share a catalogue search?
        """,
        comments=("Our library consortium shares a catalogue, but membership is still separate.",),
    ),
    P(
        "Every council designs its own cloud hosting set-up from scratch",
        "Councils moving to the cloud each pay for their own design of accounts, networks and "
        "security controls, although our needs are very similar.",
        INFRA,
        ("corporate-it-finance-and-hr",),
        11,
        """
        We paid a partner to design our cloud landing zone. A neighbouring council paid a
        different partner for almost the same design a year later.

        A reference design for councils, with the security controls that auditors expect,
        would cut cost and risk for everyone moving now.
        """,
        status=Status.TRIAGED,
    ),
    P(
        "Lessons from digital projects that did not work are lost",
        "When a digital project fails or is stopped, nobody writes up what happened, so other "
        "councils repeat the same mistakes.",
        INFRA,
        ("corporate-it-finance-and-hr",),
        15,
        """
        Councils publish success stories, but rarely honest accounts of what went wrong. The
        people who know move on and the lessons leave with them.

        A safe, low-effort way to share short write-ups of stopped projects, anonymised if
        necessary, would be valuable.
        """,
        comments=(
            "We stopped a chatbot project last year. Happy to write up what we learned if "
            "there is somewhere to put it.",
        ),
    ),
    P(
        "Weekly food waste collections need new rounds and crew apps at short notice",
        "New food waste collections for every household mean new rounds, vehicles and in-cab "
        "data, and every council is planning them separately.",
        INFRA,
        ("waste-and-recycling",),
        33,
        """
        National recycling reforms require weekly food waste collections from all households.
        For us that means new rounds, new containers to deliver and a new service in our
        in-cab and customer systems.

        We are working out round planning, container ordering and resident communications on
        our own. Many councils are on the same timetable with the same suppliers.

        Shared templates for the customer journey and for the data the crews need would help.
        """,
        status=Status.TRIAGED,
        comments=(
            "Our in-cab supplier has quoted a separate charge for adding the new service.",
            "We would share our container delivery process; it took us three attempts.",
        ),
    ),
    # --- Data exchange and maturity -------------------------------------------------------
    P(
        "Address data differs between council tax, waste and planning systems",
        "The same property is recorded differently in council tax, waste and planning systems, "
        "so we cannot join data or trust reports that combine them.",
        DATA,
        ("revenues-and-benefits", "waste-and-recycling", "planning-and-building-control"),
        58,
        """
        Each line-of-business system holds its own copy of addresses. Some use the unique
        property reference number (UPRN), some store free text, and some use an old gazetteer
        extract that is years out of date.

        When we tried to count households that pay council tax but have no waste service, a
        third of records did not match.

        We need a practical way to keep UPRNs in every system, and pressure on suppliers to
        store and accept them.
        """,
        status=Status.IN_DISCOVERY,
        note="Discovery with eight councils and two suppliers, starting with waste and tax.",
        comments=(
            "We have a good address gazetteer, but only two of our systems read it.",
            "Our supplier charges for each change to the address import. That alone blocks us.",
            staff("The discovery will publish its findings on this page."),
        ),
        submitter="officer@cornwall.council.test",
    ),
    P(
        "No lawful, repeatable way to share hospital discharge data with the NHS",
        "Every time we set up data sharing with local hospitals for discharge planning, we "
        "start again with new agreements and spreadsheets.",
        DATA,
        ("adult-social-care", "public-health"),
        51,
        """
        To plan care for people leaving hospital, social workers need timely information from
        the hospital. Today it arrives in daily spreadsheets by email, with different fields
        from each trust.

        Each new data flow needs a data sharing agreement, an impact assessment and a
        technical route agreed from scratch.

        A standard agreement and a standard data set for discharge would let councils and
        trusts set this up once and reuse it.
        """,
        status=Status.IN_PROGRESS,
        note=(
            "A draft data set and agreement template are being tested by three councils and "
            "their local trusts."
        ),
        comments=(
            "We receive five spreadsheets a day from three trusts, each with different columns.",
            "Our information governance team would welcome a template they can trust.",
        ),
        submitter="officer@norfolk.council.test",
    ),
    P(
        "Children's case records cannot follow a family that moves to another council",
        "When a family known to children's services moves, the new council receives a bundle "
        "of documents rather than data it can use.",
        DATA,
        ("childrens-services",),
        34,
        """
        Case transfers between councils rely on phone calls, secure email and exported PDFs.
        The receiving social worker reads hundreds of pages to build a picture of the family.

        Important information such as the current plan and key contacts can be missed.

        A minimum set of structured information to transfer with every case would make
        transfers safer and quicker.
        """,
        status=Status.TRIAGED,
        comments=(
            "We received a 600 page PDF last month for a single transfer.",
            "Some transfers arrive after the first statutory visit is already due.",
        ),
    ),
    P(
        "Housing applicants send the same evidence again and again",
        "People applying for social housing are asked for the same proof of identity, income "
        "and address at each stage, because nothing is stored in a reusable way.",
        DATA,
        ("housing",),
        14,
        """
        Applicants send documents to the housing register team, then again for a
        homelessness assessment, then again when they are offered a tenancy.

        Officers spend time chasing documents the council already holds, and applicants find
        it frustrating and sometimes humiliating.

        We would like a pattern for holding verified evidence once and reusing it, with the
        applicant's consent.
        """,
        comments=(
            "We ask for proof of income three times during one application. It is embarrassing.",
        ),
    ),
    P(
        "We cannot compare channel use because every system counts differently",
        "Our phone, web and face-to-face systems count contacts in different ways, so we "
        "cannot see how residents really reach us.",
        DATA,
        ("customer-services",),
        9,
        """
        Telephony counts calls offered, the website counts sessions and the reception system
        counts tickets. None of them record the service or the outcome in the same way.

        We need a simple common definition of a contact and its outcome so councils can
        measure the effect of channel changes.
        """,
    ),
    P(
        "We are not told when other councils place homeless households in our area",
        "Councils placing homeless households in temporary accommodation in another area should "
        "tell that council, but notifications are patchy and arrive in many formats.",
        DATA,
        ("housing",),
        21,
        """
        Placing councils have a legal duty to notify the council where they place a household.
        We receive some notifications by email, some by post and many not at all.

        Without them, our schools, health visitors and social care teams do not know that
        vulnerable families have arrived.

        A single electronic notification format and a simple way to send it would fix most
        of this.
        """,
        status=Status.TRIAGED,
        comments=(
            "London boroughs have tried a shared approach. It would be good to hear how it went.",
            "We receive notifications for about a third of the placements we find out about.",
        ),
        submitter="officer@camden.council.test",
    ),
    P(
        "Canvass data matching misses many residents in houses in multiple occupation",
        "Matching our electoral register against national records works poorly for shared "
        "houses and frequent movers, so the canvass costs more each year.",
        DATA,
        ("elections-and-registration",),
        6,
        """
        Properties with many short-term residents rarely match, so they all go down the most
        expensive canvass route.

        We would like to compare local data sources other councils use to confirm residents
        and how well they work.
        """,
    ),
    P(
        "Each council writes its own data protection impact assessment for the same product",
        "When councils buy the same software, each one writes a data protection impact "
        "assessment from scratch, which delays projects by months.",
        DATA,
        ("corporate-it-finance-and-hr",),
        18,
        """
        Our last impact assessment for a widely used case management product took four
        months. Dozens of councils use the same product in the same way.

        A shared, maintained assessment for common products, which each council adapts to
        its own use, would save a great deal of time.
        """,
        status=Status.SOLVED,
        note=(
            "A shared template and five worked examples for common products are now published "
            "with the components they cover. Councils still sign off their own assessment."
        ),
        comments=(
            "The template cut our last assessment from months to three weeks.",
            staff("Please add worked examples for other products to the component pages."),
        ),
    ),
    P(
        "Roadworks data arrives in formats our systems cannot read",
        "Data about planned roadworks reaches us from several sources and in formats our "
        "highways and customer systems cannot use.",
        DATA,
        ("highways-and-transport",),
        4,
        """
        The contact centre cannot answer simple questions about roadworks because the data
        sits in a separate portal.

        A simple feed that our customer system could read would answer most of these calls.
        """,
    ),
    P(
        "Free school meals eligibility is checked by hand, so eligible children miss out",
        "Families must apply for free school meals even when we already know from benefits "
        "data that they qualify, so many eligible children never get them.",
        DATA,
        ("education-and-skills", "revenues-and-benefits"),
        38,
        """
        We hold housing benefit and council tax support data that shows many families are
        eligible, but the process still waits for them to apply.

        Some councils now enrol eligible children automatically, with an opt-out. Schools also
        receive extra funding for each registered child, so missed registrations cost them.

        We would like a tested approach, including the legal basis and data flows, that other
        councils can follow.
        """,
        status=Status.IN_PROGRESS,
        note="Two councils are writing up their automatic enrolment approach as a playbook.",
        comments=(
            "We did this last year and registered over a thousand extra children.",
            "The legal basis was the hardest part for us. A shared legal note would help.",
        ),
        submitter="officer@bristol.council.test",
    ),
    P(
        "We cannot recognise the same resident across different services",
        "Without a shared identifier, each service holds its own record of a resident and we "
        "cannot see who is receiving support from several teams.",
        DATA,
        ("customer-services", "adult-social-care", "housing"),
        3,
        """
        A resident may be known to housing, adult social care and revenues under slightly
        different names and addresses.

        We would like to hear which matching approaches councils use, and how they manage the
        privacy questions.
        """,
    ),
    # --- Organisational and political leadership ------------------------------------------
    P(
        "Councillors approve digital projects without a clear picture of what will change",
        "Committee reports about digital projects describe technology, not service changes, so "
        "members approve them without understanding the impact on residents.",
        LEAD,
        ("corporate-it-finance-and-hr",),
        16,
        """
        Our reports to members focus on cost and the product being bought. Members ask good
        questions, but rarely about how residents' experience will change.

        We would like examples of committee reports and member briefings that explain digital
        change in service terms.
        """,
        comments=("A short member briefing before each big decision has worked well for us.",),
    ),
    P(
        "Digital is treated as an IT cost rather than a way to change services",
        "Digital work is budgeted and reported as IT spending, so it is cut first and is not "
        "linked to the service improvements it makes possible.",
        LEAD,
        ("corporate-it-finance-and-hr",),
        23,
        """
        Savings from better services appear in service budgets, but the cost appears in the IT
        budget. Each year the IT budget is challenged and the link is lost.

        We would like examples of how councils have organised budgets and governance so that
        digital work is judged by service outcomes.
        """,
        status=Status.TRIAGED,
        comments=("We moved digital into the transformation budget; it helped for two years.",),
    ),
    P(
        "Nobody owns a service from start to finish, so online journeys break between teams",
        "Residents' journeys cross several departments, and each department owns only its "
        "part, so problems at the hand-offs are nobody's job.",
        LEAD,
        ("customer-services",),
        11,
        """
        A resident reporting a change of address touches council tax, waste, electoral
        registration and parking. Each team fixes its own step.

        We would like to learn how councils have set up service ownership across departments.
        """,
    ),
    P(
        "Business cases for digital work must show cashable savings within one year",
        "Our finance rules require savings in the same financial year, which rules out most "
        "work that prevents demand or improves data.",
        LEAD,
        ("corporate-it-finance-and-hr",),
        19,
        """
        Prevention and data quality work pays back over several years and often in other
        organisations' budgets.

        We would like business case models that other councils have used successfully for
        longer-term benefits.
        """,
        comments=(
            "Our prevention work saves money in the NHS, not in our budget, so it never "
            "passes the test.",
        ),
    ),
    P(
        "Shared services between councils break down when leaders change",
        "Shared digital services depend on a few senior relationships, and when those leaders "
        "leave the arrangement is reviewed and often ends.",
        LEAD,
        ("corporate-it-finance-and-hr",),
        3,
        """
        Our shared ICT service with a neighbouring council was reviewed twice in three years
        after changes of chief executive.

        We would like governance models that make shared services survive such changes.
        """,
    ),
    P(
        "Councils being merged must combine dozens of systems in very little time",
        "Local government reorganisation means new councils must bring together council tax, "
        "housing, waste and customer systems from several predecessors by vesting day.",
        LEAD,
        ("corporate-it-finance-and-hr", "revenues-and-benefits", "customer-services"),
        44,
        """
        In reorganising areas, each predecessor council has its own systems and contracts. The
        new council must collect council tax and run services from day one.

        Decisions about which systems to keep are made under great time pressure, often
        before the new organisation's leaders are in post.

        - contract end dates rarely line up
        - data migration is underestimated
        - staff are asked to run old services and design new ones at once

        Councils that have been through this have learned a lot. A shared playbook would
        help the many areas starting now.
        """,
        status=Status.IN_DISCOVERY,
        note="Collecting lessons from councils created in earlier reorganisations.",
        comments=(
            "Our contracts end across a four year period. We need advice on what to extend.",
            "The council tax migration was the critical path for us last time.",
            staff("We have interviews booked with three councils formed in earlier rounds."),
        ),
    ),
    P(
        "Senior leaders get no regular picture of digital risk",
        "Unsupported software, unpatched systems and single points of failure are known to "
        "the IT team but never reach the corporate risk register in a usable form.",
        LEAD,
        ("corporate-it-finance-and-hr",),
        6,
        """
        Our technical risks are reported in technical terms and rarely discussed by the
        leadership team until something fails.

        A simple, shared way to describe digital risk for senior leaders would help.
        """,
    ),
    P(
        "Consultation responses are spread across tools and hard to find later",
        "Each service runs consultations on a different tool, so results are hard to find "
        "and cannot inform later decisions.",
        LEAD,
        ("planning-and-building-control", "customer-services"),
        4,
        """
        Residents are asked the same questions again because nobody can find the last
        consultation's results.

        We would like a simple standard for publishing consultation results.
        """,
    ),
    P(
        "AI pilots start in every directorate without shared rules",
        "Teams across the council are trying AI tools for note-taking, letters and chatbots, "
        "with no shared rules on data, accuracy or who is accountable.",
        LEAD,
        ("corporate-it-finance-and-hr", "adult-social-care"),
        42,
        """
        Social care teams are piloting AI note-taking, customer services a chatbot, and
        others are using general AI assistants. Each pilot writes its own rules.

        Leaders want to encourage useful experiments without risking residents' data or
        publishing wrong information.

        A short policy template, with the questions to ask suppliers, would help councils
        move safely and together.
        """,
        status=Status.TRIAGED,
        comments=(
            "We have four AI pilots and four different approaches to consent.",
            "Please include guidance on recording AI use in case files.",
            "Our legal team asked for evidence on accuracy that no supplier could give us.",
        ),
        submitter="digital@leeds.council.test",
    ),
    # --- Capacity, capability and skills --------------------------------------------------
    P(
        "We cannot recruit or keep data engineers on local government pay",
        "Data engineering posts stay vacant for months, and the people we train leave for "
        "better-paid jobs within two years.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        45,
        """
        We advertised a data engineer post three times last year. The market rate is well
        above our pay scale, and market supplements are hard to agree.

        We rely on contractors at a much higher cost, and knowledge leaves with them.

        Shared posts across councils, a recognised career path, or a sector talent pool
        could all help.
        """,
        status=Status.TRIAGED,
        comments=(
            "We share a data team with two neighbouring councils. It helps with retention.",
            "Our posts stay vacant for six months on average.",
        ),
    ),
    P(
        "Service managers do not know how to run user research on a tight budget",
        "Managers want to involve residents in service design, but have no researchers and "
        "no simple guidance on doing it safely and cheaply.",
        SKILLS,
        ("customer-services",),
        10,
        """
        We have no user researchers. Managers either skip research or run surveys that do not
        tell them much.

        A short practical guide, and perhaps shared access to a pool of researchers, would
        help.
        """,
        comments=("We recruit participants through our libraries. Happy to share how.",),
    ),
    P(
        "Small councils cannot afford to run digital apprenticeships",
        "Apprenticeships are a good route into digital jobs, but small councils cannot supervise "
        "apprentices or offer enough variety of work.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        24,
        """
        Our IT team is six people. We cannot give an apprentice the supervision or range of
        experience the standard requires.

        A shared scheme, where apprentices rotate between councils, could work for many small
        councils.
        """,
        status=Status.IN_DISCOVERY,
        note="Testing a shared apprenticeship scheme with a group of district councils.",
        comments=("We would take an apprentice for six months as part of a rotation.",),
    ),
    P(
        "Social workers spend hours each day on case recording screens",
        "Case management systems make social workers click through many screens to record a "
        "visit, which takes time away from children, families and adults.",
        SKILLS,
        ("adult-social-care", "childrens-services"),
        37,
        """
        Our social workers estimate they spend more than a third of their time recording. The
        system asks for the same details on several screens.

        Better training helps a little, but the design of the forms and workflows is the
        main problem.

        We would like to share evidence on recording time and work with suppliers on simpler
        recording.
        """,
        comments=(
            "Our own time study found about two hours a day on recording.",
            "We removed a third of the mandatory fields and nothing broke.",
        ),
    ),
    P(
        "Staff are not confident using spreadsheets and data tools safely",
        "Many reports are built in spreadsheets by staff with no training, and errors reach "
        "decisions and published figures.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        7,
        """
        A formula error in one spreadsheet meant a report to members was wrong for months.

        Basic, practical data training that councils could share would reduce these risks.
        """,
    ),
    P(
        "There is no product owner role in our job families",
        "We want to manage services as products, but our HR job families have no product "
        "owner or product manager role.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        5,
        """
        Without a recognised role, product work is added to existing jobs and pay does not
        reflect it.

        Shared role profiles would help councils set these roles up quickly.
        """,
    ),
    P(
        "Knowledge of our integrations leaves when contractors leave",
        "Contractors build and maintain key integrations, and when their contracts end we "
        "discover that nobody else understands how they work.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        9,
        """
        Two critical integrations failed last year after the contractor who built them left.
        There was no documentation.

        We would like standard handover requirements to include in contracts.
        """,
        comments=("We now hold back the final payment until the handover documents arrive.",),
    ),
    P(
        "Staff and councillors are not prepared for phishing and fake voice calls",
        "Attackers increasingly use convincing emails and cloned voices, and our awareness "
        "training has not kept up.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        13,
        """
        A finance officer nearly paid a fake invoice after a call that sounded like a senior
        manager.

        Councillors use personal devices and are often targeted, but are rarely trained.

        Short, up to date training that all councils could use would help.
        """,
        status=Status.SOLVED,
        note=(
            "Free short training modules for staff and councillors are now available and "
            "linked from the learning library."
        ),
        comments=("We rolled the modules out to all councillors in a week.",),
    ),
    P(
        "Small district councils have one or two people covering all of IT",
        "In small councils a couple of officers look after every system, supplier and security "
        "issue, with no cover when they are away.",
        SKILLS,
        ("corporate-it-finance-and-hr",),
        20,
        """
        Our two-person team covers infrastructure, applications, security and projects. When
        one is on leave, the other cannot take a break.

        Shared support arrangements between small councils, or a regional service, could
        provide resilience.
        """,
        status=Status.TRIAGED,
        council_types=frozenset({"district"}),
        comments=("We have an informal arrangement with a neighbour. A formal one would help.",),
    ),
    P(
        "Planning officers lack the skills to check digital site plans and 3D models",
        "Applicants increasingly submit digital models, but our officers have no training or "
        "software to check them.",
        SKILLS,
        ("planning-and-building-control",),
        2,
        """
        We receive 3D models for larger schemes and cannot review them properly.

        Training and a simple viewer would help.
        """,
        status=Status.NOT_TAKEN_FORWARD,
        note=(
            "National digital planning work already covers skills and tools for this. Please "
            "join that community; we will link its resources here."
        ),
    ),
    # --- Standards ------------------------------------------------------------------------
    P(
        "There is no common data standard for reporting a pothole",
        "Every highways authority collects pothole reports with different questions and "
        "formats, so reporting apps and contractors must adapt to each one.",
        STD,
        ("highways-and-transport",),
        31,
        """
        National reporting apps send us reports in their own format, and our contractor uses
        another. We map between them by hand.

        A common standard for a highways defect report, with location, photos and status,
        would let any reporting tool work with any council.
        """,
        status=Status.IN_PROGRESS,
        note="A draft standard is out for consultation on the standards pages.",
        comments=(
            "Please include the status updates sent back to the person who reported it.",
            "Our contractor says they could adopt a standard within a year.",
        ),
    ),
    P(
        "Every council publishes its bin collection calendar in a different format",
        "Bin collection dates are published as PDFs, web pages and app data in different "
        "formats, so residents' apps and assistants cannot use them.",
        STD,
        ("waste-and-recycling",),
        27,
        """
        Residents ask their phones when their bin is collected, and the answer is often
        wrong because there is no reliable data to use.

        A simple open format for collection days, with changes for bank holidays, would
        let councils publish once for every app.
        """,
        status=Status.SOLVED,
        note=(
            "A common format for collection calendars has been agreed and is published as a "
            "standard, with an open source component that generates it."
        ),
        comments=(
            "We publish in the new format now. Calls about bank holiday changes went down.",
            staff("Please record your adoption on the standard's page."),
        ),
    ),
    P(
        "Supplier products fail the same accessibility checks at every council",
        "Accessibility audits find the same failures in widely used supplier products, and each "
        "council raises them separately.",
        STD,
        ("customer-services", "corporate-it-finance-and-hr"),
        22,
        """
        Our accessibility statement lists failures in supplier products we cannot fix
        ourselves. Suppliers say fixes are on their roadmap.

        A shared record of failures in common products, raised with suppliers together,
        would carry more weight.
        """,
        status=Status.TRIAGED,
        comments=("Our list of supplier failures is 40 items long.",),
    ),
    P(
        "There is no agreed way to record how a resident wants to be contacted",
        "Each system stores contact preferences differently, so residents who ask for large "
        "print or email still receive standard letters.",
        STD,
        ("customer-services",),
        4,
        """
        A resident tells one service they need large print. The next service sends a
        standard letter.

        A simple standard for contact preferences would help systems share them.
        """,
    ),
    P(
        "Planning application data cannot be compared between councils",
        "Planning data is held in different formats by each council, so it is hard to compare "
        "performance or reuse data across boundaries.",
        STD,
        ("planning-and-building-control",),
        17,
        """
        Developers and researchers ask for planning data across several councils. Each
        council exports different fields.

        National work on planning data standards is promising, and we would like more
        councils to adopt it.
        """,
        status=Status.TRIAGED,
    ),
    P(
        "Care provider vacancies are still collected by phone every week",
        "Brokerage teams ring round care providers to find vacancies because there is no "
        "reliable shared data on what is available.",
        STD,
        ("adult-social-care",),
        13,
        """
        Every week our brokerage team calls dozens of providers. Providers are asked the same
        questions by several councils and the NHS.

        A common standard for vacancy data, published by providers once, would save everyone
        time.
        """,
        comments=(
            "Providers tell us they answer the same questions for three councils and the NHS.",
        ),
    ),
    P(
        "The same service has different names on every council website",
        "Councils use different names for the same service, so residents cannot find it and "
        "search engines show the wrong pages.",
        STD,
        ("customer-services",),
        6,
        """
        One council says bulky waste, another large item collection, another special
        collections.

        A shared list of service names would help residents and search.
        """,
    ),
    P(
        "We have no common list of the APIs a system must offer before we buy it",
        "Procurement documents do not say which APIs and data exports a product must provide, "
        "so we discover the gaps after signing the contract.",
        STD,
        ("corporate-it-finance-and-hr",),
        29,
        """
        We have bought products that cannot share data with our other systems, because we
        did not know what to ask for.

        A standard set of interface requirements for common product types would help every
        council buy better.
        """,
        status=Status.TRIAGED,
        comments=("This would also help suppliers: they get the same questions in many forms.",),
    ),
    P(
        "Every council designs its own council tax direct debit sign-up",
        "Setting up a council tax direct debit online works differently at every council, and "
        "some still need a paper form.",
        STD,
        ("revenues-and-benefits",),
        3,
        """
        Many residents still fill in a paper form, which we re-key.

        A common online pattern would help councils that have not moved yet.
        """,
    ),
    P(
        "Licensing applications use different forms in every district",
        "Taxi, alcohol and animal licensing applications ask for similar information in very "
        "different forms from council to council.",
        STD,
        ("environmental-health",),
        8,
        """
        Businesses working across several districts fill in different forms for the same
        licence.

        Common question sets would make applications easier and data comparable.
        """,
    ),
    P(
        "Every team keeps its own directory of local community services",
        "Social care, public health and family hubs each maintain a directory of local groups "
        "and services, and all of them are out of date.",
        STD,
        ("public-health", "adult-social-care", "childrens-services"),
        25,
        """
        We found five directories in our council alone, with different information about the
        same organisations.

        An open standard for service directory data exists, but few systems support it.
        Councils adopting it together would help suppliers follow.
        """,
        status=Status.TRIAGED,
        comments=("We merged three directories into one last year. It took months.",),
    ),
    # --- Procurement, contracts and market shaping ---------------------------------------
    P(
        "Suppliers charge us to get our own data out of their systems",
        "When we want to move to another product or share data, suppliers charge for exports "
        "or provide data in formats we cannot use.",
        PROC,
        ("corporate-it-finance-and-hr",),
        78,
        """
        Our contracts do not guarantee access to our data in a usable format. When we asked
        for a full export before changing products, we were quoted tens of thousands of pounds.

        The cost of getting data out makes moving product impractical, so suppliers have
        little reason to improve.

        Standard contract clauses on data access and exit, used by all councils, would
        change this.
        """,
        status=Status.IN_DISCOVERY,
        note=(
            "Reviewing contracts from twelve councils to draft standard clauses on data access "
            "and exit."
        ),
        comments=(
            "We were quoted more for a data export than for a year's licence.",
            "Please include APIs as well as one-off exports in the clauses.",
            "Our legal team would adopt standard clauses immediately.",
        ),
    ),
    P(
        "Contract renewals are rushed because notice periods are spotted too late",
        "We often find out that a contract is about to renew automatically when it is too late "
        "to give notice or run a procurement.",
        PROC,
        ("corporate-it-finance-and-hr",),
        15,
        """
        Our contract register does not hold notice periods reliably, and nobody is alerted
        in time.

        A simple shared approach to tracking renewal dates would avoid forced extensions.
        """,
        comments=("We were caught by a three-year automatic renewal last spring.",),
    ),
    P(
        "Only two or three suppliers sell revenues and benefits software",
        "The market for revenues and benefits systems is very small, which limits our choice "
        "and weakens our position in negotiations.",
        PROC,
        ("revenues-and-benefits",),
        41,
        """
        Almost every council uses one of a handful of products. Changing product is a large,
        risky project that councils rarely undertake.

        Councils acting together could encourage new entrants and set expectations about
        interfaces and data.
        """,
        status=Status.TRIAGED,
        comments=("We ran a market test last year and received two bids.",),
    ),
    P(
        "Framework agreements are too complicated for small councils to use",
        "Central frameworks are meant to make buying easier, but their processes are hard "
        "for councils with no specialist procurement staff.",
        PROC,
        ("corporate-it-finance-and-hr",),
        18,
        """
        We have one procurement officer for the whole council. Framework call-offs take weeks
        of work and specialist knowledge.

        Simple guides and templates for common purchases would help small councils.
        """,
    ),
    P(
        "Each council negotiates separately with the same supplier for the same upgrade",
        "When a major supplier changes its product or pricing, every council negotiates alone, "
        "with less information and influence than the supplier.",
        PROC,
        ("corporate-it-finance-and-hr",),
        36,
        """
        A supplier moved its product to the cloud and set new prices. Each council negotiated
        separately, and some paid far more than others.

        Collective negotiation, or at least shared information about offers, would help.
        """,
        status=Status.TRIAGED,
        comments=("We compared notes informally with two neighbours and saved a lot.",),
    ),
    P(
        "Replacing social care case management takes years and costs millions",
        "Changing social care case management system is so expensive and disruptive that "
        "councils stay with products that do not meet their needs.",
        PROC,
        ("adult-social-care", "childrens-services"),
        28,
        """
        Our last replacement took three years. Data migration and configuration took longer
        than the procurement.

        Shared configuration, migration tools and lessons from councils that have switched
        would reduce the cost for everyone.
        """,
        comments=(
            "We are two years into a replacement. Happy to talk to anyone starting out.",
            "Data migration was half of our total cost.",
        ),
    ),
    P(
        "Suppliers' roadmaps ignore local government once a contract is signed",
        "Features councils ask for are rarely delivered, and we have little say in suppliers' "
        "plans after the contract starts.",
        PROC,
        ("corporate-it-finance-and-hr",),
        10,
        """
        User groups are run by suppliers and raise the same requests year after year.

        Councils speaking with one voice could influence roadmaps more.
        """,
    ),
    P(
        "We cannot compare what other councils pay for the same product",
        "Prices for the same software differ widely between councils, and we have no easy way "
        "to know whether we are paying a fair price.",
        PROC,
        ("corporate-it-finance-and-hr",),
        22,
        """
        Contract values are published, but not in a way that lets us compare like with like.

        A simple shared price benchmark for common products would help councils negotiate.
        """,
    ),
    P(
        "Procurement rules make it hard to buy small pieces of work from small suppliers",
        "Buying a few weeks of design or development from a small supplier takes as much "
        "paperwork as a large contract.",
        PROC,
        ("corporate-it-finance-and-hr",),
        5,
        """
        Small suppliers give up on our process. We end up using large suppliers for small
        jobs.

        Light, compliant templates for small purchases would help.
        """,
    ),
    P(
        "Parking permit systems are sold as closed products with no API",
        "Our parking permit system cannot share data with our customer account or enforcement "
        "systems because it has no interface.",
        PROC,
        ("highways-and-transport",),
        3,
        """
        Residents create separate accounts for parking permits, and we cannot show permit
        information in our customer account.

        We would like other councils to push for interfaces in this market.
        """,
        status=Status.NOT_TAKEN_FORWARD,
        note=(
            "This is one case of the wider problem of systems without APIs; please add your "
            "demand to the problem about the APIs a system must offer before we buy it."
        ),
    ),
]

# Submitted later by another council; merged into the first problem by institute staff.
DUPLICATE = P(
    "Missed bin reports take a day to get to the bin crews",
    "Our missed bin reports are typed into the crew system by hand each morning, so crews "
    "have already left the area.",
    INFRA,
    ("waste-and-recycling",),
    7,
    """
    Reports of missed bins come in through our website and phone line, but the crews' in-cab
    system is separate. An officer re-keys the reports every morning.

    Crews rarely go back the same day, and residents chase us.
    """,
)
DUPLICATE_OF = PROBLEMS[0].title
MERGE_NOTE = "The same problem as the existing one about missed bin reports; votes combined."


# --- People --------------------------------------------------------------------------------


def _councils():
    return list(
        Organisation.objects.current()
        .councils()
        .order_by("slug")
        .only("pk", "slug", "name", "council_type", "email_domains")
    )


def _officer_plan(rng, councils, taken: set[str]):
    """The generated officers: (email, full name, council), the same on every run."""
    chosen = rng.sample([c for c in councils if c.slug not in taken], OFFICER_COUNCILS)
    people = []
    for council in chosen:
        extra = rng.choices((0, 1, 2), weights=(70, 24, 6))[0]
        names = set()
        for _ in range(1 + extra):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            while (first, last) in names:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            names.add((first, last))
            email = f"{first}.{last}@{council.slug}.council.test".lower()
            people.append((email, f"{first} {last}", council))
    return people


def _ensure_officers(plan) -> int:
    """Create the planned officers that do not exist yet (in bulk; one password hash)."""
    existing = set(
        User.objects.filter(email__in=[e for e, _, _ in plan]).values_list("email", flat=True)
    )
    new = [(e, n, c) for e, n, c in plan if e not in existing]
    if new:
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            [User(email=e, full_name=n, password=password) for e, n, _ in new]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation=c, role=Role.OFFICER)
                for u, (_, _, c) in zip(users, new, strict=True)
            ]
        )
    # Sign-up with an address at the council's demo domain joins that council.
    changed = []
    for _, _, council in plan:
        domain = f"{council.slug}.council.test"
        if domain not in council.email_domains:
            council.email_domains = [*council.email_domains, domain]
            changed.append(council)
    if changed:
        Organisation.objects.bulk_update(changed, ["email_domains"])
    return len(new)


# --- The backlog ---------------------------------------------------------------------------


@dataclass
class Plan:
    problem: DemoProblem
    submitter: str
    voters: list  # emails, in voting order
    commenters: list  # one email per comment ("" for staff)
    age_days: float
    vote_fractions: list
    comment_fractions: list
    step_fractions: list
    votes_end_days_ago: float = 0.0  # votes stop this long ago (the duplicate was merged)


def _eligible(problem: DemoProblem) -> set[str]:
    if problem.council_types:
        return set(problem.council_types)
    return set().union(*(AREA_COUNCIL_TYPES.get(a, ALL) for a in problem.areas))


def _plan_problem(rng, problem, officers_by_council, council_types, index) -> Plan:
    types = _eligible(problem)
    eligible = sorted(slug for slug in officers_by_council if council_types[slug] in types)
    submitter = problem.submitter
    if submitter and submitter in {e for v in officers_by_council.values() for e in v}:
        home = next(s for s, v in officers_by_council.items() if submitter in v)
    else:
        home = None
    councils = rng.sample(eligible, min(problem.councils, len(eligible)))
    if home and home not in councils:
        councils[0] = home
    if home:
        councils.remove(home)
        councils.insert(0, home)
    if not submitter:
        submitter = officers_by_council[councils[0]][0]
    voters = []
    for slug in councils:
        people = officers_by_council[slug]
        voters.append(submitter if submitter in people else people[0])
        voters += [p for p in people if p not in voters and rng.random() < 0.4]
    commenters = []
    for comment in problem.comments:
        if isinstance(comment, tuple):
            commenters.append("")
        else:
            others = [v for v in voters if v != submitter] or voters
            commenters.append(rng.choice(others[:40]))
    # Popular problems have been around longer; the first few are the oldest.
    age_days = rng.uniform(20, 120) + problem.councils * rng.uniform(2.0, 4.0) + index % 5
    return Plan(
        problem=problem,
        submitter=submitter,
        voters=voters,
        commenters=commenters,
        age_days=age_days,
        vote_fractions=sorted(rng.random() ** 1.3 for _ in voters),
        comment_fractions=sorted(rng.uniform(0.05, 1.0) for _ in problem.comments),
        step_fractions=sorted(rng.uniform(0.05, 0.95) for _ in STATUS_PATHS[problem.status]),
    )


def _text(comment) -> str:
    return comment[1] if isinstance(comment, tuple) else comment


def _create(plan: Plan, people, areas, staff_user) -> Problem:
    p = plan.problem
    problem = services.problem_submit(
        actor=people[plan.submitter],
        title=p.title,
        summary=p.summary,
        description=_md(p.description),
        theme=p.theme,
        service_areas=[areas[a] for a in p.areas],
    )
    for email in plan.voters:
        services.problem_vote(actor=people[email], problem=problem)
    for email, comment in zip(plan.commenters, p.comments, strict=True):
        author = people[email] if email else staff_user
        services.comment_add(actor=author, problem=problem, body=_text(comment))
    steps = STATUS_PATHS[p.status]
    for n, status in enumerate(steps):
        last = n == len(steps) - 1
        services.problem_change_status(
            actor=staff_user,
            problem=problem,
            status=status,
            note=p.note if last and p.note else STEP_NOTES.get(status, ""),
        )
    return problem


def _backdate(problem: Problem, plan: Plan, now, rng) -> None:
    """Spread a new problem's history over the past `age_days`, in the order it happened."""
    created = now - timedelta(days=plan.age_days, minutes=rng.randint(0, 600))
    span = now - created
    steps = list(StatusChange.objects.filter(problem=problem).order_by("id"))
    step_times = [created] + [created + span * f for f in plan.step_fractions]
    closed = plan.problem.status in (Status.SOLVED, Status.NOT_TAKEN_FORWARD)
    votes_end = step_times[-1] if closed else now - timedelta(days=plan.votes_end_days_ago)
    vote_span = votes_end - created
    for change, when in zip(steps, step_times, strict=True):
        change.created_at = when
    StatusChange.objects.bulk_update(steps, ["created_at"])
    votes = list(Vote.objects.filter(cast_on=problem).order_by("id"))
    for n, (vote, fraction) in enumerate(zip(votes, plan.vote_fractions, strict=True)):
        # The submitter says their council has the problem as they submit it.
        vote.created_at = created + (timedelta(minutes=5) if n == 0 else vote_span * fraction)
    Vote.objects.bulk_update(votes, ["created_at"])
    comments = list(Comment.objects.filter(problem=problem).order_by("id"))
    for comment, fraction in zip(comments, plan.comment_fractions, strict=True):
        comment.created_at = created + span * fraction
    Comment.objects.bulk_update(comments, ["created_at"])
    times = [
        created,
        *step_times,
        *(v.created_at for v in votes),
        *(c.created_at for c in comments),
    ]
    Problem.objects.filter(pk=problem.pk).update(
        created_at=created, updated_at=step_times[-1], last_activity_at=max(times)
    )


@transaction.atomic
def seed() -> dict:
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    staff_user = User.objects.select_related("membership").get(email=STAFF_EMAIL)
    councils = _councils()
    by_slug = {c.slug: c for c in councils}
    # The demo officers from institute.demo speak for their own councils.
    demo_officers = {}
    for email, _, slug, role, _ in DEMO_PEOPLE:
        if role == Role.OFFICER and slug in by_slug:
            demo_officers.setdefault(slug, []).append(email)
    plan = _officer_plan(rng, councils, taken=set(demo_officers))
    officers_created = _ensure_officers(plan)

    officers_by_council = {slug: sorted(emails) for slug, emails in demo_officers.items()}
    for email, _, council in plan:
        officers_by_council.setdefault(council.slug, []).append(email)
    council_types = {slug: by_slug[slug].council_type for slug in officers_by_council}
    plans = [
        _plan_problem(rng, p, officers_by_council, council_types, n)
        for n, p in enumerate([*PROBLEMS, DUPLICATE])
    ]
    # The duplicate was submitted recently, after the problem it repeats.
    plans[-1].age_days = 12.0
    plans[-1].votes_end_days_ago = 3.5
    backdate_rng = random.Random(rng.random())  # noqa: S311

    existing = set(
        Problem.objects.filter(title__in=[p.problem.title for p in plans]).values_list(
            "title", flat=True
        )
    )
    todo = [p for p in plans if p.problem.title not in existing]
    emails = {p.submitter for p in todo} | {e for p in todo for e in p.voters + p.commenters}
    people = {
        u.email: u
        for u in User.objects.filter(email__in=emails - {""}).select_related(
            "membership__organisation"
        )
    }
    areas = {a.slug: a for a in ServiceArea.objects.all()}
    now = timezone.now()
    created = {}
    for plan_ in todo:
        created[plan_.problem.title] = problem = _create(plan_, people, areas, staff_user)
        _backdate(problem, plan_, now, backdate_rng)

    merged = 0
    source = Problem.objects.filter(title=DUPLICATE.title).first()
    target = Problem.objects.filter(title=DUPLICATE_OF).first()
    if source and target and source.status != Status.MERGED and DUPLICATE.title in created:
        merge = services.problem_merge(
            actor=staff_user, source=source, target=target, note=MERGE_NOTE
        )
        when = now - timedelta(days=3)
        Merge.objects.filter(pk=merge.pk).update(created_at=when)
        StatusChange.objects.filter(problem=source, to_status=Status.MERGED).update(created_at=when)
        Problem.objects.filter(pk=source.pk).update(updated_at=when)
        Problem.objects.filter(pk=target.pk).update(
            last_activity_at=max(target.last_activity_at, when)
        )
        merged = 1

    if created:
        ids = [p.pk for p in created.values()] + ([target.pk] if target else [])
        with connection.cursor() as cursor:
            # Each council's "since" is its first vote, now that votes have their real dates.
            cursor.execute(
                """
                UPDATE backlog_councildemand d SET since = v.first
                FROM (
                    SELECT problem_id, organisation_id, min(created_at) AS first
                    FROM backlog_vote WHERE problem_id = ANY(%s)
                    GROUP BY problem_id, organisation_id
                ) v
                WHERE d.problem_id = v.problem_id AND d.organisation_id = v.organisation_id
                """,
                [ids],
            )
        services.trending_refresh()

    return {
        "officers_created": officers_created,
        "problems_created": len(created),
        "problems": Problem.objects.count(),
        "votes": Vote.objects.count(),
        "merged": merged,
    }
