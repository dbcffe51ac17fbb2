"""Serves the Model Context Protocol over stdio for one user, for an AI assistant.

`python manage.py mcp --user alice`: an MCP client (Claude Desktop, an IDE, the SDK's
own client) starts this as a subprocess and talks JSON-RPC over stdin/stdout. stdout
carries only the protocol; logs go to stderr.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from followups.api.mcp_server import build_server


class Command(BaseCommand):
    help = "Serve the MCP tools (whats_due, log_interaction, …) over stdio for --user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Username the tools act for.")

    def handle(self, *args, user: str, **options) -> None:
        owner = get_user_model().objects.filter(username=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user named {user!r}.")
        build_server(owner).run("stdio")
