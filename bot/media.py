"""Photos and files sent in chat, fetched at the edge: the desk gets checked bytes (`Upload`s) and
never touches HTTP or WeCom's crypto (handlers/photos.py decides which ticket they belong to).

AI bot (doc 100719): an `image` / `file` / `mixed` message carries a download URL; the file
behind it is encrypted with the bot's EncodingAESKey: AES-256-CBC, key = base64(EncodingAESKey
+ "="), IV = the key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes (the same scheme
as the callbacks, without their random/length/ReceiveId framing; WeCom's own AI-bot demo decrypts
it this way). The URL is short-lived, so it is fetched at once.

Self-built app (doc 90240): an `image` message carries a MediaId; media/get (获取临时素材, doc 96486) gives
the file, or a JSON error body.

Either way: at most `attachments.max_bytes` a file (a body that says or turns out bigger is not
read on), a timeout, and the type told by the bytes (storage/attachments.py `sniff`): an `image`
must be a picture, a `file` a picture or a PDF. One file refused refuses the message.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.crypto import BLOCK, CryptoError, aes_key
from bot.wecom_api import MediaTooLarge, TransientError, WeComClient, WeComError, read_capped
from handlers.config import Config
from handlers.event import Inbound, Media
from handlers.photos import Fetched
from storage.attachments import IMAGES, IMAGES_AND_PDF, Upload

log = logging.getLogger("wecom_desk.media")
MAX_CHAT_FILES = 9        # files one message may bring; more are refused, not cut
FETCH_TIMEOUT_S = 20.0    # one download; the callback was answered long before (an unfinished stream, a 200)


def decrypt_media(data: bytes, encoding_aes_key: str) -> bytes:
    """A file the AI bot's URL serves → its bytes. Strict: a length that is no whole number of
    AES blocks or padding that is not PKCS#7 (1..32 equal bytes) is a CryptoError, never garbage."""
    if not data or len(data) % 16:
        raise CryptoError("ciphertext length is not a multiple of the AES block")
    key = aes_key(encoding_aes_key)
    if len(key) != 32:
        raise CryptoError("EncodingAESKey does not decode to 32 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad padding")
    return plain[:-pad]


class MediaFetcher:
    """`Desk.fetch_media`: one message's media → `Fetched` (the uploads, or why none is kept)."""

    def __init__(self, cfg: Config, client: WeComClient, timeout_s: float = FETCH_TIMEOUT_S) -> None:
        self.cfg, self.client = cfg, client
        self.max_bytes = cfg.attachments.max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def __call__(self, inbound: Inbound) -> Fetched:
        if len(inbound.media) > MAX_CHAT_FILES:
            return Fetched(refused="photo.too_many", values={"n": MAX_CHAT_FILES})
        uploads: list[Upload] = []
        for media in inbound.media:
            try:
                data = await (self._bot(media) if inbound.channel == "bot" else self._app(media))
            except MediaTooLarge:
                return self._too_big()
            except (TransientError, WeComError, CryptoError, aiohttp.ClientError, asyncio.TimeoutError) as e:
                log.warning("media of %s could not be fetched: %s", inbound.dedup_key, e)
                return Fetched(refused="photo.failed")
            if len(data) > self.max_bytes:
                return self._too_big()
            upload = Upload.of(data, IMAGES if media.kind == "image" else IMAGES_AND_PDF)
            if upload is None:   # by the bytes themselves: a name or a content type says nothing here
                return Fetched(refused="photo.not_image" if media.kind == "image" else "photo.not_allowed")
            uploads.append(upload)
        return Fetched(uploads)

    def _too_big(self) -> Fetched:
        return Fetched(refused="photo.too_big", values={"mb": f"{self.max_bytes / 2**20:.3g}"})

    async def _bot(self, media: Media) -> bytes:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        async with self._session.get(media.ref) as resp:
            if resp.status != 200:
                raise TransientError(f"HTTP {resp.status}")
            # The ciphertext is the file padded to the next 32 bytes (a full block when it fits exactly).
            data = await read_capped(resp, self.max_bytes + BLOCK)
        return decrypt_media(data, self.cfg.wecom.bot.encoding_aes_key)

    async def _app(self, media: Media) -> bytes:
        return await self.client.get_media(media.ref, self.max_bytes, timeout_s=self.timeout.total or FETCH_TIMEOUT_S)
