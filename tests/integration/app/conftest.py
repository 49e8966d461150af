"""The app as a whole (auth, the access matrix, forms, the interface, setup, the demo
seed, the bench smoke test). Its world is the ``org`` fixture of ``tests/conftest.py``
(two communities, their coordinators, a leader, an admin, two volunteers), kept there
because the feed, message and people tests use it too."""
