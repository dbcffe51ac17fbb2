"""Template tags of the followups app."""
