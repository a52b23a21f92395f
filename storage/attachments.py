"""Files that come with a ticket (the photos a store adds on its report page, photos and PDFs sent
in chat): the bytes in a `FileStore`, one `attachments` row each beside the ticket.

The order keeps rows honest: the files are written first, the rows in the ticket's transaction,
and the files are deleted again when that transaction does not commit (`discard`). So no row
ever names a missing file. A process that dies between the two leaves a file that no row names:
harmless (nothing links to it, its key is random), and the price of never the other way round.

Keys are random (`secrets.token_urlsafe`) plus the extension of the type the bytes show
(`sniff`); a client's filename and content type are never used for anything.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Protocol, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment

# What a report may carry, told by the first bytes: extension and the type served back.
JPEG, PNG, WEBP, HEIC = ("jpg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp"), ("heic", "image/heic")
PDF = ("pdf", "application/pdf")
IMAGES = frozenset({JPEG, PNG, WEBP, HEIC})
IMAGES_AND_PDF = IMAGES | {PDF}   # a file sent in chat may be a PDF (a quote, a report); a photo may not
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}\.(jpg|png|webp|heic|pdf)")


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG, WebP or HEIC image or a PDF by its magic bytes, else None."""
    if data[:5] == b"%PDF-":   # a PDF starts with its header (ISO 32000-1, 7.5.2)
        return PDF
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:15] == b"VP8":
        return WEBP
    if data[4:8] == b"ftyp":   # ISO media: HEIC by its major brand, or a generic HEIF one listing a HEIC brand
        size = int.from_bytes(data[:4], "big")
        brands = {data[i:i + 4] for i in range(16, min(size, len(data), 256) - 3, 4)}
        major = data[8:12]
        if major in _HEIC_BRANDS or (major in (b"mif1", b"msf1") and brands & _HEIC_BRANDS):
            return HEIC
    return None


@dataclass(frozen=True)
class Upload:
    """One accepted file, before it is stored: its bytes and what they are."""
    key: str
    data: bytes
    content_type: str

    @classmethod
    def of(cls, data: bytes, allow: frozenset[tuple[str, str]] = IMAGES) -> "Upload | None":
        """An upload with a fresh random key, or None when the bytes are nothing `allow` takes
        (images only, unless the caller takes PDFs too)."""
        kind = sniff(data)
        if kind is None or kind not in allow:
            return None
        return cls(f"{secrets.token_urlsafe(18)}.{kind[0]}", data, kind[1])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class FileStoreError(OSError):
    """A store that cannot be used (a bucket out of reach, refused credentials): an `OSError`, like
    a full or missing disk for the local store, so callers handle both one way."""


class FileStore(Protocol):
    """Where the bytes live: `LocalFileStore` (a directory) or `S3FileStore` (any S3-compatible
    bucket). `check` is called once at start; a store that cannot be used raises `OSError`."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...

    async def check(self) -> None: ...


class LocalFileStore:
    """Files in one directory (made here if missing). A file is written under a temporary name
    and renamed, so a crash never leaves half a file under its key; a crash can leave a `.part-*`
    file behind, which nothing reads."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):   # keys are ours; anything else is never a path
            raise ValueError(f"not an attachment key: {key!r}")
        return self.directory / key

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    def _write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def check(self) -> None:
        """Nothing more to do: the constructor made the directory."""


@dataclass(frozen=True)
class S3Location:
    """A bucket and how to reach it. The keys come from the environment (the caller reads them)."""
    bucket: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    endpoint_url: str = ""   # "" = AWS's endpoint for `region`
    region: str = "us-east-1"
    prefix: str = ""
    addressing_style: str = "auto"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    attempts: int = 3        # botocore's "standard" retries: throttling and 5xx, then give up

    @property
    def where(self) -> str:
        return f"{self.bucket!r} at {self.endpoint_url or 'AWS ' + self.region}"


class S3FileStore:
    """Objects in one bucket of any S3-compatible store, through aiobotocore. Each call opens its
    own client from one shared botocore session (the service model is loaded once): a client is
    tied to the event loop that made it, and no connection outlives the call. Every call has the
    connect and read timeouts of `S3Location`; any failure is a `FileStoreError` (an `OSError`)."""

    def __init__(self, where: S3Location) -> None:
        from aiobotocore.session import get_session
        from botocore.config import Config as BotoConfig

        self.location = where
        self._session = get_session()
        self._config = BotoConfig(connect_timeout=where.connect_timeout_s, read_timeout=where.read_timeout_s,
                                  retries={"max_attempts": where.attempts, "mode": "standard"},
                                  s3={"addressing_style": where.addressing_style})

    def _client(self) -> Any:
        w = self.location
        return self._session.create_client("s3", region_name=w.region, endpoint_url=w.endpoint_url or None,
                                           aws_access_key_id=w.access_key, aws_secret_access_key=w.secret_key,
                                           config=self._config)

    def _key(self, key: str) -> str:
        if not _KEY.fullmatch(key):   # keys are ours; anything else never reaches the bucket
            raise ValueError(f"not an attachment key: {key!r}")
        return self.location.prefix + key

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        name = self._key(key)
        async with self._calling("put", key) as s3:
            await s3.put_object(Bucket=self.location.bucket, Key=name, Body=data, ContentType=content_type)

    async def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        name = self._key(key)
        async with self._calling("get", key) as s3:
            try:
                resp = await s3.get_object(Bucket=self.location.bucket, Key=name)
            except ClientError as e:
                if _code(e) in ("NoSuchKey", "404"):
                    return None
                raise
            async with resp["Body"] as body:
                return bytes(await body.read())

    async def delete(self, key: str) -> None:
        name = self._key(key)
        async with self._calling("delete", key) as s3:
            await s3.delete_object(Bucket=self.location.bucket, Key=name)   # a missing key is no error in S3

    async def check(self) -> None:
        """HeadBucket: the bucket exists and these keys may use it."""
        async with self._calling("check", "") as s3:
            await s3.head_bucket(Bucket=self.location.bucket)

    @asynccontextmanager
    async def _calling(self, what: str, key: str) -> AsyncIterator[Any]:
        from botocore.exceptions import ClientError

        doing = f"s3 {what} {key}" if key else f"s3 {what}"
        try:
            async with self._client() as s3:
                yield s3
        except ClientError as e:
            code = _code(e)
            reason = {"404": "no such bucket", "NoSuchBucket": "no such bucket", "403": "access denied",
                      "AccessDenied": "access denied"}.get(code, code or "error")
            raise FileStoreError(f"{doing}: {reason}") from e
        except Exception as e:   # botocore's and the transport's own (a timeout, a refused connection, a reset)
            raise FileStoreError(f"{doing}: {e}") from e


def _code(e: Any) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def make_file_store(backend: str, directory: str | Path, s3: S3Location | None = None) -> FileStore:
    if backend == "local":
        return LocalFileStore(directory)
    if backend == "s3" and s3 is not None:
        return S3FileStore(s3)
    raise ValueError(f"unknown attachments backend {backend!r}" if backend != "s3" else "backend s3 needs a location")


async def put_all(store: FileStore, uploads: Sequence[Upload]) -> None:
    """Write every file, or none: a failure deletes those already written."""
    try:
        for u in uploads:
            await store.put(u.key, u.data, u.content_type)
    except BaseException:
        await discard(store, uploads)
        raise


async def discard(store: FileStore, uploads: Sequence[Upload]) -> None:
    for u in uploads:
        await store.delete(u.key)


async def record(session: AsyncSession, ticket_id: int, uploads: Sequence[Upload], *, source: str,
                 uploaded_by: str | None) -> None:
    """The rows, in the caller's transaction (the ticket's)."""
    session.add_all(Attachment(ticket_id=ticket_id, key=u.key, content_type=u.content_type, size=len(u.data),
                               sha256=u.sha256, source=source, uploaded_by=uploaded_by) for u in uploads)
    await session.flush()


async def of_ticket(session: AsyncSession, ticket_id: int) -> list[Attachment]:
    return list((await session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id))).all())


async def count(session: AsyncSession, ticket_id: int, source: str) -> int:
    """How many files of one source a ticket has (the after-photos a completion may need)."""
    return int(await session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.ticket_id == ticket_id, Attachment.source == source)) or 0)


async def get(session: AsyncSession, attachment_id: int) -> Attachment | None:
    return await session.get(Attachment, attachment_id)
