"""seed_demo (in core, which knows no app) finds each app's demo module and the logins it names."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from programmes.demo import EXPERTS

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_every_login_the_demo_modules_name():
    # when the demo data is seeded
    output = StringIO()
    call_command("seed_demo", stdout=output)
    # then each app's summary and every account demo login with its password are printed
    lines = output.getvalue().splitlines()
    assert any(line.strip().startswith("accounts:") for line in lines)
    logins_from = lines.index(next(line for line in lines if "Demo logins:" in line))
    printed = [line.split() for line in lines[logins_from + 1 :]]
    emails = [email for email, _password in printed]
    assert all(password == DEMO_PASSWORD for _email, password in printed)
    assert emails[: len(DEMO_USERS)] == [email for email, *_ in DEMO_USERS]
    # the operator and the experts, whom finance and programmes create, are named too
    assert "operator@demo.example" in emails
    assert {email for email in emails if email.startswith("expert-")} == {
        email for email, *_ in EXPERTS
    }
    assert len(emails) == len(set(emails))
