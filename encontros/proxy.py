import ipaddress


def client_ip(request):
    """The visitor's address, for per-client rate limits.

    In the cluster every request comes from the load balancer through a node,
    a peer on a private network, so REMOTE_ADDR is the same for everyone. The
    balancer appends the address it saw to X-Forwarded-For: trust that last
    entry only (a client can write the earlier ones), and only from a private
    peer (a client reaching the site directly could write all of it).
    """
    peer = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    forwarded_for = request.headers.get("x-forwarded-for", "")
    try:
        trusted_peer = ipaddress.ip_address(peer).is_private
    except ValueError:
        trusted_peer = False
    if not forwarded_for or not trusted_peer:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded_for.split(",")[-1].strip()))
    except ValueError:
        return peer
