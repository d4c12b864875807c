"""The deployment files agree with the repository, without a Docker engine: the two
Dockerfiles lint clean, everything they copy or install exists and is not hidden by
.dockerignore, their entrypoints are shipped and executable, and docker-compose.yml
builds both images with the environment their programs read."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = ("Dockerfile", "Dockerfile.actions", "Dockerfile.web")
ENTRYPOINTS = (
    "docker/entrypoint-rasa.sh",
    "docker/entrypoint-actions.sh",
    "docker/entrypoint-web.sh",
)
COMPOSE = ROOT / "docker-compose.yml"
# Compose service -> the Dockerfile that builds it.
IMAGES = {"rasa": "Dockerfile", "actions": "Dockerfile.actions", "web": "Dockerfile.web"}


def tool(name: str) -> str:
    """The path of a linter installed in the running venv (or on PATH); skip if absent."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (requirements/actions.in lists it)")
    return found


def instructions(dockerfile: str) -> list[tuple[str, list[str]]]:
    """(INSTRUCTION, arguments) of each Dockerfile instruction, continuation lines joined."""
    text = (ROOT / dockerfile).read_text(encoding="utf-8")
    # Docker drops comment lines inside a continued instruction.
    joined = re.sub(r"\\\n(?:[ \t]*#[^\n]*\n)*", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), arguments(rest.strip())))
    return result


def arguments(rest: str) -> list[str]:
    """The words of an instruction: exec form (a JSON array) or shell form."""
    return json.loads(rest) if rest.startswith("[") else shlex.split(rest)


def context_copy(keyword: str, args: list[str]) -> tuple[list[str], str] | None:
    """(sources, destination) of a COPY or ADD from the build context, else None."""
    if keyword not in ("COPY", "ADD") or any(a.startswith("--from=") for a in args):
        return None
    *sources, dest = [a for a in args if not a.startswith("--")]
    return sources, dest


def stages(dockerfile: str) -> list[dict[PurePosixPath, Path]]:
    """For each build stage, the files copied into it from the build context (image path ->
    repository path), inherited from the stage it starts FROM."""
    built: dict[str, dict[PurePosixPath, Path]] = {}
    workdirs: dict[str, PurePosixPath] = {}
    result: list[dict[PurePosixPath, Path]] = []
    files: dict[PurePosixPath, Path] = {}
    workdir, stage = PurePosixPath("/"), ""
    for keyword, args in instructions(dockerfile):
        if keyword == "FROM":
            parent, stage = args[0], args[2] if len(args) > 2 else str(len(result))
            files = dict(built.get(parent, {}))
            workdir = workdirs.get(parent, PurePosixPath("/"))
            built[stage], workdirs[stage] = files, workdir
            result.append(files)
        elif keyword == "WORKDIR":
            workdir = workdirs[stage] = workdir / args[0]
        elif copy := context_copy(keyword, args):
            sources, dest = copy
            for source in sources:
                files.update(copied_files(source, workdir / dest, dest.endswith("/")))
    return result


def copied_files(source: str, dest: PurePosixPath, into_dir: bool) -> dict[PurePosixPath, Path]:
    """Where COPY puts the files of ``source``: a folder's contents go into ``dest``."""
    path = ROOT / source
    if path.is_dir():
        return {
            dest / f.relative_to(path).as_posix(): f
            for f in path.rglob("*")
            if f.is_file() and not dockerignored(f.relative_to(ROOT).as_posix())
        }
    return {dest / path.name if into_dir else dest: path}


def copy_sources(dockerfile: str) -> list[str]:
    """Every build-context path a COPY of ``dockerfile`` names."""
    copies = [context_copy(keyword, args) for keyword, args in instructions(dockerfile)]
    return [source for copy in copies if copy for source in copy[0]]


def dockerignored(path: str) -> bool:
    """True if .dockerignore keeps ``path`` (relative, with /) out of the build context.

    Enough of Docker's matching for this repository: a pattern excludes the paths it
    matches and everything under them, and a leading ``**/`` also matches at the top.
    """
    patterns = [
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        candidates = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            return True
    return False


def pip_requirement_files(dockerfile: str) -> list[str]:
    """The files given to ``pip install -r/-c`` in a RUN of ``dockerfile``."""
    files = []
    for keyword, args in instructions(dockerfile):
        if keyword == "RUN" and "pip" in args:
            files += [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-r", "-c")]
    return files


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def requirement_names(path: Path) -> set[str]:
    """Normalised project names of a requirements or lock file."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", line)[0]).lower())
    return names


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_hadolint_passes(dockerfile: str) -> None:
    run = subprocess.run([tool("hadolint"), dockerfile], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_shellcheck_passes_on_entrypoints() -> None:
    run = subprocess.run(
        [tool("shellcheck"), *ENTRYPOINTS], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("script", ENTRYPOINTS)
def test_entrypoints_are_posix_sh(script: str) -> None:
    # /bin/sh in the slim image is dash: the script must parse without bashisms.
    assert (ROOT / script).read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    run = subprocess.run(["sh", "-n", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_every_copy_source_exists_and_reaches_the_build_context(dockerfile: str) -> None:
    sources = copy_sources(dockerfile)
    assert sources, f"{dockerfile} copies nothing"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert not missing, f"{dockerfile} copies paths missing from the repository: {missing}"
    ignored = [s for s in sources if dockerignored(s)]
    assert not ignored, f".dockerignore hides what {dockerfile} copies: {ignored}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_installed_requirement_files_exist_are_copied_and_portable(dockerfile: str) -> None:
    files = pip_requirement_files(dockerfile)
    assert any(f.endswith(".lock") for f in files), f"{dockerfile} installs from no lock file"
    copied = {
        p.relative_to(ROOT).as_posix() for stage in stages(dockerfile) for p in stage.values()
    }
    for name in files:
        assert (ROOT / name).is_file(), (
            f"{name} is missing (the lead generates the locks with pip freeze)"
        )
        assert name in copied, f"{dockerfile} installs {name} before copying it"
        # `pip freeze` writes the editable jieru as "-e /path/to/checkout": useless in an image.
        local = [
            line
            for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
            if line.startswith(("-e", "--editable")) or "file:" in line
        ]
        assert not local, (
            f"{name} points at local paths (use pip freeze --exclude-editable): {local}"
        )


def test_lock_pins_every_runtime_requirement_of_the_action_server() -> None:
    # Dockerfile.actions installs actions-runtime.in with actions.lock as constraints:
    # a name the lock lacks would be installed at whatever version is newest.
    runtime = requirement_names(ROOT / "requirements/actions-runtime.in")
    assert runtime <= requirement_names(ROOT / "requirements/actions.in")
    assert runtime - requirement_names(ROOT / "requirements/actions.lock") == set()


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_entrypoint_is_shipped_executable_in_the_final_stage(dockerfile: str) -> None:
    entrypoint = next(args for keyword, args in instructions(dockerfile) if keyword == "ENTRYPOINT")
    shipped = stages(dockerfile)[-1]
    source = shipped.get(PurePosixPath(entrypoint[0]))
    assert source is not None, f"{entrypoint[0]} is not copied into the final stage"
    assert source.relative_to(ROOT).as_posix() in ENTRYPOINTS
    assert os.access(source, os.X_OK), f"{source} is not executable (chmod +x, git keeps the bit)"


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_runs_as_non_root_on_the_port_it_exposes(dockerfile: str) -> None:
    final = instructions(dockerfile)
    last_from = max(i for i, (keyword, _) in enumerate(final) if keyword == "FROM")
    final = final[last_from:]
    users = [args[0] for keyword, args in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    exposed = [args[0] for keyword, args in final if keyword == "EXPOSE"]
    port = [
        a.split("=", 1)[1]
        for keyword, args in final
        if keyword == "ENV"
        for a in args
        if a.startswith("PORT=")
    ]
    assert exposed == port, "the entrypoint listens on PORT: it must be the exposed port"
    assert any(keyword == "HEALTHCHECK" for keyword, _ in final)


def test_dockerignore_keeps_local_state_out() -> None:
    for path in (
        ".venv/rasa/bin/python",
        "models/jieru.tar.gz",
        "var/jieru.db",
        ".git/HEAD",
        "tests/deploy/test_deploy_files.py",
        "bench/results/nlu.json",
        "jieru/__pycache__/config.cpython-310.pyc",
        ".env",
    ):
        assert dockerignored(path), path
    for path in ("jieru/config.py", "kb/lexicon.yml", "docker/entrypoint-rasa.sh", "README.md"):
        assert not dockerignored(path), path


def test_compose_builds_both_images() -> None:
    services = compose()["services"]
    for service, dockerfile in IMAGES.items():
        build = services[service]["build"]
        assert (build["dockerfile"], build["context"]) == (dockerfile, ".")
    assert {"postgres", "redis"} <= set(services)


def entrypoint_variables(script: str) -> set[str]:
    return set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", (ROOT / script).read_text(encoding="utf-8")))


def test_compose_sets_only_variables_that_something_reads() -> None:
    # A misspelt name (JIERU_ENDPOINT) would be silently ignored: every variable set on
    # the two services is read by their entrypoint or by jieru.config.
    config = (ROOT / "jieru/config.py").read_text(encoding="utf-8")
    services = compose()["services"]
    for service in IMAGES:
        read = entrypoint_variables(f"docker/entrypoint-{service}.sh")
        for name in services[service]["environment"]:
            assert name in read or f'"{name}"' in config, f"{service}: nothing reads {name}"


def test_compose_commits_no_secrets() -> None:
    for name, service in compose()["services"].items():
        for key, value in service.get("environment", {}).items():
            if re.search(r"SECRET|PASSWORD|TOKEN", key):
                assert re.fullmatch(r"\$\{\w+(:\?[^}]*|:-)?\}", value), f"{name}.{key} = {value!r}"
    rasa_env = compose()["services"]["rasa"]["environment"]
    assert rasa_env["JIERU_APP_JWT_SECRET"].startswith("${JIERU_APP_JWT_SECRET:?")


def test_compose_wires_the_action_server_database_and_redis() -> None:
    services = compose()["services"]
    url = services["actions"]["environment"]["DATABASE_URL"]
    assert re.fullmatch(
        r"postgresql\+psycopg2://\w+:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432/\w+", url
    )

    endpoints_path = PurePosixPath("/app") / services["rasa"]["environment"]["JIERU_ENDPOINTS"]
    source = stages("Dockerfile")[-1].get(endpoints_path)
    assert source is not None, f"{endpoints_path} is not in the Rasa image"
    endpoints = yaml.safe_load(source.read_text(encoding="utf-8"))
    actions_port = next(a[0] for k, a in instructions("Dockerfile.actions") if k == "EXPOSE")
    assert endpoints["action_endpoint"]["url"] == f"http://actions:{actions_port}/webhook"
    for store in ("tracker_store", "lock_store"):
        assert endpoints[store]["type"] == "redis"
        assert endpoints[store]["url"] in services
    assert {"actions", "redis"} <= set(services["rasa"]["depends_on"])
    assert "postgres" in services["actions"]["depends_on"]
