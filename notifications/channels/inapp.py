"""In-app: the message in the person's notification centre."""

from ..choices import Channel


class InAppChannel:
    """Nothing to send: the fan-out's insert of the delivery row (unique per request, person and
    channel) is the delivery, so it happens exactly once, in the same transaction that marks the
    request fanned out."""

    key = Channel.IN_APP
    instant = True

    def enabled(self) -> bool:
        return True
