"""The technology contract record (技术合同认定登记) of a completed deal and its history."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import Currency
from core.models import TransitionEvent
from registry.choices import ContractType, RecordAction, RecordActor, RecordStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class ContractRecordQuerySet(models.QuerySet):
    def with_parties(self):
        return self.select_related("deal__seller", "deal__buyer", "deal__technology")


class ContractRecord(models.Model):
    """What the technology-contract registry asks about one completed deal.

    Opened as a draft when the deal completes; the seller (卖方/受托方) checks and completes it and
    submits it; a reviewer registers it with the registry's number or returns it. While the
    record is a draft (or returned) the parties' names, credit codes and regions are read from
    their organisations; submitting copies them into the `*_name`, `*_credit_code`,
    `*_region_code` and `*_country` columns, which the registered record keeps.
    """

    # What the seller edits while the record is a draft or returned (form, API and service).
    EDITABLE_FIELDS = ("contract_type", "technology_income", "signed_on", "note")

    deal = models.OneToOneField(
        "exchange.Deal",
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        related_name="contract_record",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices
    )
    amount = models.DecimalField(_("contract amount"), validators=[MinValueValidator(0)], **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    technology_income = models.DecimalField(
        _("technology income (技术交易额)"),
        validators=[MinValueValidator(0)],
        help_text=_(
            "The part of the contract amount paid for the technology itself; at most the "
            "contract amount."
        ),
        **MONEY,
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"))
    registered_on = models.DateField(_("record date"), null=True, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    note = models.TextField(_("note to the registry"), blank=True)
    # The parties as submitted (empty while draft: then read from the organisations).
    seller_name = models.CharField(max_length=200, blank=True)
    seller_credit_code = models.CharField(max_length=18, blank=True)
    seller_region_code = models.CharField(max_length=6, blank=True)
    seller_country = models.CharField(max_length=2, blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_credit_code = models.CharField(max_length=18, blank=True)
    buyer_region_code = models.CharField(max_length=6, blank=True)
    buyer_country = models.CharField(max_length=2, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract record")
        verbose_name_plural = _("contract records")
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(technology_income__lte=F("amount")),
                name="record_income_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(technology_income__gte=0) & Q(amount__gte=0),
                name="record_amounts_not_negative",
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="unique_registration_number",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecordStatus.REGISTERED) | ~Q(registration_number=""),
                name="registered_record_has_a_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.get_contract_type_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.technology_income is not None
            and self.amount is not None
            and self.technology_income > self.amount
        ):
            raise ValidationError(
                {
                    "technology_income": _(
                        "The technology income cannot be more than the contract amount."
                    )
                }
            )

    @property
    def is_editable(self) -> bool:
        return self.status in (RecordStatus.DRAFT, RecordStatus.RETURNED)

    @property
    def badge_class(self) -> str:
        return {
            RecordStatus.DRAFT: "text-bg-secondary",
            RecordStatus.SUBMITTED: "text-bg-info",
            RecordStatus.REGISTERED: "text-bg-success",
            RecordStatus.RETURNED: "text-bg-warning",
        }.get(self.status, "text-bg-light")


class ContractRecordEvent(TransitionEvent):
    """One entry of a contract record's history: opened, edited or a workflow step."""

    status_choices = RecordStatus
    action_labels = dict(RecordAction.choices)

    record = models.ForeignKey(ContractRecord, on_delete=models.CASCADE, related_name="events")
    actor_role = models.CharField(max_length=20, blank=True, choices=RecordActor.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("contract record event")
        verbose_name_plural = _("contract record events")

    def __str__(self) -> str:
        return f"{self.record_id}: {self.action}"

    @property
    def actor_role_label(self) -> str:
        return self.get_actor_role_display() if self.actor_role else ""

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        from core.labels import changed_field_rows

        return changed_field_rows(ContractRecord, self.changes)
