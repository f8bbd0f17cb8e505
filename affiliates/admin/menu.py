"""The affiliates' admin menu items: who sees which (editors, creators) and where
they lead. ``wagtail_hooks`` registers the functions below as they are."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from affiliates.admin.reports.held import HELD
from affiliates.admin.reports.link_health import LinkHealthReportView
from affiliates.admin.reports.unattributed import UNATTRIBUTED
from affiliates.creators.selectors import creator_profile_for_user
from affiliates.roles import user_is_editor


class EditorsMenuItem(MenuItem):
    """A Reports menu item shown to editors only (the view checks again)."""

    def is_shown(self, request):
        return user_is_editor(user=request.user)


class CreatorMenuItem(MenuItem):
    """Shown only to users with a creator profile."""

    def is_shown(self, request):
        return creator_profile_for_user(user=request.user) is not None


# -- A creator's own pages -------------------------------------------------------------


def own_profile_item():
    return CreatorMenuItem(
        _("My profile"), reverse("affiliates_own_profile"), icon_name="user", order=900
    )


def own_earnings_item():
    return CreatorMenuItem(
        _("My earnings"),
        reverse("affiliates_own_earnings"),
        icon_name="decimal",
        order=901,
    )


def own_payout_method_item():
    return CreatorMenuItem(
        _("Payout method"),
        reverse("affiliates_own_payout_method"),
        icon_name="key",
        order=902,
    )


# -- Reports, for editors --------------------------------------------------------------


def articles_report_item():
    return EditorsMenuItem(
        _("Articles performance"),
        reverse("affiliates_articles_report"),
        name="articles-performance",
        icon_name="doc-full",
        order=100,
    )


def products_report_item():
    return EditorsMenuItem(
        _("Products performance"),
        reverse("affiliates_products_report"),
        name="products-performance",
        icon_name="tag",
        order=110,
    )


def merchants_report_item():
    return EditorsMenuItem(
        _("Merchants performance"),
        reverse("affiliates_merchants_report"),
        name="merchants-performance",
        icon_name="site",
        order=120,
    )


def quiet_report_item():
    return EditorsMenuItem(
        _("Quiet merchants"),
        reverse("affiliates_quiet_report"),
        name="quiet-merchants",
        icon_name="warning",
        order=130,
    )


def placements_report_item():
    return EditorsMenuItem(
        _("Placements performance"),
        reverse("affiliates_placements_report"),
        name="placements-performance",
        icon_name="placeholder",
        order=140,
    )


def link_health_item():
    return EditorsMenuItem(
        _("Link health"),
        reverse("affiliates_link_health"),
        icon_name=LinkHealthReportView.header_icon,
        order=800,
    )


def unattributed_report_item():
    return EditorsMenuItem(
        _("Unattributed conversions"),
        reverse(UNATTRIBUTED),
        name="unattributed-conversions",
        icon_name="clipboard-list",
        order=1300,
    )


def held_report_item():
    return EditorsMenuItem(
        _("Held for review"),
        reverse(HELD),
        name="held-conversions",
        icon_name="warning",
        order=1310,
    )
