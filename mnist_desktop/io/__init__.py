"""Getting pictures in: image files (formats, sizes, orientation, clear errors) and
cameras or video files. Qt-free; knows nothing of digits.
"""

from mnist_desktop.io.cameras import (
    VIDEO_EXTENSIONS,
    SourceError,
    SourceInfo,
    available_cameras,
    describe,
    open_source,
    parse_source,
)
from mnist_desktop.io.image_files import (
    ImageLoadError,
    display_name,
    image_extensions,
    is_image_name,
    load_image,
)

__all__ = ["VIDEO_EXTENSIONS", "ImageLoadError", "SourceError", "SourceInfo",
           "available_cameras", "describe", "display_name", "image_extensions",
           "is_image_name", "load_image", "open_source", "parse_source"]
