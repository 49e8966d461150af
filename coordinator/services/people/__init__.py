"""People: accounts and sessions, the roster, the organisation (communities, teams,
venues) and each volunteer's own availability."""
