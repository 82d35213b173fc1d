from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Service directory"

    def ready(self):
        from directory import services
        from directory.models import DirectoryIndexPage

        # The editorial workflow and page permissions (directory.services.ensure_editorial_setup).
        post_migrate.connect(services.ensure_editorial_setup_after_migrate, dispatch_uid="directory_editorial_setup")
        post_save.connect(
            services.ensure_editorial_setup_for_new_index,
            sender=DirectoryIndexPage,
            dispatch_uid="directory_editorial_setup_new_index",
        )
