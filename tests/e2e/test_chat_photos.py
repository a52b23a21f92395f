"""Photos and files sent in chat, through real encrypted callbacks and the sandbox playing WeCom:
the AI bot's pictures are served encrypted with the bot's EncodingAESKey at a download URL, the
app's come through media/get. They land on the ticket they belong to, byte for byte, once."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import aiohttp

from handlers.links import ticket_signature
from storage.models import Attachment, InboundCallback, Ticket
from tests.conftest import base_config_data, rows

STORE, GROUP = "storesh", "wr_sh_xuhui"
DISPATCH = "wr_east_dispatch"
REPORT = "@小鲸 上海徐汇店空调不制冷了"


def jpeg(size: int = 3000) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def png(size: int = 2000) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(size - 16)


def text_of(reply: dict) -> str:
    if "stream" in reply:
        return reply["stream"]["content"]
    card = reply["template_card"]
    return card["main_title"]["title"] + " " + card["main_title"].get("desc", "")


def stored_files(desk) -> list[Path]:
    return [p for p in Path(desk.cfg.attachments.dir).iterdir() if not p.name.startswith(".part-")]


async def report_and_claim(sb) -> dict:
    """The store reports; 张伟 claims from the dispatch group. Returns the store's reply card."""
    reported = await sb.say(STORE, REPORT, chatid=GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    quoted = card["main_title"]["title"] + " " + card["main_title"].get("desc", "")
    claimed = await sb.say("zhangwei", "@小鲸 这单我接了", chatid=DISPATCH, quote=quoted)
    assert "#1" in text_of(claimed["reply"])
    return reported["reply"]


async def test_a_photo_in_the_group_quoting_the_card_lands_on_that_ticket_byte_for_byte(desk):
    sb = desk.sandbox
    reply_card = await report_and_claim(sb)
    photo = jpeg(40_000)
    shown = await sb.show(STORE, [photo], text="@小鲸", chatid=GROUP, quote=text_of(reply_card))
    assert shown["status"] == 200
    assert "📷 #1 收到 1 张照片" in text_of(shown["reply"])
    [row] = await rows(desk.cfg, Attachment)
    assert row.ticket_id == 1 and row.source == "chat" and row.uploaded_by == STORE
    assert row.sha256 == hashlib.sha256(photo).hexdigest() and row.content_type == "image/jpeg"
    # The download really was the encrypted file WeCom serves, not the plain bytes.
    [download] = await sb.calls("aibot/media")
    assert download["size"] % 32 == 0 and download["size"] > len(photo)

    # The engineer's 1:1 links the ticket page; the page shows the photo; the photo comes back intact.
    [link] = await sb.wait_for(lambda: _texts_with(sb, "zhangwei", "📷 #1"))
    sig = ticket_signature(desk.cfg.wecom.app.secret, 1)
    assert f"/tickets/1?sig={sig}" in link
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk.url}/tickets/1", params={"sig": sig}) as resp:
            page = await resp.text()
        [src] = set(re.findall(r'src="(/tickets/1/files/\d+\?sig=[0-9a-f]+)"', page))
        async with http.get(desk.url + src) as resp:
            assert resp.status == 200 and resp.content_type == "image/jpeg"
            assert hashlib.sha256(await resp.read()).hexdigest() == hashlib.sha256(photo).hexdigest()


async def test_an_app_picture_from_the_engineer_lands_on_their_open_job_and_the_group_is_told(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    photo = png()
    sent = await sb.direct_image("zhangwei", photo)
    assert sent["status"] == 200
    [row] = await sb.wait_for(lambda: rows(desk.cfg, Attachment))
    assert row.ticket_id == 1 and row.uploaded_by == "zhangwei" and row.sha256 == hashlib.sha256(photo).hexdigest()
    assert [c["media_id"] for c in await sb.calls("media/get")] == [sent["media_id"]]
    assert await sb.wait_for(lambda: _pushes_with(sb, "📷 #1 收到 1 张照片"))
    assert await sb.wait_for(lambda: _texts_with(sb, "zhangwei", "📷 #1 收到 1 张照片"))


async def _pushes_with(sb, needle: str) -> list[str]:
    return [p for p in await sb.pushes(GROUP) if needle in p]


async def _texts_with(sb, userid: str, needle: str) -> list[str]:
    return [m for m in await sb.texts(userid) if needle in m]


async def test_done_with_a_photo_records_an_after_photo_and_completes(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    photo = jpeg()
    done = await sb.show("zhangwei", [photo], text="@小鲸 #1 完工", chatid=DISPATCH)
    said = text_of(done["reply"])
    assert "#1" in said and "已完工" in said and "📷 #1 收到 1 张照片" in said
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "completed"
    [row] = await rows(desk.cfg, Attachment)
    assert row.source == "chat_after" and row.sha256 == hashlib.sha256(photo).hexdigest()


async def test_a_template_requiring_after_photos_refuses_completion_without_one(start):
    templates = [dict(t, require_after_photos=True) if t["code"] == "hvac_repair" else t
                 for t in base_config_data()["templates"]]
    desk = await start(templates=templates)
    sb = desk.sandbox
    await report_and_claim(sb)
    refused = await sb.say("zhangwei", "@小鲸 #1 完工", chatid=DISPATCH)
    assert "完工照片" in text_of(refused["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status != "completed"
    # A photo sent earlier without "完工" is not an after-photo either.
    await sb.direct_image("zhangwei", jpeg())
    await sb.wait_for(lambda: rows(desk.cfg, Attachment))
    still = await sb.say("zhangwei", "@小鲸 #1 完工", chatid=DISPATCH)
    assert "完工照片" in text_of(still["reply"])
    done = await sb.show("zhangwei", [jpeg()], text="@小鲸 #1 完工", chatid=DISPATCH)
    assert "已完工" in text_of(done["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "completed"
    assert sorted(a.source for a in await rows(desk.cfg, Attachment)) == ["chat", "chat_after"]


async def test_a_file_that_is_no_picture_is_refused_whatever_it_is_called_and_nothing_is_kept(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    disguised = b"MZ\x90\x00" + os.urandom(4000)   # a program, sent as if it were a .jpg picture
    shown = await sb.show(STORE, [disguised], text="@小鲸 #1", chatid=GROUP)
    assert "不是照片" in text_of(shown["reply"])
    # A file message may be a PDF; anything else is refused the same way.
    other = await sb.send_file(STORE, b"PK\x03\x04" + os.urandom(500), chatid=GROUP)
    assert "不是照片或 PDF" in text_of(other["reply"])
    assert await rows(desk.cfg, Attachment) == [] and stored_files(desk) == []
    [callback] = [c for c in await rows(desk.cfg, InboundCallback) if c.key == f"bot:{shown['msgid']}"]
    assert callback.outcome == "refused"


async def test_a_pdf_file_is_kept_and_listed_on_the_ticket_page(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    pdf = b"%PDF-1.7\n" + os.urandom(3000)
    sent = await sb.send_file(STORE, pdf, chatid=GROUP)
    assert "📎 #1 收到 1 个文件" in text_of(sent["reply"])
    [row] = await rows(desk.cfg, Attachment)
    assert row.content_type == "application/pdf" and row.key.endswith(".pdf")
    sig = ticket_signature(desk.cfg.wecom.app.secret, 1)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk.url}/tickets/1", params={"sig": sig}) as resp:
            page = await resp.text()
    assert f'href="/tickets/1/files/{row.id}?sig={sig}"' in page and "📎 PDF 1" in page


async def test_an_oversize_picture_is_refused_and_nothing_is_kept(start):
    desk = await start(attachments={"max_bytes": 4096})
    sb = desk.sandbox
    await report_and_claim(sb)
    shown = await sb.show(STORE, [jpeg(10_000)], text="@小鲸 #1", chatid=GROUP)
    assert "文件超过 0.00391 MB，没有保存" in text_of(shown["reply"])
    ok = await sb.show(STORE, [jpeg(4000)], text="@小鲸 #1", chatid=GROUP)
    assert "📷 #1" in text_of(ok["reply"])
    assert len(await rows(desk.cfg, Attachment)) == 1 and len(stored_files(desk)) == 1


async def test_a_photo_with_no_ticket_gets_a_helpful_answer_and_nothing_is_kept(desk):
    sb = desk.sandbox
    shown = await sb.show(STORE, [jpeg()], text="@小鲸", chatid=GROUP)
    assert "收到照片，但没有找到进行中的工单。请引用工单卡片或注明 #工单号。" in text_of(shown["reply"])
    assert await rows(desk.cfg, Attachment) == [] and stored_files(desk) == []
    # In Thai for a Thai store.
    thai = await sb.show("storebkk", [jpeg()], text="@小鲸", chatid="wr_bkk_siam")
    assert "ไม่พบใบงาน" in text_of(thai["reply"])


async def test_a_report_with_a_photo_opens_the_ticket_and_keeps_the_photo(desk):
    sb = desk.sandbox
    photo = jpeg()
    shown = await sb.show(STORE, [photo], text="@小鲸 上海徐汇店冷柜不制冷了", chatid=GROUP)
    assert "#1" in text_of(shown["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    [row] = await rows(desk.cfg, Attachment)
    assert row.ticket_id == ticket.id and row.sha256 == hashlib.sha256(photo).hexdigest()


async def test_a_redelivered_callback_stores_the_photo_once(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    photo = jpeg()
    first = await sb.show(STORE, [photo], text="@小鲸 #1", chatid=GROUP, msgid="photo-msg-1")
    again = await sb.show(STORE, [photo], text="@小鲸 #1", chatid=GROUP, msgid="photo-msg-1")
    assert text_of(first["reply"]) == text_of(again["reply"])
    assert len(await rows(desk.cfg, Attachment)) == 1 and len(stored_files(desk)) == 1
    # The app too: the same MsgId twice is one photo.
    await sb.direct_image("zhangwei", png(), msgid="4242")
    await sb.direct_image("zhangwei", png(), msgid="4242")
    await sb.wait_for(lambda: _count_is(desk, 2))
    assert len(await rows(desk.cfg, Attachment)) == 2 and len(stored_files(desk)) == 2


async def _count_is(desk, n: int) -> bool:
    return len(await rows(desk.cfg, Attachment)) == n


async def test_media_get_errors_are_read_from_its_json_answer(desk):
    sb = desk.sandbox
    await report_and_claim(sb)
    # An expired token is refreshed once and the download goes through.
    await sb.fault("errcode", api="media/get", errcode=42001)
    await sb.direct_image("zhangwei", png())
    await sb.wait_for(lambda: rows(desk.cfg, Attachment))
    # WeCom's JSON error instead of a file: nothing is kept, the engineer is told.
    await sb.fault("errcode", api="media/get", errcode=40007, errmsg="invalid media_id")
    await sb.direct_image("zhangwei", png())
    assert await sb.wait_for(lambda: _texts_with(sb, "zhangwei", "没能取到"))
    assert len(await rows(desk.cfg, Attachment)) == 1 and len(stored_files(desk)) == 1


async def test_a_slow_download_does_not_hold_the_callback(start):
    desk = await start(server={"reply_deadline_ms": 300})
    sb = desk.sandbox
    await report_and_claim(sb)
    await sb.fault("hang", api="aibot/media", seconds=1.0)   # answers "system busy" after 1 s: refused
    late = await sb.show(STORE, [jpeg()], text="@小鲸 #1", chatid=GROUP)
    stream = late["reply"]["stream"]
    assert stream["finish"] is False   # answered by the deadline with an unfinished stream

    async def finished():
        refreshed = await sb.refresh(STORE, stream["id"], chatid=GROUP)
        reply = refreshed["reply"] or {}
        return reply if reply.get("stream", {}).get("finish") else None
    done = await sb.wait_for(finished, timeout=10, interval=0.2)
    assert "没能取到" in done["stream"]["content"]
    assert await rows(desk.cfg, Attachment) == []
