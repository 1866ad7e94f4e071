from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shanzhi.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from shanzhi.core.home import register

        from .home import unread_messages

        register(unread_messages)
