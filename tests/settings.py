"""Settings for the test suite only: the project's settings with a fast password hasher.

Each test user gets a password; Django's PBKDF2 costs ~1.6 s a user on this machine, MD5 a few
microseconds. Production never loads this module (tests/security/test_settings_deploy.py
checks that the project's settings keep the strong hashers).
"""

import os

# The project's settings default to DEBUG off; the suite runs the embedded default, as `make`
# does (plain http, the development key, static files from the apps).
os.environ.setdefault("DEBUG", "True")

from slrt.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
