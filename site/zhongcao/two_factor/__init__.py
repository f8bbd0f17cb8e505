"""Two-factor sign-in for the admin: an authenticator app (TOTP) and single-use
recovery codes, on django-otp's devices and throttling.

- ``selectors``: who has it on, who must have it (editors, when
  ``ZHONGCAO_REQUIRE_2FA_FOR_EDITORS`` says so), what the enrolment page shows.
- ``services``: set it up, check a code, renew recovery codes, turn it off.
- ``views``: the sign-in's second step (``/admin/login/code/``, after Wagtail's own
  password form, which ``SignInView`` extends) and the account pages in the admin.
- ``middleware``: a session whose user has two-factor sign-in on but that never gave
  a code counts as signed out (whatever signed it in); an editor who must enrol is
  sent to do so before anything else in the admin.

wagtail-2fa was the obvious candidate, but its 1.8.0 imports
``wagtail.users.widgets``, which Wagtail 8 no longer has, it has no recovery codes,
and it would require the second factor of every admin user, creators too.
"""
