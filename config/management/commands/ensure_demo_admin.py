from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Embedded demo only (DEBUG on): make sure the user admin/admin exists, so the site can be signed into."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to create a demo admin with DEBUG off")
        User = get_user_model()
        user, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
        if created:
            user.set_password("admin")
            user.save()
        self.stdout.write("demo sign-in: admin / admin at http://127.0.0.1:8000/admin/login/")
