"""Loads a demo account with a few months of a realistic job search.

The demo user gets companies, applications in every status, contacts in every role and
interactions including rejections; the rules engine turns those into follow-ups. Safe
to run twice: an account that already has demo data is left as it is (use --reset to
start it over).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.accounts import enable_admin_editing
from crm.models import Company, JobApplication, Profile

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "follow-up-demo"

COMPANIES = [
    ("Northwind Analytics", "https://northwind.example"),
    ("Brightpath Health", "https://brightpath.example"),
    ("Lumen Robotics", "https://lumen.example"),
    ("Cobalt Bank", "https://cobalt.example"),
    ("Fjord Games", "https://fjord.example"),
    ("Greenleaf Energy", "https://greenleaf.example"),
    ("Atlas Logistics", "https://atlas.example"),
]

# (company, title, status, days since applying)
APPLICATIONS = [
    ("Northwind Analytics", "Senior Data Engineer", "rejected", 70),
    ("Brightpath Health", "Backend Developer", "rejected", 40),
    ("Lumen Robotics", "Platform Engineer", "interviewing", 21),
    ("Cobalt Bank", "Python Developer", "applied", 16),
    ("Fjord Games", "Tools Programmer", "offer", 50),
    ("Greenleaf Energy", "Software Engineer", "withdrawn", 60),
    ("Atlas Logistics", "Engineering Manager", "wishlist", None),
    ("Northwind Analytics", "Staff Engineer", "accepted", 100),
    ("Cobalt Bank", "Site Reliability Engineer", "applied", 3),
]

# (first, last, role, company, title, email, linkedin)
CONTACTS = [
    (
        "Maya",
        "Okafor",
        "recruiter",
        "Northwind Analytics",
        "Talent Partner",
        "maya.okafor@northwind.example",
        "https://www.linkedin.com/in/maya-okafor",
    ),
    (
        "Tom",
        "Lindqvist",
        "hiring_manager",
        "Brightpath Health",
        "Engineering Lead",
        "tom.lindqvist@brightpath.example",
        "",
    ),
    (
        "Priya",
        "Raman",
        "interviewer",
        "Lumen Robotics",
        "Senior Engineer",
        "priya.raman@lumen.example",
        "https://www.linkedin.com/in/priya-raman",
    ),
    (
        "Jonas",
        "Weber",
        "referral",
        "Fjord Games",
        "Lead Tools Engineer",
        "jonas@fjord.example",
        "https://www.linkedin.com/in/jonas-weber",
    ),
    (
        "Alex",
        "Moreno",
        "peer",
        "Greenleaf Energy",
        "Developer",
        "",
        "https://www.linkedin.com/in/alex-moreno",
    ),
    ("Sam", "Taylor", "other", "Cobalt Bank", "HR Coordinator", "sam.taylor@cobalt.example", ""),
    ("Lena", "Fischer", "recruiter", "Cobalt Bank", "Recruiter", "lena.fischer@cobalt.example", ""),
]


class Command(BaseCommand):
    help = "Create the demo user with a few months of realistic job-search data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo user's data first."
        )

    def handle(self, *args, reset: bool = False, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@example.com", "first_name": "Robin", "last_name": "Demo"},
        )
        if created or reset:
            user.set_password(DEMO_PASSWORD)
            user.save()
        enable_admin_editing(user)
        profile = Profile.for_user(user)
        if not profile.signature:
            profile.signature = "Robin Demo\nrobin.demo@example.com"
            profile.save(update_fields=["signature"])

        if reset:
            # Follow-ups first: those without a contact would outlive the contacts.
            apps.get_model("followups", "FollowUp").objects.filter(owner=user).delete()
            Company.objects.filter(owner=user).delete()
            Contact.objects.filter(owner=user).delete()
            Interaction.objects.filter(owner=user).delete()
        if Company.objects.filter(owner=user).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            now = timezone.now()
            with transaction.atomic():
                self._load(user, now)
                # The demo's history is overdue on the dashboard, but it is no news: the
                # worker starting next to it must not mail every one of them at once.
                apps.get_model("followups", "FollowUp").objects.filter(
                    owner=user, status="pending", due_at__lte=now, notified_at__isnull=True
                ).update(notified_at=now)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Log in as  username: {DEMO_USERNAME}  password: {DEMO_PASSWORD}")

    def _load(self, user: User, now: datetime) -> None:
        companies = {
            name: Company.objects.create(owner=user, name=name, website=site)
            for name, site in COMPANIES
        }
        today = now.date()
        jobs: dict[str, JobApplication] = {}
        for company, title, status, days in APPLICATIONS:
            applied_on: date | None = today - timedelta(days=days) if days is not None else None
            jobs[title] = JobApplication.objects.create(
                owner=user,
                company=companies[company],
                title=title,
                status=status,
                applied_on=applied_on,
                posting_url=f"{companies[company].website}/jobs/{title.lower().replace(' ', '-')}",
            )
        people: dict[str, Contact] = {}
        for first, last, role, company, title, email, linkedin in CONTACTS:
            people[first] = Contact.objects.create(
                owner=user,
                first_name=first,
                last_name=last,
                role=role,
                company=companies[company],
                title=title,
                email=email,
                linkedin_url=linkedin,
            )
        people["Maya"].applications.add(jobs["Senior Data Engineer"], jobs["Staff Engineer"])
        people["Tom"].applications.add(jobs["Backend Developer"])
        people["Priya"].applications.add(jobs["Platform Engineer"])
        people["Jonas"].applications.add(jobs["Tools Programmer"])
        people["Alex"].applications.add(jobs["Software Engineer"])
        people["Sam"].applications.add(jobs["Python Developer"])
        people["Lena"].applications.add(jobs["Site Reliability Engineer"])

        def log(who, app, direction, kind, days_ago, subject, body="", **extra):
            Interaction.objects.create(
                owner=user,
                contact=people[who],
                application=jobs[app] if app else None,
                direction=direction,
                channel=extra.pop("channel", "email"),
                kind=kind,
                occurred_at=now - timedelta(days=days_ago, hours=extra.pop("hours", 0)),
                subject=subject,
                body=body,
                **extra,
            )

        # Northwind: rejected two months ago, replied, asked for feedback and got it.
        log(
            "Maya",
            "Senior Data Engineer",
            "outbound",
            "other",
            66,
            "Application: Senior Data Engineer",
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "inbound",
            "interview",
            58,
            "Interview with the data team",
            channel="video",
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "outbound",
            "thank_you",
            57,
            "Thank you for the interview",
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "inbound",
            "rejection",
            50,
            "Your application for Senior Data Engineer",
            "Hi Robin,\n\nThank you for interviewing with us. We have decided to move forward with "
            "another candidate whose experience is closer to our current needs.\n\nBest,\nMaya",
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "outbound",
            "reply",
            49,
            "Re: Your application",
            "Hi Maya, thank you for letting me know. Could you share any feedback?",
            requests_feedback=True,
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "inbound",
            "feedback",
            44,
            "Feedback",
            "The panel wanted more hands-on experience with streaming pipelines, and some answers "
            "could have been more concise.",
        )
        # Brightpath: rejected yesterday, the reply is due.
        log(
            "Tom",
            "Backend Developer",
            "inbound",
            "interview",
            12,
            "Technical interview",
            channel="video",
        )
        log(
            "Tom",
            "Backend Developer",
            "inbound",
            "rejection",
            1,
            "Backend Developer position",
            "Dear Robin,\n\nAfter careful consideration we will not be moving forward with your "
            "application.\n\nKind regards,\nTom",
            hours=3,
        )
        # Lumen: interviewing; an interview two days ago (thank-you overdue).
        log(
            "Priya",
            "Platform Engineer",
            "inbound",
            "interview",
            2,
            "Platform Engineer interview",
            channel="video",
        )
        # Fjord: the referral led to an offer.
        log(
            "Jonas",
            "Tools Programmer",
            "outbound",
            "connect",
            80,
            "",
            "Great to meet you at the meetup!",
            channel="linkedin",
        )
        log("Jonas", "Tools Programmer", "inbound", "offer", 5, "Offer: Tools Programmer")
        # Greenleaf: withdrew; a peer to keep in touch with.
        log(
            "Alex",
            "Software Engineer",
            "outbound",
            "check_in",
            95,
            "Catching up",
            channel="linkedin",
        )
        log("Alex", None, "inbound", "reply", 94, "Re: Catching up", channel="linkedin")
        # Cobalt: applied two weeks ago, no answer yet; asked for feedback a week ago.
        log(
            "Lena",
            "Site Reliability Engineer",
            "outbound",
            "feedback_request",
            8,
            "Feedback on my earlier application",
            "Hi Lena, could you share any feedback on my earlier application?",
            requests_feedback=True,
        )
        # Sam asked not to be contacted again: nothing is ever scheduled for them.
        people["Sam"].do_not_contact = True
        people["Sam"].save()
        self._act_on_followups(user, people, log, now)

    def _act_on_followups(self, user: User, people, log, now: datetime) -> None:
        """What Robin did with the follow-ups, so the demo shows every state.

        Sending is logged as interactions (the rules complete what they answer); the
        rest goes through the follow-up's own methods, looked up by app label because
        crm does not import followups.
        """
        # Maya: connected on LinkedIn and thanked her for the feedback (done; the thank-you
        # also counts as a check-in, so the next check-in is scheduled).
        log(
            "Maya",
            None,
            "outbound",
            "connect",
            47,
            "",
            "Thanks again for your time, Maya. Glad to stay in touch here.",
            channel="linkedin",
        )
        log(
            "Maya",
            "Senior Data Engineer",
            "outbound",
            "thank_you",
            43,
            "Thank you for the feedback",
            "Hi Maya, thank you for the detailed feedback; it is exactly what I needed.",
        )
        FollowUp = apps.get_model("followups", "FollowUp")
        pending = FollowUp.objects.filter(owner=user, status=FollowUp.Status.PENDING)
        # Tom's interview was almost two weeks ago: too late for a thank-you (dismissed).
        for stale in pending.filter(contact=people["Tom"], kind=FollowUp.Kind.THANK_YOU):
            stale.dismiss()
        # Lena's nudge is snoozed to Monday-ish: still pending, reminder moved.
        for nudge in pending.filter(contact=people["Lena"], kind=FollowUp.Kind.FEEDBACK_NUDGE):
            nudge.snooze(now + timedelta(days=2))
