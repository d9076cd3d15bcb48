"""Cover images: what is accepted (by decoding), what is kept (re-encoded copies
without metadata), and where they show (site form, API, admin, pages)."""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from events import covers, services
from events.models import Event

from .factories import EventFactory
from .helpers import EDIT_TOKEN, EVENT_ADMIN_INLINES, row_locks, submission
from .test_edit import form_data

pytestmark = pytest.mark.django_db


def image_bytes(format_, size=(1600, 900), **options):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(output, format_, **options)
    return output.getvalue()


def upload(content, name="cover.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps_exif():
    image = Image.new("RGB", (800, 600), "navy")
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera Inc."  # Make
    exif[0x8825] = {2: (23.0, 33.0, 0.0)}  # GPS latitude
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes(), comment=b"private note")
    return output.getvalue()


def png_bomb(width=20_000, height=20_000):
    """A tiny PNG that would decode into width×height pixels (400 megapixels)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 64)  # a few rows are enough to declare it
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("format_", "name"), [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")]
)
def test_real_images_are_reencoded_at_a_few_widths_in_webp_and_jpeg(format_, name):
    cover = covers.process_upload(upload(image_bytes(format_), name))

    assert (cover.width, cover.height) == (1440, 810)
    assert sorted(cover.files) == [
        (480, "jpg"),
        (480, "webp"),
        (960, "jpg"),
        (960, "webp"),
        (1440, "jpg"),
        (1440, "webp"),
    ]
    for (width, extension), content in cover.files.items():
        image = Image.open(io.BytesIO(content))
        assert image.format == {"jpg": "JPEG", "webp": "WEBP"}[extension]
        assert image.width == width


def test_small_images_are_not_enlarged():
    cover = covers.process_upload(upload(image_bytes("PNG", (600, 300)), "a.png"))

    assert (cover.width, cover.height) == (600, 300)
    assert {width for width, _extension in cover.files} == {480, 600}


def test_metadata_is_removed():
    cover = covers.process_upload(upload(jpeg_with_gps_exif()))

    for content in cover.files.values():
        image = Image.open(io.BytesIO(content))
        assert not image.getexif()
        assert "exif" not in image.info and "comment" not in image.info
        assert b"SecretCamera" not in content and b"private note" not in content


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (image_bytes("JPEG")[:2000], "truncated.jpg"),
        (b"%PDF-1.7 not an image at all" * 10, "flyer.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.png"),
        (image_bytes("GIF"), "animation.webp"),
        (png_bomb(), "bomb.png"),
        (b"", "empty.png"),
    ],
    ids=["truncated", "pdf named .jpg", "svg named .png", "gif", "decompression bomb", "empty"],
)
def test_files_that_are_not_sound_images_are_refused(content, name):
    with pytest.raises(Exception) as refusal:
        covers.process_upload(upload(content, name))

    assert refusal.type.__name__ == "ValidationError"


def test_files_over_5_mb_are_refused_before_decoding():
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), "image/jpeg")

    with pytest.raises(Exception, match="5 MB"):
        covers.process_upload(big)


def test_a_submission_with_a_cover_shows_it_with_srcset_and_size(client, settings, english):
    settings.EVENTS_FORM_MIN_SECONDS = 0

    response = submission(client, cover_image=upload(image_bytes("JPEG")))

    assert response.status_code == 200
    event = Event.objects.get()
    assert event.cover and all(default_storage.exists(name) for name in event.cover_files())
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in page
    img = re.search(r"<img[^>]*event-cover[^>]*>", page, re.S).group(0)
    assert 'width="1440"' in img and 'height="810"' in img
    assert "480w" in img and "1440w" in img
    assert 'loading="lazy"' in img


def test_an_invalid_cover_is_a_form_error_and_saves_nothing(client, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0

    response = submission(client, cover_image=upload(b"not an image", "x.jpg"))

    assert "cover_image" in response.context["form"].errors
    assert Event.objects.count() == 0


def test_replacing_a_cover_deletes_the_old_files(client, django_capture_on_commit_callbacks):
    event = EventFactory(edit_token=EDIT_TOKEN)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_attach_cover(
            event=event,
            cover=covers.process_upload(upload(image_bytes("PNG"), "a.png")),
            channel="test",
        )
    old_files = event.cover_files()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_attach_cover(
            event=event, cover=covers.process_upload(upload(image_bytes("JPEG"))), channel="test"
        )

    assert not any(default_storage.exists(name) for name in old_files)
    assert all(default_storage.exists(name) for name in event.cover_files())


@pytest.mark.postgres
def test_changing_a_cover_locks_the_event_row_once():
    event = EventFactory()
    cover = covers.process_upload(upload(image_bytes("JPEG")))

    with CaptureQueriesContext(connection) as queries:
        services.event_attach_cover(event=event, cover=cover, channel="test")

    locks = row_locks(queries)
    assert len(locks) == 1, locks


def test_deleting_an_event_deletes_its_cover(django_capture_on_commit_callbacks):
    event = EventFactory()
    services.event_attach_cover(
        event=event, cover=covers.process_upload(upload(image_bytes("JPEG"))), channel="test"
    )
    files = event.cover_files()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_delete(event=event, channel="test")

    assert not any(default_storage.exists(name) for name in files)


def test_staff_remove_a_cover_in_the_admin(admin_client, django_capture_on_commit_callbacks):
    event = EventFactory()
    services.event_attach_cover(
        event=event, cover=covers.process_upload(upload(image_bytes("JPEG"))), channel="test"
    )
    files = event.cover_files()
    change_url = reverse("admin:events_event_change", args=[event.pk])
    form = admin_client.get(change_url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("technologies",)
    }
    # Times are typed on the event's clock.
    starts_at, ends_at = event.local_starts_at, event.ends_at.astimezone(event.zone)
    data.update(
        starts_at_0=starts_at.strftime("%Y-%m-%d"),
        starts_at_1=starts_at.strftime("%H:%M:%S"),
        ends_at_0=ends_at.strftime("%Y-%m-%d"),
        ends_at_1=ends_at.strftime("%H:%M:%S"),
        remove_cover="on",
        **EVENT_ADMIN_INLINES,
    )
    data.pop("starts_at"), data.pop("ends_at")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.cover == ""
    assert not any(default_storage.exists(name) for name in files)


def test_a_pending_events_cover_waits_with_it(client, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    settings.EVENTS_REQUIRE_APPROVAL = True
    submission(client, cover_image=upload(image_bytes("JPEG")))
    event = Event.objects.get()

    assert event.is_pending and event.cover
    assert client.get(event.get_absolute_url()).status_code == 404
    services.event_set_status(event=event, status=Event.Status.PUBLISHED, channel="test")
    assert "event-cover" in client.get(event.get_absolute_url()).content.decode()


def test_the_api_takes_a_cover_as_multipart_and_shows_its_copies(client):
    event = EventFactory(edit_token=EDIT_TOKEN)
    url = reverse("api:event-cover", kwargs={"slug": event.slug})

    response = client.put(
        url,
        data=encode_multipart_image(image_bytes("WEBP")),
        content_type=MULTIPART,
        HTTP_X_EDIT_TOKEN=EDIT_TOKEN,
    )

    assert response.status_code == 200, response.content
    copies = response.json()["cover_image"]
    assert [copy["width"] for copy in copies["jpg"]] == [480, 960, 1440]
    assert copies["webp"][0]["url"].startswith("http://testserver/")
    deleted = client.delete(url, HTTP_X_EDIT_TOKEN=EDIT_TOKEN)
    assert deleted.json()["cover_image"] is None


def test_the_api_refuses_a_fake_image_with_the_error_body(client):
    event = EventFactory(edit_token=EDIT_TOKEN)
    url = reverse("api:event-cover", kwargs={"slug": event.slug})

    response = client.put(
        url,
        data=encode_multipart_image(b"GIF89a not really"),
        content_type=MULTIPART,
        HTTP_X_EDIT_TOKEN=EDIT_TOKEN,
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["image"]


def test_the_api_needs_the_edit_token_for_a_cover(client):
    event = EventFactory()
    url = reverse("api:event-cover", kwargs={"slug": event.slug})

    response = client.put(
        url, data=encode_multipart_image(image_bytes("PNG")), content_type=MULTIPART
    )

    assert response.status_code in (401, 403)
    event.refresh_from_db()
    assert event.cover == ""


BOUNDARY = "cover-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def encode_multipart_image(content, name="cover.jpg"):
    from django.test.client import encode_multipart

    return encode_multipart(BOUNDARY, {"image": SimpleUploadedFile(name, content)})


def test_organizers_remove_their_cover_on_the_edit_form(client, django_capture_on_commit_callbacks):
    event = EventFactory(edit_token=EDIT_TOKEN)
    services.event_attach_cover(
        event=event, cover=covers.process_upload(upload(image_bytes("JPEG"))), channel="test"
    )
    files = event.cover_files()
    edit = reverse("events:edit", kwargs={"token": EDIT_TOKEN})
    assert "remove_cover" in client.get(edit).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, form_data(event, remove_cover="on"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cover == ""
    assert not any(default_storage.exists(name) for name in files)
    assert "remove_cover" not in client.get(edit).content.decode()


def test_a_new_cover_sent_with_removal_replaces_the_old_one(client):
    event = EventFactory(edit_token=EDIT_TOKEN)
    services.event_attach_cover(
        event=event, cover=covers.process_upload(upload(image_bytes("JPEG"))), channel="test"
    )
    old = event.cover
    edit = reverse("events:edit", kwargs={"token": EDIT_TOKEN})

    response = client.post(
        edit, form_data(event, remove_cover="on", cover_image=upload(image_bytes("PNG"), "b.png"))
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cover not in ("", old)


def stored_files():
    return sorted(str(path) for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


class TestCoversFollowTheRulesOfOtherChanges:
    """A cover is what the public reads: in approval mode an organizer's new or
    removed cover waits for staff like any other change, and a cancelled event's
    cover stays until its organizer undoes the cancellation."""

    def put_cover(self, client, event, **headers):
        return client.put(
            reverse("api:event-cover", kwargs={"slug": event.slug}),
            data=encode_multipart_image(image_bytes("JPEG")),
            content_type=MULTIPART,
            headers=headers,
        )

    def test_an_organizer_s_new_cover_waits_for_approval(self, client, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        event = EventFactory(edit_token=EDIT_TOKEN)

        assert self.put_cover(client, event, **{"X-Edit-Token": EDIT_TOKEN}).status_code == 200

        event.refresh_from_db()
        assert (event.status, bool(event.cover)) == (Event.Status.PENDING, True)
        assert client.get(event.get_absolute_url()).status_code == 404

    def test_an_organizer_s_removed_cover_waits_for_approval(self, client, settings):
        event = EventFactory(edit_token=EDIT_TOKEN)
        self.put_cover(client, event, **{"X-Edit-Token": EDIT_TOKEN})
        settings.EVENTS_REQUIRE_APPROVAL = True

        url = reverse("api:event-cover", kwargs={"slug": event.slug})
        assert client.delete(url, headers={"X-Edit-Token": EDIT_TOKEN}).status_code == 200

        event.refresh_from_db()
        assert (event.status, event.cover) == (Event.Status.PENDING, "")

    def test_staff_covers_keep_the_event_published(self, admin_client, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        event = EventFactory()

        assert self.put_cover(admin_client, event).status_code == 200

        event.refresh_from_db()
        assert (event.status, bool(event.cover)) == (Event.Status.PUBLISHED, True)

    def test_a_cancelled_event_s_cover_is_refused_and_leaves_no_files(self, client):
        event = EventFactory(edit_token=EDIT_TOKEN)
        services.event_cancel(event=event, channel=services.Channel.WEB)
        files_before = stored_files()

        response = self.put_cover(client, event, **{"X-Edit-Token": EDIT_TOKEN})

        assert response.status_code == 400
        event.refresh_from_db()
        assert (event.status, event.cover) == (Event.Status.CANCELLED, "")
        assert stored_files() == files_before
