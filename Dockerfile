# Image of the scheduled dbt build (ECS Fargate task in infra/template.yaml): `telesales-reports build`.
# It installs the locked dependencies of the `build` and `aws` extras (requirements/build.txt: dbt, and
# boto3 for the run artifacts in S3; no developer tools), then the package without dependencies:
#   docker build --platform linux/amd64 -t telesales-reports-dbt .
# The database login comes from the environment: the ECS task injects TELESALES_DB_HOST, _PORT, _USER,
# _PASSWORD and _NAME from the Secrets Manager secret (see infra/README.md).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DO_NOT_TRACK=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    TELESALES_PROJECT_DIR=/app

WORKDIR /app

# Copy the parts of the repository the build needs, never .venv/, .data/ (the local database and the
# local JWT secret) or .git/. The locked dependencies first, then the package, so those layers are
# reused when only models change.
COPY requirements/build.txt requirements/
RUN pip install -r requirements/build.txt
COPY pyproject.toml ./
COPY lambdas/ lambdas/
RUN pip install . --no-deps \
    && rm -rf build lambdas/*.egg-info

COPY dbt_project.yml profiles.yml ./
COPY models/ models/
COPY macros/ macros/
COPY data-tests/ data-tests/

# dbt writes target/ and logs/ under the project folder.
RUN useradd --system --uid 10001 --home-dir /app --no-create-home dbt \
    && chown -R dbt /app
USER 10001

ENTRYPOINT ["telesales-reports"]
CMD ["build"]
