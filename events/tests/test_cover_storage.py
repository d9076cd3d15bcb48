"""Cover images in S3-compatible object storage, the production path: django-storages
and boto3 against a moto server that the suite starts on 127.0.0.1."""

import io
import uuid

import boto3
import botocore.config
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events import covers, services
from events.models import Event

from .factories import EventFactory
from .helpers import EDIT_TOKEN, submission
from .servers import free_port

pytestmark = pytest.mark.django_db

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)


def use_s3(settings, endpoint, bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "querystring_auth": False,
                "file_overwrite": False,
                "client_config": botocore.config.Config(
                    connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}
                ),
            },
        },
    }


@pytest.fixture
def bucket(settings, s3_endpoint):
    name = f"covers-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    use_s3(settings, s3_endpoint, name)
    return name


def stored_names(endpoint, bucket):
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def image_upload(colour="red"):
    output = io.BytesIO()
    Image.new("RGB", (1000, 500), colour).save(output, "PNG")
    return SimpleUploadedFile("cover.png", output.getvalue(), content_type="image/png")


@pytest.fixture
def _quick_form(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


@pytest.mark.usefixtures("_quick_form")
def test_a_submitted_cover_is_stored_in_the_bucket(client, s3_endpoint, bucket):
    submission(client, cover_image=image_upload())

    event = Event.objects.get()
    assert stored_names(s3_endpoint, bucket) == sorted(event.cover_files())
    assert len(event.cover_files()) == 6
    page = client.get(event.get_absolute_url()).content.decode()
    assert f"{s3_endpoint}/{bucket}/{event.cover}-1000.jpg" in page


def test_replacing_a_cover_removes_the_old_objects(
    client, s3_endpoint, bucket, django_capture_on_commit_callbacks
):
    event = EventFactory(edit_token=EDIT_TOKEN)
    edit = reverse("events:edit", kwargs={"token": EDIT_TOKEN})
    form = client.get(edit).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "cover_image"}
    data["starts_at"] = event.starts_at.strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = event.ends_at.strftime("%Y-%m-%dT%H:%M")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, {**data, "cover_image": image_upload("red")})
    event.refresh_from_db()
    first = event.cover_files()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, {**data, "cover_image": image_upload("blue")})
    event.refresh_from_db()

    assert event.cover_files() != first
    assert stored_names(s3_endpoint, bucket) == sorted(event.cover_files())


def test_deleting_the_event_removes_its_objects(
    s3_endpoint, bucket, django_capture_on_commit_callbacks
):
    event = EventFactory()
    services.event_attach_cover(
        event=event, cover=covers.process_upload(image_upload()), channel="test"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.event_delete(event=event, channel="test")

    assert stored_names(s3_endpoint, bucket) == []


@pytest.mark.usefixtures("_quick_form")
def test_a_storage_outage_keeps_the_new_event_and_says_so(client, settings, english):
    use_s3(settings, f"http://127.0.0.1:{free_port()}", "unreachable")

    response = submission(client, cover_image=image_upload())

    assert response.status_code == 200
    assert "its image could not be stored right now" in response.content.decode()
    event = Event.objects.get()
    assert event.cover == ""


def test_a_storage_outage_keeps_the_current_cover_and_the_other_changes(
    client, settings, s3_endpoint, bucket, english
):
    event = EventFactory(edit_token=EDIT_TOKEN, title="Before")
    services.event_attach_cover(
        event=event, cover=covers.process_upload(image_upload()), channel="test"
    )
    kept = event.cover_files()
    edit = reverse("events:edit", kwargs={"token": EDIT_TOKEN})
    form = client.get(edit).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "cover_image"}
    data["starts_at"] = event.starts_at.strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = event.ends_at.strftime("%Y-%m-%dT%H:%M")
    use_s3(settings, f"http://127.0.0.1:{free_port()}", bucket)

    response = client.post(edit, {**data, "title": "After", "cover_image": image_upload("blue")})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The image could not be stored right now" in page
    event.refresh_from_db()
    assert event.title == "After"
    assert event.cover_files() == kept
    assert stored_names(s3_endpoint, bucket) == sorted(kept)


def test_the_api_answers_503_with_the_error_body_during_an_outage(client, settings):
    event = EventFactory(edit_token=EDIT_TOKEN)
    use_s3(settings, f"http://127.0.0.1:{free_port()}", "unreachable")
    from .test_covers import MULTIPART, encode_multipart_image

    output = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(output, "JPEG")
    response = client.put(
        reverse("api:event-cover", kwargs={"slug": event.slug}),
        data=encode_multipart_image(output.getvalue()),
        content_type=MULTIPART,
        HTTP_X_EDIT_TOKEN=EDIT_TOKEN,
    )

    assert response.status_code == 503
    assert response.json()["message"]
    event.refresh_from_db()
    assert event.cover == ""
