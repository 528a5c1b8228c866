"""Writes of the directory. Every function is atomic, validates, and writes its audit entry.

Duplicates. A probable duplicate (same SIREN, same normalised name in the same commune, same
e-mail for a person) raises `ProbableDuplicate` unless the caller passes `allow_duplicate=True`
after a person confirmed. Even the same SIREN is only a warning, never a hard error: a SIREN
names the legal unit, not the establishment, and a fabrique rightly records the local agencies of
one legal unit as separate structures (France Travail agencies, a département's territorial
services, a social landlord's branches) — each with its own contacts and its own history.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.core.services import audited_create, audited_update, check_fields, soft_delete
from fabrique.core.text import normalize, normalize_organization_name

from .errors import ProbableDuplicate
from .models import EcosystemRole, Interaction, Organization, Person
from .selectors import organization_probable_duplicates, person_probable_duplicates
from .validators import phone_normalize, siren_compact

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.territories.models import Commune

M = TypeVar("M", bound=Organization | Person)


class OrganizationFields(TypedDict, total=False):
    """The editable fields of an organisation (keyword arguments of `organization_update`)."""

    name: str
    kind: str
    siren: str
    commune: Commune | None
    address: str
    postal_code: str
    website: str
    email: str
    phone: str
    description: str
    roles: Iterable[str]
    public_supporter: str
    logo: Any  # an uploaded file, the current file, or False to clear it


class PersonFields(TypedDict, total=False):
    """The editable fields of a contact (keyword arguments of `person_update`)."""

    first_name: str
    last_name: str
    email: str
    phone: str
    organization: Organization | None
    job_title: str
    notes: str
    consent_given: bool
    consent_date: datetime.date | None
    consent_source: str
    purpose: str
    legal_basis: str
    retention_until: datetime.date | None


# Erased by person_anonymize; the row, its organisation, purpose and dates stay for the history.
PERSON_PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "job_title", "notes", "consent_source")
ERASED_SUMMARY = "—"


def _strip(data: dict[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()


def _validated_copy(instance: M, data: Mapping[str, Any]) -> M:
    """`instance` with `data` applied and validated, without touching the database row."""
    candidate = copy.copy(instance)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    return candidate


def _check_same_fabrique(*, fabrique: Fabrique, field: str, obj: Organization | Person | None) -> None:
    if obj is not None and (obj.fabrique_id != fabrique.pk or obj.is_deleted):
        raise ValidationError({field: _("Cet élément n'appartient pas à cette fabrique.")})


# --- organisations ---------------------------------------------------------------------------------------


def _organization_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    _strip(data, ("name", "address", "postal_code", "website", "email", "phone", "description"))
    if "siren" in data:
        data["siren"] = siren_compact(data["siren"])
    if "phone" in data:
        data["phone"] = phone_normalize(data["phone"])
    if "email" in data:
        data["email"] = (data["email"] or "").lower()
    if "roles" in data:
        roles = list(dict.fromkeys(data["roles"] or []))
        # canonical order; unknown values kept at the end so that validation reports them
        data["roles"] = [r for r in EcosystemRole.values if r in roles] + [
            r for r in roles if r not in EcosystemRole.values
        ]
    if "name" in data:
        data["normalized_name"] = normalize_organization_name(data["name"])
    return data


def _raise_if_organization_duplicates(candidate: Organization) -> None:
    duplicates = organization_probable_duplicates(
        fabrique=candidate.fabrique,
        name=candidate.name,
        siren=candidate.siren,
        commune=candidate.commune,
        exclude_pk=candidate.pk,
    )
    if duplicates.exists():
        raise ProbableDuplicate(
            _(
                "Doublon probable : la fabrique a déjà une structure de même SIREN ou de même nom dans la commune."
            ),
            duplicates=duplicates[:10],
        )


def organization_create(
    *,
    fabrique: Fabrique,
    actor: User,
    name: str,
    kind: str,
    siren: str = "",
    commune: Commune | None = None,
    address: str = "",
    postal_code: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    description: str = "",
    roles: Iterable[str] = (),
    public_supporter: str = "",
    logo: Any = None,
    allow_duplicate: bool = False,
) -> Organization:
    data = _organization_data(
        {
            "name": name,
            "kind": kind,
            "siren": siren,
            "commune": commune,
            "address": address,
            "postal_code": postal_code,
            "website": website,
            "email": email,
            "phone": phone,
            "description": description,
            "roles": list(roles),
            "public_supporter": public_supporter,
        }
    )
    organization = Organization(fabrique=fabrique, **data)
    if logo:
        organization.logo = logo
    with transaction.atomic():
        organization.full_clean()
        if not allow_duplicate:
            _raise_if_organization_duplicates(organization)
        return audited_create(instance=organization, actor=actor, fabrique=fabrique)


def organization_update(
    *,
    organization: Organization,
    actor: User,
    allow_duplicate: bool = False,
    **fields: Unpack[OrganizationFields],
) -> Organization:
    """Change the fields given; logs old and new values."""
    check_fields(fields, OrganizationFields)
    data = _organization_data(fields)
    with transaction.atomic():
        candidate = _validated_copy(organization, data)
        identity_changed = any(
            key in data and data[key] != getattr(organization, key) for key in ("name", "siren", "commune")
        )
        if identity_changed and not allow_duplicate:
            _raise_if_organization_duplicates(candidate)
        updated, _changed = audited_update(
            instance=organization, actor=actor, fabrique=organization.fabrique, data=data
        )
    return updated


def organization_delete(*, organization: Organization, actor: User) -> Organization:
    """Soft delete: the structure leaves lists and selects; its people and history stay."""
    return soft_delete(instance=organization, actor=actor, fabrique=organization.fabrique)


# --- people ----------------------------------------------------------------------------------------------


def _person_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    _strip(data, ("first_name", "last_name", "email", "phone", "job_title", "notes", "consent_source"))
    if "phone" in data:
        data["phone"] = phone_normalize(data["phone"])
    if "email" in data:
        data["email"] = (data["email"] or "").lower()
    return data


def _person_search_name(person: Person) -> str:
    return normalize(f"{person.first_name} {person.last_name}")


def _raise_if_person_duplicates(candidate: Person) -> None:
    duplicates = person_probable_duplicates(
        fabrique=candidate.fabrique,
        email=candidate.email,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        organization=candidate.organization,
        exclude_pk=candidate.pk,
    )
    if duplicates.exists():
        raise ProbableDuplicate(
            _(
                "Doublon probable : la fabrique a déjà un contact avec cette adresse e-mail ou ce nom "
                "dans cette structure."
            ),
            duplicates=duplicates[:10],
        )


def person_create(
    *,
    fabrique: Fabrique,
    actor: User,
    last_name: str,
    purpose: str,
    legal_basis: str,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    organization: Organization | None = None,
    job_title: str = "",
    notes: str = "",
    consent_given: bool = False,
    consent_date: datetime.date | None = None,
    consent_source: str = "",
    retention_until: datetime.date | None = None,
    allow_duplicate: bool = False,
) -> Person:
    data = _person_data(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "organization": organization,
            "job_title": job_title,
            "notes": notes,
            "consent_given": consent_given,
            "consent_date": consent_date,
            "consent_source": consent_source,
            "purpose": purpose,
            "legal_basis": legal_basis,
        }
    )
    if retention_until is not None:
        data["retention_until"] = retention_until
    person = Person(fabrique=fabrique, **data)
    person.search_name = _person_search_name(person)
    with transaction.atomic():
        _check_same_fabrique(fabrique=fabrique, field="organization", obj=organization)
        person.full_clean()
        if not allow_duplicate:
            _raise_if_person_duplicates(person)
        return audited_create(instance=person, actor=actor, fabrique=fabrique)


def person_update(
    *, person: Person, actor: User, allow_duplicate: bool = False, **fields: Unpack[PersonFields]
) -> Person:
    """Change the fields given. An anonymised contact cannot change."""
    check_fields(fields, PersonFields)
    if person.is_anonymized:
        raise DomainError(_("Ce contact a été anonymisé : il ne peut plus être modifié."), code="anonymized")
    data = _person_data(fields)
    with transaction.atomic():
        if "organization" in data:
            _check_same_fabrique(fabrique=person.fabrique, field="organization", obj=data["organization"])
        candidate = _validated_copy(person, data)
        identity_changed = any(
            key in data and data[key] != getattr(person, key)
            for key in ("email", "first_name", "last_name", "organization")
        )
        if identity_changed and not allow_duplicate:
            _raise_if_person_duplicates(candidate)
        updated, _changed = audited_update(instance=person, actor=actor, fabrique=person.fabrique, data=data)
        search_name = _person_search_name(updated)
        if search_name != updated.search_name:  # derived, kept out of the audit entry
            updated.search_name = search_name
            updated.save(update_fields=["search_name"])
    return updated


def person_delete(*, person: Person, actor: User) -> Person:
    return soft_delete(instance=person, actor=actor, fabrique=person.fabrique)


def person_anonymize(*, person: Person, actor: User) -> Person:
    """Erase a person's personal data on request (GDPR art. 17); the row stays for the history.

    Names, e-mail, phone, function, notes and how consent was given are erased, and so are the
    summaries of the exchanges with this person. The audit entry records which fields were erased,
    never their values. Earlier audit entries keep the values they logged (see the report).
    """
    with transaction.atomic():
        locked = Person._base_manager.select_for_update().get(pk=person.pk)
        if locked.is_anonymized:
            return locked
        for name in PERSON_PERSONAL_FIELDS:
            setattr(locked, name, "")
        locked.search_name = ""
        locked.anonymized_at = timezone.now()
        locked.save(update_fields=[*PERSON_PERSONAL_FIELDS, "search_name", "anonymized_at", "updated_at"])
        erased = (
            Interaction.all_objects.filter(person=locked)
            .exclude(summary=ERASED_SUMMARY)
            .update(summary=ERASED_SUMMARY, updated_at=timezone.now())
        )
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="directory.person.anonymized",
            new={"erased_fields": list(PERSON_PERSONAL_FIELDS), "erased_interactions": erased},
        )
    return locked


# --- contact history -------------------------------------------------------------------------------------


def interaction_create(
    *,
    fabrique: Fabrique,
    actor: User,
    kind: str,
    summary: str,
    date: datetime.date | None = None,
    organization: Organization | None = None,
    person: Person | None = None,
) -> Interaction:
    """Log an exchange. With a person and no organisation, the person's organisation is used."""
    if organization is None and person is not None:
        organization = (
            person.organization if person.organization and not person.organization.is_deleted else None
        )
    interaction = Interaction(
        fabrique=fabrique,
        kind=kind,
        summary=(summary or "").strip(),
        organization=organization,
        person=person,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if date is not None:
        interaction.date = date
    with transaction.atomic():
        _check_same_fabrique(fabrique=fabrique, field="organization", obj=organization)
        _check_same_fabrique(fabrique=fabrique, field="person", obj=person)
        return audited_create(instance=interaction, actor=actor, fabrique=fabrique)


def interaction_delete(*, interaction: Interaction, actor: User) -> Interaction:
    return soft_delete(instance=interaction, actor=actor, fabrique=interaction.fabrique)
