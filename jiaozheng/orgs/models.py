"""Organisation hierarchy, contracted providers and accounts.

Province -> city -> county bureau (社区矫正机构) -> squadron / 司法所 (中队) -> township (乡镇) ->
village or community. Several counties live in one database from the start. Staff are assigned to
squadrons or counties; contractor supervisors see the counties of their organisation's contracts; a
supervised person's account is bound to their own record.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.fields import EncryptedTextField, blind_index, mask_phone
from jiaozheng.core.roles import Domain, Role
from jiaozheng.core.scoping import ScopedManager, ScopeRule


class OrgUnit(AuditedModel):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County bureau")
        SQUADRON = "squadron", _("Squadron / judicial office")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village / community")

    PARENT_KIND = {
        Kind.CITY: Kind.PROVINCE,
        Kind.COUNTY: Kind.CITY,
        Kind.SQUADRON: Kind.COUNTY,
        Kind.TOWNSHIP: Kind.SQUADRON,
        Kind.VILLAGE: Kind.TOWNSHIP,
    }

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, blank=True, help_text=_("Administrative division code"))
    boundary_code = models.CharField(
        _("boundary code"),
        max_length=16,
        blank=True,
        help_text=_("Key of the county boundary dataset (GB code)"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    county = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The county this unit belongs to (itself for a county).",
    )
    squadron = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The squadron this unit belongs to (itself for a squadron).",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    bureau_name = models.CharField(_("justice bureau"), max_length=100, blank=True)
    agency_name = models.CharField(_("community-corrections agency"), max_length=100, blank=True)
    is_judicial_office = models.BooleanField(_("judicial office (司法所)"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.CASELOAD, county="county", squadron="squadron", county_wide=True)

    class Meta:
        ordering = ["path", "sort_order", "name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="orgunit_unique_name_in_parent",
                violation_error_message=_("A unit with this name already exists here."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Denormalised ancestors (path, county, squadron) keep scoping to one indexed comparison.
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        county_id = (
            self.pk if self.kind == self.Kind.COUNTY else (self.parent.county_id if self.parent_id else None)
        )
        squadron_id = (
            self.pk
            if self.kind == self.Kind.SQUADRON
            else (self.parent.squadron_id if self.parent_id else None)
        )
        if (path, county_id, squadron_id) != (self.path, self.county_id, self.squadron_id):
            self.path, self.county_id, self.squadron_id = path, county_id, squadron_id
            OrgUnit.objects.filter(pk=self.pk).update(path=path, county_id=county_id, squadron_id=squadron_id)
            self._audit_loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    @property
    def display_name(self) -> str:
        return self.agency_name or self.name


class ServiceProvider(AuditedModel):
    """A contracted social-work organisation (社工机构); may serve several counties."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head_office = models.CharField(
        _("head office"),
        max_length=200,
        blank=True,
        help_text=_("Where the organisation's lead, supervisor and counsellors come from"),
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self) -> str:
        return self.short_name or self.name


class JZUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(**{self.model.USERNAME_FIELD: username})


class User(AuditedModel, AbstractUser):
    """Staff and supervised persons. The role decides actions, assignments decide rows."""

    audit_secret = ("password",)

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True, db_index=True)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    provider = models.ForeignKey(
        ServiceProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("service provider"),
    )
    person = models.OneToOneField(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("supervised person"),
    )
    phone = EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    can_view_juveniles = models.BooleanField(
        _("may see juveniles' records"),
        null=True,
        blank=True,
        help_text=_("Empty: the role's default."),
    )
    is_system = models.BooleanField(default=False, editable=False)
    totp_secret = EncryptedTextField(blank=True, default="", editable=False)
    totp_enabled = models.BooleanField(_("two-step verification"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(
        _("must change the password at next sign-in"), default=False, editable=False
    )

    objects = JZUserManager()
    # Bureau administrators manage the accounts posted to their counties (and squadrons in them).
    scope_rule = ScopeRule(domain=Domain.ADMIN, county="assignments__unit__county", multi=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="subject")
                | models.Q(person__isnull=False)
                | models.Q(is_active=False),
                name="user_subject_has_person",
                violation_error_message=_("A supervised person's account must be bound to their record."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = blind_index(self.phone)
        password_changed = getattr(self, "_password_changed", False) and self.pk is not None
        super().save(*args, **kwargs)
        self._password_changed = False
        if password_changed:
            # A new password ends every API token issued before it (a stolen phone or a leaked token
            # must not outlive the password). Each revocation is saved one by one, so it is audited.
            for token in self.api_tokens.filter(revoked=False):
                token.revoked = True
                token.save(update_fields=["revoked"])

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self._password_changed = True
        # the account holder's own choice; a temporary password sets the flag again (orgs.services)
        self.must_change_password = False

    @cached_property
    def org_label(self) -> str:
        """The organisation shown in the top bar: the provider and/or the units the user is posted to."""
        names = [a.unit.display_name for a in self.assignments.select_related("unit")[:3]]
        if self.provider_id:
            names.insert(0, str(self.provider))
        if self.person_id:
            return ""
        return " · ".join(names)

    @property
    def is_subject(self) -> bool:
        return self.role == Role.SUBJECT

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Assignment(AuditedModel):
    """A staff member posted to a squadron or a whole county."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments")
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        ordering = ["user", "unit"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class LoginAttempt(models.Model):
    """Sign-in attempts, for throttling and for the security log."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, db_index=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    success = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]


class ApiToken(AuditedModel):
    """A bearer token for the API (integrations, the supervised person's phone). Only a hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
