"""Fixtures of the job system's tests: the test job kinds are registered for every test here."""

import tests.jobs.kinds  # noqa: F401 - registers tests.steps and tests.publish
