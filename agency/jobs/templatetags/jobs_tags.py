"""Template helpers of the job progress component."""

from django import template

from agency.jobs.permissions import job_can_cancel

register = template.Library()


@register.filter
def job_cancellable_by(job, membership) -> bool:
    """`{% if job|job_cancellable_by:nav_membership %}`: show the Cancel button."""
    return bool(membership) and not job.is_final and job_can_cancel(job=job,
                                                                   membership=membership)
