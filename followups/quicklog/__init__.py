"""Quick logging: paste an email (or type what happened) and log it as an interaction, so
the rules schedule what follows. `parse_email` reads a pasted email's sender, company,
job title, date and kind."""

from followups.quicklog.emailparse import ParsedEmail, parse_email

__all__ = ["ParsedEmail", "parse_email"]
