import pytest


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the database named by DATABASE_URL as it is (migrated by .ci/run), so that
    the test process and the separate worker process read and write the same rows."""
