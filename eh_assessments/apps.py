from django.apps import AppConfig


class EarlyHelpAssessmentsConfig(AppConfig):
    name = "eh_assessments"
    verbose_name = "Early help assessments"
