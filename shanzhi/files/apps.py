from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shanzhi.files"
    label = "files"
    verbose_name = "附件"

    def ready(self) -> None:
        from shanzhi.core import periodic

        from .tasks import sweep_orphan_files

        periodic.register(sweep_orphan_files, every_seconds=6 * 3600)
