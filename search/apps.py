from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "directory_search"
    verbose_name = "Directory search"
