"""The environment `quai lint` runs in for the lint tests: no HADOLINT_*
variables, no NO_COLOR or XDG_CONFIG_HOME, and a private HOME."""
import os


def clean_env(home, extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HADOLINT_") and k not in ("NO_COLOR", "XDG_CONFIG_HOME")}
    env["HOME"] = str(home)
    env.update(extra or {})
    return env
