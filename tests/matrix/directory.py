from tests.directory.matrix import MATRIX, populate  # noqa: F401
