# The suite itself, for the runner and app services of docker-compose.yml (context: the repo).
FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY chaos ./chaos
COPY apps ./apps
# cryptography: MySQL 8.4's default caching_sha2_password over plain TCP needs it in PyMySQL.
RUN pip install --no-cache-dir '.[test]' cryptography
ENTRYPOINT []
