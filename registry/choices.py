from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContractType(models.TextChoices):
    """The five kinds of technology contract the registry records (技术合同认定登记)."""

    DEVELOPMENT = "development", _("Technology development (技术开发)")
    TRANSFER = "transfer", _("Technology transfer (技术转让)")
    LICENCE = "licence", _("Technology licence (技术许可)")
    CONSULTING = "consulting", _("Technical consulting (技术咨询)")
    SERVICE = "service", _("Technical service (技术服务)")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract record", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("contract record", "Submitted for registration")
    REGISTERED = "registered", pgettext_lazy("contract record", "Registered")
    RETURNED = "returned", pgettext_lazy("contract record", "Returned for changes")


class RecordAction(models.TextChoices):
    """What happens to a contract record: created, edited, then its workflow's actions."""

    CREATE = "create", pgettext_lazy("contract record", "Record opened")
    EDIT = "edit", pgettext_lazy("contract record", "Record edited")
    SUBMIT = "submit", pgettext_lazy("contract record", "Submitted for registration")
    REGISTER = "register", pgettext_lazy("contract record", "Registered")
    RETURN = "return", pgettext_lazy("contract record", "Returned for changes")


class RecordActor(models.TextChoices):
    SELLER = "seller", pgettext_lazy("contract record party", "Seller (entrusted party)")
    BUYER = "buyer", pgettext_lazy("contract record party", "Buyer (entrusting party)")
    BROKER = "broker", _("Broker")
    REVIEWER = "reviewer", _("Reviewer")
    SYSTEM = "system", pgettext_lazy("contract record", "Platform")
