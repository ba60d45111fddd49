"""Factories of jobs."""

from __future__ import annotations

import uuid

import factory

from agency.jobs.models import Job, JobState
from tests.factories.agency import AgencyFactory, UnscopedFactory


class JobFactory(UnscopedFactory):
    class Meta:
        model = Job

    agency = factory.SubFactory(AgencyFactory)
    kind = "tests.steps"
    queue = "maintenance"
    state = JobState.QUEUED
    params = factory.LazyFunction(lambda: {"steps": 2})
    celery_task_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
