from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "shanzhi.publication"
    label = "publication"
    verbose_name = "公示"
