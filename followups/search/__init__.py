"""Search from the navigation bar: one box across the user's applications, contacts,
companies and interactions."""
