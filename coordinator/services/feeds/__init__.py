"""Calendar feeds: private tokens, what a feed shows to whom, its validator and its
iCalendar rendering."""
