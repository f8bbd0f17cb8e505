"""The admin home's "New article" panel: a creator's (and editor's) starting point,
one button for each kind of article they may write (content.admin.selectors)."""

from django.http import HttpRequest
from wagtail.admin.ui.components import Component

from content.admin.selectors import ArticleKindToAdd, article_kinds_to_add


def article_kinds_for_request(*, request: HttpRequest) -> list[ArticleKindToAdd]:
    """article_kinds_to_add, asked once a request (the menu and the panel both ask)."""
    kinds = getattr(request, "_zhongcao_article_kinds", None)
    if kinds is None:
        kinds = article_kinds_to_add(user=request.user)
        request._zhongcao_article_kinds = kinds
    return kinds


class NewArticlePanel(Component):
    name = "new_article"
    # First on the home page: before the creator's figures (10) and invite link (60).
    order = 5
    template_name = "content/admin/new_article_panel.html"

    def __init__(self, *, kinds: list[ArticleKindToAdd]) -> None:
        self.kinds = kinds

    def get_context_data(self, parent_context):
        return {"kinds": self.kinds}


def new_article_panels(*, request: HttpRequest) -> list[Component]:
    kinds = article_kinds_for_request(request=request)
    return [NewArticlePanel(kinds=kinds)] if kinds else []
