"""The app's own settings (production when RETROWALK_ENV=production) plus the benchmark's reference page.

The reference page lives only here, in a URL conf of its own, so the app's URL conf
(and its permission matrix) never holds a page that exists for measurement.
"""

from retrowalk.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
