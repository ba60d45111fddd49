"""gunicorn settings read from the working directory (the image runs from /app): the access log
never carries one-time tokens (invitation and onboarding links, OAuth codes and states)."""

logger_class = "agency.gunicorn_logging.RedactingLogger"
