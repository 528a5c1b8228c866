from tests.workstreams.matrix import MATRIX, populate  # noqa: F401
