"""File names for uploads: the extension always matches the type found in the content, never the one claimed.

``poly.html`` whose content is a PDF is kept and served as ``poly.pdf``; ``test-report.pdf.bat`` (a PDF) as
``test-report.pdf`` — so nobody downloads a runnable or browser-rendered file that the check let through as a PDF.
"""

import codecs
import csv
import os
import re
import zipfile

EXTENSION_BY_TYPE = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "text/plain": "txt",
    "text/csv": "csv",
}
OFFICE_TYPES = {content_type for content_type, extension in EXTENSION_BY_TYPE.items() if extension.endswith("x")}
OFFICE_MAX_MEMBERS = 10_000
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


TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
TEXT_ENCODINGS = ("utf-8", "gb18030")


def _decoded(head: bytes) -> str | None:
    """``head`` (the first bytes of a file) as text, if it is UTF-8 (with or without a BOM) or GB18030 — the
    exports of Chinese lab instruments — allowing a character cut at the end of the sample."""
    for encoding in TEXT_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            return decoder.decode(head.removeprefix(codecs.BOM_UTF8), final=False)
        except UnicodeDecodeError:
            continue
    return None


def sniff_text(head: bytes) -> str | None:
    """``text/csv`` or ``text/plain`` when the content is text (never by the name), else None. Text means a known
    encoding and no control characters besides tab, line ends and form feed; CSV means at least two lines that
    split into the same number (≥ 2) of fields on one delimiter."""
    text = _decoded(head)
    if text is None or not text.strip() or TEXT_CONTROL.search(text):
        return None
    lines = [line for line in text.splitlines() if line.strip()][:20]
    sample = lines[:-1] if len(lines) > 2 else lines  # the last line may be cut at the end of the sample
    if len(sample) > 1:
        try:
            dialect = csv.Sniffer().sniff("\n".join(sample), delimiters=",;\t")
        except csv.Error:
            return "text/plain"
        widths = {len(row) for row in csv.reader(sample, dialect)}
        if len(widths) == 1 and min(widths) >= 2:
            return "text/csv"
    return "text/plain"


def inflated_size(upload) -> int | None:
    """What an Office file (a zip) unpacks to: the sum of its members' sizes, read from the zip's directory
    without unpacking anything; None when it is no readable zip or has more than ``OFFICE_MAX_MEMBERS`` members
    (both refused, like a zip bomb)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if len(members) > OFFICE_MAX_MEMBERS:
        return None
    return sum(member.file_size for member in members)
