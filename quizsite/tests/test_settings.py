"""Settings refuse bad environments at start-up, naming the variable; a production environment passes
`check --deploy` without a single warning."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 20 + "Aa9#-_!" * 6


def _django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests for their own process; a deployment never has it.
    dropped = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["DEBUG"] = "true"  # a development environment unless the test says otherwise (DEBUG is off by default)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_malformed_database_url_is_refused_naming_the_variable():
    result = _django({"DATABASE_URL": "mysql://root@localhost/quiz"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_database_url_without_database_name_is_refused():
    result = _django({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_missing_secret_key_with_debug_off_is_refused():
    result = _django({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_boolean_names_the_variable():
    result = _django({"DEBUG": "maybe"}, "check")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_bad_integer_names_the_variable():
    result = _django({"ATTEMPT_GRACE_SECONDS": "sixty"}, "check")
    assert result.returncode != 0
    assert "ATTEMPT_GRACE_SECONDS" in result.stderr


def test_production_environment_passes_check_deploy_cleanly():
    result = _django(
        {
            "DEBUG": "false",
            "SECRET_KEY": LONG_KEY,
            "ALLOWED_HOSTS": "quiz.school.example",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/2",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_empty_environment_is_production_safe_and_refuses_to_start_without_a_secret():
    # Safe by default: nothing set means DEBUG off, and DEBUG off never falls back to the repository's dev key.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = "import django;django.setup();from django.conf import settings as s;print(s.DEBUG, s.SECRET_KEY[:15])"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="quizsite.settings", SECRET_KEY=LONG_KEY)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", LONG_KEY[:15]]


def _compose_app_defaults() -> dict:
    """The environment docker-compose.yml gives the app containers when the operator sets only what it requires."""
    import re

    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = {}
    for key, value in compose["x-app"]["environment"].items():
        value = str(value)
        # ${VAR:-default} / ${VAR-default} take the default; ${VAR:?message} is required: the operator's own value.
        value = re.sub(r"\$\{[A-Z_]+:?-([^}]*)\}", r"\1", value)
        value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", LONG_KEY, value)
        env[key] = value
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("ENV "):
            env.update(dict(part.split("=", 1) for part in line[4:].split()))
    return env


def test_docker_defaults_pass_check_deploy_cleanly():
    env = _compose_app_defaults()
    assert env["DEBUG"] == "false"
    # Point the services at this machine's (the compose host names do not resolve here); keep everything else.
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/2",
        CELERY_BROKER_URL="",
        DATA_DIR=str(ROOT / "var" / "test-docker-defaults"),
    )
    result = _django(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_debug_true_gives_the_development_defaults():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.CHANNEL_LAYERS['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "quizsite.settings"
    env["DEBUG"] = "true"
    env["DATA_DIR"] = str(ROOT / "var" / "test-defaults")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_suite_runs_on_postgresql_and_redis(settings):
    # `make test` must exercise the real services, not the embedded defaults.
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
