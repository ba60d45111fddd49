"""Re-encrypts every stored token under the newest TOKEN_ENCRYPTION_KEYS key (no downtime)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.services.tokens import connections_rotate_encryption


class Command(BaseCommand):
    help = (
        "Re-encrypt all Meta tokens with the first key of TOKEN_ENCRYPTION_KEYS. Deploy with the "
        "new key first and the old key(s) after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        result = connections_rotate_encryption()
        self.stdout.write(f"Re-encrypted {result.rotated} token(s).")
        if result.failed:
            raise CommandError(
                f"{len(result.failed)} token(s) could not be decrypted with any configured key "
                f"(connection ids {result.failed}); they were left as they are."
            )
