from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "fabrique.recruitment"
    label = "recruitment"
