"""Calls, applications and real document bytes for the recruitment tests."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fabrique.recruitment.models import Application, ApplicationStage, Call, CallStage, EvaluationCriterion


# A complete, valid one-page PDF (xref offsets computed by `pdf_bytes`).
def pdf_bytes(text: str = "Dossier de candidature") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Dossier</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"/>',
        )
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_call(
    project,
    *,
    stage=CallStage.PUBLISHED,
    deadline: datetime.date | None = None,
    evaluators=(),
    criteria=(("Profil", 2, 5), ("Motivation", 1, 10)),
    title: str = "Appel à porteurs : crèche",
) -> Call:
    call = Call.objects.create(
        fabrique=project.fabrique,
        project=project,
        slug=f"appel-{Call.all_objects.count() + 1}",
        title=title,
        description="Une crèche ouverte tôt et tard.",
        profile_sought="Une personne ou une structure de la petite enfance.",
        selection_criteria="Expérience, ancrage local.",
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=20),
        stage=stage,
        published_on=timezone.localdate() if stage != CallStage.DRAFT else None,
    )
    for order, (label, weight, max_score) in enumerate(criteria):
        EvaluationCriterion.objects.create(
            call=call, label=label, weight=weight, max_score=max_score, order=order
        )
    call.evaluators.set(evaluators)
    return call


def make_application(
    call, *, stage=ApplicationStage.SUBMITTED, email="sam.bernard@example.org", **kw
) -> Application:
    return Application.objects.create(
        fabrique=call.fabrique,
        project=call.project,
        call=call,
        first_name=kw.pop("first_name", "Sam"),
        last_name=kw.pop("last_name", "Bernard"),
        email=email,
        motivation=kw.pop("motivation", "J'ai dirigé une micro-crèche pendant six ans."),
        consent_processing=kw.pop("consent_processing", True),
        stage=stage,
        **kw,
    )
