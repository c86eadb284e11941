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
from mnist_desktop.io.labelled import (
    LabelledSet,
    LabelledSetError,
    is_labelled_folder,
    read_labelled,
)
from mnist_desktop.io.samples import SampleError, SampleStore, crop_for_sample

__all__ = ["VIDEO_EXTENSIONS", "ImageLoadError", "LabelledSet", "LabelledSetError",
           "SampleError", "SampleStore", "SourceError", "SourceInfo", "available_cameras",
           "crop_for_sample", "describe", "display_name", "image_extensions",
           "is_image_name", "is_labelled_folder", "load_image", "open_source", "parse_source",
           "read_labelled"]
