from accounts.models import Notification


def notifications(request):
    """The bell's unread count on every page: one indexed COUNT, evaluated only when the template uses it."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    def unread():
        return Notification.objects.visible_to(user).filter(is_read=False).count()

    return {"unread_notifications": unread}
