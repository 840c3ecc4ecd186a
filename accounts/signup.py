"""Browser sign-up that does not tell whether an address is registered.

allauth hides a taken address only when email verification is mandatory for everyone. Here it is
mandatory for sign-up alone: a new account and a taken address both end on "check your inbox"
(the new address gets a confirmation link, the owner of the taken one an email saying someone
tried to sign up). Signing in with a password works as before (ACCOUNT_EMAIL_VERIFICATION)."""

from allauth.account import app_settings
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import Login
from allauth.account.views import SignupView as AllauthSignupView
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.hashers import make_password

from accounts.models import User

MANDATORY = app_settings.EmailVerificationMethod.MANDATORY


class SignupForm(AllauthSignupForm):
    def validate_unique_email(self, value: str) -> str:
        self.account_already_exists = User.objects.filter(email__iexact=value).exists()
        return value

    def try_save(self, request):
        if not self.account_already_exists:
            return super().try_save(request)
        make_password(self.cleaned_data.get("password1") or "")  # as long as a new account takes
        login = Login(
            user=None,
            email=self.cleaned_data["email"],
            signup=True,
            email_verification=MANDATORY,
        )
        return None, perform_login(request, login)


class SignupView(AllauthSignupView):
    def form_valid(self, form):
        self.user, response = form.try_save(self.request)
        if response:
            return response
        try:
            return complete_signup(
                self.request,
                user=self.user,
                email_verification=MANDATORY,
                redirect_url=self.get_success_url(),
                by_passkey=form.by_passkey,
            )
        except ImmediateHttpResponse as error:
            return error.response
