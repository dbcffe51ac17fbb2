"""Companies as the list pages look them up: the search-as-you-type suggestions of the
company filter (a handful of names per keystroke, never the whole list)."""
