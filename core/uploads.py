"""An upload handler that caps each file while the body streams in.

First of FILE_UPLOAD_HANDLERS: past UPLOAD_FILE_MAX_BYTES it passes nothing more on (the memory
and temporary-file handlers after it keep only what came before), reads the rest of the body
without keeping it (so the client gets an answer, not a reset connection), and hands the view an
empty file marked `oversize` with the size received, which the app's check refuses in words.
The web server's own body limit (nginx client_max_body_size) bounds how much is read at all."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizeUpload(UploadedFile):
    """A file that went past the limit: none of its content, its name, declared type and size."""

    oversize = True

    def __init__(self, *, name: str, content_type: str, size: int, charset=None):
        super().__init__(BytesIO(), name=name, content_type=content_type, size=size, charset=charset)


class CappedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_FILE_MAX_BYTES:
            return None  # the handlers after this one get nothing more of this file
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.UPLOAD_FILE_MAX_BYTES:
            return OversizeUpload(
                name=self.file_name, content_type=self.content_type, size=self.received, charset=self.charset
            )
        return None  # the next handler's file
