"""Settings for the test suite only: the project's settings with a fast password hasher.

Each test user gets a password; Django's PBKDF2 costs ~1.6 s a user on this machine, MD5 a few
microseconds. Production never loads this module (tests/security/test_settings_deploy.py
checks that the project's settings keep the strong hashers).
"""

from slrt.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
