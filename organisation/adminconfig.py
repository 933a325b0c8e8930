from django.contrib.admin.apps import AdminConfig


class QIAdminConfig(AdminConfig):
    """Django's admin with the QI department's site (organisation.adminsite): imports no models, as INSTALLED_APPS
    loads it before any app is ready."""

    default_site = "organisation.adminsite.QIAdminSite"
