"""Deep-link templates: how a merchant or network receives the click id as sub-id.

A template is one of two shapes:

* ``{url}?subid={click_id}`` — the offer URL itself, with the parameters after
  ``{url}`` merged into its query string (an existing parameter of the same name is
  replaced, so the sub-id cannot be spoofed by the offer URL);
* ``https://network.example/deeplink?u={url|urlencode}&sid={click_id}`` — a network
  URL that wraps the offer URL, percent-encoded.

Placeholders: ``{url}`` (only at the very start), ``{url|urlencode}`` (anywhere in a
network template), and ``{click_id}`` (exactly once). Nothing else is allowed, but
``{tracking_id}``: for a network that carries no free sub-id (Taobao's relation id,
an Amazon tracking tag), the id assigned to the link's creator from its connection's
pool (affiliates.models.TrackingId); a template with it may leave out ``{click_id}``.
"""

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ALLOWED_PLACEHOLDERS = {"url", "url|urlencode", "click_id", "tracking_id"}
DEFAULT_TEMPLATE = "{url}?subid={click_id}"
SAMPLE_URL = "https://shop.example/item?id=1"
SAMPLE_CLICK_ID = "SAMPLECLICKID"


def _placeholders_filled(template: str) -> str:
    return (
        template.replace("{url|urlencode}", "u")
        .replace("{click_id}", "c")
        .replace("{tracking_id}", "t")
    )


def deep_link_check(template: str) -> None:
    """Raise ValidationError unless ``template`` is a well-formed deep-link template."""
    names = PLACEHOLDER.findall(template)
    unknown = sorted({name for name in names if name not in ALLOWED_PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _(
                "Unknown placeholder %(names)s: use {url}, {url|urlencode} and {click_id}."
            ),
            params={"names": ", ".join(f"{{{name}}}" for name in unknown)},
            code="unknown_placeholder",
        )
    if names.count("tracking_id") > 1:
        raise ValidationError(
            _("The template may contain {tracking_id} once at most."),
            code="tracking_id",
        )
    if names.count("click_id") != 1 and not (
        names.count("click_id") == 0 and "tracking_id" in names
    ):
        raise ValidationError(
            _("The template must contain {click_id} exactly once."), code="click_id"
        )
    url_names = [name for name in names if name.startswith("url")]
    if len(url_names) != 1:
        raise ValidationError(
            _(
                "The template must contain the offer URL once: {url} or {url|urlencode}."
            ),
            code="url",
        )
    if "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template):
        raise ValidationError(_("Unbalanced braces in the template."), code="braces")
    if url_names[0] == "url":
        if not template.startswith("{url}"):
            raise ValidationError(
                _(
                    "{url} may only stand at the start; a network template uses {url|urlencode}."
                ),
                code="url_position",
            )
        rest = template[len("{url}") :]
        if rest[:1] not in ("?", "&") or len(rest) < 2:
            raise ValidationError(
                _("After {url} come query parameters, such as ?subid={click_id}."),
                code="url_suffix",
            )
    else:
        parts = urlsplit(_placeholders_filled(template))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                _("A network template must be an absolute http(s) URL."), code="scheme"
            )


def deep_link_host(template: str) -> str | None:
    """The host a network template sends readers to, or None for a {url} template."""
    if template.startswith("{url}"):
        return None
    return urlsplit(_placeholders_filled(template)).hostname


def deep_link_expand(
    *, template: str, url: str, click_id: str, tracking_id: str = ""
) -> str:
    """The destination for one click: the offer URL expanded through the template."""
    encoded_click_id = quote(click_id, safe="")
    template = template.replace("{tracking_id}", quote(tracking_id, safe=""))
    if template.startswith("{url}"):
        extra = parse_qsl(
            template[len("{url}") + 1 :].replace("{click_id}", encoded_click_id),
            keep_blank_values=True,
        )
        parts = urlsplit(url)
        extra_names = {name for name, _value in extra}
        query = [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name not in extra_names
        ]
        return urlunsplit(parts._replace(query=urlencode(query + extra)))
    return template.replace("{url|urlencode}", quote(url, safe="")).replace(
        "{click_id}", encoded_click_id
    )
