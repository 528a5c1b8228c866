"""Vocabularies shared by several domains (reports, needs, projects, directory)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Public(models.TextChoices):
    ELDERLY = "elderly", _("personnes âgées")
    YOUTH = "youth", _("jeunes de 16 à 25 ans")
    CHILDREN = "children", _("enfants et familles")
    DISABLED = "disabled", _("personnes en situation de handicap")
    QPV_RESIDENTS = "qpv_residents", _("habitants d'un quartier prioritaire")
    JOB_SEEKERS = "job_seekers", _("personnes éloignées de l'emploi")
    PRECARIOUS = "precarious", _("personnes en précarité")
    FARMERS = "farmers", _("agriculteurs et producteurs")
    ENTREPRENEURS = "entrepreneurs", _("micro-entrepreneurs, artisans")
    ORGANISATIONS = "organisations", _("structures et associations")
    ALL = "all", _("tous publics")
    OTHER = "other", _("autre public")


class Theme(models.TextChoices):
    FOOD = "food", _("alimentation")
    REUSE = "reuse", _("réemploi, économie circulaire")
    HOUSING = "housing", _("logement, habitat")
    MOBILITY = "mobility", _("mobilité")
    CATERING = "catering", _("restauration")
    HEALTH = "health", _("santé, autonomie")
    CHILDCARE = "childcare", _("petite enfance, parentalité")
    DIGITAL = "digital", _("numérique")
    EMPLOYMENT = "employment", _("emploi, insertion")
    CULTURE = "culture", _("culture, loisirs, sport")
    ENVIRONMENT = "environment", _("environnement, énergie")
    SERVICES = "services", _("services de proximité")
    AGRICULTURE = "agriculture", _("agriculture")
    OTHER = "other", _("autre")


class ReporterType(models.TextChoices):
    MUNICIPALITY = "municipality", _("commune ou intercommunalité")
    DEPARTMENT = "department", _("département, région, État")
    ASSOCIATION = "association", _("association")
    SOCIAL_WORKER = "social_worker", _("travailleur·se social·e")
    SOCIAL_LANDLORD = "social_landlord", _("bailleur social")
    COMPANY = "company", _("entreprise")
    FUNDER = "funder", _("financeur")
    INHABITANT = "inhabitant", _("habitant·e")
    STAFF = "staff", _("équipe de la fabrique")
    OTHER = "other", _("autre")
