from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "shanzhi.orgs"
    label = "orgs"
    verbose_name = "组织与职务"
