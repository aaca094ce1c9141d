"""Settings for the test suite: immediate tasks, a throw-away data directory."""

import os
import tempfile

os.environ["AUYL_MODE"] = "test"
os.environ.setdefault("AUYL_DATA_DIR", tempfile.mkdtemp(prefix="auyl-test-"))

from auyl.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
AXES_ENABLED = os.environ.get("AUYL_TEST_AXES") == "1"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
LANGUAGE_CODE = "en"  # assertions read English; language tests switch explicitly
