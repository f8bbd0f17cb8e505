"""Which pages Wagtail's own admin lists to whom: its page permission policy, narrowed
to the pages each user may learn about (``selectors.pages_visible_to``).

Wagtail asks the policy registered for pages for the pages a user may explore
(``explorable_instances``) and the pages a user holds a permission on
(``instances_user_has_any_permission_for``) whenever it lists pages: the explorer,
the page search, the flat listings by page type, the admin's page API, the site
history report (and its CSV), the aging pages and workflow reports. Narrowing the
two here narrows all of them. What the user may *do* with a page is unchanged.
"""

from wagtail.permission_policies.pages import PagePermissionPolicy

from content.selectors import pages_visible_to


class VisiblePagesPermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permissions, whose page listings leave out what the user may
    not learn about."""

    def instances_user_has_any_permission_for(self, user, actions):
        pages = super().instances_user_has_any_permission_for(user, actions)
        return pages_visible_to(user=user, pages=pages)

    def explorable_instances(self, user):
        return pages_visible_to(user=user, pages=super().explorable_instances(user))
