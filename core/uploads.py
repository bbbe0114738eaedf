"""File names for uploads: the extension always matches the type found in the content, never the one claimed.

``poly.html`` whose content is a PDF is kept and served as ``poly.pdf``; ``test-report.pdf.bat`` (a PDF) as
``test-report.pdf`` — so nobody downloads a runnable or browser-rendered file that the check let through as a PDF.
"""

import os
import re

EXTENSION_BY_TYPE = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/plain": "txt",
    "text/csv": "csv",
}
EQUIVALENT_EXTENSIONS = {"jpg": {"jpg", "jpeg"}}
UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]')


def extension_for(content_type: str) -> str:
    return EXTENSION_BY_TYPE.get(content_type, "bin")


def name_for(original: str, content_type: str, *, limit: int = 255) -> str:
    """``original`` reduced to its last path part, without characters no file system or header wants, and with
    exactly one extension: the detected type's."""
    extension = extension_for(content_type)
    base = UNSAFE.sub("_", os.path.basename((original or "").replace("\\", "/"))).strip(" .") or "file"
    stem, claimed = os.path.splitext(base)
    if claimed[1:].lower() not in EQUIVALENT_EXTENSIONS.get(extension, {extension}):
        base = stem  # drop the claimed extension (``.bat``, ``.html``)…
    stem, claimed = os.path.splitext(base)
    if claimed[1:].lower() in EQUIVALENT_EXTENSIONS.get(extension, {extension}):
        base = stem  # …and keep one of the right kind (``report.pdf.bat`` → ``report.pdf``)
    base = (base.strip(" .") or "file")[: limit - len(extension) - 1]
    return f"{base}.{extension}"
