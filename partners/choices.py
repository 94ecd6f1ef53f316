from django.db import models


class DivisionCode(models.TextChoices):
    JAMMU = "jammu", "Jammu"
    KASHMIR = "kashmir", "Kashmir"
