"""Sign-in with an e-mail address or a user name (AUTHENTICATION_BACKENDS).

Members sign up with their address, editors are often given a short user name
(kol1): both sign in in the same field, the address in any case."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from affiliates.creators.selectors import user_for_login


class EmailOrUsernameBackend(ModelBackend):
    """Django's ModelBackend (permissions, inactive users refused), looking the
    account up by user name or e-mail address (affiliates.creators.selectors.user_for_login)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_for_login(login=username)
        if user is None:
            # Hash anyway, so that an unknown name takes as long as a known one.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
