from django.conf import settings


def site(request):
    return {"APP_TITLE": settings.APP_TITLE, "CONTACT_EMAIL": settings.CONTACT_EMAIL}
