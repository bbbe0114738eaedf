"""factory_boy factories for every model the tests build."""

import random

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from clients.choices import ClientKind, DeviceKind
from clients.models import Client, ClientMembership, Contact, Device, DeviceClassification
from clients.validators import USCC_ALPHABET, uscc_check_character

PASSWORD = "correct-horse-battery"


def valid_uscc() -> str:
    first17 = (
        "91"
        + "".join(random.choice("0123456789") for _ in range(6))
        + "".join(random.choice(USCC_ALPHABET) for _ in range(9))
    )
    return first17 + uscc_check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffUserFactory(UserFactory):
    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in extracted])


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CL{n:04d}")
    name_zh = factory.Sequence(lambda n: f"客户{n}医疗器械有限公司")
    name_en = factory.Sequence(lambda n: f"Client {n} Medical Co., Ltd.")
    uscc = factory.LazyFunction(valid_uscc)
    country = "CN"
    kind = ClientKind.DOMESTIC
    status = "active"


class ClientUserFactory(UserFactory):
    """A portal user: a user with a ClientMembership."""

    @classmethod
    def _create(cls, model_class, *args, client=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        ClientMembership.objects.get_or_create(user=user, defaults={"client": client or ClientFactory()})
        return user


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")
    phone = "+86 21 5555 0000"
    role = "ra"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    client = factory.SubFactory(ClientFactory)
    name_zh = factory.Sequence(lambda n: f"器械{n}")
    name_en = factory.Sequence(lambda n: f"Device {n}")
    model_numbers = factory.LazyFunction(lambda: ["M-1"])
    kind = DeviceKind.ACTIVE


class DeviceClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceClassification

    device = factory.SubFactory(DeviceFactory)
    market = "CN"
    device_class = "II"
    code = "07-03-01"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    code = factory.Sequence(lambda n: f"P-2026-{n + 9000:04d}")
    title = factory.Sequence(lambda n: f"Registration project {n}")
    client = factory.SubFactory(ClientFactory)
    service_type = "registration"
    status = "active"
    start_date = factory.LazyFunction(lambda: __import__("datetime").date(2026, 1, 5))


def pdf_upload(name: str = "report.pdf", size: int = 2048):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.7\n" + b"0" * max(size - 9, 0)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def signatory(user, *sections: str, services=(), valid_from=None, valid_until=None):
    """Make ``user`` an authorised signatory for ``sections`` (default: every lab section) and ``services``."""
    from datetime import date

    from labtests.choices import LabSection
    from labtests.models import AuthorisedSignatory

    start = valid_from or date(2020, 1, 1)
    for section in sections or ([] if services else LabSection.values):
        AuthorisedSignatory.objects.create(user=user, lab_section=section, valid_from=start, valid_until=valid_until)
    for service in services:
        AuthorisedSignatory.objects.create(user=user, service=service, valid_from=start, valid_until=valid_until)
    return user


def sign_report(report, *, reviewer, approver):
    """Review and approve a prepared draft (approver: an authorised signatory made by ``signatory``)."""
    from labtests import services as lab

    lab.test_report_review(report=report, actor=reviewer)
    return lab.test_report_approve(report=report, actor=approver, password=PASSWORD)


def issue_report(order, *, preparer, reviewer, approver, upload=None):
    """Prepare, review and approve a report for a verified order: three people, as a CMA report is signed."""
    from labtests import services as lab

    draft = lab.test_report_create(order=order, actor=preparer, upload=upload or pdf_upload())
    return sign_report(draft, reviewer=reviewer, approver=approver)


def amend_report(report, *, preparer, reviewer, approver, reason="amended", upload=None):
    from labtests import services as lab

    draft = lab.test_report_amend(report=report, actor=preparer, upload=upload or pdf_upload("v2.pdf"), reason=reason)
    return sign_report(draft, reviewer=reviewer, approver=approver)
