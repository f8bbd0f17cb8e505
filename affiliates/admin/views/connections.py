"""Merchant connections in the admin: the list, a new connection, editing one (its
secret kept), and rotating its postback secret."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import IndexView
from wagtail.log_actions import log

from affiliates.admin.forms import (
    MerchantConnectionCreateForm,
)
from affiliates.admin.views.base import (
    ActionView,
    Confirmation,
    SecretKeepingEditView,
    ServiceFormView,
    secret_reveal_once,
)
from affiliates.commissions.selectors import (
    merchant_connections,
)
from affiliates.commissions.services.conversions import (
    merchant_connection_ensure,
)
from affiliates.models import (
    MerchantConnection,
)

# -- Merchant connections -------------------------------------------------------------


class MerchantConnectionIndexView(IndexView):
    add_item_label = _("Connect a merchant")
    template_name = "affiliates/admin/described_index.html"
    # Beside Network connections in the Money menu: which one is ours.
    page_description = _(
        "Our own signed postback: a merchant's server posts each sale to "
        "/api/postbacks/<merchant>, signed with the secret kept here, and its report "
        "files' columns. For an affiliate network, use Network connections."
    )

    def get_base_queryset(self):
        # The list shows no secret, so it reads none: a key that no longer opens
        # them (ZHONGCAO_ENCRYPTION_KEYS changed too early) leaves it working.
        return merchant_connections().defer("postback_secret")


class MerchantConnectionCreateView(ServiceFormView):
    form_class = MerchantConnectionCreateForm
    page_title = _("Connect a merchant")
    submit_button_label = _("Connect and generate a secret")
    edit_url_name = None

    def perform(self, *, merchant):
        connection = merchant_connection_ensure(merchant=merchant)
        log(connection, "wagtail.create", user=self.request.user)
        secret_reveal_once(self.request, connection)
        return connection

    def get_success_message(self, result: MerchantConnection):
        return _("%(merchant)s connected; give it the postback secret below.") % {
            "merchant": result.merchant
        }

    def get_result_url(self, result):
        return reverse(self.edit_url_name, args=[quote(result.pk)])


class MerchantConnectionEditView(SecretKeepingEditView):
    """The report columns and status words; the secret is shown, never edited here."""

    template_name = "affiliates/admin/merchant_connection_edit.html"
    shown_once_field = "postback_secret"


class MerchantConnectionRotateView(ActionView):
    model = MerchantConnection
    permission_required = "change"
    edit_url_name = None

    def get_queryset(self):
        return merchant_connections()

    def get_confirmation(self, target, choice):
        return Confirmation(
            title=_("Rotate the postback secret of %(merchant)s?")
            % {"merchant": target.merchant},
            message=_(
                "The old secret stops working at once: postbacks that %(merchant)s "
                "signs with it are refused until it uses the new one."
            )
            % {"merchant": target.merchant},
            button_label=_("Yes, rotate"),
            serious=True,
        )

    def perform(self, target, choice):
        connection = merchant_connection_ensure(merchant=target.merchant, rotate=True)
        # Who rotated a secret, and when, shows in the connection's history.
        log(connection, "affiliates.rotate_secret", user=self.request.user)
        secret_reveal_once(self.request, connection)
        return _(
            "A new postback secret for %(merchant)s is in force; the old one no "
            "longer works."
        ) % {"merchant": target.merchant}

    def get_return_url(self, target):
        return reverse(self.edit_url_name, args=[quote(target.pk)])
