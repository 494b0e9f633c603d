from django.contrib import admin

from lti.models import Context, Deployment, GradeSync, Identity, Platform, QuizLink, RosterSync, ToolKey


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 0


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "create_users", "is_active"]
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    # The private key is never shown, not even to administrators (rotate it from /lti/admin/ instead).
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "public_pem", "created_at", "retired_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


admin.site.register(Identity, list_display=["sub", "issuer", "user", "last_launch_at"], raw_id_fields=["user"])
admin.site.register(Context, list_display=["context_id", "title", "platform", "school_class"])
admin.site.register(QuizLink, list_display=["quiz", "platform", "resource_link_id", "lineitem_url"])
admin.site.register(GradeSync, list_display=["attempt", "link", "status", "score_given", "tries", "updated_at"])
admin.site.register(RosterSync, list_display=["context", "school_class", "by", "created_at"])
