import pytest
from django.test import RequestFactory

from encontros.views import server_error


def test_server_error_page_is_friendly_and_shows_the_app_title(settings):
    settings.APP_TITLE = "Encontros Tech - HOMOLOGAÇÃO"
    response = server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "Encontros Tech - HOMOLOGAÇÃO" in content
    assert "Algo deu errado" in content
    assert "Traceback" not in content


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Página não encontrada" in response.content.decode()


@pytest.mark.django_db
def test_form_post_without_csrf_token_gets_a_friendly_403():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/events/new/", {"title": "x"})
    assert response.status_code == 403
    assert "Recarregue a página e envie de novo" in response.content.decode()


@pytest.mark.django_db
def test_oversized_post_gets_a_friendly_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/events/new/", {f"field{i}": "x" for i in range(20)})
    assert response.status_code == 400
    assert "Requisição inválida" in response.content.decode()
