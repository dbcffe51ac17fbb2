"""Signals the contacts app sends for work that belongs to the apps above it.

contacts never imports followups (imports point down); a bulk import that bypasses
Interaction.save() says what it wrote here, and followups/signals.py applies the rules.
"""

from django.dispatch import Signal

# Sent with `interactions`: the latest inbound and the latest outbound message of each
# contact a bulk import wrote (the rules read no more than those).
interactions_imported = Signal()
