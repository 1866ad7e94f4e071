from django.apps import AppConfig


class LegalConfig(AppConfig):
    """公共法律服务 (domain.md M7): legal consultation, legal-aid and notarisation applications, the library of cases and laws."""

    name = "shanzhi.legal"
    label = "legal"
    verbose_name = "公共法律服务"
