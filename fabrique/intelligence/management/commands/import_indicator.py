"""`fabrique import_indicator FILE --fabrique SLUG --level commune --code-column 0 --value-column 3 …`

The same three steps as the back-office (upload, mapping, import) for large files, outside a request.
Columns are numbered from 0. Prints the problems by line and column and imports nothing when the file
does not fit.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique
from fabrique.intelligence.models import IMPORT_LEVELS, Aggregation
from fabrique.intelligence.services import (
    ImportInvalid,
    ImportMapping,
    IndicatorFields,
    import_batch_map,
    import_batch_run,
    import_batch_upload,
)
from fabrique.intelligence.tabular import FileReadError


class Command(BaseCommand):
    help = "Importe un indicateur depuis un fichier CSV ou XLSX (INSEE, data.gouv.fr) pour une fabrique."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--fabrique", required=True, help="Identifiant d'URL de la fabrique.")
        parser.add_argument("--level", required=True, choices=[str(level) for level in IMPORT_LEVELS])
        parser.add_argument("--code-column", type=int, required=True)
        parser.add_argument("--value-column", type=int, required=True)
        parser.add_argument("--denominator-column", type=int, default=None)
        parser.add_argument(
            "--header-row", type=int, default=0, help="Ligne des en-têtes (détectée si absente)."
        )
        parser.add_argument("--sheet", default="")
        parser.add_argument("--ignore-unknown", action="store_true")
        parser.add_argument("--name", required=True)
        parser.add_argument("--source", required=True)
        parser.add_argument("--vintage", required=True)
        parser.add_argument("--licence", required=True)
        parser.add_argument("--unit", default="")
        parser.add_argument("--source-url", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--aggregation", default=Aggregation.NONE, choices=Aggregation.values)
        parser.add_argument("--decimals", type=int, default=0)
        direction = parser.add_mutually_exclusive_group()
        direction.add_argument("--higher-is-worse", action="store_true")
        direction.add_argument("--lower-is-worse", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        fabrique = Fabrique.objects.filter(slug=options["fabrique"]).first()
        if fabrique is None:
            raise CommandError(f"Fabrique inconnue : {options['fabrique']}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        higher = True if options["higher_is_worse"] else (False if options["lower_is_worse"] else None)
        try:
            with transaction.atomic():
                batch = import_batch_upload(
                    fabrique=fabrique,
                    actor=None,
                    uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()),
                )
                mapping: ImportMapping = {
                    "level": options["level"],
                    "header_row": options["header_row"] or batch.header_row,
                    "sheet": options["sheet"] or batch.sheet,
                    "code_column": options["code_column"],
                    "value_column": options["value_column"],
                    "denominator_column": options["denominator_column"],
                    "ignore_unknown": options["ignore_unknown"],
                }
                data: IndicatorFields = {
                    "name": options["name"],
                    "description": options["description"],
                    "source": options["source"],
                    "source_url": options["source_url"],
                    "vintage": options["vintage"],
                    "unit": options["unit"],
                    "licence": options["licence"],
                    "higher_is_worse": higher,
                    "aggregation": options["aggregation"],
                    "decimals": options["decimals"],
                }
                plan = import_batch_map(
                    batch=batch,
                    actor=None,
                    mapping=mapping,
                    indicator_data=data,
                )
                batch.refresh_from_db()
                indicator = import_batch_run(batch=batch, actor=None)
        except ImportInvalid as exc:
            for line in exc.messages:
                self.stderr.write(line)
            raise CommandError(exc.message) from exc
        except (FileReadError, DomainError) as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        summary = plan.summary()
        self.stdout.write(
            self.style.SUCCESS(
                f"« {indicator} » importé : {summary['ok']} valeurs, {summary['secret']} secrètes, "
                f"{summary['missing']} manquantes."
            )
        )
