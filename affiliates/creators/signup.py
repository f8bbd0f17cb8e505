"""Members sign themselves up: an inactive account, a confirmation link by email,
and on confirmation a creator profile of kind member (with the inviter as referrer).

Nothing the person typed but their email address and password is stored before they
confirm: their public name and inviter travel in the signed confirmation link, and
the account stays inactive (it cannot log in) until the link is used.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from affiliates.creators.selectors import user_for_login
from affiliates.creators.services import creator_profile_create, person_locale_set
from affiliates.creators.tasks import mail_send
from affiliates.models import CreatorKind, CreatorProfile
from products.web import public_url

SIGNUP_SALT = "affiliates.signup.confirm"


class SignupError(Exception):
    """A confirmation link that cannot be used; the message says why, for people."""


def _users_with_address(email: str):
    # Sign-up makes the address the username too; either one taken means taken.
    return get_user_model().objects.filter(
        Q(email__iexact=email) | Q(username__iexact=email)
    )


def _is_pending(user) -> bool:
    """An account that a sign-up made and nobody has confirmed yet: its username is
    its address, and it is inactive, never logged in, without role or creator
    profile. An account an editor made or deactivated is not pending, so a sign-up
    never activates it (confirming logs in, so a confirmed one is never pending)."""
    return (
        user.username == user.email
        and not user.is_active
        and user.last_login is None
        and not user.is_staff
        and not user.is_superuser
        and not user.groups.exists()
        and not CreatorProfile.objects.filter(user=user).exists()
    )


def _confirm_url(*, user, public_name: str, referrer: CreatorProfile | None) -> str:
    signed = signing.dumps(
        {
            "user": user.pk,
            # One use only: the token stops matching once the person logs in.
            "token": default_token_generator.make_token(user),
            "name": public_name,
            "referrer": referrer.pk if referrer is not None else None,
            # The language they signed up in: their admin's and e-mails'.
            "language": get_language() or "",
        },
        salt=SIGNUP_SALT,
        compress=True,
    )
    return public_url(reverse("signup_confirm", args=[signed]))


def _mail_send(*, to: str, template: str, context: dict) -> None:
    """Send after the transaction commits, through a background task. Nothing the
    person typed but the address goes into the mail: a sign-up form must not let
    anyone send their own words to any address."""
    subject = render_to_string(f"affiliates/signup/{template}_subject.txt", context)
    body = render_to_string(f"affiliates/signup/{template}_body.txt", context)
    transaction.on_commit(
        lambda: mail_send.enqueue(to=to, subject=" ".join(subject.split()), body=body)
    )


@transaction.atomic
def member_signup(
    *,
    email: str,
    password: str,
    public_name: str,
    referrer: CreatorProfile | None,
) -> None:
    """Start a member's sign-up: an inactive account and a confirmation email.

    Returns nothing on purpose, so that a caller answers the same whether the address
    was new or not. A new address gets an inactive account (its password set) and a
    confirmation link. An address with a pending sign-up gets a fresh link (the
    password stays the one chosen first: a stranger's sign-up must not set it). Any
    other account with that address gets a note that it exists, and nothing changes.
    Links in the e-mails start from the public base URL (products.web.public_url),
    never from the request that asked.
    """
    email = email.strip().lower()
    login_url = public_url(reverse("wagtailadmin_login"))
    existing = _users_with_address(email).first()
    if existing is None:
        user = get_user_model()(username=email, email=email, is_active=False)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # The same address signed up at the same moment: that sign-up wins.
            existing = _users_with_address(email).first()
        else:
            _mail_send(
                to=email,
                template="confirm",
                context={
                    "confirm_url": _confirm_url(
                        user=user,
                        public_name=public_name,
                        referrer=referrer,
                    ),
                    "max_age_hours": settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE // 3600,
                    "login_url": login_url,
                },
            )
            return
    if existing is None:
        return
    # Hash the password anyway, so that a taken address takes as long to answer as
    # a new one: the time must not tell either.
    make_password(password)
    pending = _is_pending(existing)
    _mail_send(
        to=email,
        template="pending" if pending else "exists",
        context={
            "confirm_url": _confirm_url(
                user=existing,
                public_name=public_name,
                referrer=referrer,
            )
            if pending
            else "",
            "max_age_hours": settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE // 3600,
            "login_url": login_url,
        },
    )


def member_signup_pending(*, login: str, password: str) -> bool:
    """Whether ``login`` and ``password`` are those of a sign-up that is waiting for
    its confirmation, so that the sign-in page can say so rather than that they did
    not match. Only someone who knows the password learns it; the password is hashed
    whether or not such an account exists, so the time tells nothing either."""
    user = user_for_login(login=login)
    if user is None or user.is_active or not _is_pending(user):
        make_password(password)
        return False
    return user.check_password(password)


def member_signup_resend(*, email: str, public_name: str) -> None:
    """Send a sign-up waiting for confirmation a new link (its public name the one
    given now; an inviter travels only in the first link). Any other address gets
    nothing, and the caller answers the same either way."""
    email = email.strip().lower()
    user = _users_with_address(email).first()
    if user is None or not _is_pending(user):
        return
    _mail_send(
        to=email,
        template="confirm",
        context={
            "confirm_url": _confirm_url(
                user=user, public_name=public_name, referrer=None
            ),
            "max_age_hours": settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE // 3600,
            "login_url": public_url(reverse("wagtailadmin_login")),
        },
    )


def _free_slug(public_name: str) -> str:
    """The public name as a slug, made unique with a short random suffix if taken."""
    max_length = CreatorProfile._meta.get_field("slug").max_length
    base = slugify(public_name, allow_unicode=True)[: max_length - 7].strip("-")
    base = base or "member"
    if not CreatorProfile.objects.filter(slug=base).exists():
        return base
    for _attempt in range(10):
        candidate = f"{base}-{secrets.token_hex(3)}"
        if not CreatorProfile.objects.filter(slug=candidate).exists():
            return candidate
    raise RuntimeError("Could not find a free creator slug.")


def member_signup_confirm(*, signed: str) -> CreatorProfile:
    """Use a confirmation link: activate the account and make it a creator of kind
    member, in the Creators group, referred by whoever invited them (if that creator
    still exists). Raises SignupError for an expired, altered or used link."""
    try:
        data = signing.loads(
            signed, salt=SIGNUP_SALT, max_age=settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise SignupError(
            _("This confirmation link has expired. Sign up again to get a new one.")
        ) from error
    except signing.BadSignature as error:
        raise SignupError(
            _("This confirmation link is not valid. Check that it was copied whole.")
        ) from error
    used = SignupError(
        _(
            "This confirmation link has already been used. Log in with your email address."
        )
    )
    with transaction.atomic():
        user = (
            get_user_model()
            .objects.select_for_update()
            .filter(pk=data.get("user"), is_active=False)
            .first()
        )
        if user is None or not _is_pending(user):
            raise used
        if not default_token_generator.check_token(user, str(data.get("token"))):
            raise used
        referrer = None
        if data.get("referrer") is not None:
            referrer = CreatorProfile.objects.filter(
                pk=data["referrer"], user__is_active=True
            ).first()
        user.is_active = True
        user.save(update_fields=["is_active"])
        person_locale_set(user=user, language=str(data.get("language") or ""))
        return creator_profile_create(
            user=user,
            public_name=str(data.get("name") or "")[:100] or _("Member"),
            kind=CreatorKind.MEMBER,
            slug=_free_slug(str(data.get("name", ""))),
            referred_by=referrer,
        )


def signups_purge() -> int:
    """Delete the accounts of sign-ups whose confirmation link has expired unused,
    so that an address nobody confirmed is not kept. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(
        seconds=settings.ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE
    )
    stale = get_user_model().objects.filter(
        username=F("email"),
        is_active=False,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        groups__isnull=True,
        creator_profile__isnull=True,
        date_joined__lt=cutoff,
    )
    deleted = 0
    for user in stale:
        user.delete()
        deleted += 1
    return deleted
