"""Where generated files (the nightly open data) are kept: a storage every process shares.

Workers write the files and every web process serves them, so they cannot live on one
container's disk. The storage is Django's, named "generated" in settings.STORAGES: a folder
(a volume that web and worker share) by default, or an S3-compatible bucket through
django-storages when GENERATED_FILES_S3_BUCKET is set (docs/operations.md).
"""

import os
import tempfile

from django.core.files.storage import FileSystemStorage, storages


def generated_storage():
    return storages["generated"]


class AtomicFileSystemStorage(FileSystemStorage):
    """Saving replaces a file whole: it is written to a temporary file beside it and renamed
    over it, so a download sees the old file or the new one, never half of one (an object store
    does the same for each object). A name is reused, not given a suffix."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(full_path)}."
        )
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            os.replace(temporary, full_path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return name
