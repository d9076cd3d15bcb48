from rest_framework.permissions import BasePermission

# The request header that carries an event's edit token.
EDIT_TOKEN_HEADER = "X-Edit-Token"

# The model permission that staff need for each method ("view" lets them see pending events).
PERMISSION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def is_event_manager(user, method):
    """Staff holding the events permission that this HTTP method needs."""
    permission = PERMISSION_FOR_METHOD.get(method)
    return bool(
        permission
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(f"events.{permission}_event")
    )


class EditTokenHolderOrEventManager(BasePermission):
    """Anyone may read and create; changing an event needs its edit token or staff
    with the model permission.

    The token is checked when the event is looked up (by slug and token hash
    together), so a wrong token answers 404 exactly like a missing event.
    """

    changing_methods = ("PUT", "PATCH", "DELETE")

    def has_permission(self, request, view):
        if request.method not in self.changing_methods or view.action is None:
            # Reading and creating are open; a method the route lacks answers 405 next.
            return True
        return view.edit_token is not None or is_event_manager(request.user, request.method)
