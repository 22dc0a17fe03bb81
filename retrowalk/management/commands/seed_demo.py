"""Load the demo clinic: accounts, then each app's own demo data (``<app>/demo.py``).

Idempotent: running it again creates nothing twice. Each app that has demo data
exposes ``seed(users, stdout)`` in its ``demo`` module; this command finds them
by app order, so the shared app never imports the apps built on it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from retrowalk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SPANISH_ACCOUNTS, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo clinic (users, patients, screenings, programs). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with RETROWALK_ENV=production: demo accounts share a password."
            )
        with transaction.atomic():
            users = ensure_demo_accounts()
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if app_config.name == "retrowalk" or find_spec(module_name) is None:
                    continue
                seed = getattr(import_module(module_name), "seed", None)
                if seed is not None:
                    seed(users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
            for account in DEMO_ACCOUNTS:
                language = " (Spanish)" if account.username in SPANISH_ACCOUNTS else ""
                self.stdout.write(f"  {account.username:<11} {account.role}{language}")
            self.stdout.write("")
