from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    raw_id_fields = ["recipient"]

    def has_add_permission(self, request):
        return False  # messages are sent by notify_users, from the services that cause them
