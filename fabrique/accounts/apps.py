from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fabrique.accounts"
    label = "accounts"
