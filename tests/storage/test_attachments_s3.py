"""attachments.backend s3: `S3FileStore` against moto's S3 server on loopback — the real wire
protocol (SigV4, XML errors, streaming bodies), no mocked client. The FileStore contract runs on
both stores; the start-up check and one report with a photo run through the real app."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Iterator

import aiohttp
import boto3
import pytest
from moto.server import ThreadedMotoServer

from bot.app import StartupError
from handlers.config import ConfigError, parse_config
from handlers.messages import t
from storage.attachments import FileStore, S3FileStore, S3Location, Upload, make_file_store
from storage.models import Attachment, Ticket
from tests.conftest import base_config_data, deep_merge, free_port, rows
from tests.e2e.test_report_form import browser, png, jpeg, report_with, ticket_url

ACCESS, SECRET = "AKIAMOTOTEST", "moto-secret-never-shown"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_admin(url: str) -> Any:
    """A plain boto3 client for setting up and looking at the bucket from the outside."""
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ACCESS,
                        aws_secret_access_key=SECRET)


@pytest.fixture
def bucket(moto_url: str) -> str:
    name = f"desk-{uuid.uuid4().hex[:12]}"
    s3_admin(moto_url).create_bucket(Bucket=name)
    return name


def location(url: str, bucket: str, **kw: Any) -> S3Location:
    return S3Location(bucket=bucket, access_key=ACCESS, secret_key=SECRET, endpoint_url=url,
                      prefix=kw.pop("prefix", "attachments/"), addressing_style="path", **kw)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return make_file_store("local", tmp_path / "files")
    url = request.getfixturevalue("moto_url")
    return make_file_store("s3", tmp_path / "unused", location(url, request.getfixturevalue("bucket")))


# -- the FileStore contract, on both stores ----------------------------------------------------------

async def test_contract_round_trip_keeps_every_byte(store: FileStore):
    await store.check()
    data = png(pad=200_000) + bytes(range(256))   # binary, and bigger than one network read
    up = Upload.of(data)
    assert up is not None
    await store.put(up.key, up.data, up.content_type)
    assert await store.get(up.key) == data
    await store.delete(up.key)
    assert await store.get(up.key) is None


async def test_contract_a_missing_key_is_none_and_deleting_it_is_no_error(store: FileStore):
    key = Upload.of(jpeg()).key
    assert await store.get(key) is None
    await store.delete(key)


async def test_contract_a_key_written_twice_holds_the_last_bytes(store: FileStore):
    key = Upload.of(png()).key
    await store.put(key, png(rgb=(1, 2, 3)), "image/png")
    await store.put(key, png(rgb=(4, 5, 6)), "image/png")
    assert await store.get(key) == png(rgb=(4, 5, 6))


@pytest.mark.parametrize("key", ["../etc/passwd", "a/b.png", "short.png", ""])
async def test_contract_only_our_keys_are_used(store: FileStore, key: str):
    with pytest.raises(ValueError):
        await store.put(key, png(), "image/png")
    with pytest.raises(ValueError):
        await store.get(key)


# -- S3 only ----------------------------------------------------------------------------------------

async def test_s3_objects_carry_their_type_under_the_prefix(moto_url: str, bucket: str):
    files = S3FileStore(location(moto_url, bucket, prefix="desk/photos/"))
    up = Upload.of(jpeg())
    await files.put(up.key, up.data, up.content_type)
    head = s3_admin(moto_url).get_object(Bucket=bucket, Key=f"desk/photos/{up.key}")
    assert head["ContentType"] == "image/jpeg" and head["Body"].read() == up.data
    listed = s3_admin(moto_url).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"desk/photos/{up.key}"]
    await files.delete(up.key)
    assert "Contents" not in s3_admin(moto_url).list_objects_v2(Bucket=bucket)


async def test_s3_failures_are_os_errors_and_keep_the_secret(moto_url: str):
    files = S3FileStore(location(moto_url, "no-such-bucket-here"))
    with pytest.raises(OSError, match="no such bucket"):
        await files.check()
    with pytest.raises(OSError) as put_failed:
        await files.put(Upload.of(png()).key, png(), "image/png")
    assert SECRET not in str(put_failed.value) and SECRET not in repr(files.location)


async def test_s3_an_endpoint_nobody_answers_fails_within_the_timeouts():
    files = S3FileStore(S3Location(bucket="b", access_key=ACCESS, secret_key=SECRET,
                                   endpoint_url=f"http://127.0.0.1:{free_port()}", connect_timeout_s=1,
                                   read_timeout_s=1, attempts=1))
    with pytest.raises(OSError, match="s3 check"):
        await files.check()


# -- config ------------------------------------------------------------------------------------------

def config_with(attachments: dict[str, Any]):
    return parse_config(deep_merge(base_config_data(), {"attachments": attachments}), env={})


def test_backend_local_stays_the_default():
    cfg = config_with({})
    assert cfg.attachments.backend == "local" and cfg.attachments.s3.bucket == ""


def test_backend_s3_is_read_with_its_keys_named_not_given():
    cfg = config_with({"backend": "s3", "s3": {"endpoint_url": "http://minio:9000/", "bucket": "b", "prefix": "p/",
                                                "access_key_env": "S3_ID", "secret_key_env": "S3_KEY"}})
    s3 = cfg.attachments.s3
    assert (s3.endpoint_url, s3.bucket, s3.prefix, s3.access_key_env, s3.secret_key_env) == (
        "http://minio:9000", "b", "p/", "S3_ID", "S3_KEY")


@pytest.mark.parametrize("s3, message", [
    ({"access_key_env": "A", "secret_key_env": "B"}, "backend s3 needs s3.bucket"),
    ({"bucket": "b", "secret_key_env": "B"}, "backend s3 needs s3.access_key_env"),
    ({"bucket": "b", "access_key_env": "A"}, "backend s3 needs s3.secret_key_env"),
    ({"bucket": "b", "access_key_env": "A", "secret_key_env": "B", "endpoint_url": "minio:9000"},
     "endpoint_url must start with http:// or https://"),
])
def test_backend_s3_without_what_it_needs_is_refused(s3: dict[str, str], message: str):
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        config_with({"backend": "s3", "s3": s3})
    assert "attachments" in str(e.value)


def test_a_key_written_where_its_variables_name_goes_is_refused_and_not_echoed():
    with pytest.raises(ConfigError, match="must name an environment variable") as e:
        config_with({"backend": "s3", "s3": {"bucket": "b", "access_key_env": "A",
                                              "secret_key_env": "wJalr/XUtnFEMI+K7MDENG"}})
    assert "wJalr" not in str(e.value)


# -- the app ----------------------------------------------------------------------------------------

def s3_overrides(url: str, bucket: str) -> dict[str, Any]:
    return {"backend": "s3", "s3": {"endpoint_url": url, "bucket": bucket, "prefix": "photos/",
                                    "addressing_style": "path", "access_key_env": "TEST_DESK_S3_ID",
                                    "secret_key_env": "TEST_DESK_S3_KEY", "connect_timeout_s": 1,
                                    "read_timeout_s": 2}}


@pytest.fixture
def s3_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DESK_S3_ID", ACCESS)
    monkeypatch.setenv("TEST_DESK_S3_KEY", SECRET)


async def test_a_bucket_out_of_reach_stops_the_start(start, s3_keys):
    url = f"http://127.0.0.1:{free_port()}"   # nothing listens there
    with pytest.raises(StartupError) as e:
        await start(attachments=s3_overrides(url, "photos"))
    assert str(e.value).startswith(f"attachments.s3: cannot reach bucket 'photos' at {url} (")
    assert SECRET not in str(e.value)


async def test_a_missing_bucket_stops_the_start(start, s3_keys, moto_url):
    with pytest.raises(StartupError, match=r"^attachments\.s3: cannot reach bucket 'nope' .*no such bucket"):
        await start(attachments=s3_overrides(moto_url, "nope"))


async def test_the_keys_missing_from_the_environment_stop_the_start(start, moto_url, bucket, monkeypatch):
    monkeypatch.setenv("TEST_DESK_S3_ID", ACCESS)
    monkeypatch.delenv("TEST_DESK_S3_KEY", raising=False)
    with pytest.raises(StartupError, match=r"^attachments\.s3: the environment variable TEST_DESK_S3_KEY is unset"):
        await start(attachments=s3_overrides(moto_url, bucket))


async def test_a_reports_photo_goes_to_the_bucket_and_the_ticket_page_serves_it(start, s3_keys, moto_url, bucket):
    desk = await start(attachments=s3_overrides(moto_url, bucket))
    photo = png(pad=100_000)
    async with browser() as http:
        status, page = await report_with(desk, http, [("fridge.png", photo, "image/png")])
    assert status == 200 and "已附上 1 张照片" in page
    [ticket] = await rows(desk.cfg, Ticket)
    [row] = await rows(desk.cfg, Attachment)
    stored = s3_admin(moto_url).get_object(Bucket=bucket, Key=f"photos/{row.key}")
    assert stored["Body"].read() == photo and stored["ContentType"] == "image/png"
    assert not Path(desk.cfg.attachments.dir).exists(), "nothing on the local disk"

    async with aiohttp.ClientSession() as http:
        async with http.get(ticket_url(desk, ticket.id)) as resp:
            [url] = re.findall(r'<img src="([^"]+)"', await resp.text())
        async with http.get(desk.url + url.replace("&amp;", "&")) as resp:
            assert resp.status == 200 and await resp.read() == photo
            assert resp.headers["Content-Type"] == "image/png"


async def test_when_the_bucket_goes_away_a_report_with_photos_creates_nothing(start, s3_keys, moto_url, bucket):
    desk = await start(attachments=s3_overrides(moto_url, bucket))
    s3_admin(moto_url).delete_bucket(Bucket=bucket)   # the store goes away under a running service
    async with browser() as http:
        status, page = await report_with(desk, http, [("a.png", png(), "image/png")])
    assert status == 503 and t("zh", "form.unavailable") in page
    assert await rows(desk.cfg, Ticket) == [] and await rows(desk.cfg, Attachment) == []
