from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.recruitment.models import ApplicationStage, Evaluation, EvaluationScore
from fabrique.recruitment.selectors import evaluation_view, weighted_score
from fabrique.recruitment.services import evaluation_save

from ..projects.factories import make_project
from .factories import make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(team):
    # A = officer, B = committee member; criteria: Profil (weight 2, /5), Motivation (weight 1, /10)
    call = make_call(make_project(team.fabrique), evaluators=[team.officer, team.committee])
    profile, motivation = call.criteria.order_by("order")
    application = make_application(call)
    return call, application, profile, motivation


def page(client, team, application, name="application_detail"):
    url = reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, "pk": application.pk})
    return unescape(client.get(url).content.decode())


def test_weighted_score_is_out_of_20(setup, team):
    call, application, profile, motivation = setup
    evaluation = evaluation_save(
        application=application,
        evaluator=team.officer,
        scores={profile.pk: (5, ""), motivation.pk: (4, "")},
        submit=True,
    )
    scores = {s.criterion_id: s for s in evaluation.scores.all()}
    # (2 × 5/5 + 1 × 4/10) / 3 × 20 = 16
    assert weighted_score(scores=scores, criteria=[profile, motivation]) == 16.0


def test_blind_evaluation(setup, team, login):
    call, application, profile, motivation = setup
    # given: A saves a draft, B submits
    evaluation_save(
        application=application,
        evaluator=team.officer,
        scores={profile.pk: (2, "profil léger")},
        comment="Brouillon de A",
    )
    evaluation_save(
        application=application,
        evaluator=team.committee,
        scores={profile.pk: (5, "parfait"), motivation.pk: (9, "très motivée")},
        comment="Avis de B : excellente candidature",
        submit=True,
    )
    # then: A, who has not submitted, sees only their own scores
    view_a = evaluation_view(application=application, user=team.officer)
    assert view_a.is_evaluator and not view_a.can_see_others
    assert view_a.visible == [] and view_a.average is None
    assert view_a.mine.scores[profile.pk].score == 2
    text_a = page(login(team.officer), team, application)
    assert "Avis de B" not in text_a and "très motivée" not in text_a and "parfait" not in text_a
    assert "Évaluation à l'aveugle" in text_a
    # the call's list hides the average from A as well
    call_page = unescape(
        login(team.officer)
        .get(reverse("backoffice:call_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": call.pk}))
        .content.decode()
    )
    assert "masquée" in call_page
    # B, who submitted, sees submitted evaluations (their own) but never A's draft
    view_b = evaluation_view(application=application, user=team.committee)
    assert view_b.can_see_others and [s.evaluation.evaluator for s in view_b.visible] == [team.committee]
    text_b = page(login(team.committee), team, application)
    assert "Avis de B" in text_b and "Brouillon de A" not in text_b and "profil léger" not in text_b
    # when A submits
    evaluation_save(
        application=application,
        evaluator=team.officer,
        scores={profile.pk: (3, "profil léger"), motivation.pk: (5, "")},
        comment="Avis de A",
        submit=True,
    )
    # then A sees everyone's scores and the weighted average
    view_a = evaluation_view(application=application, user=team.officer)
    assert view_a.can_see_others and len(view_a.visible) == 2
    # B: (2×1 + 1×0.9)/3×20 = 19.33; A: (2×0.6 + 1×0.5)/3×20 = 11.33
    assert view_a.average == pytest.approx((19.33 + 11.33) / 2, abs=0.01)
    assert "Avis de B" in page(login(team.officer), team, application)


def test_a_member_who_does_not_evaluate_sees_submitted_scores_only(setup, team, login):
    call, application, profile, motivation = setup
    evaluation_save(application=application, evaluator=team.officer, scores={}, comment="Brouillon secret")
    evaluation_save(
        application=application,
        evaluator=team.committee,
        scores={profile.pk: (4, ""), motivation.pk: (8, "")},
        comment="Avis soumis",
        submit=True,
    )
    text = page(login(team.reader), team, application)
    assert "Avis soumis" in text and "Brouillon secret" not in text


def test_the_audit_log_never_holds_the_scores(setup, team):
    call, application, profile, motivation = setup
    evaluation_save(
        application=application,
        evaluator=team.committee,
        scores={profile.pk: (4, "commentaire confidentiel"), motivation.pk: (7, "")},
        submit=True,
    )
    entry = AuditEntry.objects.for_target(application).get(action="recruitment.evaluation.submitted")
    assert "commentaire confidentiel" not in str(entry.new_values) and "7" not in str(entry.new_values)


def test_submit_needs_every_criterion_and_scores_within_range(setup, team):
    call, application, profile, motivation = setup
    with pytest.raises(ValidationError) as exc:
        evaluation_save(
            application=application, evaluator=team.officer, scores={profile.pk: (3, "")}, submit=True
        )
    assert f"score_{motivation.pk}" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        evaluation_save(application=application, evaluator=team.officer, scores={profile.pk: (6, "")})
    assert "La note va de 0 à 5." in exc.value.messages
    assert not Evaluation.objects.exists()


def test_a_submitted_evaluation_no_longer_changes(setup, team):
    call, application, profile, motivation = setup
    scores = {profile.pk: (3, ""), motivation.pk: (5, "")}
    evaluation_save(application=application, evaluator=team.officer, scores=scores, submit=True)
    with pytest.raises(DomainError):
        evaluation_save(application=application, evaluator=team.officer, scores={profile.pk: (5, "")})
    assert Evaluation.objects.get().scores.get(criterion=profile).score == 3


def test_only_evaluators_of_an_open_application(setup, team):
    call, application, profile, motivation = setup
    with pytest.raises(DomainError):
        evaluation_save(application=application, evaluator=team.admin, scores={})
    application.stage = ApplicationStage.NOT_SELECTED
    application.save(update_fields=["stage"])
    with pytest.raises(DomainError):
        evaluation_save(application=application, evaluator=team.officer, scores={})


def test_evaluation_page_draft_then_submit(setup, team, login):
    call, application, profile, motivation = setup
    client = login(team.committee)
    url = reverse(
        "backoffice:application_evaluate", kwargs={"fabrique_slug": team.fabrique.slug, "pk": application.pk}
    )
    assert "Profil — note sur 5 (poids 2)" in unescape(client.get(url).content.decode())
    # bad input: French error, nothing saved
    response = client.post(url, {f"score_{profile.pk}": "9", "submit": "1"})
    assert response.status_code == 200
    assert "inférieure ou égale à 5" in unescape(response.content.decode())
    assert not Evaluation.objects.exists()
    # draft
    response = client.post(url, {f"score_{profile.pk}": "4", "comment": "à revoir", "save": "1"})
    assert response.status_code == 302
    assert Evaluation.objects.get().submitted_at is None
    # submit with a missing score: refused, draft kept
    response = client.post(url, {f"score_{profile.pk}": "4", "submit": "1"})
    assert "Notez ce critère" in unescape(response.content.decode())
    # submit
    response = client.post(url, {f"score_{profile.pk}": "4", f"score_{motivation.pk}": "7", "submit": "1"})
    assert response.status_code == 302
    assert Evaluation.objects.get().submitted_at is not None
    # a submitted evaluation no longer changes (evaluation_save's rule, shown on the form)
    response = client.post(url, {f"score_{profile.pk}": "1", f"score_{motivation.pk}": "1", "save": "1"})
    assert "déjà soumise" in unescape(response.content.decode())
    assert sorted(EvaluationScore.objects.values_list("score", flat=True)) == [4, 7]


def test_a_reader_cannot_evaluate_and_a_non_evaluator_is_told_so(setup, team, login):
    call, application, profile, motivation = setup
    url = reverse(
        "backoffice:application_evaluate", kwargs={"fabrique_slug": team.fabrique.slug, "pk": application.pk}
    )
    assert login(team.reader).post(url, {}).status_code == 403
    client = login(team.admin)  # may decide, but is not an evaluator of this call
    assert "pas évaluateur·rice de cet appel" in unescape(client.get(url).content.decode())
    response = client.post(url, {f"score_{profile.pk}": "4"})
    assert "pas évaluateur·rice de cet appel" in unescape(response.content.decode())  # evaluation_save's
    assert not Evaluation.objects.exists()
