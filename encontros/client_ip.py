from django.conf import settings


def client_ip(request):
    """The visitor's IP address, for per-client abuse limits.

    Behind the load balancer every connection comes from the balancer, so with
    TRUST_X_FORWARDED_FOR the address it appended to X-Forwarded-For is used.
    Only the last entry is trustworthy: earlier ones are sent by the client.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("x-forwarded-for", "")
        last_hop = forwarded.rsplit(",", 1)[-1].strip()
        if last_hop:
            return last_hop
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
