"""How a creator is paid: set on their own *Payout method* page, checked, stored
encrypted, shown masked to everyone but the creator (and the bank's export, tested
with payout runs in test_admin_money.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from wagtail.models import ModelLogEntry

from affiliates.creators.services import payout_method_set
from affiliates.models import PayoutDetails, PayoutMethod, PayoutMethodKind
from affiliates.models.payout_methods import account_mask, details_clean, holder_mask

pytestmark = pytest.mark.django_db

PAGE = "affiliates_own_payout_method"
BANK = {
    "kind": "bank",
    "holder_name": "林小鹿",
    "bank_name": "招商银行 上海分行",
    "account_number": "6222 0212 3456 1234",
    "account": "",
}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored_row(method: PayoutMethod) -> str:
    """The row as the database holds it, every column as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {PayoutMethod._meta.db_table} WHERE id = %s",  # noqa: S608
            [method.pk],
        )
        return " ".join(str(value) for value in cursor.fetchone())


def test_a_creator_sets_a_bank_account_and_it_is_stored_encrypted(creator):
    client = client_of(creator.user)
    assert client.get(reverse(PAGE)).status_code == 200
    response = client.post(reverse(PAGE), BANK, follow=True)
    assert "Your payout method has been saved." in response.content.decode()
    method = PayoutMethod.objects.get(creator=creator)
    assert method.kind == PayoutMethodKind.BANK
    assert method.details == PayoutDetails(
        holder_name="林小鹿",
        bank_name="招商银行 上海分行",
        account_number="6222021234561234",
    )
    row = stored_row(method)
    for clear in ("6222021234561234", "林小鹿", "招商银行", "1234"):
        assert clear not in row
    # The creator's own page shows it masked, and fills the form in full to edit.
    page = client.get(reverse(PAGE)).content.decode()
    assert "6222 **** **** 1234" in page
    assert 'value="6222021234561234"' in page
    # Changing it is in the creator's history, without the account.
    entry = ModelLogEntry.objects.for_instance(creator).get()
    assert entry.action == "affiliates.payout_method"
    assert "6222" not in str(entry.data)


def test_a_new_method_replaces_the_old(creator):
    client = client_of(creator.user)
    client.post(reverse(PAGE), BANK)
    client.post(
        reverse(PAGE),
        {"kind": "alipay", "holder_name": "林小鹿", "account": "+86 138-0013-8000"},
    )
    method = PayoutMethod.objects.get(creator=creator)
    assert method.kind == PayoutMethodKind.ALIPAY
    assert method.details.account == "13800138000"
    assert method.masked == "Alipay · 林** · 138****8000"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {**BANK, "account_number": "6222-abc"},
            "account_number",
            "Enter the account number: 8 to 30 digits (spaces are fine).",
        ),
        ({**BANK, "bank_name": " "}, "bank_name", "Enter the bank"),
        ({**BANK, "holder_name": ""}, "holder_name", "Enter the account holder"),
        (
            {"kind": "alipay", "holder_name": "Lulu", "account": "not an account"},
            "account",
            "Enter the Alipay account",
        ),
        (
            {"kind": "wechat", "holder_name": "Lulu", "account": "1abc"},
            "account",
            "Enter the WeChat account",
        ),
        ({"kind": "paypal", "holder_name": "Lulu"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_input_is_an_error_next_to_its_field(creator, data, field, message):
    response = client_of(creator.user).post(reverse(PAGE), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert not PayoutMethod.objects.exists()


def test_the_page_is_only_ever_the_creators_own(creator, other_creator):
    payout_method_set(
        creator=other_creator,
        kind=PayoutMethodKind.BANK,
        details=PayoutDetails(
            holder_name="Ann Li", bank_name="ICBC", account_number="6212261234567890"
        ),
    )
    client = client_of(creator.user)
    page = client.get(reverse(PAGE)).content.decode()
    assert "7890" not in page and "Ann Li" not in page
    # Whatever is posted, only the creator's own method changes.
    client.post(reverse(PAGE), {**BANK, "creator": other_creator.pk})
    assert PayoutMethod.objects.get(creator=other_creator).details.holder_name == (
        "Ann Li"
    )
    assert PayoutMethod.objects.get(creator=creator).details.holder_name == "林小鹿"


def test_users_without_a_creator_profile_get_404(editor):
    assert client_of(editor).get(reverse(PAGE)).status_code == 404


def test_the_menu_shows_it_to_creators_only(creator, editor):
    home = reverse("wagtailadmin_home")
    assert reverse(PAGE) in client_of(creator.user).get(home).content.decode()
    assert reverse(PAGE) not in client_of(editor).get(home).content.decode()


def test_anonymous_users_are_sent_to_the_login(db):
    response = Client().get(reverse(PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


# -- Checks and masks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "kept"),
    [
        ("alipay", "lulu@example.com", "lulu@example.com"),
        ("alipay", "138 0013 8000", "13800138000"),
        ("wechat", "lulu_2026", "lulu_2026"),
        ("wechat", "+8613800138000", "13800138000"),
    ],
)
def test_app_accounts_are_normalised(kind, typed, kept):
    details = details_clean(
        kind=kind, details=PayoutDetails(holder_name=" Lulu  Lin ", account=typed)
    )
    assert details == PayoutDetails(holder_name="Lulu Lin", account=kept)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        details_clean(kind="cash", details=PayoutDetails(holder_name="Lulu"))


@pytest.mark.parametrize(
    ("kind", "details", "masked"),
    [
        (
            "bank",
            PayoutDetails("x", account_number="6222021234561234"),
            "6222 **** **** 1234",
        ),
        ("alipay", PayoutDetails("x", account="13800138000"), "138****8000"),
        ("alipay", PayoutDetails("x", account="lulu@example.com"), "lu***@example.com"),
        ("wechat", PayoutDetails("x", account="lulu_2026"), "lu***26"),
    ],
)
def test_accounts_are_masked(kind, details, masked):
    assert account_mask(kind=kind, details=details) == masked


def test_holders_are_masked():
    assert holder_mask("林小鹿") == "林**"
    assert holder_mask("Lulu Lin") == "L*** L**"


def test_an_unreadable_method_says_so_to_editors(creator):
    method = payout_method_set(
        creator=creator,
        kind=PayoutMethodKind.ALIPAY,
        details=PayoutDetails(holder_name="Lulu", account="lulu@example.com"),
    )
    with override_settings(
        ZHONGCAO_ENCRYPTION_KEYS=["bmV3LWtleS1uZXctbmV3LW5ldy1uZXctbmV3LW5ldy0="]
    ):
        assert method.masked == "Unreadable: enter it again"
