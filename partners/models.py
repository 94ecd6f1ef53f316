from django.db import models

from .choices import DivisionCode


class Division(models.Model):
    """One of the two administrative divisions of J&K (Jammu, Kashmir)."""

    code = models.CharField(max_length=16, unique=True, choices=DivisionCode.choices)
    name = models.CharField(max_length=64)

    def __str__(self):
        return self.name


class District(models.Model):
    """One of the 20 districts of J&K; each has a District Industries Centre."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="districts")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
