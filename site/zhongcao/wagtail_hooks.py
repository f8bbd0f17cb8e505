from wagtail import hooks

from .wagtail_api import PagesAdminAPI


@hooks.register("construct_admin_api")
def admin_page_api(router):
    """The admin's page API with the project's input rules (zhongcao.wagtail_api)."""
    router.register_endpoint("pages", PagesAdminAPI)
