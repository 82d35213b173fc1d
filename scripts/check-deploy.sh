#!/usr/bin/env bash
# `manage.py check --deploy` with the production settings and a realistic environment must
# report nothing at all: warnings fail too.
set -euo pipefail
out=$(env -u DEBUG \
  DJANGO_SETTINGS_MODULE=portal.settings.production \
  SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  ALLOWED_HOSTS=portal.example.gov.uk \
  BASE_URL=https://portal.example.gov.uk \
  .venv/bin/python manage.py check --deploy --fail-level WARNING 2>&1) || { echo "$out"; exit 1; }
echo "$out"
