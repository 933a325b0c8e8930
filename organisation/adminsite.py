"""The configuration screens QI admins use (Django admin, for configuration only): the site and the mixin
every app's ModelAdmin uses. `organisation.adminconfig.QIAdminConfig` installs the site."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .rules import is_qi_admin


class QIAdminSite(admin.AdminSite):
    site_header = "QI Portal – organisation settings"
    site_title = "QI Portal settings"
    index_title = "Organisation settings"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_qi_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            # A logged-in person without the QI admin role is refused outright,
            # rather than being bounced to a second log-in page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Organisation settings are for the QI department.")
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def login(self, request: HttpRequest, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("Organisation settings are for the QI department.")
        return redirect_to_login(request.GET.get("next", request.get_full_path()))


class QIAdminOnly:
    """ModelAdmin mixin: QI admins (and superusers) may do everything, nobody else anything."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_qi_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_qi_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return is_qi_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_qi_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_qi_admin(request.user)
