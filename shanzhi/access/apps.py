from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "shanzhi.access"
    label = "access"
    verbose_name = "账号与权限"
