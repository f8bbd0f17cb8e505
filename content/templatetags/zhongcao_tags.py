"""Template helpers of the reader pages."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def tracked_url(context, placement, offer):
    """The /go/ URL of ``offer`` at ``placement`` in the article being shown, or ''."""
    links = context.get("tracked_links") or {}
    return links.get((str(placement), offer.pk), "")
