"""Notifications: every staff kind (in-app and e-mail), preferences, digests, follows, unsubscribe,
the bell and "mes tâches"."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fabrique.audit.services import audit_log
from fabrique.core.schedule import job_run
from fabrique.needs.services import need_create_from_report, need_report_submit, need_update
from fabrique.notifications import handlers
from fabrique.notifications.kinds import KINDS, Mode
from fabrique.notifications.models import Notification
from fabrique.notifications.services import follow_set, notify, preference_set
from tests.needs.conftest import report_data


@pytest.fixture(autouse=True)
def _site(settings):
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"


def _inbox(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def _entry(target, action, actor, fabrique, **new):
    from django.db import transaction

    with transaction.atomic():
        return audit_log(actor=actor, fabrique=fabrique, target=target, action=action, new=new)


def test_a_new_report_notifies_staff_per_role_defaults(team, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = need_report_submit(fabrique=team.fabrique, **report_data(title="Pas de bus le dimanche"))
    path = reverse("backoffice:report_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": report.pk})
    for user in (team.admin, team.officer):  # immediate by default
        n = Notification.objects.get(recipient=user, kind="report_new")
        assert n.url == path and n.emailed_at is not None and "Pas de bus le dimanche" in n.title
        (message,) = _inbox(user)
        assert message.subject.startswith(f"[{team.fabrique.name}] Nouveau signalement")
        assert "https://fabrique.example.org" + path in message.body
        html = message.alternatives[0][0]
        assert "https://fabrique.example.org" + path in html and team.fabrique.name in html
        assert "/notifications/desabonnement/" in message.body and message.extra_headers["List-Unsubscribe"]
    reader = Notification.objects.get(recipient=team.reader, kind="report_new")
    assert reader.mode == Mode.DIGEST and reader.emailed_at is None and not _inbox(team.reader)
    assert not Notification.objects.filter(recipient__in=[team.committee, team.partner]).exists()


def test_preferences_off_and_digest_then_the_daily_digest(team, django_capture_on_commit_callbacks):
    preference_set(user=team.officer, fabrique=team.fabrique, kind="report_new", mode=Mode.OFF)
    preference_set(user=team.admin, fabrique=team.fabrique, kind="report_new", mode=Mode.DIGEST)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        need_report_submit(fabrique=team.fabrique, **report_data(title="Premier"))
        need_report_submit(fabrique=team.fabrique, **report_data(title="Second"))
    assert not Notification.objects.filter(recipient=team.officer).exists()
    assert Notification.objects.filter(recipient=team.admin, mode=Mode.DIGEST).count() == 2
    assert not _inbox(team.admin) and not _inbox(team.officer)
    # the daily job: one digest per person, once
    today = timezone.localdate()
    job_run(name="notifications.digests", day=today)
    job_run(name="notifications.digests", day=today)
    (digest,) = _inbox(team.admin)
    assert "Résumé" in digest.subject and "Premier" in digest.body and "Second" in digest.body
    (reader_digest,) = _inbox(team.reader)
    assert "2 notifications" in reader_digest.subject
    assert not Notification.objects.filter(mode=Mode.DIGEST, emailed_at__isnull=True).exists()


def test_notify_is_idempotent(team):
    mail.outbox.clear()
    for _ in range(2):
        notify(fabrique=team.fabrique, recipients=[team.officer], kind="assigned", title="T", key="k")
    assert Notification.objects.filter(recipient=team.officer).count() == 1 and len(_inbox(team.officer)) == 1


def test_assigned_and_followed_need(team, django_capture_on_commit_callbacks):
    report = need_report_submit(fabrique=team.fabrique, **report_data())
    need = need_create_from_report(report=report, actor=team.admin)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        need_update(need=need, actor=team.admin, **{"officer": team.officer})
    assert Notification.objects.get(recipient=team.officer, kind="assigned").url.endswith(
        f"/besoins/{need.pk}/"
    )
    # the reader follows it: a later change reaches them (digest by default), not its author
    follow_set(user=team.reader, target=need, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        need_update(need=need, actor=team.officer, **{"title": "Garde d'enfants en soirée"})
    assert Notification.objects.filter(recipient=team.reader, kind="followed_activity").exists()
    assert not Notification.objects.filter(recipient=team.admin, kind="followed_activity").exists()
    follow_set(user=team.reader, target=need, follow=False)
    assert team.reader.pk not in [u.pk for u in handlers.followers_of(target=need)]


def test_application_evaluation_and_decision_kinds(team, django_capture_on_commit_callbacks):
    from fabrique.projects.services import project_create
    from fabrique.recruitment.services import (
        application_submit,
        call_create,
        call_evaluators_set,
        call_publish,
    )

    project = project_create(
        fabrique=team.fabrique, actor=team.admin, **{"title": "Recyclerie", "officer": team.officer}
    )
    call = call_create(
        project=project,
        actor=team.admin,
        **{
            "title": "Appel",
            "description": "D",
            "profile_sought": "P",
            "deadline": timezone.localdate() + datetime.timedelta(days=10),
        },
    )
    call = call_publish(call=call, actor=team.admin)
    with django_capture_on_commit_callbacks(execute=True):
        call_evaluators_set(call=call, actor=team.admin, users=[team.officer, team.committee])
    assert set(
        Notification.objects.filter(kind="evaluation_requested").values_list("recipient", flat=True)
    ) == {
        team.officer.pk,
        team.committee.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(
            call=call,
            **{
                "first_name": "Awa",
                "last_name": "Diallo",
                "email": "awa@example.org",
                "consent_processing": True,
                "motivation": "Envie",
            },
        )
    assert Notification.objects.get(kind="application_received", recipient=team.officer).url.endswith(
        f"/candidatures/{application.pk}/"
    )
    # every evaluator submitted -> "all evaluations are in"
    from fabrique.recruitment.models import Evaluation

    for user in (team.officer, team.committee):
        evaluation = Evaluation.objects.create(
            application=application, evaluator=user, submitted_at=timezone.now()
        )
    with django_capture_on_commit_callbacks(execute=True):
        _entry(evaluation, "recruitment.evaluation.submitted", team.committee, team.fabrique)
    assert Notification.objects.filter(kind="evaluations_complete", recipient=team.officer).exists()


def test_agenda_decision_import_and_regrouping_kinds(team, django_capture_on_commit_callbacks):
    from fabrique.needs.models import RegroupingRun, RunStatus

    fabrique = team.fabrique
    with django_capture_on_commit_callbacks(execute=True):
        _entry(fabrique, "committees.meeting.created", team.admin, fabrique)  # target without page: no link
    assert Notification.objects.filter(kind="agenda_published", recipient=team.committee).exists()
    run = RegroupingRun.objects.create(
        fabrique=fabrique, requested_by=team.officer, status=RunStatus.DONE, proposals_created=2
    )
    handlers.regrouping_finished(run=run)
    assert Notification.objects.get(kind="regrouping_done", recipient=team.officer).title.startswith(
        "Regroupement terminé"
    )
    assert Notification.objects.filter(kind="duplicate_found", recipient=team.admin).exists()
    failed = RegroupingRun.objects.create(
        fabrique=fabrique, requested_by=team.officer, status=RunStatus.FAILED, error="boum"
    )
    handlers.regrouping_finished(run=failed)
    assert Notification.objects.filter(kind="regrouping_done", title="Le regroupement a échoué").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _entry(fabrique, "intelligence.importbatch.imported", team.officer, fabrique)
    assert Notification.objects.filter(kind="import_done", recipient=team.officer).exists()


def test_decision_on_a_followed_need(team, django_capture_on_commit_callbacks):
    from fabrique.committees.services import decision_record
    from fabrique.needs.models import Need, NeedStage

    need = need_create_from_report(
        report=need_report_submit(fabrique=team.fabrique, **report_data()), actor=team.admin
    )
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.QUALIFYING)
    need.refresh_from_db()
    follow_set(user=team.reader, target=need, follow=True)
    preference_set(user=team.reader, fabrique=team.fabrique, kind="decision_recorded", mode=Mode.IMMEDIATE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            fabrique=team.fabrique, actor=team.admin, target=need, outcome="retained", reasons="Besoin avéré"
        )
    n = Notification.objects.get(kind="decision_recorded", recipient=team.reader)
    assert "Retenu" in n.title and n.body == "Besoin avéré" and len(_inbox(team.reader)) == 1


def test_milestone_and_followup_reminders(team):
    from fabrique.projects.models import Enterprise, Project
    from fabrique.support.models import Milestone, SupportPlan

    today = timezone.localdate()
    project = Project.objects.create(fabrique=team.fabrique, title="Épicerie", officer=team.officer)
    plan = SupportPlan.objects.create(
        fabrique=team.fabrique, project=project, officer=team.officer, started_on=today
    )
    Milestone.objects.create(plan=plan, title="Business plan", due_on=today + datetime.timedelta(days=7))
    Milestone.objects.create(plan=plan, title="Statuts", due_on=today - datetime.timedelta(days=1))
    Enterprise.objects.create(
        project=project,
        legal_name="Épicerie SCIC",
        legal_form="scic",
        created_on=today.replace(year=today.year - 1) - datetime.timedelta(days=1),
        jobs_fte=2,
    )
    assert handlers.milestone_reminders(day=today) == 2
    assert handlers.milestone_reminders(day=today) == 2  # same notifications, not new ones
    assert Notification.objects.filter(kind__in=["milestone_due", "milestone_overdue"]).count() == 2
    assert handlers.followup_reminders(day=today) == 1
    assert Notification.objects.get(kind="followup_due").title.startswith("Point de suivi à +1 an")


def test_unsubscribe_link_turns_the_kind_off(team, client):
    mail.outbox.clear()
    notify(fabrique=team.fabrique, recipients=[team.officer], kind="assigned", title="Un besoin", key="u1")
    link = re.search(
        r"https://fabrique\.example\.org(/notifications/desabonnement/\S+/)", mail.outbox[0].body
    ).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 200 and "ne recevrez plus" in response.content.decode()
    notify(fabrique=team.fabrique, recipients=[team.officer], kind="assigned", title="Un autre", key="u2")
    assert Notification.objects.filter(recipient=team.officer).count() == 1
    assert client.post("/notifications/desabonnement/faux/").status_code == 400


def test_opening_a_notified_page_reads_it_and_other_pages_write_nothing(team, login):
    """The bell reads the unread count and whether this page has unread notifications in one query;
    it writes only when there is a notification to mark (not one UPDATE per page view)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(team.officer)
    bo = lambda name: reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug})  # noqa: E731
    target = bo("need_list")
    notify(
        fabrique=team.fabrique, recipients=[team.officer], kind="assigned", title="Ici", key="h1", url=target
    )
    notify(
        fabrique=team.fabrique,
        recipients=[team.officer],
        kind="assigned",
        title="Ailleurs",
        key="h2",
        url="/y/",
    )

    def notification_writes(url: str) -> tuple[list[str], str]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        writes = [
            q["sql"] for q in queries if "notifications_notification" in q["sql"] and "UPDATE" in q["sql"]
        ]
        return writes, page

    writes, page = notification_writes(bo("dashboard"))
    assert writes == [] and 'data-unread="2"' in page
    writes, page = notification_writes(target)
    assert len(writes) == 1 and 'data-unread="1"' in page  # read on opening, counted in the same answer
    assert Notification.objects.get(title="Ici").read_at is not None
    assert Notification.objects.get(title="Ailleurs").read_at is None
    writes, page = notification_writes(target)
    assert writes == [] and 'data-unread="1"' in page  # already read: no write


def test_bell_list_mark_read_and_preferences_page(team, login):
    client = login(team.officer)
    notify(
        fabrique=team.fabrique,
        recipients=[team.officer],
        kind="assigned",
        title="À lire",
        key="b1",
        url="/x/",
    )
    bo = lambda name: reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug})  # noqa: E731
    page = client.get(bo("notification_list")).content.decode()
    assert 'data-unread="1"' in page and "À lire" in page
    client.post(bo("notification_mark_read"))
    assert 'data-unread="0"' in client.get(bo("dashboard")).content.decode()
    form = dict.fromkeys(KINDS, Mode.IMMEDIATE) | {"report_new": Mode.OFF}
    assert client.post(bo("notification_preferences"), form).status_code == 302
    assert Notification.objects.count() == 1
    from fabrique.notifications.selectors import preference_mode

    assert preference_mode(user=team.officer, fabrique=team.fabrique, kind="report_new") == Mode.OFF


def test_my_tasks_in_date_order(team, login):
    from fabrique.projects.models import Project
    from fabrique.support.models import Milestone, SupportPlan

    today = timezone.localdate()
    plan = SupportPlan.objects.create(
        fabrique=team.fabrique,
        project=Project.objects.create(fabrique=team.fabrique, title="P"),
        officer=team.officer,
        started_on=today,
    )
    Milestone.objects.create(plan=plan, title="Plus tard", due_on=today + datetime.timedelta(days=20))
    Milestone.objects.create(plan=plan, title="Bientôt", due_on=today + datetime.timedelta(days=2))
    page = login(team.officer).get(
        reverse("backoffice:my_tasks", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    body = page.content.decode()
    assert body.index("Bientôt") < body.index("Plus tard")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_in_app_and_by_email(team, kind):
    """Each kind, for a member who wants it at once: the in-app notification and one e-mail (plain
    subject with the fabrique's name, HTML and text, the absolute link, the unsubscribe link of
    that kind)."""
    preference_set(user=team.admin, fabrique=team.fabrique, kind=kind, mode=Mode.IMMEDIATE)
    mail.outbox.clear()
    path = reverse("backoffice:notification_list", kwargs={"fabrique_slug": team.fabrique.slug})
    notify(
        fabrique=team.fabrique,
        recipients=[team.admin],
        kind=kind,
        title="L'objet « test »",
        url=path,
        key=f"every-kind:{kind}",
    )
    n = Notification.objects.get(recipient=team.admin, kind=kind)
    assert n.url == path and n.read_at is None and n.emailed_at is not None
    (message,) = _inbox(team.admin)
    assert message.subject == f"[{team.fabrique.name}] L'objet « test »"
    assert "https://fabrique.example.org" + path in message.body
    assert "https://fabrique.example.org" + path in message.alternatives[0][0]
    token = re.search(r"/notifications/desabonnement/([^/\s]+)/", message.body).group(1)
    from fabrique.notifications.services import unsubscribe

    assert unsubscribe(token=token) == (team.fabrique, kind)
    # "off": neither in-app nor e-mail
    preference_set(user=team.admin, fabrique=team.fabrique, kind=kind, mode=Mode.OFF)
    mail.outbox.clear()
    notify(
        fabrique=team.fabrique, recipients=[team.admin], kind=kind, title="T", key=f"every-kind-off:{kind}"
    )
    assert not mail.outbox and Notification.objects.filter(recipient=team.admin, kind=kind).count() == 1
