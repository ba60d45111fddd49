"""Users (who sign in with their email) and Meta connections (encrypted tokens, OAuth states)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from agency.crypto import EncryptedTextField
from agency.tenancy import TenantOwnedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    INVALID = "invalid", "Needs re-authorisation"
    REVOKED = "revoked", "Revoked"
    DISABLED = "disabled", "Disabled"


USABLE_CONNECTION_STATUSES = frozenset({ConnectionStatus.ACTIVE, ConnectionStatus.EXPIRING})


class ConnectionKind(models.TextChoices):
    USER = "user", "Staff Meta login"
    CLIENT = "client", "Client's Meta login"
    SYSTEM_USER = "system_user", "System user token"


class MetaConnection(TenantOwnedModel):
    """One Meta access token of the agency, encrypted at rest, with what debug_token said of it."""

    kind = models.CharField(max_length=20, choices=ConnectionKind.choices)
    label = models.CharField(max_length=200, blank=True)
    meta_user_id = models.CharField(max_length=64, blank=True)
    meta_user_name = models.CharField(max_length=200, blank=True)
    meta_app_id = models.CharField(max_length=64, blank=True)
    access_token = EncryptedTextField()
    token_fingerprint = models.CharField(max_length=8)
    scopes = models.JSONField(default=list, blank=True)
    granular_scopes = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # None: never (system users)
    data_access_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices,
                              default=ConnectionStatus.ACTIVE)
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    client = models.ForeignKey("agency.Client", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "meta_user_id"],
                                    condition=~models.Q(meta_user_id=""),
                                    name="connection_unique_meta_user_per_agency"),
        ]

    def __str__(self) -> str:
        who = self.label or self.meta_user_name or self.meta_user_id or "Meta"
        return f"{who} (…{self.token_fingerprint})"

    @property
    def is_usable(self) -> bool:
        return self.status in USABLE_CONNECTION_STATUSES

    def has_scopes(self, *names: str) -> bool:
        return set(names) <= set(self.scopes)

    @property
    def missing_permissions(self):
        """Required permissions Meta did not grant, each with what it stops."""
        from accounts.permissions import missing_permissions

        return missing_permissions(self.scopes)

    @property
    def is_partial(self) -> bool:
        """Usable, but missing a permission Adwright needs: never shown as plain "Active"."""
        return self.is_usable and bool(self.missing_permissions)


class OAuthPurpose(models.TextChoices):
    CONNECT = "connect", "Staff connects Meta"
    CLIENT_ONBOARDING = "client_onboarding", "Client authorises through a link"


class OAuthState(TenantOwnedModel):
    """A single-use `state` for one trip through the OAuth dialog, bound to session and agency."""

    state_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=30, choices=OAuthPurpose.choices)
    session_key_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    onboarding_link = models.ForeignKey("accounts.ClientOnboardingLink", null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="+")
    reconnect = models.ForeignKey(MetaConnection, null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    requested_scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"OAuth state ({self.purpose})"


class ClientOnboardingLink(TenantOwnedModel):
    """A link staff send a client so that the client's own Meta user authorises the agency."""

    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    connection = models.ForeignKey(MetaConnection, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Onboarding link for client {self.client_id}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
