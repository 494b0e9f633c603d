from django.contrib import admin
from django.db import models

from lti.models import Context, Deployment, GradeSync, Identity, Platform, QuizLink, RosterSync, ToolKey


class LtiAdmin(admin.ModelAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # an LMS address typed without a scheme is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 0


@admin.register(Platform)
class PlatformAdmin(LtiAdmin):
    list_display = ["name", "issuer", "client_id", "create_users", "is_active"]
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(LtiAdmin):
    # The private key is never shown, not even to administrators (rotate it from /lti/admin/ instead).
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "public_pem", "created_at", "retired_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


admin.site.register(
    Identity, LtiAdmin, list_display=["sub", "issuer", "user", "last_launch_at"], raw_id_fields=["user"]
)
admin.site.register(Context, LtiAdmin, list_display=["context_id", "title", "platform", "school_class"])
admin.site.register(QuizLink, LtiAdmin, list_display=["quiz", "platform", "resource_link_id", "lineitem_url"])
admin.site.register(
    GradeSync, LtiAdmin, list_display=["attempt", "link", "status", "score_given", "tries", "updated_at"]
)
admin.site.register(RosterSync, LtiAdmin, list_display=["context", "school_class", "by", "created_at"])
