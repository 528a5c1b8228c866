"""Helpers of the intelligence tests."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

DATA = Path(__file__).resolve().parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample(name) if content is None else content)
