"""The built-in reply templates: two or three variants for every follow-up kind.

Every text here is our own wording. The advice behind them comes from the reference
article (thank them, ask for feedback, say you are still interested, keep it short and
positive); its sentences do not. Emails stay under 150 words, the LinkedIn notes under
300 characters, and `tests/test_drafts_library.py` holds them to that with the checker.

Where built-ins live: here, in code, so they are reviewed and tested like code. They are
mirrored to `ReplyTemplate` rows with `owner=None` after every `migrate`
(`sync_builtin_templates`), so the admin and exports see the same texts. Drafts are
rendered from this module directly, so a stale mirror can never change a draft; a
user's own override (a `ReplyTemplate` row they own) always wins.

Placeholders are the bracketed labels a person writes by hand (`[First Name]`,
`[Company Name]`, `[Signature]` …); `followups.drafts` fills the ones it knows. A few
variants keep a deliberately personal placeholder, such as
`[something you enjoyed in the interview]`, that only the user can fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from followups.models import FollowUp, ReplyTemplate

# Thank-you follow-ups come from two rules: R7 (after an interview) and R4 (after they
# sent feedback). One kind, two occasions; a variant names the occasion it is written for.
OCCASION_INTERVIEW = "interview"
OCCASION_FEEDBACK = "feedback"


@dataclass(frozen=True)
class BuiltinTemplate:
    kind: str
    variant: str
    name: str
    subject: str
    body: str
    channel: str = "email"
    occasion: str = ""


def _t(kind: str, variant: str, name: str, subject: str, body: str, **extra) -> BuiltinTemplate:
    return BuiltinTemplate(kind, variant, name, subject, body.strip(), **extra)


BUILTIN_TEMPLATES: tuple[BuiltinTemplate, ...] = (
    # Reply to a rejection (R1): thanks, a feedback request and renewed interest.
    _t(
        FollowUp.Kind.REPLY,
        "warm",
        "Warm and brief",
        "Thank you, [First Name]",
        """
Hi [First Name],

Thank you for letting me know about your decision on the [Job Title] role, and for the
time you and the team spent with me. I enjoyed learning how [Company Name] works, even if
the news is not what I hoped for.

If you have a few minutes, I would value any feedback on my application or interviews; it
would help me prepare better next time.

[Company Name] is still a place I would like to work, and I would be glad to hear about
future openings that fit my background.

Best wishes,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.REPLY,
        "growth",
        "Focused on feedback",
        "Thanks for the update on the [Job Title] role",
        """
Dear [First Name],

Thanks for getting back to me, and for a friendly and well-run process. Although I am
disappointed, I understand you had a difficult choice to make.

I am working on becoming a stronger candidate, so any pointers would mean a lot: what
stood out, and where could I have done better? Even a line or two is welcome.

[Company Name] remains high on my list, and I hope you will think of me when a similar
position opens up.

Kind regards,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.REPLY,
        "personal",
        "With a personal touch",
        "Thank you for considering me",
        """
Hi [First Name],

Many thanks for considering me for the [Job Title] position. Our conversation about
[something you enjoyed in the interview] stayed with me, and I appreciated how open the
team was with me.

Would you be willing to share any feedback on where I could improve? I would be grateful
for it.

I hope we stay in touch, and I remain keen on future roles at [Company Name].

All the best,
[Signature]
""",
    ),
    # One polite nudge for feedback (R3): at most one per request.
    _t(
        FollowUp.Kind.FEEDBACK_NUDGE,
        "gentle",
        "Gentle reminder",
        "Following up on my feedback request",
        """
Hi [First Name],

I hope your week is going well. A little while ago I asked whether you could share some
feedback on my application for the [Job Title] role. I know your time is limited, so even
a sentence or two would help me a lot as I prepare for my next interviews.

Thank you for considering it, and no worries if it is not possible.

Best wishes,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.FEEDBACK_NUDGE,
        "short",
        "Short and light",
        "A quick follow-up",
        """
Dear [First Name],

Just a gentle follow-up on my earlier note about the [Job Title] position. If you have any
insights on how I could strengthen my application, I would be very grateful to hear them.

Thanks again for your time,
[Signature]
""",
    ),
    # Thank-you notes: after an interview (R7) and after receiving feedback (R4).
    _t(
        FollowUp.Kind.THANK_YOU,
        "interview",
        "After an interview",
        "Thank you for today",
        """
Hi [First Name],

Thank you for taking the time to talk with me about the [Job Title] role. I enjoyed hearing
about the team's plans at [Company Name], and our conversation made me even more excited
about the position.

Please let me know if there is anything else I can share to help with your decision.

Best regards,
[Signature]
""",
        occasion=OCCASION_INTERVIEW,
    ),
    _t(
        FollowUp.Kind.THANK_YOU,
        "interview-detail",
        "After an interview, with a detail",
        "Thanks for the conversation",
        """
Dear [First Name],

Many thanks for meeting me about the [Job Title] opening. I especially liked discussing
[a topic from the interview], and I came away keen to contribute to [Company Name].

I look forward to hearing about the next steps.

Kind regards,
[Signature]
""",
        occasion=OCCASION_INTERVIEW,
    ),
    _t(
        FollowUp.Kind.THANK_YOU,
        "feedback",
        "After feedback",
        "Thank you for the feedback",
        """
Hi [First Name],

Thank you for taking the time to share your feedback; I know you did not have to. It gives
me clear things to work on, and I am already putting it to use.

I appreciate your help and hope our paths cross again.

Best wishes,
[Signature]
""",
        occasion=OCCASION_FEEDBACK,
    ),
    _t(
        FollowUp.Kind.THANK_YOU,
        "feedback-team",
        "After feedback, to the team",
        "Thanks for your thoughts",
        """
Dear [First Name],

I really appreciate you sharing your thoughts on my application for the [Job Title] role.
Your comments were honest and useful, and I will keep them in mind as I prepare for my
next interviews.

Thanks again, and all the best to you and the team at [Company Name].

Kind regards,
[Signature]
""",
        occasion=OCCASION_FEEDBACK,
    ),
    # Periodic check-in (R6).
    _t(
        FollowUp.Kind.CHECK_IN,
        "hello",
        "A friendly hello",
        "Checking in",
        """
Dear [First Name],

I hope you are keeping well. I have been following the news from [Company Name] with
interest and wanted to check in briefly.

I am still keen to work with your team one day, and I would be glad to catch up if you
ever have a few minutes.

All the best,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.CHECK_IN,
        "update",
        "With an update from you",
        "A short update",
        """
Hi [First Name],

It has been a few months since we last spoke, and I wanted to say hello. I hope things are
going well for you and the team at [Company Name].

Since then I have been [what you have been working on], and I would be happy to tell you
more if it is useful. I remain interested in opportunities at [Company Name], so please
keep me in mind if something suitable comes up.

Best wishes,
[Signature]
""",
    ),
    # LinkedIn connection note (R5): LinkedIn caps notes at 300 characters.
    _t(
        FollowUp.Kind.CONNECT,
        "stay-connected",
        "Stay connected",
        "",
        """
Hi [First Name], thank you for your time during the [Job Title] process. I enjoyed our
conversations and would be glad to stay connected here and follow what [Company Name] is
building.
""",
        channel="linkedin",
    ),
    _t(
        FollowUp.Kind.CONNECT,
        "future",
        "Open to future roles",
        "",
        """
Hi [First Name], it was a pleasure meeting you while I interviewed at [Company Name].
Let's keep in touch; I'd like to hear about future openings. Thanks again for your time!
""",
        channel="linkedin",
    ),
    # Chasing a silent application (R8).
    _t(
        FollowUp.Kind.APPLICATION_CHECK,
        "status",
        "Ask for news",
        "My application for the [Job Title] role",
        """
Hi [First Name],

A couple of weeks ago I applied to [Company Name] for the [Job Title] role, and I wanted
to check whether there is any news. I am still very interested in the role and happy to
send anything else that would help.

Thank you for your time,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.APPLICATION_CHECK,
        "enthusiastic",
        "Restate your fit",
        "Checking on my [Job Title] application",
        """
Dear [First Name],

I hope all is well. I am following up on my application for the [Job Title] role. The
position remains a great match for my interests, and I would welcome the chance to talk
about it.

Thanks for considering my application,
[Signature]
""",
    ),
    # Goal reminder: a note to yourself, so no greeting and no signature.
    _t(
        FollowUp.Kind.GOAL,
        "review",
        "Review and plan",
        "Goal check: time to review your progress",
        """
Your goal's deadline is here. Take a few minutes to look at what you set out to do, note
what went well, and choose one next step for the coming week.
""",
    ),
    _t(
        FollowUp.Kind.GOAL,
        "small-steps",
        "Small steps",
        "Your goal is due today",
        """
Today is the deadline you set for this goal. Whether you finished it or not, write down
what you learned and pick the next small step that moves your job search forward.
""",
    ),
    # Anything else the user schedules by hand.
    _t(
        FollowUp.Kind.CUSTOM,
        "follow-up",
        "Plain follow-up",
        "Following up",
        """
Hi [First Name],

I hope things are good on your side. I am writing to pick up our last conversation and
see whether there is anything I can help with.

Thanks, and best wishes,
[Signature]
""",
    ),
    _t(
        FollowUp.Kind.CUSTOM,
        "keep-in-touch",
        "Keep in touch",
        "Staying in touch",
        """
Dear [First Name],

A short note to keep in touch and to thank you again for your help. I would be glad to
hear how things are going at [Company Name].

Kind regards,
[Signature]
""",
    ),
)


def _unwrap(body: str) -> str:
    """Joins the hard-wrapped lines of a paragraph; blank lines and sign-offs stay."""
    paragraphs = body.split("\n\n")
    joined = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        # A sign-off ("Best wishes,\n[Signature]") keeps its line break.
        if len(lines) == 2 and lines[0].endswith(","):
            joined.append(paragraph)
        else:
            joined.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(joined)


# The source above is wrapped to fit the line length; drafts want one line per paragraph.
BUILTIN_TEMPLATES = tuple(
    BuiltinTemplate(t.kind, t.variant, t.name, t.subject, _unwrap(t.body), t.channel, t.occasion)
    for t in BUILTIN_TEMPLATES
)


def variants_for(kind: str) -> list[BuiltinTemplate]:
    """The built-in variants of `kind`, the default first."""
    return [t for t in BUILTIN_TEMPLATES if t.kind == kind]


def builtin(kind: str, variant: str | None = None, *, occasion: str = "") -> BuiltinTemplate:
    """One built-in: the named variant, else the first for the occasion, else the first."""
    variants = variants_for(kind) or variants_for(FollowUp.Kind.CUSTOM)
    if variant:
        for template in variants:
            if template.variant == variant:
                return template
    if occasion:
        for template in variants:
            if template.occasion == occasion:
                return template
    return variants[0]


def sync_builtin_templates(using: str = "default", **_signal_kwargs) -> int:
    """Mirrors the built-ins to `ReplyTemplate` rows (owner null); returns rows changed.

    Idempotent: runs after every `migrate` (post_migrate), updates texts that changed
    and removes built-in rows whose variant no longer exists. Users' rows are untouched.
    """
    rows = ReplyTemplate.objects.using(using)
    changed = 0
    wanted = set()
    for template in BUILTIN_TEMPLATES:
        wanted.add((template.kind, template.variant))
        fields = {
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
            "channel": template.channel,
        }
        row = rows.filter(owner=None, kind=template.kind, variant=template.variant).first()
        if row is None:
            rows.create(owner=None, kind=template.kind, variant=template.variant, **fields)
            changed += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            rows.filter(pk=row.pk).update(**fields)
            changed += 1
    for row in rows.filter(owner=None):
        if (row.kind, row.variant) not in wanted:
            row.delete()
            changed += 1
    return changed
