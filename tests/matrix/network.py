"""The fabrique within its network: hand-over of needs and projects (both sides), and the essaimage
library. A hand-over is shared by two fabriques: fabrique A has one received from B, one sent to B,
and B has one with a third fabrique C that A must never reach (404).

What B offers to A is shown to A's staff by design (the offer's title and description): the offered
need is given a neutral title here, so that the matrix's leak check stays meaningful for the rest."""

from .rules import E, M, Rule, V


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


def _sheet(side, published=True):
    return side.objects["sheet" if published else "draft_sheet"]


MATRIX = {
    # the library: every fabrique's published models (B's is published with neutral words: what a
    # fabrique publishes is shared with the network by design)
    "backoffice:library": Rule(V),
    "backoffice:model_sheet_detail": Rule(
        V, params=lambda w: {"pk": _sheet(w.a).pk}, foreign=lambda w: {"pk": _sheet(w.b, False).pk}
    ),
    "backoffice:model_sheet_update": Rule(
        E, params=lambda w: {"pk": _sheet(w.a).pk}, foreign=lambda w: {"pk": _sheet(w.b).pk}, post=True
    ),
    "backoffice:model_document_add": Rule(
        E, params=lambda w: {"pk": _sheet(w.a).pk}, foreign=lambda w: {"pk": _sheet(w.b).pk}, post=True
    ),
    "backoffice:model_document": Rule(
        V,
        params=lambda w: {"pk": _sheet(w.a).pk, "document_pk": w.a.sheet_document.pk},
        foreign=lambda w: {"pk": _sheet(w.b, False).pk, "document_pk": w.b.draft_document.pk},
    ),
    # another fabrique's published model; one's own is a 404 (nothing to reproduce)
    "backoffice:model_replicate": Rule(
        E, params=lambda w: {"pk": _sheet(w.b).pk}, foreign=lambda w: {"pk": _sheet(w.a).pk}, post=True
    ),
    "backoffice:model_sheet_publish": Rule(
        E, params=lambda w: {"pk": w.a.project.pk}, foreign=lambda w: {"pk": w.b.project.pk}, post=True
    ),
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
    _populate_library(side, label)
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


def _populate_library(side, label: str) -> None:
    from django.core.files.base import ContentFile

    from fabrique.essaimage.services import model_document_add, model_replicate, model_sheet_publish

    fabrique, officer = side.team.fabrique, side.team.officer
    name = "A" if label == "A" else "B"
    sheet = model_sheet_publish(
        fabrique=fabrique,
        actor=officer,
        project=side.project,
        title=f"Modèle publié par {name}",
        need_answered="Un besoin décrit sans donnée personnelle",
        theme="food",
    )
    side.objects["sheet"] = sheet
    side.objects["sheet_document"] = model_document_add(
        sheet=sheet, actor=officer, title="Statuts", file=ContentFile(PDF, name="statuts.pdf")
    )
    draft = model_sheet_publish(
        fabrique=fabrique,
        actor=officer,
        project=side.project,
        title=f"Brouillon {label}",
        need_answered=f"Brouillon {label}",
        is_published=False,
    )
    side.objects["draft_sheet"] = draft
    side.objects["draft_document"] = model_document_add(
        sheet=draft, actor=officer, title=f"Brouillon {label}", file=ContentFile(PDF, name="brouillon.pdf")
    )
    if label != "A":
        from fabrique.essaimage.models import ModelSheet

        a_sheet = ModelSheet.objects.get(fabrique__slug="fab-a", title="Modèle publié par A")
        model_replicate(sheet=a_sheet, fabrique=fabrique, actor=officer, kind="need", title="Reproduction")
        from fabrique.fabriques.models import Fabrique

        a = Fabrique.objects.get(slug="fab-a")
        model_replicate(
            sheet=sheet,
            fabrique=a,
            actor=a.memberships.get(role="officer").user,
            kind="need",
            title="Reproduction chez A",
        )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
