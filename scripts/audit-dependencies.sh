#!/usr/bin/env bash
# Audit the pinned dependencies for known vulnerabilities:
#   Python: pip-audit over requirements.lock (every package is pinned there, so no resolution
#           is needed: --no-deps --disable-pip), checked against the PyPI advisory database;
#   npm:    npm audit over the packages that reach production (--omit=dev).
#
# Exit status: 0 when nothing known is found, or when an advisory service could not be
# reached, in which case it says "COULD NOT CHECK" for that ecosystem (a run that checked
# nothing must never read as a pass); 1 when a vulnerability is found.
#
# Usage: scripts/audit-dependencies.sh            (from anywhere in the repository)
#        PIP_AUDIT_SERVICE=osv scripts/audit-dependencies.sh   (use OSV instead of PyPI)
set -uo pipefail

cd "$(dirname "$0")/.."
PIP_AUDIT=${PIP_AUDIT:-.venv/bin/pip-audit}
SERVICE=${PIP_AUDIT_SERVICE:-pypi}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

found=0
unchecked=()

echo "== Python: pip-audit -r requirements.lock (advisories from $SERVICE)"
if [[ ! -x $PIP_AUDIT ]]; then
  echo "COULD NOT CHECK Python packages: $PIP_AUDIT is missing (make setup installs it)."
  unchecked+=(python)
else
  "$PIP_AUDIT" -r requirements.lock --no-deps --disable-pip --vulnerability-service "$SERVICE" \
    --progress-spinner off -f json -o "$TMP/pip.json" 2>"$TMP/pip.err"
  status=$?
  if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/pip.json" 2>/dev/null; then
    python3 - "$TMP/pip.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
deps = report.get("dependencies", [])
skipped = [d for d in deps if "skip_reason" in d]
vulnerable = [d for d in deps if d.get("vulns")]
if deps and len(skipped) == len(deps):
    # pip-audit reports "not found" for every package when the advisory API does not answer
    # (a mirror without PyPI's JSON API): nothing was checked.
    print(f"COULD NOT CHECK Python packages: all {len(deps)} were skipped, e.g. {skipped[0]['skip_reason']}")
    sys.exit(2)
print(f"{len(deps) - len(skipped)} packages checked, {len(vulnerable)} with known vulnerabilities, {len(skipped)} skipped.")
for dep in vulnerable:
    for vuln in dep["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
        aliases = ", ".join(vuln.get("aliases") or [])
        print(f"  {dep['name']} {dep['version']}: {vuln['id']} ({aliases}) fixed in: {fixed}")
for dep in skipped:
    print(f"  NOT CHECKED {dep['name']}: {dep['skip_reason']}")
sys.exit(1 if vulnerable else 0)
PY
    case $? in
      0) ;;
      1) found=1 ;;
      *) unchecked+=(python) ;;
    esac
  else
    echo "COULD NOT CHECK Python packages: pip-audit did not get an answer from the $SERVICE advisory service (exit $status):"
    sed 's/^/  /' "$TMP/pip.err" | tail -5
    unchecked+=(python)
  fi
fi

echo
echo "== npm: npm audit --omit=dev"
if ! command -v npm >/dev/null; then
  echo "COULD NOT CHECK npm packages: npm is not installed."
  unchecked+=(npm)
else
  npm audit --omit=dev --json >"$TMP/npm.json" 2>"$TMP/npm.err"
  python3 - "$TMP/npm.json" "$TMP/npm.err" <<'PY'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except ValueError:
    report = {"error": {}}
if "error" in report:
    error = report["error"] if isinstance(report["error"], dict) else {"summary": str(report["error"])}
    stderr = [line for line in open(sys.argv[2]).read().splitlines() if "npm error A complete log" not in line]
    reason = error.get("summary") or " / ".join(stderr[-3:]) or "no reason given"
    print("COULD NOT CHECK npm packages: the registry's audit endpoint did not answer: " + reason)
    sys.exit(2)
counts = report.get("metadata", {}).get("vulnerabilities", {})
total = counts.get("total", 0)
print(f"{report.get('metadata', {}).get('dependencies', {}).get('prod', '?')} production packages checked, {total} vulnerabilities.")
for name, vuln in sorted(report.get("vulnerabilities", {}).items()):
    fix = vuln.get("fixAvailable")
    fix_text = f"fix: {fix['name']}@{fix['version']}" if isinstance(fix, dict) else ("fix: npm audit fix" if fix else "no fix")
    print(f"  {name} ({vuln.get('severity')}) {vuln.get('range')}: {fix_text}")
sys.exit(1 if total else 0)
PY
  case $? in
    0) ;;
    1) found=1 ;;
    *) unchecked+=(npm) ;;
  esac
fi

echo
if [[ $found -eq 1 ]]; then
  echo "RESULT: known vulnerabilities found (above)."
  exit 1
fi
if [[ ${#unchecked[@]} -eq 2 ]]; then
  echo "RESULT: COULD NOT CHECK anything (${unchecked[*]}): no advisory service answered. This is not a pass."
  exit 0
fi
if [[ ${#unchecked[@]} -gt 0 ]]; then
  echo "RESULT: no known vulnerabilities in what was checked; COULD NOT CHECK: ${unchecked[*]}."
  exit 0
fi
echo "RESULT: no known vulnerabilities."
exit 0
