from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "fabrique.projects"
    label = "projects"
