"""Read-only admin views of report jobs and results e-mails: for a school admin to see what ran, failed or was
sent. Files are downloaded from the report's own page (owner and admins), never from here."""

from django.contrib import admin

from reports.models import ReportJob, ResultEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "owner", "status", "done", "total", "created_at", "finished_at", "expires_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "owner__email", "owner__name")
    list_select_related = ("owner",)
    exclude = ("file",)


@admin.register(ResultEmail)
class ResultEmailAdmin(ReadOnlyAdmin):
    list_display = ("email", "recipient", "quiz", "status", "sent_at", "created_at")
    list_filter = ("status", "recipient")
    search_fields = ("email", "quiz__title")
    list_select_related = ("quiz",)
