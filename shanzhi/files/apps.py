from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shanzhi.files"
    label = "files"
    verbose_name = "附件"
