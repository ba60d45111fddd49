# The one image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install -e .

COPY . .
# collectstatic needs production settings to build WhiteNoise's manifest; these values are made up
# for this build step (a throwaway random key and Fernet key) and never used at run time.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    TOKEN_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 META_APP_ID=build META_APP_SECRET=build \
    DJANGO_SETTINGS_MODULE=agency.settings.production \
    python manage.py collectstatic --noinput

RUN useradd --create-home adwright && chown -R adwright /app
USER adwright
EXPOSE 8000
CMD ["gunicorn", "agency.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
