"""The editors' side of feeds in the admin: Catalog → Offer proposals, the items of
merchants' feeds that matched no offer, each accepted (an offer on an existing or
a new product) or dismissed on one page. Proposals are made by feeds only: nobody
adds, edits or deletes one here; deciding takes the Django permission to change
offer proposals (the Editors group has it: content.services)."""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from products.models import OfferProposal, Product, ProposalStatus

from .services import offer_proposal_accept, offer_proposal_dismiss

DECIDE = "decide"
# What a proposal never has done to it in the admin: it comes from the feed.
REFUSED_ACTIONS = frozenset({"add", "change", "delete", "copy"})


class OfferProposalPermissionPolicy(ModelPermissionPolicy):
    """Viewing proposals is the model's "view"; deciding one ("decide") is its
    "change"; adding, editing or deleting one is nobody's."""

    def user_has_permission(self, user, action):
        if action == DECIDE:
            return super().user_has_permission(user, "change")
        if action in REFUSED_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class ProposalAcceptForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(),
        required=False,
        label=_("Existing product"),
        help_text=_("The product this offer is of; leave empty to create one."),
        widget=AdminSnippetChooser(Product),
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        label=_("New product's title"),
        help_text=_("When no existing product is chosen; the item's title if empty."),
    )


class ProposalDecideView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """One proposal, what the feed says of it, and the editor's decision."""

    permission_policy = None
    permission_required = DECIDE
    index_url_name = None
    template_name = "products/admin/proposal_decide.html"
    form_class = ProposalAcceptForm
    header_icon = "tag"

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.proposal = get_object_or_404(
            OfferProposal.objects.select_related("merchant"), pk=pk
        )

    def get_page_title(self):
        return _("Offer proposal")

    def get_page_subtitle(self):
        return str(self.proposal)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(OfferProposal._meta.verbose_name_plural),
            },
            {"url": "", "label": str(self.proposal)},
        ]

    def get_initial(self):
        return {"title": self.proposal.title}

    def get_context_data(self, **kwargs):
        proposal = self.proposal
        rows = [
            (_("Merchant"), proposal.merchant),
            (_("Feed item id"), proposal.feed_item_id),
            (_("Title"), proposal.title),
            (_("Brand"), proposal.brand),
            (_("GTIN"), proposal.gtin),
            (_("MPN"), proposal.mpn),
            (_("Price"), f"{proposal.price} {proposal.currency}"),
            (
                _("Regular price"),
                f"{proposal.list_price} {proposal.currency}"
                if proposal.list_price is not None
                else "",
            ),
            (_("Availability"), proposal.get_availability_display()),
            (_("Status"), proposal.get_status_display()),
            (_("Last seen in the feed"), proposal.seen_at),
        ]
        return super().get_context_data(
            proposal=proposal,
            rows=rows,
            pending=proposal.status == ProposalStatus.PENDING,
            cancel_url=reverse(self.index_url_name),
            **kwargs,
        )

    def form_valid(self, form):
        if self.proposal.status != ProposalStatus.PENDING:
            form.add_error(None, _("This proposal was already decided."))
            return self.form_invalid(form)
        try:
            if self.request.POST.get("decision") == "dismiss":
                offer_proposal_dismiss(proposal=self.proposal)
                messages.success(
                    self.request,
                    _("“%(proposal)s” was dismissed; later syncs leave it so.")
                    % {"proposal": self.proposal},
                )
            else:
                offer = offer_proposal_accept(
                    proposal=self.proposal,
                    product=form.cleaned_data["product"],
                    title=form.cleaned_data["title"],
                )
                messages.success(
                    self.request,
                    _("The offer %(offer)s was added; the feed keeps it up to date.")
                    % {"offer": offer},
                )
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(
                        field if field in form.fields else None,
                        f"{field}: {text}" if field not in form.fields else text,
                    )
            return self.form_invalid(form)
        return redirect(self.index_url_name)


class ProposalIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == ProposalStatus.PENDING and self.user_has_permission(
            DECIDE
        ):
            buttons.insert(
                0,
                ListingButton(
                    _("Accept or dismiss"),
                    url=reverse(
                        "wagtailsnippets_products_offerproposal:decide",
                        args=[quote(instance.pk)],
                    ),
                    icon_name="tick",
                    priority=5,
                ),
            )
        return buttons


class OfferProposalViewSet(SnippetViewSet):
    model = OfferProposal
    icon = "tag"
    menu_label = _("Offer proposals")
    index_view_class = ProposalIndexView
    inspect_view_enabled = True
    list_display = [
        "title",
        "merchant",
        "price",
        "currency",
        "availability",
        "status",
        "seen_at",
    ]
    list_filter = ["status", "merchant"]
    ordering = ["-seen_at", "pk"]
    list_per_page = 50

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "decide/<str:pk>/",
                ProposalDecideView.as_view(
                    permission_policy=self.permission_policy,
                    index_url_name=self.get_url_name("list"),
                ),
                name=DECIDE,
            ),
        ]
