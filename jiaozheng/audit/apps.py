from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _audit_delete(sender, instance, **kwargs):
    from jiaozheng.audit.models import AuditEntry
    from jiaozheng.audit.services import record_change, snapshot

    record_change(instance, AuditEntry.Action.DELETE, snapshot(instance), None)


class AuditConfig(AppConfig):
    name = "jiaozheng.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.apps import apps

        from jiaozheng.audit.models import AuditedModel
        from jiaozheng.audit.services import record_change, snapshot
        from jiaozheng.core.audited import register_writer

        register_writer(record_change, snapshot)

        for model in apps.get_models():
            if issubclass(model, AuditedModel):
                post_delete.connect(
                    _audit_delete, sender=model, dispatch_uid=f"audit-delete-{model._meta.label}"
                )
