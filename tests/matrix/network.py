"""The fabrique within its network: hand-over of needs and projects (both sides), and the essaimage
library. A hand-over is shared by two fabriques: fabrique A has one received from B, one sent to B,
and B has one with a third fabrique C that A must never reach (404).

What B offers to A is shown to A's staff by design (the offer's title and description): the offered
need is given a neutral title here, so that the matrix's leak check stays meaningful for the rest."""

from .rules import M, Rule, V


def _handover(world, *, to_a: bool):
    from fabrique.handover.models import HandOver

    a = world.a.team.fabrique
    return (HandOver.objects.get(to_fabrique=a) if to_a else HandOver.objects.get(from_fabrique=a)).pk


def _foreign_handover(world):
    from fabrique.handover.models import HandOver

    return (
        HandOver.objects.exclude(from_fabrique=world.a.team.fabrique)
        .exclude(to_fabrique=world.a.team.fabrique)
        .get()
        .pk
    )


MATRIX = {
    "backoffice:handover_list": Rule(V),
    "backoffice:handover_detail": Rule(
        V,
        params=lambda w: {"pk": _handover(w, to_a=True)},
        foreign=lambda w: {"pk": _foreign_handover(w)},
        queries=20,
    ),
    # receiving side only: the sent hand-over is a 404 here (not the fabrique's to answer)
    "backoffice:handover_answer": Rule(
        M,
        params=lambda w: {"pk": _handover(w, to_a=True)},
        foreign=lambda w: {"pk": _handover(w, to_a=False)},
        post=True,
    ),
    # sending side only
    "backoffice:handover_withdraw": Rule(
        M,
        params=lambda w: {"pk": _handover(w, to_a=False)},
        foreign=lambda w: {"pk": _handover(w, to_a=True)},
        post=True,
    ),
    "backoffice:need_handover": Rule(
        M,
        params=lambda w: {"pk": w.a.handover_need.pk},
        foreign=lambda w: {"pk": w.b.handover_need.pk},
        post=True,
    ),
    "backoffice:project_handover": Rule(
        M,
        params=lambda w: {"pk": w.a.project.pk},
        foreign=lambda w: {"pk": w.b.project.pk},
        post=True,
    ),
}


def populate(side, label: str) -> None:
    from fabrique.fabriques.models import Fabrique
    from fabrique.handover.services import handover_offer
    from fabrique.needs.services import need_create_from_report, need_report_submit

    fabrique, admin = side.team.fabrique, side.team.admin

    def offerable_need(title: str):
        report = need_report_submit(
            fabrique=fabrique,
            title=title,
            description="Description neutre",
            reporter_name="Capteur",
            reporter_email="capteur@example.org",
            consent_processing=True,
        )
        return need_create_from_report(report=report, actor=side.team.officer, title=title)

    side.objects["handover_need"] = offerable_need(f"Besoin à transmettre {label}")
    if label == "A":
        side.objects["sent_need"] = offerable_need("Besoin proposé par A")
        return
    # side B: B offers A a need; A offers B a need; B offers a third fabrique one of its needs
    a = Fabrique.objects.get(slug="fab-a")
    a_admin = a.memberships.get(role="admin").user
    from fabrique.needs.models import Need

    handover_offer(
        fabrique=fabrique,
        actor=admin,
        target=offerable_need("Besoin proposé à A"),
        to_fabrique=a,
        reason="Territoire",
    )
    handover_offer(
        fabrique=a,
        actor=a_admin,
        target=Need.objects.get(fabrique=a, title="Besoin proposé par A"),
        to_fabrique=fabrique,
        reason="Équipe mieux placée",
    )
    third = Fabrique.objects.create(slug="fab-c", name="Fabrique C")
    handover_offer(
        fabrique=fabrique,
        actor=admin,
        target=offerable_need(f"Besoin pour C {label}"),
        to_fabrique=third,
        reason="C",
    )
