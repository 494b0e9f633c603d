"""A URLconf for tests only: an admin site with Student under django-import-export and StudentResource, as
accounts/admin.py will have it once the lead wires it in."""

from django.contrib.admin import AdminSite
from django.urls import path
from import_export.admin import ImportExportModelAdmin

from accounts.models import Student
from classrooms.resources import StudentResource


class StudentImportExportAdmin(ImportExportModelAdmin):
    resource_classes = [StudentResource]


site = AdminSite(name="admin")
site.register(Student, StudentImportExportAdmin)

urlpatterns = [path("admin/", site.urls)]
