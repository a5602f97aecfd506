from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiaozheng.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow refuses (DecompressionBombError) images above twice this many pixels wherever they are
        # opened; uploads are checked against the limit itself (jiaozheng.core.uploads).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        from jiaozheng.core import retention  # noqa: F401  (registers the platform's retention rule)
