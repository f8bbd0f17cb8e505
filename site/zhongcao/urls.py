"""Root URLs: tracked links, members' sign-up, the API, the Wagtail admin,
documents, the reader site's own pages, and the page tree at the root."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from affiliates.creators.views import signup, signup_confirm, signup_resend, signup_sent
from affiliates.tracking.views import go_redirect
from content.reader import views as content_views

from . import api
from .two_factor.views import SignInCodeView, SignInView
from .wagtail_api import Dismissibles, wagtail_api

urlpatterns = [
    re_path(r"^go/(?P<code>[^/]{1,64})/?$", go_redirect, name="go"),
    path("api/v2/", wagtail_api.urls),
    path("join/", signup, name="signup"),
    path("join/sent/", signup_sent, name="signup_sent"),
    path("join/resend/", signup_resend, name="signup_resend"),
    path("join/confirm/<str:signed>/", signup_confirm, name="signup_confirm"),
    path("api/", api.urls()),
    # Before the admin's own: its page chooser and page types report, kept to what
    # each user may see (content.admin.pages).
    path("admin/", include("content.admin.pages")),
    re_path(r"^api/", api.not_an_endpoint),
    # Wagtail's own view, but for a body that is not a JSON object (a 400, not a 500).
    path(
        "admin/dismissibles/",
        never_cache(require_admin_access(Dismissibles.as_view())),
    ),
    # Wagtail's sign-in, with a second step for a code where the user has two-factor
    # sign-in on (zhongcao.two_factor).
    path("admin/login/", SignInView.as_view(), name="zhongcao_sign_in"),
    path(
        "admin/login/code/",
        SignInCodeView.as_view(),
        name="zhongcao_two_factor_sign_in",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", content_views.sitemap, name="sitemap"),
    path("robots.txt", content_views.robots_txt, name="robots_txt"),
    # Tags, creators, products and search: before the page tree's catch-all.
    path("", include("content.reader.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
