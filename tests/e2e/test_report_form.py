"""The store's own report page: a signed link per store, a form that opens a ticket the way a chat
report does (the store's group gets the card), CSRF, one ticket per form, a rate limit; photos with
the report, kept in the file store and shown on the ticket page through signed links."""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import struct
import zlib
from pathlib import Path
from typing import Callable

import aiohttp
import pytest

from handlers.links import store_report_url, ticket_signature
from handlers.messages import t
from storage.attachments import Upload, sniff
from storage.models import Attachment, Ticket
from tests.conftest import rows

GROUP = "wr_sh_xuhui"


def link(desk, chatid=GROUP) -> str:
    return store_report_url(desk.url, desk.cfg.wecom.app.secret, chatid)


def browser() -> aiohttp.ClientSession:
    # A browser keeps cookies from 127.0.0.1 too (aiohttp's jar does not unless told to).
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def html_text(sentence: str) -> str:
    """A catalog sentence as the page prints it (escaped)."""
    return html.escape(sentence)


async def open_form(http, url) -> dict[str, str]:
    async with http.get(url) as resp:
        assert resp.status == 200
        return hidden(await resp.text())


async def post(http, url, form, **fields):
    async with http.post(url, data={**form, **fields}) as resp:
        return resp.status, await resp.text()


async def test_a_report_from_the_page_opens_a_ticket_and_the_store_group_sees_it(desk):
    async with browser() as http:
        async with http.get(link(desk)) as resp:
            page = await resp.text()
            assert resp.status == 200 and "上海徐汇店 · 报修" in page and 'name="viewport"' in page
        status, page = await post(http, link(desk), hidden(page), problem="后厨冰箱不制冷，温度一直往上跳",
                                  name="王经理", phone="13800001234", urgent="1")
    assert status == 200 and "已创建工单 #1" in page and "接单后会在门店群通知" in page
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.chatid, ticket.skill, ticket.urgency, ticket.source, ticket.city) == (
        GROUP, "appliance", "urgent", "web", "上海")
    assert ticket.data["contact"] == {"name": "王经理", "phone": "13800001234"}
    assert "13800001234" not in ticket.reporter, "the phone number is not an id"
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes(GROUP))
    assert any("#1" in p for p in pushes), "the store's group gets the card"
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhangwei"))
    assert cards, "and the job is offered like any other"


async def test_a_form_sent_twice_opens_one_ticket(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        first = await post(http, link(desk), form, problem="收银机打不开", phone="13800001234")
        again = await post(http, link(desk), form, problem="收银机打不开", phone="13800001234")
    assert first[0] == again[0] == 200
    assert "已创建工单 #1" in again[1] and "工单 #2" not in again[1]
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_a_link_for_another_store_or_a_forged_one_is_refused(desk):
    async with browser() as http:
        forged = link(desk).replace("wr_sh_xuhui", "wr_hz_xihu")
        async with http.get(forged) as resp:
            assert resp.status == 403 and "not valid" in await resp.text()
        async with http.get(link(desk, "wr_east_dispatch")) as resp:
            assert resp.status == 403, "a dispatch room is not a store"
    assert await rows(desk.cfg, Ticket) == []


async def test_without_the_forms_cookie_or_token_nothing_is_opened(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
    async with browser() as other:   # a cross-site post: no cookie
        status, page = await post(other, link(desk), form, problem="电梯异响", phone="1")
        assert status == 403 and "过期" in page
    async with browser() as http:
        form = await open_form(http, link(desk))
        status, _ = await post(http, link(desk), {**form, "csrf": "0" * 32}, problem="电梯异响", phone="1")
        assert status == 403
    assert await rows(desk.cfg, Ticket) == []


async def test_what_is_missing_is_said_and_nothing_is_opened(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        status, page = await post(http, link(desk), form, problem="坏了", phone="13800001234")
        assert status == 400 and "设备" in page and "坏了" in page, "the visitor's words are kept"
        status, page = await post(http, link(desk), hidden(page), problem="空调漏水", phone="")
        assert status == 400 and "联系电话" in page
        status, _ = await post(http, link(desk), hidden(page), problem="空调漏水" * 300, phone="1")
        assert status == 400
    assert await rows(desk.cfg, Ticket) == []


async def test_the_page_speaks_the_stores_language_and_limits_the_rate(desk):
    bkk = link(desk, "wr_bkk_siam")
    async with browser() as http:
        async with http.get(bkk) as resp:
            page = await resp.text()
        assert 'lang="th"' in page and "แจ้งซ่อม" in page
        statuses = []
        for i in range(12):
            form = await open_form(http, bkk + "&lang=en")
            statuses.append((await post(http, bkk + "&lang=en", form, problem=f"the fridge is not cooling {i}",
                                        phone="0812345678"))[0])
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    # The same store and device while its ticket is open: one ticket, the other nine added to it.
    from storage.models import TicketEvent

    assert len(await rows(desk.cfg, Ticket)) == 1
    assert len(await rows(desk.cfg, TicketEvent, kind="duplicate_report")) == 9


# -- photos ------------------------------------------------------------------------------------------
# Real images, made here: a PNG (zlib and CRCs) and the smallest baseline JPEG (one flat 8×8 block).

def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (220, 40, 40), pad: int = 0,
        pixel: Callable[[int, int], tuple[int, int, int]] | None = None) -> bytes:
    """A PNG of one colour, or of `pixel(x, y)`; `pad` adds a comment chunk that long."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    colour = pixel or (lambda x, y: rgb)
    rows_ = b"".join(b"\x00" + b"".join(bytes(colour(x, y)) for x in range(width)) for y in range(height))
    comment = chunk(b"tEXt", b"Comment\x00" + b"x" * pad) if pad else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + comment + chunk(b"IDAT", zlib.compress(rows_)) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    one_code = bytes([1] + [0] * 15) + b"\x00"   # one Huffman code of length 1, for symbol 0
    return (b"\xff\xd8" + segment(0xDB, b"\x00" + b"\x01" * 64)             # quantisation: all 1
            + segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")       # 8×8, one component
            + segment(0xC4, b"\x00" + one_code) + segment(0xC4, b"\x10" + one_code)   # DC, AC tables
            + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")                   # scan
            + b"\x3f" + b"\xff\xd9")                                        # DC diff 0, end of block; EOI


@pytest.fixture
async def desk(start, tmp_path):
    """This file's desk keeps its photos in the test's own folder."""
    return await start(attachments={"dir": str(tmp_path / "attachments")})


def with_photos(form: dict[str, str], photos: list[tuple[str, bytes, str]], **fields: str) -> aiohttp.FormData:
    """The form as a browser sends it: the fields, then the photo field's files."""
    data = aiohttp.FormData(default_to_multipart=True)
    for k, v in {**form, **fields}.items():
        data.add_field(k, v)
    for filename, content, content_type in photos:
        data.add_field("photos", content, filename=filename, content_type=content_type)
    return data


async def send(http, url, data):
    async with http.post(url, data=data) as resp:
        return resp.status, await resp.text()


def files_in(desk) -> list[Path]:
    folder = Path(desk.cfg.attachments.dir)
    return sorted(folder.iterdir()) if folder.exists() else []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ticket_url(desk, ticket_id: int) -> str:
    return f"{desk.url}/tickets/{ticket_id}?sig={ticket_signature(desk.cfg.wecom.app.secret, ticket_id)}"


async def report_with(desk, http, photos, problem: str = "后厨冰箱不制冷") -> tuple[int, str]:
    form = await open_form(http, link(desk))
    return await send(http, link(desk), with_photos(form, photos, problem=problem, phone="13800001234"))


async def assert_nothing_created(desk):
    assert await rows(desk.cfg, Ticket) == []
    assert await rows(desk.cfg, Attachment) == []
    assert files_in(desk) == [], "no file is left behind"


async def test_photos_come_with_the_report_and_show_on_the_ticket_page(desk):
    # Bigger than server.max_body_bytes (the app's client_max_size, 64 KiB): this route reads its own way.
    big = png(pad=300_000)
    assert len(big) > desk.cfg.server.max_body_bytes
    small = jpeg()
    async with browser() as http:
        status, page = await report_with(desk, http, [("fridge.png", big, "image/png"),
                                                      ("../../etc/passwd.jpg", small, "image/jpeg")])
    assert status == 200 and "已创建工单 #1" in page and "已附上 2 张照片" in page
    [ticket] = await rows(desk.cfg, Ticket)
    photos = sorted(await rows(desk.cfg, Attachment), key=lambda a: a.id)
    assert [(a.ticket_id, a.content_type, a.size, a.sha256, a.source) for a in photos] == [
        (ticket.id, "image/png", len(big), sha(big), "form"), (ticket.id, "image/jpeg", len(small), sha(small), "form")]
    assert all(a.uploaded_by == ticket.reporter for a in photos)
    assert [a.key.rsplit(".", 1)[1] for a in photos] == ["png", "jpg"]
    assert not any("fridge" in a.key or "passwd" in a.key for a in photos), "never the client's filename"
    on_disk = files_in(desk)
    assert sorted(p.name for p in on_disk) == sorted(a.key for a in photos), "no temporary file is left"
    assert {sha(p.read_bytes()) for p in on_disk} == {sha(big), sha(small)}

    async with aiohttp.ClientSession() as http:
        async with http.get(ticket_url(desk, ticket.id)) as resp:
            assert resp.status == 200
            html = await resp.text()
        urls = re.findall(r'<img src="([^"]+)"', html)
        assert len(urls) == 2 and t("zh", "page.photos", n=2) in html
        for url, sent, photo in zip(urls, (big, small), photos):
            async with http.get(desk.url + url.replace("&amp;", "&")) as resp:
                assert resp.status == 200 and await resp.read() == sent
                assert resp.headers["Content-Type"] == photo.content_type
                assert resp.headers["Content-Disposition"].startswith("inline")
                assert resp.headers["X-Content-Type-Options"] == "nosniff"
                assert resp.headers["Cache-Control"] == "private, max-age=3600"


async def test_a_form_with_photos_sent_twice_stores_them_once(desk):
    photos = [("a.png", png(), "image/png"), ("b.jpg", jpeg(), "image/jpeg")]
    async with browser() as http:
        form = await open_form(http, link(desk))

        def again():
            return send(http, link(desk), with_photos(form, photos, problem="收银机打不开", phone="13800001234"))

        together = await asyncio.gather(again(), again(), again())   # taps racing each other
        later = await again()                                          # a refresh that re-posts
    assert {status for status, _ in [*together, later]} == {200}
    [ticket] = await rows(desk.cfg, Ticket)
    # Every tap shows the one ticket (on PostgreSQL a racing loser may have used up a number first).
    assert all(f"已创建工单 #{ticket.id}" in page and "已附上 2 张照片" in page for _, page in [*together, later])
    assert len(await rows(desk.cfg, Attachment)) == 2 and len(files_in(desk)) == 2, "the losers' files are gone"


async def test_a_report_the_desk_cannot_open_keeps_no_photos(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        status, page = await send(http, link(desk), with_photos(form, [("a.png", png(), "image/png")],
                                                                problem="坏了", phone="13800001234"))
    assert status == 400 and "设备" in page
    await assert_nothing_created(desk)


def test_a_photo_folder_that_cannot_be_made_stops_the_start_with_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, free_port

    (tmp_path / "a-file").write_text("not a folder")
    env = {**os.environ, "WECOM_DESK_SANDBOX": "true", "WECOM_DESK_PORT": str(free_port()),
           "WECOM_DESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/desk.db", "WECOM_DESK_REDIS_URL": "",
           "WECOM_DESK_ATTACHMENTS_DIR": str(tmp_path / "a-file" / "attachments")}
    done = subprocess.run([str(Path(sys.executable).with_name("wecom-desk")), "serve", "--config",
                           str(ROOT / "config.yaml")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("wecom-desk:")]
    assert len(errors) == 1 and errors[0].startswith("wecom-desk: attachments.dir: cannot use"), done.stderr


async def test_when_photos_cannot_be_stored_nothing_is_created(start, tmp_path):
    folder = tmp_path / "photos"
    desk = await start(attachments={"dir": str(folder)})
    folder.rmdir()                       # the disk goes away under a running service
    folder.write_text("not a folder")
    async with browser() as http:
        status, page = await report_with(desk, http, [("a.png", png(), "image/png")])
    assert status == 503 and t("zh", "form.unavailable") in page
    assert await rows(desk.cfg, Ticket) == [] and await rows(desk.cfg, Attachment) == []


async def test_a_text_file_called_jpg_is_refused_and_nothing_is_created(desk):
    async with browser() as http:
        status, page = await report_with(desk, http, [("ok.png", png(), "image/png"),
                                                      ("photo.jpg", b"just some text, not a photo\n", "image/jpeg")])
    assert status == 400 and html_text(t("zh", "form.photo_type")) in page
    assert "后厨冰箱不制冷" in page, "the visitor's words are kept"
    await assert_nothing_created(desk)


async def test_a_photo_over_the_size_limit_is_refused_and_nothing_is_created(desk):
    limit = desk.cfg.attachments.max_bytes
    assert limit == 5 * 2**20, "the default"
    huge = png(pad=limit)   # a real PNG, one comment chunk past the limit
    async with browser() as http:
        status, page = await report_with(desk, http, [("a.png", png(), "image/png"), ("huge.png", huge, "image/png")])
    assert status == 400 and html_text(t("zh", "form.photo_size", mb="5")) in page
    await assert_nothing_created(desk)


async def test_more_photos_than_allowed_are_refused_and_nothing_is_created(desk):
    assert desk.cfg.attachments.max_files == 3
    async with browser() as http:
        status, page = await report_with(desk, http, [(f"{i}.png", png(rgb=(i, i, i)), "image/png") for i in range(4)])
    assert status == 400 and html_text(t("zh", "form.photo_count", n=3)) in page
    await assert_nothing_created(desk)


async def test_photos_without_the_forms_token_are_not_even_read(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
    async with browser() as other:   # a cross-site post: no cookie
        status, page = await send(other, link(desk), with_photos(form, [("a.png", png(), "image/png")],
                                                                 problem="电梯异响", phone="1"))
        assert status == 403 and "过期" in page
    async with browser() as http:   # the token after the photos: a browser never sends that order
        form = await open_form(http, link(desk))
        data = aiohttp.FormData(default_to_multipart=True)
        data.add_field("photos", png(), filename="a.png", content_type="image/png")
        for k, v in {**form, "problem": "电梯异响", "phone": "1"}.items():
            data.add_field(k, v)
        status, _ = await send(http, link(desk), data)
        assert status == 403
    await assert_nothing_created(desk)


async def test_a_photo_link_needs_its_tickets_signature(desk):
    async with browser() as http:
        assert (await report_with(desk, http, [("a.png", png(), "image/png")]))[0] == 200
        # Another device: a ticket of its own (the same one again would be added to the open #1).
        assert (await report_with(desk, http, [("b.jpg", jpeg(), "image/jpeg")], problem="电梯异响"))[0] == 200
    first, second = sorted(await rows(desk.cfg, Attachment), key=lambda a: a.ticket_id)
    assert (first.ticket_id, second.ticket_id) == (1, 2)
    secret = desk.cfg.wecom.app.secret
    async with aiohttp.ClientSession() as http:
        async def get(ticket_id, attachment_id, sig):
            async with http.get(f"{desk.url}/tickets/{ticket_id}/files/{attachment_id}", params={"sig": sig}) as resp:
                return resp.status
        assert await get(1, first.id, ticket_signature(secret, 1)) == 200
        assert await get(1, first.id, "0" * 20) == 403
        assert await get(1, first.id, ticket_signature(secret, 2)) == 403, "another ticket's signature"
        assert await get(2, first.id, ticket_signature(secret, 2)) == 404, "another ticket's photo"
        assert await get(1, 999, ticket_signature(secret, 1)) == 404


async def test_a_report_without_photos_still_goes_as_multipart(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        data = with_photos(form, [], problem="空调漏水", phone="13800001234")
        data.add_field("photos", b"", filename="", content_type="application/octet-stream")   # no file chosen
        status, page = await send(http, link(desk), data)
    assert status == 200 and "已创建工单 #1" in page and "照片" not in page
    assert await rows(desk.cfg, Attachment) == [] and files_in(desk) == []


def test_the_type_is_told_by_the_bytes():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    heif = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1miafheic"
    avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 "
    assert [sniff(b) for b in (png(), jpeg(), webp, heic, heif)] == [
        ("png", "image/png"), ("jpg", "image/jpeg"), ("webp", "image/webp"), ("heic", "image/heic"),
        ("heic", "image/heic")]
    assert [sniff(b) for b in (avif, b"GIF89a", b"<svg xmlns=", b"", b"\x89PNG")] == [None] * 5
    # A PDF is told too (a file sent in chat may be one), but the report page takes pictures only.
    assert sniff(b"%PDF-1.7") == ("pdf", "application/pdf") and Upload.of(b"%PDF-1.7") is None
