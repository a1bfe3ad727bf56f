"""The accessibility statement in the GDS model form (the sample statement on GOV.UK for public sector bodies).

The Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 require a
statement with the compliance status, what is not accessible and why, how to report a problem and the enforcement
procedure. The text is plain data (heading, paragraphs, bullet points) so the page, tests and any export share it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SERVICE_NAME = "SEND IAG Review Tracker"
STANDARD = "Web Content Accessibility Guidelines (WCAG) version 2.2 AA standard"
PREPARED = date(2026, 11, 30)
LAST_REVIEWED = date(2026, 11, 30)
EHRC_URL = "https://www.equalityhumanrights.com/"
EASS_URL = "https://www.equalityadvisoryservice.com/"
REGULATIONS = ("the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations "
               "2018")


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs after the bullet points


# What is not fully accessible and why: each names the WCAG 2.2 success criterion it fails.
NON_COMPLIANCES = [
    "The interactive charts (plotly) show exact figures only when you hover over them with a mouse. Each chart "
    "has a one-sentence summary and its data as a table in a \"Chart data\" section beneath it, which screen "
    "readers and keyboards can reach; the chart itself is an image to assistive technology. This fails WCAG 2.2 "
    "success criterion 1.1.1 (non-text content) for the chart drawing alone.",
    "The editable task table on the Tasks page is drawn on a canvas: screen readers announce its cells only in "
    "part. Every task can be edited instead through the \"Edit a task in full\" form on the same page, which uses "
    "ordinary labelled fields. This fails success criterion 4.1.2 (name, role, value) for the table grid.",
    "Some data tables are wider than a phone screen at 320 CSS pixels and scroll sideways inside themselves "
    "(allowed by success criterion 1.4.10, reflow, for data tables); the page itself does not scroll sideways.",
    "The submission pack is a Word document generated from live data. It has heading styles, repeated table "
    "header rows, alternative text on charts, a title and its language set, but tables of figures still need "
    "reading cell by cell. Ask us for the pack in another format if you need it.",
]

IMPROVEMENTS = [
    "every page, for every role, is scanned with axe-core in a real browser on each change to the code "
    "(WCAG 2.0, 2.1 and 2.2, levels A and AA); a scan that finds a problem stops the release",
    "keyboard-only journeys (sign in, change a task's status, record a KPI value, download the highlight report) "
    "and a 320 pixel wide screen are tested the same way",
]


def statement(contact: str) -> list[Section]:
    """The statement's sections in the GDS model order; `contact` is who to write to (a setting)."""
    return [
        Section(
            f"Accessibility statement for the {SERVICE_NAME}",
            [f"This accessibility statement applies to the {SERVICE_NAME}, the tool the council uses to run its "
             "review of SEND information, advice and guidance: tasks, the plan, the RAID log, contracts, "
             "decisions, parent engagement, phone-line costs and the submission pack.",
             "This service is run by the council. We want as many people as possible to be able to use it. For "
             "example, that means you should be able to:"],
            ["change colours, contrast levels and fonts using browser or device settings",
             "zoom in up to 400% without the text spilling off the screen",
             "navigate most of the service using just a keyboard or speech recognition software",
             "listen to most of the service using a screen reader (including the most recent versions of JAWS, "
             "NVDA and VoiceOver)",
             "read a summary and a table of the data of every chart"],
            ["We've also made the text as simple as possible to understand. AbilityNet has advice on making your "
             "device easier to use if you have a disability."]),
        Section("How accessible this service is",
                ["We know some parts of this service are not fully accessible:"],
                ["interactive charts show exact figures on hover only; use the \"Chart data\" table beneath each",
                 "the editable task table is hard to use with a screen reader; use \"Edit a task in full\"",
                 "some wide data tables scroll sideways inside themselves on small screens"]),
        Section("Feedback and contact information",
                [f"If you need information on this service in a different format, such as accessible PDF, large "
                 f"print, easy read, audio recording or braille, contact {contact}.",
                 "We'll consider your request and get back to you in 5 working days."]),
        Section("Reporting accessibility problems with this service",
                ["We're always looking to improve the accessibility of this service. If you find any problems not "
                 "listed on this page or think we're not meeting accessibility requirements, contact "
                 f"{contact}. Tell us the page, what you were trying to do and what went wrong."]),
        Section("Enforcement procedure",
                ["The Equality and Human Rights Commission (EHRC) is responsible for enforcing "
                 f"{REGULATIONS} (the 'accessibility regulations').",
                 "If you're not happy with how we respond to your complaint, contact the Equality Advisory and "
                 f"Support Service (EASS): {EASS_URL}. The EHRC's website is {EHRC_URL}."]),
        Section("Technical information about this service's accessibility",
                ["The council is committed to making its websites and services accessible, in accordance with "
                 f"{REGULATIONS}."]),
        Section("Compliance status",
                [f"This service is partially compliant with the {STANDARD}, due to the non-compliances listed "
                 "below."]),
        Section("Non-accessible content",
                ["The content listed below is non-accessible for the following reasons."],
                NON_COMPLIANCES,
                ["Disproportionate burden: we are not claiming that fixing any of these would be a "
                 "disproportionate burden. Content that's not within the scope of the accessibility regulations: "
                 "none."]),
        Section("What we're doing to improve accessibility",
                ["We test the service on every change:"], IMPROVEMENTS),
        Section("Preparation of this accessibility statement",
                [f"This statement was prepared on {PREPARED:%d %B %Y}. It was last reviewed on "
                 f"{LAST_REVIEWED:%d %B %Y}.",
                 "This service was last tested on the same date against the WCAG 2.2 AA standard, by the "
                 "project's developers: automated axe-core scans of every page for every role (including open "
                 "tabs and sections, a form showing field errors and confirmation prompts), keyboard-only "
                 "journeys, and pages at 320 CSS pixels wide and at 200% zoom."]),
    ]
