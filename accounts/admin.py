from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import AuditLog, Notification, PasswordResetToken, Student, Teacher, User


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class TeacherInline(admin.StackedInline):
    model = Teacher
    can_delete = False
    extra = 0


class StudentInline(admin.StackedInline):
    model = Student
    can_delete = False
    extra = 0
    exclude = ("claim_code_hash",)
    autocomplete_fields = ("school_class",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("name",)
    list_display = ("name", "email", "role", "is_active", "last_login", "created_at")
    list_filter = ("role", "is_active", "is_email_verified")
    search_fields = ("name", "email", "student__registration_number")
    readonly_fields = ("last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "role", "is_active", "is_email_verified")}),
        ("Django permissions", {"classes": ("collapse",), "fields": ("is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.is_teacher:
            return [TeacherInline]
        if obj.is_student:
            return [StudentInline]
        return []


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ("user", "subject", "department", "phone", "created_at")
    list_filter = ("department", "subject")
    search_fields = ("user__name", "user__email", "subject", "department")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


# The Student model's own admin (with the spreadsheet import/export) is registered by classrooms.admin: the roster
# and its import belong to the classrooms app, which may import accounts but not the other way round.


@admin.register(PasswordResetToken)
class PasswordResetTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "is_used", "failed_attempts")
    list_filter = ("is_used",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    exclude = ("code_hash",)
    readonly_fields = ("user", "expires_at", "is_used", "failed_attempts", "created_at")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "user", "entity_type", "entity_id", "ip_address")
    list_filter = ("action", "entity_type")
    search_fields = ("action", "user__email", "user__name", "entity_id")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "type", "is_read", "created_at")
    list_filter = ("type", "is_read")
    search_fields = ("title", "message", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
