from django.contrib.admin.apps import AdminConfig


class QIAdminConfig(AdminConfig):
    default_site = "qiportal.admin.QIAdminSite"
