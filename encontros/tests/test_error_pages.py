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
