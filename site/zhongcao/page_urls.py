"""Every page's full URL starts from the public base URL (products.web), not from
the Wagtail Site's hostname and port.

Wagtail builds ``page.full_url`` (and through it the sitemap, its moderation
e-mails, the v2 API's ``html_url`` and preview requests) from the Site record, which
says http://localhost after ``migrate`` and cannot say https on a port other than
443. The Site still routes requests to the page tree; the address the public uses is
ZHONGCAO_PUBLIC_BASE_URL alone. ``Page.get_url_parts`` is where Wagtail derives
every page URL (its documented override point); wrapping it on ``Page`` itself,
rather than on our page types, also covers the plain ``Page`` objects Wagtail hands
around (a page's parent in the API, the admin's listings).
"""

from functools import wraps

from products.web import public_base_url


def public_url_parts(get_url_parts):
    """``Page.get_url_parts`` with the public base URL as every site's root URL."""

    @wraps(get_url_parts)
    def url_parts(self, request=None):
        parts = get_url_parts(self, request=request)
        if parts is None or parts[1] is None:
            return parts
        site_id, _site_root_url, page_path = parts
        return site_id, public_base_url(), page_path

    url_parts.public_base_url = True
    return url_parts
