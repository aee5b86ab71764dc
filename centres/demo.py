"""Demo centres: five Centres of Service Innovation at real strategic authorities, with their
staff, about fifteen projects and about forty pieces of learning across every kind and evidence
level, several of them data-sharing examples.

Used by `manage.py seed_demo` after institute.demo and backlog.demo. Everything is written
through centres.services, acting as the people involved; projects link to demo backlog problems
when those exist (matched by title), a few projects to the demo components they produce or
use, and a few pieces of learning to demo components and
standards (matched by name and title) when those exist. Idempotent: centres, projects and
learning are matched by name or title, and what exists is left alone. Afterwards publication
dates are spread over the past year so that "newest" means something.
"""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from backlog.models import Problem
from backlog.models import Status as ProblemStatus
from centres import services
from centres.models import Centre, CentreStaff, Learning, LearningStatus, Project
from components.models import Component, ReviewStatus
from institute.demo import DEMO_PASSWORD
from institute.models import Membership, Organisation, ServiceArea, User
from standards.models import Standard

STAFF_EMAIL = "staff@institute.test"

NW, WM, YH, SW, NE = "E12000002", "E12000005", "E12000003", "E12000009", "E12000001"

# key: (name, host slug, regions, themes, focus, description)
CENTRES = {
    "gm": (
        "Greater Manchester Centre for Service Innovation",
        "greater-manchester-combined-authority",
        [NW],
        ["data", "infrastructure"],
        "Sharing data safely between councils, the NHS and partners",
        "The centre helps the ten Greater Manchester councils, and councils across the North "
        "West, share data lawfully and repeatably with health and care partners.\n\n"
        "It writes agreements once for many councils, tests them in real services, and "
        "publishes the templates and what happened.",
    ),
    "wm": (
        "West Midlands Centre for Service Innovation",
        "west-midlands-combined-authority",
        [WM],
        ["procurement", "standards"],
        "Buying software together and shaping the supplier market",
        "The centre works with councils in the West Midlands on how they buy, renew and leave "
        "software contracts, so that each council stops negotiating alone with the same few "
        "suppliers.",
    ),
    "wy": (
        "West Yorkshire Centre for Service Innovation",
        "west-yorkshire-combined-authority",
        [YH],
        ["skills", "leadership"],
        "Growing digital and data skills in the council workforce",
        "The centre runs shared apprenticeships, role profiles and training with the five West "
        "Yorkshire councils and publishes what it takes to grow skills councils cannot buy in.",
    ),
    "woe": (
        "West of England Centre for Service Innovation",
        "west-of-england-combined-authority",
        [SW],
        ["standards", "infrastructure"],
        "Common standards for everyday resident services",
        "The centre works on the services residents use most, such as bins, housing and "
        "council tax, and agrees common data formats that any council can adopt.",
    ),
    "ne": (
        "North East Centre for Service Innovation",
        "north-east-combined-authority",
        [NE],
        ["leadership", "infrastructure"],
        "Leadership, risk and the safe use of AI",
        "The centre helps leadership teams in the North East govern digital risk, from cyber "
        "incidents to the use of AI, with shared policies and regional exercises.",
    ),
}

# (email, full name, centre key, job title, lead)
PEOPLE = [
    ("lead@gmca.test", "Joanna Pritchard", "gm", "Head of the centre", True),
    ("centre@gmca.test", "Rachel Lowe", "gm", "Data sharing lead", False),
    ("lead@wmca.test", "Marcus Bennett", "wm", "Head of the centre", True),
    ("centre@wmca.test", "Imran Hussain", "wm", "Commercial analyst", False),
    ("lead@westyorks.test", "Siobhan Kerr", "wy", "Head of the centre", True),
    ("lead@westofengland.test", "Tom Ashdown", "woe", "Head of the centre", True),
    ("lead@northeast.test", "Layla Hassan", "ne", "Head of the centre", True),
]

# (centre, title, summary, status, phase, partner slugs, problem titles, start, end)
PROJECTS = [
    (
        "gm",
        "One discharge data agreement for ten councils and their hospitals",
        "Replace dozens of separate agreements with one data sharing agreement and one "
        "privacy notice covering hospital discharge across Greater Manchester.",
        "active",
        "delivery",
        ["manchester", "salford", "stockport", "trafford"],
        ["No lawful, repeatable way to share hospital discharge data with the NHS"],
        date(2025, 9, 1),
        None,
    ),
    (
        "gm",
        "Recognising the same family across early help services",
        "Discovery into how councils can match records for the same family across early help, "
        "housing and schools without building a new central database.",
        "active",
        "discovery",
        ["bolton", "wigan", "oldham", "burnley"],
        ["We cannot recognise the same resident across different services"],
        date(2026, 1, 12),
        None,
    ),
    (
        "gm",
        "A weekly care home vacancy feed",
        "Proposal to collect care provider vacancies through a simple shared form and feed "
        "instead of weekly phone calls.",
        "proposed",
        "discovery",
        ["bury", "rochdale"],
        ["Care provider vacancies are still collected by phone every week"],
        None,
        None,
    ),
    (
        "wm",
        "Exit clauses every council can use",
        "Model contract clauses that make suppliers hand back council data in an open format at "
        "no extra charge, tested in live renewals.",
        "active",
        "delivery",
        ["birmingham", "coventry", "dudley", "lichfield"],
        ["Suppliers charge us to get our own data out of their systems"],
        date(2025, 6, 2),
        None,
    ),
    (
        "wm",
        "What councils pay: a price comparison pilot",
        "Councils share what they pay for the same products under a simple confidentiality "
        "agreement, to see how far prices differ.",
        "active",
        "discovery",
        ["sandwell", "walsall", "wolverhampton", "cannock-chase"],
        ["We cannot compare what other councils pay for the same product"],
        date(2026, 2, 2),
        None,
    ),
    (
        "wm",
        "Revenues and benefits market review",
        "A review of the revenues and benefits software market and what would bring in new "
        "suppliers.",
        "completed",
        "discovery",
        ["solihull", "bromsgrove", "east-staffordshire"],
        ["Only two or three suppliers sell revenues and benefits software"],
        date(2024, 10, 1),
        date(2025, 5, 30),
    ),
    (
        "wy",
        "Shared data engineering apprenticeships",
        "Five councils recruit one cohort of data engineering apprentices together, sharing "
        "training, mentors and a rotation between councils.",
        "active",
        "delivery",
        ["bradford", "calderdale", "kirklees", "leeds", "wakefield"],
        [
            "We cannot recruit or keep data engineers on local government pay",
            "Small councils cannot afford to run digital apprenticeships",
        ],
        date(2025, 9, 15),
        date(2027, 8, 31),
    ),
    (
        "wy",
        "A product owner role profile for councils",
        "A role profile, grading guidance and interview questions for product owners that any "
        "council can put into its job families.",
        "completed",
        "delivery",
        ["leeds", "kirklees"],
        ["There is no product owner role in our job families"],
        date(2025, 1, 6),
        date(2025, 7, 25),
    ),
    (
        "wy",
        "User research on a shoestring",
        "Proposal for a pool of trained service managers who do light-touch user research for "
        "each other's services.",
        "proposed",
        "discovery",
        ["calderdale", "wakefield"],
        ["Service managers do not know how to run user research on a tight budget"],
        None,
        None,
    ),
    (
        "woe",
        "One bin collection data format",
        "Four councils publish collection days and missed-bin reports in one open format, read "
        "by websites, apps and crew devices alike.",
        "completed",
        "delivery",
        ["bristol-city-of", "south-gloucestershire", "bath-and-north-east-somerset"],
        [
            "Every council publishes its bin collection calendar in a different format",
            "Missed bin reports do not reach collection crews until the next day",
        ],
        date(2024, 11, 4),
        date(2025, 10, 31),
    ),
    (
        "woe",
        "Tell us once for housing evidence",
        "Discovery into letting housing applicants share proof of identity and income once, "
        "with their consent, across housing services.",
        "active",
        "discovery",
        ["bristol-city-of", "bath-and-north-east-somerset", "cheltenham", "exeter"],
        ["Housing applicants send the same evidence again and again"],
        date(2026, 3, 2),
        None,
    ),
    (
        "woe",
        "Cleaning address data across services",
        "An attempt to reconcile addresses between council tax, waste and planning systems. "
        "Stopped when the national address product changed its licence terms.",
        "stopped",
        "discovery",
        ["south-gloucestershire", "cotswold"],
        ["Address data differs between council tax, waste and planning systems"],
        date(2025, 2, 3),
        date(2025, 6, 27),
    ),
    (
        "ne",
        "A shared AI use policy",
        "Seven councils agree one policy, register and approval route for using AI tools, "
        "and test it on live pilots.",
        "active",
        "delivery",
        ["newcastle-upon-tyne", "gateshead", "sunderland", "county-durham"],
        ["AI pilots start in every directorate without shared rules"],
        date(2025, 11, 3),
        None,
    ),
    (
        "ne",
        "A regional cyber incident exercise",
        "A day-long exercise in which councils respond together to a simulated ransomware "
        "attack on a shared supplier.",
        "completed",
        "delivery",
        ["northumberland", "north-tyneside", "south-tyneside"],
        ["Cyber incident response plans are never tested with neighbouring councils"],
        date(2025, 3, 1),
        date(2025, 4, 30),
    ),
    (
        "ne",
        "Digital risk on one page",
        "Proposal for a one-page quarterly picture of digital risk for council leadership "
        "teams, using measures every council already has.",
        "proposed",
        "discovery",
        ["gateshead", "county-durham"],
        ["Senior leaders get no regular picture of digital risk"],
        None,
        None,
    ),
]


# (centre, kind, title, summary, impact, evidence, cost, themes, service areas, councils,
#  problem titles, project title, what we did, what happened, advice, status)
LEARNING = [
    # --- Greater Manchester: data sharing -----------------------------------------------------
    (
        "gm",
        "data_sharing",
        "Sharing hospital discharge lists with ten councils under one agreement",
        "Hospitals send one daily discharge list to every council's reablement team, under a "
        "single agreement signed once by all parties.",
        "Agreement time fell from about nine months per council to six weeks for all ten. Same-"
        "day reablement starts rose from 41% to 63% of referrals.",
        3,
        "low",
        ["data"],
        ["adult-social-care", "public-health"],
        ["manchester", "salford", "stockport", "trafford"],
        ["No lawful, repeatable way to share hospital discharge data with the NHS"],
        "One discharge data agreement for ten councils and their hospitals",
        "We wrote one agreement and one privacy notice with the hospital trusts' information "
        "governance leads, then asked each council to adopt it unchanged.",
        "Nine councils signed within six weeks; the tenth asked for one change, which all "
        "adopted. Reablement teams now plan visits before the person leaves hospital.",
        "Agree the purpose and the legal basis first. Every later argument was about wording "
        "we could have settled on day one.",
        "published",
    ),
    (
        "gm",
        "data_sharing",
        "Matching early help records across services without a central database",
        "Councils match a family's records between early help, housing and schools on demand, "
        "keeping each record where it already lives.",
        "Practitioners found the related records in minutes rather than days in a trial with "
        "120 families. No new data store was needed.",
        2,
        "moderate",
        ["data"],
        ["childrens-services", "housing", "education-and-skills"],
        ["bolton", "wigan", "oldham"],
        ["We cannot recognise the same resident across different services"],
        "Recognising the same family across early help services",
        "We used a matching service that compares names, dates of birth and addresses when a "
        "practitioner asks, and returns only the fact and place of a match.",
        "Matches were right in 94% of checked cases; the rest were mostly old addresses.",
        "Involve frontline staff in deciding what a 'match' should show. They wanted less than "
        "we expected.",
        "published",
    ),
    (
        "gm",
        "what_works",
        "What works in writing a data sharing agreement once for many councils",
        "Eight practices that made multi-council data sharing agreements quicker to agree and "
        "easier to keep up to date.",
        "Drawn from four agreements covering 31 organisations in the North West.",
        2,
        "very_low",
        ["data", "standards"],
        ["corporate-it-finance-and-hr"],
        ["manchester", "salford", "bury"],
        ["No lawful, repeatable way to share hospital discharge data with the NHS"],
        "",
        "We compared how four multi-party agreements were written, agreed and reviewed.",
        "The quickest had a named owner, one template and a fixed review date.",
        "Keep schedules for each partner separate from the shared text.",
        "published",
    ),
    (
        "gm",
        "case_study",
        "Replacing weekly care vacancy phone calls with a shared form",
        "Two councils asked care providers to update vacancies through a short online form "
        "instead of answering a weekly phone round.",
        "Brokerage staff saved about a day a week each. Most providers updated within a day.",
        1,
        "very_low",
        ["data"],
        ["adult-social-care"],
        ["bury", "rochdale"],
        ["Care provider vacancies are still collected by phone every week"],
        "A weekly care home vacancy feed",
        "We built a form in an existing low-code tool and sent providers a reminder each Monday.",
        "Thirty-eight of 45 providers used it in the first month.",
        "Phone the providers who do not respond; a form alone will not reach everyone.",
        "published",
    ),
    (
        "gm",
        "evaluation",
        "Evaluation of shared discharge data on reablement starts",
        "A comparison of reablement start times in councils that received the shared discharge "
        "list and in similar councils that did not.",
        "Starts within a day of discharge rose by 19 percentage points more than in comparison "
        "councils over twelve months.",
        4,
        "moderate",
        ["data"],
        ["adult-social-care"],
        ["manchester", "salford", "stockport", "trafford", "wigan"],
        ["No lawful, repeatable way to share hospital discharge data with the NHS"],
        "One discharge data agreement for ten councils and their hospitals",
        "An independent team compared five participating councils with five similar councils "
        "elsewhere in England, before and after the change.",
        "The effect held in every participating council, larger where reablement teams were "
        "already co-located with hospital staff.",
        "Measure the baseline before the data starts flowing; it is hard to rebuild afterwards.",
        "published",
    ),
    (
        "gm",
        "playbook",
        "Playbook: standing up a data sharing partnership in twelve weeks",
        "Week-by-week steps, roles and templates to go from first meeting to signed agreement.",
        "Used by three partnerships so far; each signed within fourteen weeks.",
        1,
        "very_low",
        ["data", "infrastructure"],
        ["corporate-it-finance-and-hr"],
        ["manchester", "oldham"],
        [],
        "",
        "We wrote down the steps we followed for the discharge agreement and tested them with "
        "two new partnerships.",
        "Both reached a signed agreement; both skipped the optional pilot week.",
        "Book the information governance leads' time before week one.",
        "published",
    ),
    (
        "gm",
        "data_sharing",
        "School attendance alerts shared with early help teams",
        "Schools' daily absence data reaches early help workers for families they already "
        "support, so they can act in the same week.",
        "Draft: figures from the first term are being checked.",
        1,
        "low",
        ["data"],
        ["childrens-services", "education-and-skills"],
        ["wigan", "bolton"],
        [],
        "Recognising the same family across early help services",
        "We set up a daily extract from the schools' management information system.",
        "Early results are promising but the numbers are small.",
        "Agree with schools who will act on an alert before sending any.",
        "draft",
    ),
    # --- West Midlands: procurement ------------------------------------------------------------
    (
        "wm",
        "playbook",
        "Playbook: leaving a software contract with your data intact",
        "Steps to take from two years before a contract ends so that a council can move its "
        "data to a new system without paying to get it back.",
        "Three councils used it for renewals and none paid an extraction fee.",
        2,
        "very_low",
        ["procurement"],
        ["corporate-it-finance-and-hr"],
        ["birmingham", "coventry", "dudley"],
        ["Suppliers charge us to get our own data out of their systems"],
        "Exit clauses every council can use",
        "We collected what went wrong in twelve recent exits and turned it into a timeline.",
        "The earliest warning sign was always a contract with no export format named.",
        "Ask for a full export as a test in year one of any contract.",
        "published",
    ),
    (
        "wm",
        "case_study",
        "Using model exit clauses in a housing system renewal",
        "Coventry added the centre's exit clauses to a housing management renewal; the "
        "supplier accepted them with small changes.",
        "Avoided an extraction charge quoted at £85,000 in the previous contract.",
        1,
        "low",
        ["procurement", "standards"],
        ["housing"],
        ["coventry"],
        ["Suppliers charge us to get our own data out of their systems"],
        "Exit clauses every council can use",
        "The procurement team put the clauses in the invitation to tender.",
        "Two of three bidders accepted them without change.",
        "Put the clauses in at tender stage, not at contract signature.",
        "published",
    ),
    (
        "wm",
        "evaluation",
        "What councils pay for the same products: early findings",
        "Eleven councils compared what they pay for six common products under a confidentiality "
        "agreement.",
        "The highest price paid was on average 2.4 times the lowest for the same product and "
        "scale.",
        2,
        "very_low",
        ["procurement"],
        ["corporate-it-finance-and-hr", "revenues-and-benefits"],
        ["sandwell", "walsall", "wolverhampton", "cannock-chase"],
        ["We cannot compare what other councils pay for the same product"],
        "What councils pay: a price comparison pilot",
        "Councils sent invoices and contract schedules; we normalised prices per user and year.",
        "Differences were largest for add-on modules, not core licences.",
        "Compare like with like: modules, users and support levels all change the price.",
        "published",
    ),
    (
        "wm",
        "what_works",
        "What works when councils negotiate upgrades together",
        "Lessons from four joint negotiations with suppliers over compulsory upgrades.",
        "Joint negotiations cut quoted upgrade costs by between 15% and 40%.",
        3,
        "low",
        ["procurement"],
        ["corporate-it-finance-and-hr"],
        ["birmingham", "solihull", "walsall", "lichfield"],
        ["Each council negotiates separately with the same supplier for the same upgrade"],
        "",
        "We compared four joint negotiations with matched single-council negotiations for the "
        "same upgrades.",
        "Joint negotiations got lower prices in all four cases and better timelines in three.",
        "Agree one negotiator and one set of red lines before meeting the supplier.",
        "published",
    ),
    (
        "wm",
        "case_study",
        "Revenues and benefits market review: what would bring new suppliers",
        "Findings of a market review with suppliers, councils and the ministry.",
        "Identified three barriers new suppliers cite most often.",
        0,
        "low",
        ["procurement"],
        ["revenues-and-benefits"],
        ["solihull", "bromsgrove", "east-staffordshire"],
        ["Only two or three suppliers sell revenues and benefits software"],
        "Revenues and benefits market review",
        "We interviewed nine suppliers, including four not in the market, and twelve councils.",
        "New suppliers named legislative change, data migration and long contracts as barriers.",
        "Publish your renewal dates; suppliers cannot plan for what they cannot see.",
        "published",
    ),
    (
        "wm",
        "data_sharing",
        "Sharing contract renewal dates across councils",
        "Councils publish software contract end dates in one shared register so others can "
        "join procurements.",
        "Two joint procurements started in the first six months.",
        1,
        "very_low",
        ["procurement", "data"],
        ["corporate-it-finance-and-hr"],
        ["birmingham", "dudley", "sandwell", "walsall"],
        ["Contract renewals are rushed because notice periods are spotted too late"],
        "",
        "We agreed a small set of fields and a shared spreadsheet, later moved to an open API.",
        "Seven councils keep their entries current; others update once a year.",
        "Name one person per council who owns the entries.",
        "published",
    ),
    (
        "wm",
        "what_works",
        "Buying small pieces of work from small suppliers",
        "How councils used existing rules to buy work under £100,000 quickly from small firms.",
        "Draft for review.",
        1,
        "very_low",
        ["procurement"],
        ["corporate-it-finance-and-hr"],
        ["coventry", "wolverhampton"],
        ["Procurement rules make it hard to buy small pieces of work from small suppliers"],
        "",
        "We collected examples from procurement teams.",
        "Most delays came from internal approvals, not the rules themselves.",
        "Agree a fast approval route for low-value, low-risk work.",
        "in_review",
    ),
    # --- West Yorkshire: skills ---------------------------------------------------------------
    (
        "wy",
        "case_study",
        "Recruiting one cohort of data engineering apprentices for five councils",
        "Five councils advertised together and recruited twelve apprentices who rotate between "
        "them.",
        "Twelve apprentices recruited from 340 applicants; the smallest council got two without "
        "running its own scheme.",
        1,
        "moderate",
        ["skills"],
        ["corporate-it-finance-and-hr"],
        ["bradford", "calderdale", "kirklees", "leeds", "wakefield"],
        [
            "We cannot recruit or keep data engineers on local government pay",
            "Small councils cannot afford to run digital apprenticeships",
        ],
        "Shared data engineering apprenticeships",
        "Leeds employed the apprentices and the other councils paid a share; training was "
        "bought once.",
        "Retention after the first year is eleven of twelve.",
        "Agree how rotations are chosen before the apprentices start.",
        "published",
    ),
    (
        "wy",
        "evaluation",
        "Do shared apprenticeships keep data skills in councils?",
        "A two-year follow-up of three cohorts of shared apprentices compared with single-"
        "council schemes.",
        "Shared-scheme apprentices were 1.6 times as likely to still work in local government "
        "after two years.",
        3,
        "moderate",
        ["skills"],
        ["corporate-it-finance-and-hr"],
        ["bradford", "leeds", "kirklees"],
        ["We cannot recruit or keep data engineers on local government pay"],
        "Shared data engineering apprenticeships",
        "We compared 30 shared-scheme apprentices with 41 from single-council schemes of the "
        "same years.",
        "The difference held after allowing for qualifications on entry.",
        "Peer support between councils seems to matter as much as pay.",
        "published",
    ),
    (
        "wy",
        "playbook",
        "Playbook: adding a product owner role to your job families",
        "Role profile, grading evidence and interview questions for a council product owner.",
        "Adopted by two councils; four more are consulting on it.",
        1,
        "very_low",
        ["skills", "leadership"],
        ["corporate-it-finance-and-hr"],
        ["leeds", "kirklees"],
        ["There is no product owner role in our job families"],
        "A product owner role profile for councils",
        "We worked with HR teams and job evaluation panels in two councils.",
        "The role was graded consistently in both councils.",
        "Bring a job evaluation panel in early; they will ask about accountability.",
        "published",
    ),
    (
        "wy",
        "what_works",
        "What works in building staff confidence with spreadsheets and data",
        "Short, job-specific sessions did better than general courses in four councils.",
        "Self-reported confidence rose in all groups; errors found in audited spreadsheets fell "
        "by a third where sessions were job-specific.",
        3,
        "low",
        ["skills", "data"],
        ["corporate-it-finance-and-hr", "customer-services"],
        ["calderdale", "wakefield", "bradford", "leeds"],
        ["Staff are not confident using spreadsheets and data tools safely"],
        "",
        "Four councils ran either general courses or short sessions built around real tasks.",
        "Job-specific sessions reduced spreadsheet errors; general courses did not.",
        "Use the team's own spreadsheets, with the data removed, as the teaching material.",
        "published",
    ),
    (
        "wy",
        "case_study",
        "Phishing simulations for councillors",
        "Kirklees ran phishing and fake voice call exercises for councillors alongside staff.",
        "Reporting of suspicious messages by councillors tripled in six months.",
        1,
        "very_low",
        ["skills"],
        ["corporate-it-finance-and-hr"],
        ["kirklees"],
        ["Staff and councillors are not prepared for phishing and fake voice calls"],
        "",
        "We ran three simulated campaigns with a short briefing after each.",
        "Clicks fell and reports rose after each round.",
        "Tell councillors in advance that exercises will happen; surprise breeds resentment.",
        "published",
    ),
    (
        "wy",
        "what_works",
        "What works in user research for small budgets",
        "Ways service managers ran useful research without a research team.",
        "Draft.",
        0,
        "very_low",
        ["skills"],
        ["customer-services"],
        ["calderdale"],
        ["Service managers do not know how to run user research on a tight budget"],
        "User research on a shoestring",
        "We gathered examples from service managers.",
        "Not yet analysed.",
        "To follow.",
        "draft",
    ),
    (
        "wy",
        "data_sharing",
        "Sharing workforce skills data between five councils",
        "Councils pooled anonymous data on digital vacancies and skills to plan training together.",
        "Found that four of five councils were recruiting for the same three roles at once.",
        1,
        "very_low",
        ["skills", "data"],
        ["corporate-it-finance-and-hr"],
        ["bradford", "calderdale", "kirklees", "leeds", "wakefield"],
        [],
        "",
        "HR teams sent a quarterly count of vacancies and skills gaps using common job families.",
        "The pooled view changed where two councils spent training budgets.",
        "Agree the job family mapping before the first return.",
        "published",
    ),
    # --- West of England: standards ------------------------------------------------------------
    (
        "woe",
        "data_sharing",
        "One open format for bin collection days",
        "Four councils publish collection days in the same open format, read by their "
        "websites, apps and voice assistants.",
        "Calls asking 'when is my bin day?' fell by 38% in the year after launch.",
        3,
        "low",
        ["standards", "data"],
        ["waste-and-recycling", "customer-services"],
        ["bristol-city-of", "south-gloucestershire", "bath-and-north-east-somerset"],
        ["Every council publishes its bin collection calendar in a different format"],
        "One bin collection data format",
        "We agreed a small schema with the councils' waste teams and their round-planning "
        "suppliers, then published it openly.",
        "Two suppliers now export the format from their products for any council.",
        "Start from what round-planning systems already hold.",
        "published",
    ),
    (
        "woe",
        "data_sharing",
        "Missed bin reports sent straight to crew devices",
        "Missed collection reports go to the crew's in-cab device within minutes instead of "
        "the next morning.",
        "Same-day returns for missed bins rose from 12% to 71%.",
        2,
        "moderate",
        ["data", "standards"],
        ["waste-and-recycling"],
        ["bristol-city-of", "south-gloucestershire"],
        ["Missed bin reports do not reach collection crews until the next day"],
        "One bin collection data format",
        "We linked the online reporting form to the in-cab system using the shared format.",
        "Crews return the same day when still nearby; complaints fell.",
        "Check crews' devices have signal on every round before launch.",
        "published",
    ),
    (
        "woe",
        "evaluation",
        "Evaluation of the shared bin collection format in four councils",
        "A before-and-after comparison of contact volumes in councils that adopted the format "
        "and in four that did not.",
        "Contacts about collection days fell by 31% more than in comparison councils.",
        4,
        "low",
        ["standards"],
        ["waste-and-recycling", "customer-services"],
        ["bristol-city-of", "south-gloucestershire", "bath-and-north-east-somerset", "exeter"],
        ["Every council publishes its bin collection calendar in a different format"],
        "One bin collection data format",
        "We compared monthly contact data for two years in eight councils.",
        "The effect appeared in every adopting council within three months.",
        "Adoption alone is not enough; councils that promoted the new tools saw larger falls.",
        "published",
    ),
    (
        "woe",
        "what_works",
        "What works in asking housing applicants for evidence once",
        "Early lessons from discovery on reusing applicants' evidence across housing services.",
        "Applicants in interviews sent the same documents on average four times.",
        0,
        "very_low",
        ["data"],
        ["housing"],
        ["bristol-city-of", "bath-and-north-east-somerset"],
        ["Housing applicants send the same evidence again and again"],
        "Tell us once for housing evidence",
        "We interviewed 24 applicants and 15 housing officers.",
        "Officers re-ask mostly because they cannot see what colleagues hold.",
        "Map where evidence is stored before designing anything new.",
        "published",
    ),
    (
        "woe",
        "case_study",
        "Why we stopped our address data clean-up",
        "A project to reconcile addresses across services stopped when licence terms changed. "
        "What we would do differently.",
        "Half the mismatches were fixed before the project stopped.",
        0,
        "low",
        ["data"],
        ["revenues-and-benefits", "planning-and-building-control"],
        ["south-gloucestershire", "cotswold"],
        ["Address data differs between council tax, waste and planning systems"],
        "Cleaning address data across services",
        "We matched records to the national address identifier service by service.",
        "A licence change meant we could not keep the matched data in one system.",
        "Check licence terms for every dataset before you start.",
        "published",
    ),
    (
        "woe",
        "playbook",
        "Playbook: agreeing a data format with suppliers",
        "How to get councils and their suppliers to agree and adopt a common data format.",
        "Used for two formats; both now supported by suppliers' products.",
        2,
        "very_low",
        ["standards", "procurement"],
        ["waste-and-recycling"],
        ["bristol-city-of", "bath-and-north-east-somerset"],
        [],
        "",
        "We wrote up how the bin format was agreed and used the steps again for a second format.",
        "The second format took half as long to agree.",
        "Invite suppliers from the first meeting, not once the format is drafted.",
        "published",
    ),
    (
        "woe",
        "data_sharing",
        "Sharing council tax discount checks with housing benefit",
        "Council tax and benefits teams check single person discounts against one shared list.",
        "In review.",
        2,
        "low",
        ["data"],
        ["revenues-and-benefits"],
        ["south-gloucestershire", "north-somerset"],
        [],
        "",
        "Both teams read the same list of households each month.",
        "Incorrect discounts found in 3% of checked households.",
        "Agree who corrects records when the two lists disagree.",
        "in_review",
    ),
    # --- North East: leadership and AI --------------------------------------------------------
    (
        "ne",
        "playbook",
        "Playbook: one AI use policy for a group of councils",
        "A shared policy, register of AI tools and approval route that seven councils adopted.",
        "Approval time for new AI pilots fell from months to three weeks.",
        1,
        "low",
        ["leadership"],
        ["corporate-it-finance-and-hr"],
        ["newcastle-upon-tyne", "gateshead", "sunderland", "county-durham"],
        ["AI pilots start in every directorate without shared rules"],
        "A shared AI use policy",
        "We drafted one policy with legal, data protection and digital leads from every council.",
        "Seven councils adopted it; each keeps its own register in the shared format.",
        "Keep the policy short and put detail in the approval checklist.",
        "published",
    ),
    (
        "ne",
        "case_study",
        "Running a regional ransomware exercise",
        "Three councils and a shared supplier rehearsed their response to a ransomware attack.",
        "Found eleven gaps in response plans, nine fixed within three months.",
        1,
        "low",
        ["leadership", "infrastructure"],
        ["corporate-it-finance-and-hr"],
        ["northumberland", "north-tyneside", "south-tyneside"],
        ["Cyber incident response plans are never tested with neighbouring councils"],
        "A regional cyber incident exercise",
        "A day-long exercise with injects every half hour, observed by the regional cyber team.",
        "Councils did not know who to call at each other's organisations out of hours.",
        "Swap out-of-hours contact lists before any incident.",
        "published",
    ),
    (
        "ne",
        "evaluation",
        "Evaluation of AI note-taking in adult social care assessments",
        "A controlled trial of AI note-taking in care assessments across four councils.",
        "Recording time fell by 35 minutes per assessment; quality scores were unchanged.",
        5,
        "moderate",
        ["leadership", "skills"],
        ["adult-social-care"],
        ["newcastle-upon-tyne", "gateshead", "sunderland", "county-durham"],
        ["Social workers spend hours each day on case recording screens"],
        "A shared AI use policy",
        "Social workers were randomly assigned to use the tool or not for three months in four "
        "councils, with blind quality checks of a sample of records.",
        "The time saving was similar in all four councils and across experience levels.",
        "Check records for accuracy for longer than three months before scaling up.",
        "published",
    ),
    (
        "ne",
        "what_works",
        "What works in reporting digital risk to leadership teams",
        "Leadership teams acted more often on short, regular reports than on annual reviews.",
        "Risks escalated to leadership were closed twice as fast with quarterly one-page reports.",
        2,
        "very_low",
        ["leadership"],
        ["corporate-it-finance-and-hr"],
        ["gateshead", "county-durham", "northumberland"],
        ["Senior leaders get no regular picture of digital risk"],
        "",
        "We compared how three councils reported digital risk and how fast risks were closed.",
        "Quarterly one-page reports with named owners did best.",
        "Show the trend, not just the current rating.",
        "published",
    ),
    (
        "ne",
        "case_study",
        "Bringing councillors into digital decisions early",
        "Sunderland briefed councillors on digital projects at the idea stage, not at approval.",
        "Fewer projects were sent back at approval stage in the following year.",
        0,
        "very_low",
        ["leadership"],
        ["corporate-it-finance-and-hr"],
        ["sunderland"],
        ["Councillors approve digital projects without a clear picture of what will change"],
        "",
        "We held short briefings with portfolio holders when projects were first proposed.",
        "Councillors asked better questions and approvals were quicker.",
        "Show what will change for residents, not the technology.",
        "published",
    ),
    (
        "ne",
        "data_sharing",
        "Sharing homeless placement notices between councils",
        "Councils tell each other when they place a homeless household in the other's area, "
        "through one shared notification.",
        "Notifications arrive the same day instead of weeks later or never.",
        2,
        "low",
        ["data", "leadership"],
        ["housing"],
        ["newcastle-upon-tyne", "gateshead", "north-tyneside", "south-tyneside"],
        ["We are not told when other councils place homeless households in our area"],
        "",
        "We agreed a short notification form and a shared mailbox, later an API.",
        "Receiving councils could offer support to families in their first week.",
        "Agree the legal basis with housing lawyers before the first notice.",
        "published",
    ),
    (
        "ne",
        "what_works",
        "What works in testing cyber plans with neighbours",
        "Draft guide drawn from the regional exercise and two others.",
        "Draft.",
        1,
        "very_low",
        ["infrastructure"],
        ["corporate-it-finance-and-hr"],
        ["northumberland"],
        ["Cyber incident response plans are never tested with neighbouring councils"],
        "A regional cyber incident exercise",
        "We compared three exercises.",
        "To follow.",
        "To follow.",
        "draft",
    ),
    # A few more across centres, to make the library feel full.
    (
        "gm",
        "what_works",
        "What works in telling residents how their data is shared",
        "Plain privacy notices tested with residents made people more, not less, willing to share.",
        "In a test with 600 residents, willingness to share rose from 58% to 71% with the plain "
        "notice.",
        4,
        "very_low",
        ["data"],
        ["customer-services", "adult-social-care"],
        ["manchester", "stockport", "tameside"],
        [],
        "",
        "We tested the usual notice against a plain version with residents in three councils, "
        "assigning versions at random.",
        "The plain notice did better in all three councils.",
        "Say what will not happen with the data as well as what will.",
        "published",
    ),
    (
        "woe",
        "case_study",
        "Designing one council tax direct debit form for three councils",
        "Three councils replaced their own direct debit forms with one shared design.",
        "Direct debit take-up among new accounts rose from 62% to 74%.",
        2,
        "very_low",
        ["standards"],
        ["revenues-and-benefits"],
        ["bristol-city-of", "bath-and-north-east-somerset", "south-gloucestershire"],
        ["Every council designs its own council tax direct debit sign-up"],
        "",
        "We designed and tested one form, then each council put it on its own website.",
        "Take-up rose in all three councils compared with the previous year.",
        "Ask for bank details last, after the resident has seen what they will pay.",
        "published",
    ),
    (
        "wm",
        "evaluation",
        "Evaluation of joint procurement of telephony",
        "Four councils bought cloud telephony together; we compared cost and time with solo "
        "procurements.",
        "Joint procurement cost each council about half as much in staff time and got a 22% "
        "lower price.",
        3,
        "moderate",
        ["procurement", "infrastructure"],
        ["customer-services"],
        ["birmingham", "dudley", "solihull", "bromsgrove"],
        ["Moving off end-of-life telephony with no shared playbook"],
        "",
        "We compared the joint procurement with six solo procurements of similar scope.",
        "The joint route was cheaper and only slightly slower.",
        "Agree requirements for the smallest council first; the larger ones can add.",
        "published",
    ),
    (
        "wy",
        "data_sharing",
        "Sharing free school meals eligibility checks with schools",
        "Councils check benefit data and tell schools which pupils are eligible, without "
        "families having to apply.",
        "Free school meals take-up rose by 9% in the first term; 1,400 more children got meals.",
        3,
        "low",
        ["data"],
        ["education-and-skills", "revenues-and-benefits"],
        ["leeds", "bradford", "wakefield"],
        ["Free school meals eligibility is checked by hand, so eligible children miss out"],
        "",
        "We matched housing benefit and council tax support records to pupil lists each month.",
        "Take-up rose in every participating council; schools also gained pupil premium.",
        "Write to families before the first automatic enrolment so nobody is surprised.",
        "published",
    ),
    (
        "ne",
        "playbook",
        "Playbook: merging councils' systems on a short timetable",
        "What to move first, what to leave, and how to keep services running when councils "
        "combine.",
        "Drawn from two recent reorganisations; both kept every statutory service running.",
        1,
        "moderate",
        ["infrastructure", "leadership"],
        ["corporate-it-finance-and-hr"],
        ["northumberland", "county-durham"],
        ["Councils being merged must combine dozens of systems in very little time"],
        "",
        "We interviewed the programme teams of two reorganisations.",
        "Both moved finance and payroll first and left case management until year two.",
        "Freeze new system purchases as soon as the merger is announced.",
        "published",
    ),
    (
        "woe",
        "what_works",
        "What works in naming services the same way on every council website",
        "Residents found services faster when councils used common names for them.",
        "In tests, residents found the right page 27% faster with common names.",
        3,
        "very_low",
        ["standards"],
        ["customer-services"],
        ["bristol-city-of", "exeter", "cheltenham"],
        ["The same service has different names on every council website"],
        "",
        "We tested finding tasks on three council websites before and after renaming pages.",
        "Search success rose on all three; calls about the renamed services fell slightly.",
        "Use the words residents type into search engines.",
        "published",
    ),
]


# learning title: (names of demo components, titles of demo standards) it is about.
LINKS = {
    "Sharing hospital discharge lists with ten councils under one agreement": (
        ["Hospital discharge data sharing agreement template"],
        [],
    ),
    "One open format for bin collection days": (
        ["Bin collection schedule data standard", "Bin collection day API"],
        ["Open data publishing"],
    ),
    "Missed bin reports sent straight to crew devices": (["Missed bin report connector"], []),
    "Designing one council tax direct debit form for three councils": (
        ["Council tax direct debit sign-up", "Accessible form builder"],
        ["Accessible online forms"],
    ),
    "Sharing free school meals eligibility checks with schools": (
        ["Free school meals eligibility checker"],
        [],
    ),
    "Sharing contract renewal dates across councils": (
        ["Contract register and renewals alerts"],
        [],
    ),
}


# project title: (names of demo components it produces, names of those it uses).
PROJECT_COMPONENTS = {
    "One bin collection data format": (
        ["Bin collection schedule data standard", "Bin collection day API"],
        ["Missed bin report connector"],
    ),
    "One discharge data agreement for ten councils and their hospitals": (
        ["Hospital discharge data sharing agreement template"],
        [],
    ),
    "Tell us once for housing evidence": ([], ["Accessible form builder"]),
}


def _link_project_components(people_by_centre: dict) -> int:
    """Link a few projects to the demo components that exist (published), by name; what is
    linked already is left alone, so running again changes nothing."""
    names = [n for produced, used in PROJECT_COMPONENTS.values() for n in [*produced, *used]]
    published = Component.objects.filter(status=ReviewStatus.PUBLISHED, name__in=names)
    components = {c.name: c for c in published}
    linked = 0
    for title, (produced, used) in PROJECT_COMPONENTS.items():
        project = Project.objects.filter(title=title).select_related("centre").first()
        actor = people_by_centre.get(project.centre_id) if project else None
        if actor is None:
            continue
        have_produced = list(project.components_produced.all())
        have_used = list(project.components_used.all())
        add_produced = [
            components[n]
            for n in produced
            if n in components and components[n] not in have_produced
        ]
        add_used = [
            components[n] for n in used if n in components and components[n] not in have_used
        ]
        if not add_produced and not add_used:
            continue
        services.project_update(
            actor=actor,
            project=project,
            title=project.title,
            summary=project.summary,
            status=project.status,
            phase=project.phase,
            partner_councils=list(project.partner_councils.all()),
            problems=list(project.problems.all()),
            start_date=project.start_date,
            end_date=project.end_date,
            components_produced=have_produced + add_produced,
            components_used=have_used + add_used,
        )
        linked += 1
    return linked


def _current(learning: Learning, **changes) -> dict:
    """Everything learning_update takes, as the item has it now, with `changes` applied."""
    return {
        "kind": learning.kind,
        "title": learning.title,
        "summary": learning.summary,
        "body": learning.body,
        "evidence_strength": learning.evidence_strength,
        "cost_band": learning.cost_band,
        "impact_summary": learning.impact_summary,
        "themes": learning.themes,
        "service_areas": list(learning.service_areas.all()),
        "councils": list(learning.councils.all()),
        "problems": list(learning.problems.all()),
        "components": list(learning.components.all()),
        "standards": list(learning.standards.all()),
        "project": learning.project,
        **changes,
    }


def _link_components_and_standards(people_by_centre: dict) -> int:
    """Link a few items to the demo components and standards that exist; what is linked
    already is left alone, so running again changes nothing."""
    component_names = [name for names, _ in LINKS.values() for name in names]
    standard_titles = [title for _, titles in LINKS.values() for title in titles]
    published = Component.objects.filter(status=ReviewStatus.PUBLISHED, name__in=component_names)
    components = {c.name: c for c in published}
    standards = {s.title: s for s in Standard.objects.filter(title__in=standard_titles)}
    linked = 0
    for title, (names, titles) in LINKS.items():
        learning = Learning.objects.filter(title=title).select_related("centre").first()
        actor = people_by_centre.get(learning.centre_id) if learning else None
        if actor is None:
            continue
        have_components = set(learning.components.values_list("pk", flat=True))
        have_standards = set(learning.standards.values_list("pk", flat=True))
        add_components = [
            components[n]
            for n in names
            if n in components and components[n].pk not in have_components
        ]
        add_standards = [
            standards[t] for t in titles if t in standards and standards[t].pk not in have_standards
        ]
        if not add_components and not add_standards:
            continue
        data = _current(learning)
        data["components"] += add_components
        data["standards"] += add_standards
        services.learning_update(actor=actor, learning=learning, **data)
        linked += 1
    return linked


def _person(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _body(what: str, happened: str, advice: str) -> str:
    return (
        f"## What we did\n\n{what}\n\n## What happened\n\n{happened}\n\n"
        f"## What we would tell another council\n\n{advice}\n"
    )


@transaction.atomic
def seed() -> dict:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        return {"centres": 0, "note": "run institute.demo first"}
    staff._state.fields_cache.pop("membership", None)
    centres = {}
    for key, (name, host_slug, regions, themes, focus, description) in CENTRES.items():
        centre = Centre.objects.filter(name=name).first()
        if centre is None:
            centre = services.centre_create(
                actor=staff,
                name=name,
                host=Organisation.objects.get(slug=host_slug),
                regions=regions,
                focus_themes=themes,
                focus=focus,
                description=description,
            )
        centres[key] = centre

    people = {}
    for email, full_name, key, job_title, lead in PEOPLE:
        user = _person(email, full_name)
        centre = centres[key]
        if not CentreStaff.objects.filter(user=user, centre=centre).exists():
            membership = Membership.objects.filter(user=user).first()
            if membership is None or membership.organisation_id == centre.host_id:
                services.centre_staff_assign(
                    actor=staff, centre=centre, user=user, job_title=job_title, lead=lead
                )
        user._state.fields_cache.pop("membership", None)
        people.setdefault(key, {})["lead" if lead else "staff"] = user
    for key in centres:
        people[key].setdefault("staff", people[key]["lead"])

    problems = {
        p.title: p
        for p in Problem.objects.exclude(status=ProblemStatus.MERGED).only(
            "pk", "title", "status", "merged_into_id"
        )
    }
    councils = {o.slug: o for o in Organisation.objects.councils()}

    projects = {}
    for key, title, summary, status, phase, partners, linked, start, end in PROJECTS:
        project = Project.objects.filter(title=title).first()
        if project is None:
            project = services.project_create(
                actor=people[key]["lead"],
                centre=centres[key],
                title=title,
                summary=summary,
                status=status,
                phase=phase,
                partner_councils=[councils[s] for s in partners if s in councils],
                problems=[problems[t] for t in linked if t in problems],
                start_date=start,
                end_date=end,
            )
        projects[title] = project

    areas = {a.slug: a for a in ServiceArea.objects.all()}
    created = 0
    now = timezone.now()
    for index, row in enumerate(LEARNING):
        (key, kind, title, summary, impact, evidence, cost, themes, area_slugs, council_slugs,
         linked, project_title, what, happened, advice, status) = row  # fmt: skip
        if Learning.objects.filter(title=title).exists():
            continue
        author, lead = people[key]["staff"], people[key]["lead"]
        learning = services.learning_create(
            actor=author,
            centre=centres[key],
            kind=kind,
            title=title,
            summary=summary,
            body=_body(what, happened, advice),
            evidence_strength=evidence,
            cost_band=cost,
            impact_summary=impact,
            themes=themes,
            service_areas=[areas[s] for s in area_slugs if s in areas],
            councils=[councils[s] for s in council_slugs if s in councils],
            problems=[problems[t] for t in linked if t in problems],
            project=projects.get(project_title),
        )
        created += 1
        if status in (LearningStatus.IN_REVIEW, LearningStatus.PUBLISHED):
            services.learning_submit(actor=author, learning=learning)
        if status == LearningStatus.PUBLISHED:
            services.learning_publish(actor=lead, learning=learning)
            # Spread publication over the past year, oldest first in the list order.
            when = now - timedelta(days=360 - index * 8)
            Learning.objects.filter(pk=learning.pk).update(
                created_at=when - timedelta(days=14),
                submitted_at=when - timedelta(days=3),
                published_at=when,
                updated_at=when,
            )

    # One published item edited after publication, so its history shows a previous version.
    revised = Learning.objects.filter(
        title="One open format for bin collection days", revisions__isnull=True
    ).first()
    if revised is not None and created:
        services.learning_update(
            actor=people["woe"]["lead"],
            learning=revised,
            kind=revised.kind,
            title=revised.title,
            summary=revised.summary,
            body=revised.body
            + "\n## Update\n\nA fifth council, North Somerset, adopted the format in 2026.\n",
            evidence_strength=revised.evidence_strength,
            cost_band=revised.cost_band,
            impact_summary=revised.impact_summary,
            themes=revised.themes,
            service_areas=list(revised.service_areas.all()),
            councils=list(revised.councils.all()),
            problems=list(revised.problems.all()),
            components=list(revised.components.all()),
            standards=list(revised.standards.all()),
            project=revised.project,
        )
    leads = {centre.pk: people[key]["lead"] for key, centre in centres.items()}
    linked = _link_components_and_standards(leads)
    projects_linked = _link_project_components(leads)
    return {
        "centres": len(centres),
        "projects": Project.objects.count(),
        "learning": Learning.objects.count(),
        "new_learning": created,
        "newly_linked_to_components_or_standards": linked,
        "projects_newly_linked_to_components": projects_linked,
    }
