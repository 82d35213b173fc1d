"""README.md stays true: every environment variable the settings read is documented, and the
quick start is exactly the two commands."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ENV_READ = re.compile(
    r"""\b(?:env_str|env_bool|env_int|env_list|env_choice|env_url|parsed)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def settings_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        names.update(ENV_READ.findall(path.read_text()))
    return names


def test_settings_read_variables():
    # Guards the regular expression itself: these are certainly read.
    assert {"DATABASE_URL", "SECRET_KEY", "REQUIRE_MFA", "SESSION_IDLE_TIMEOUT"} <= settings_variables()


def test_every_environment_variable_is_documented():
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in README)
    assert not missing, f"README.md does not document: {', '.join(missing)}"


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
