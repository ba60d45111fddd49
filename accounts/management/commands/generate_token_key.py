"""Prints a new Fernet key for TOKEN_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from agency.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new key to put first in TOKEN_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
