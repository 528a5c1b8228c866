from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import oidc, otp
from .forms import ThrottledPasswordResetForm
from .views import LoginView, LogoutView

app_name = "accounts"

urlpatterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("connexion/code/", otp.LoginCodeView.as_view(), name="login_code"),
    path("connexion/oidc/", oidc.OIDCLoginView.as_view(), name="oidc_login"),
    path("connexion/oidc/retour/", oidc.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("second-facteur/", otp.SecondFactorView.as_view(), name="second_factor"),
    path("deconnexion/", LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            form_class=ThrottledPasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
