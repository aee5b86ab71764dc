"""Word lists of the synthetic backlog (problems.py): combined at random into problems.

Every title is "<subject> <issue><context>": a subject belongs to a service area and an issue
to a theme, so filters by theme and service area select meaningful rows, and full-text and
trigram search find overlapping but distinct titles, as they would in a real backlog.
"""

SUBJECTS = {
    "adult-social-care": [
        "care assessment referrals",
        "home care visit schedules",
        "direct payment records",
        "financial assessments for care charges",
        "hospital discharge notifications",
        "care home vacancy returns",
        "carers' assessments",
        "adult safeguarding referrals",
        "occupational therapy equipment requests",
    ],
    "childrens-services": [
        "child protection plans",
        "education, health and care plan requests",
        "foster carer applications",
        "early help referrals",
        "missing children reports",
        "care leaver records",
        "special educational needs transport bookings",
        "family hub registrations",
    ],
    "corporate-it-finance-and-hr": [
        "supplier invoices",
        "payroll corrections",
        "starter and leaver accounts",
        "Freedom of Information requests",
        "subject access requests",
        "budget monitoring returns",
        "software licence records",
        "laptop and mobile device requests",
        "cyber security alerts",
    ],
    "customer-services": [
        "contact centre call notes",
        "online account registrations",
        "resident complaints",
        "webchat transcripts",
        "appointment bookings",
        "change of address notifications",
        "service request updates",
        "requests for accessible formats",
    ],
    "education-and-skills": [
        "school admission applications",
        "in-year school transfers",
        "free school meal claims",
        "home to school transport applications",
        "adult learning course enrolments",
        "school place forecasts",
        "elective home education records",
    ],
    "elections-and-registration": [
        "postal vote applications",
        "electoral register updates",
        "polling station bookings",
        "voter authority certificate applications",
        "annual canvass responses",
        "birth and death registration appointments",
    ],
    "environmental-health": [
        "food hygiene inspections",
        "noise nuisance complaints",
        "pest control bookings",
        "private water supply tests",
        "taxi licence applications",
        "air quality readings",
        "fly-tipping reports",
    ],
    "highways-and-transport": [
        "pothole reports",
        "street light faults",
        "roadworks permits",
        "blue badge applications",
        "parking permit renewals",
        "penalty charge notice appeals",
        "concessionary bus pass applications",
        "gritting route updates",
        "dropped kerb requests",
    ],
    "housing": [
        "housing repair requests",
        "homelessness applications",
        "temporary accommodation placements",
        "housing register bids",
        "disabled facilities grant applications",
        "damp and mould reports",
        "tenancy sign-ups",
        "private rented sector licences",
    ],
    "libraries-and-culture": [
        "library memberships",
        "e-book loans",
        "room hire bookings",
        "museum collection records",
        "archive search requests",
        "event ticket sales",
    ],
    "planning-and-building-control": [
        "planning applications",
        "pre-application advice requests",
        "building control inspections",
        "planning enforcement complaints",
        "local plan consultation responses",
        "tree preservation order checks",
        "street naming and numbering requests",
        "local land charges searches",
    ],
    "public-health": [
        "stop smoking service referrals",
        "NHS health check invitations",
        "sexual health clinic bookings",
        "drug and alcohol service referrals",
        "public health dashboards",
        "weight management referrals",
    ],
    "revenues-and-benefits": [
        "council tax direct debit changes",
        "single person discount reviews",
        "housing benefit claims",
        "council tax support applications",
        "business rates relief applications",
        "discretionary housing payment requests",
        "overpayment recovery letters",
        "enforcement agent referrals",
    ],
    "waste-and-recycling": [
        "missed bin collection reports",
        "garden waste subscriptions",
        "bulky waste collection bookings",
        "new bin delivery requests",
        "recycling centre bookings",
        "assisted bin collection requests",
        "commercial waste contracts",
        "bin collection calendar changes",
    ],
}

# (issue, theme): the issue reads after a plural subject.
ISSUES = [
    ("are handled in a different system by every council in the area", "infrastructure"),
    ("run on servers that are out of support", "infrastructure"),
    ("are rebuilt from scratch every time we change supplier", "infrastructure"),
    ("depend on a shared mailbox that nobody owns", "infrastructure"),
    ("cannot be handled out of hours because the system goes offline", "infrastructure"),
    ("rely on one member of staff who knows how the integration works", "infrastructure"),
    (
        "are not shared with neighbouring councils although the process is the same",
        "infrastructure",
    ),
    ("are re-keyed by hand between two systems", "data"),
    ("cannot be matched to the right address", "data"),
    ("arrive as spreadsheets that have to be cleaned every week", "data"),
    ("cannot be reported on without asking the supplier for an extract", "data"),
    ("hold the same resident under several different records", "data"),
    ("cannot be shared with health partners without a new agreement each time", "data"),
    ("are counted differently by each team, so the figures never agree", "data"),
    ("have no clear owner across the departments involved", "leadership"),
    ("are never reviewed by senior leaders even when backlogs grow", "leadership"),
    ("are squeezed out by savings targets before any improvement starts", "leadership"),
    ("wait on decisions that councillors have not been asked to make", "leadership"),
    ("stall whenever a restructure changes who is responsible", "leadership"),
    ("are improved in one directorate and ignored in the next", "leadership"),
    ("need specialist skills that the team does not have", "skills"),
    ("are processed by staff who were never trained on the new system", "skills"),
    ("take twice as long because nobody can write a simple report", "skills"),
    ("stop working when the one contractor who understood them leaves", "skills"),
    ("cannot be redesigned because there is no user research capacity", "skills"),
    ("are handled by a team that cannot recruit to vacant posts", "skills"),
    ("use a different data format in every council", "standards"),
    ("have no agreed standard, so every supplier invents its own", "standards"),
    ("fail accessibility checks on the supplier's online form", "standards"),
    ("use different names for the same thing in neighbouring councils", "standards"),
    ("cannot be exchanged because there is no common API", "standards"),
    ("are published as PDFs instead of open data", "standards"),
    ("are locked into a contract that charges for every change", "procurement"),
    ("rely on a supplier who charges us to export our own data", "procurement"),
    ("can only be bought from two or three suppliers", "procurement"),
    ("sit on a framework that small councils cannot use", "procurement"),
    ("are renewed automatically because notice periods are missed", "procurement"),
    ("cost very different amounts in neighbouring councils for the same product", "procurement"),
]

CONTEXTS = [
    "",
    "",
    "",
    "",
    " in two-tier areas",
    " after local government reorganisation",
    " when residents move between councils",
    " for households in temporary accommodation",
    " at the end of the financial year",
    " across the combined authority area",
    " since the last system upgrade",
    " for residents without internet access",
    " in rural districts",
    " when a case moves between teams",
    " at peak times in winter",
    " when a service is shared with a neighbouring council",
    " for residents who need an interpreter",
    " when a resident has more than one account",
]

TEAMS = [
    "Our service team",
    "Officers in the back office",
    "Our contact centre",
    "The business support team",
    "Caseworkers",
    "Our digital team",
    "Team leaders",
    "Two part-time officers",
]

CONSEQUENCES = [
    "residents wait longer for an answer",
    "complaints to councillors keep rising",
    "errors end up on residents' bills and letters",
    "we cannot show the real demand to our cabinet",
    "the same details are typed in three times",
    "mistakes are only found at audit",
    "vulnerable residents fall through the gaps",
    "the contact centre takes the calls instead",
    "the backlog doubles every winter",
    "we pay a supplier for work we could do ourselves",
]

VOLUMES = [
    "a few hundred",
    "about a thousand",
    "several thousand",
    "around ten thousand",
    "more than twenty thousand",
    "tens of thousands of",
]

OPENINGS = [
    "At our council, {subject} {issue}{context}. We handle {volume} of them a year.",
    "{Subject} {issue}{context}. It has been this way for as long as anyone here remembers.",
    "In practice, {subject} {issue}{context}, and {volume} cases a year go through that route.",
    "Every week {subject} {issue}{context}; the work is steady rather than seasonal.",
]

IMPACTS = [
    "Staff keep their own trackers to stay on top of it, so nobody has the whole picture.",
    "Residents phone to chase, which creates failure demand for the contact centre.",
    "It is hard to spot vulnerable people early because the information sits in several places.",
    "Our internal auditors have raised it twice and the action is still open.",
    "We lose a day or more on each case before anyone can act on it.",
    "Managers cannot produce reliable performance figures without a week of manual checking.",
    "Councillors hear about problems from residents before officers do.",
    "The cost is mostly hidden in staff time, so it never appears in a budget line.",
    "When the system is slow, officers fall back on paper and re-type everything later.",
    "New starters take months to learn the workarounds.",
]

ATTEMPTS = [
    "We tried automating part of it with a low-code tool, but the supplier's API was too limited.",
    "We asked the supplier for a change and were quoted more than the annual licence.",
    "A previous improvement project ran out of funding before it could be rolled out.",
    "We have talked to two neighbouring councils who have the same issue and no fix either.",
    "Our IT team built a small script that helps, but it is not supported and nobody else "
    "can maintain it.",
    "We looked at buying a new product, but the market offers little choice.",
    "We wrote a business case, but it could not show cashable savings within one year.",
]

ASKS = [
    "We would like to hear from any council that has solved this.",
    "We would join a shared discovery and give time from our service team.",
    "A common pattern or standard would let every council stop solving it alone.",
    "If a component already exists somewhere, please link it here.",
    "We can share our process maps and volumes with anyone looking at this.",
]

COMMENTS = [
    "Same here. We raised it at our supplier's user group last year and nothing changed.",
    "We have this too. Happy to share our process map if it helps a discovery.",
    "Our workaround is a shared spreadsheet, which works until someone is off sick.",
    "We fixed part of this with a small integration; the rest is still manual.",
    "This is a big issue for us in winter. Please count us in for any pilot.",
    "Our neighbouring councils have the same supplier, so a joint approach could work.",
    "We costed this at roughly two full-time posts a year in staff time.",
    "Is anyone talking to the supplier collectively? We would add our name to that.",
    "We solved something similar for another service; the lessons might carry over.",
    "Our councillors asked about this last month, so any progress would be welcome.",
]

FIRST_NAMES = [
    "Aisha", "Alan", "Alice", "Amir", "Andrew", "Anna", "Ben", "Bethany", "Chloe", "Chris",
    "Daniel", "Deborah", "Dylan", "Eleanor", "Emma", "Fatima", "Gareth", "Georgia", "Hannah",
    "Harry", "Imogen", "Jack", "James", "Jasmine", "Joanne", "Kate", "Kwame", "Laura", "Liam",
    "Lucy", "Mark", "Megan", "Mohammed", "Natalie", "Neil", "Nia", "Oliver", "Paul", "Priya",
    "Rebecca", "Richard", "Ruth", "Sam", "Sarah", "Sean", "Sophie", "Stephen", "Tariq", "Zoe",
]  # fmt: skip

LAST_NAMES = [
    "Ahmed", "Allen", "Bailey", "Baker", "Begum", "Bell", "Brown", "Campbell", "Carter",
    "Clarke", "Collins", "Cooper", "Davies", "Edwards", "Evans", "Fisher", "Green", "Hall",
    "Harris", "Hughes", "Hussain", "Jackson", "James", "Jones", "Kaur", "Khan", "King", "Lee",
    "Lewis", "Martin", "Mitchell", "Morgan", "Morris", "Murphy", "Nowak", "Owen", "Patel",
    "Phillips", "Price", "Roberts", "Robinson", "Scott", "Shah", "Singh", "Smith", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson",
    "Wood", "Wright", "Young",
]  # fmt: skip
