"""The list endpoint every app's api package builds on. (Apart from core/api.py: DRF's generic
views read DEFAULT_PAGINATION_CLASS, defined there, when they are imported.)"""

from rest_framework.generics import ListAPIView


class ListApi(ListAPIView):
    """A paginated, filterable list: `list_queryset()` reads through the selectors that authorise;
    the schema generator, which has no user, gets an empty queryset of `model` instead."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.list_queryset()

    def list_queryset(self):
        raise NotImplementedError
