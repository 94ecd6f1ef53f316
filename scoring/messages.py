"""The words of scoring's notifications (registered with notifications.messages in config/apps.py)."""

from django.utils.translation import gettext as _

from notifications.messages import Message, label, site_path

from .choices import Source


def import_rejects(request):
    data = request.data
    facts = {
        "source": label(Source, data.get("source", "")),
        "file": data.get("file_name", ""),
        "rows": data.get("rows", 0),
        "rejected": data.get("rejected", 0),
    }
    return Message(
        _("Feed import finished with %(rejected)s rejected rows: %(source)s") % facts,
        _(
            "The %(source)s file %(file)s was loaded: %(rows)s rows, %(rejected)s rejected. "
            "The reject report lists each rejected row and why."
        )
        % facts,
        site_path("admin:scoring_importbatch_change", data["batch"]) if data.get("batch") else "",
    )
