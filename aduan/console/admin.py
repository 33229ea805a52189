"""Django admin for the settings an installation edits: directory, calendar, limits, users.

Registered here because the domain apps have no admin.py yet; move each block to its app's own
admin.py when that app's owner wants it (the registrations need no console code).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from aduan.accounts.models import User
from aduan.core.roles import Role
from aduan.directory.models import Agency, Category, Region, RoutingRule
from aduan.sla.models import CalendarDay, StepLimit

admin.site.site_header = "Aduan · Pengaturan"
admin.site.site_title = "Aduan"
admin.site.index_title = "Pengaturan instalasi"
admin.site.site_url = "/konsol/"


class CoordinatorManaged(admin.ModelAdmin):
    """Directory and calendar settings that a staff coordinator manages without being a superuser
    (model permissions from groups still apply to everyone else). Deleting stays as each admin says."""

    @staticmethod
    def _coordinator(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", "") == Role.COORDINATOR)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._coordinator(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinator(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._coordinator(request) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinator(request) or super().has_change_permission(request, obj)


@admin.register(Region)
class RegionAdmin(CoordinatorManaged):
    """Regions come from the Kepmendagri import; only the name and postal code may be corrected."""

    list_display = ["code", "name", "kind", "postal_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "kind", "parent"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(CoordinatorManaged):
    list_display = ["name", "code", "short_name", "kind", "requires_approval", "is_active"]
    list_filter = ["kind", "is_active", "requires_approval"]
    search_fields = ["name", "code", "short_name"]
    list_editable = ["requires_approval", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the agency's name in API payloads and routing: fixed once created.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable instead: reports keep pointing at it


class SubCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ["name", "code", "is_active", "position"]
    readonly_fields = ["code"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return CoordinatorManaged._coordinator(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return CoordinatorManaged._coordinator(request) or super().has_change_permission(request, obj)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "parent", "is_active", "position"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        depth = 1
        while parent is not None:
            depth += 1
            parent = parent.parent
        if depth > 3:
            raise forms.ValidationError("Kategori paling banyak tiga tingkat.")
        if self.instance.pk is None and data.get("name"):
            from aduan.directory.services import category_code

            parent = data.get("parent")
            if Category.objects.filter(
                code=category_code(data["name"], parent.code if parent else None)
            ).exists():
                raise forms.ValidationError("Kategori dengan nama ini sudah ada di induk yang sama.")
        return data


@admin.register(Category)
class CategoryAdmin(CoordinatorManaged):
    """Admins add local (campaign) topics, rename them and disable any topic; never delete."""

    list_display = ["name", "code", "parent", "is_national", "is_active", "position"]
    list_filter = ["is_active", "is_national", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code"]
    list_editable = ["is_active", "position"]
    autocomplete_fields = ["parent"]
    inlines = [SubCategoryInline]
    form = CategoryForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is generated from the name (and kept when the name changes: API payloads use it).
        return ["code", "is_national"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        if not change:
            from aduan.directory.services import category_code

            obj.code = category_code(obj.name, obj.parent.code if obj.parent else None)
            obj.is_national = False
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(CoordinatorManaged):
    list_display = ["category", "kecamatan", "agency"]
    list_filter = ["agency"]
    autocomplete_fields = ["category", "kecamatan", "agency"]
    search_fields = ["category__name", "agency__name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(CoordinatorManaged):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


@admin.register(StepLimit)
class StepLimitAdmin(CoordinatorManaged):
    list_display = ["key", "working_days"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "key":
            from aduan.sla.calendar import DEFAULT_LIMITS

            choices = [(k, f"{k} (bawaan {v} hari kerja)") for k, v in DEFAULT_LIMITS.items()]
            return forms.ChoiceField(choices=choices, label="Tahap")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(User)
class AduanUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "is_active", "is_staff"]
    list_filter = ["role", "agency", "is_active", "is_staff"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Aduan", {"fields": ("role", "agency", "phone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Aduan", {"fields": ("role", "agency")}),
    )
