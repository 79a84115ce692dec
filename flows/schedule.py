"""The deployments declared in prefect.yaml, served from this process by `govtargets serve`.

prefect.yaml stays the one place where schedules and parameters are written down: `prefect deploy
--all` sends them to a Prefect server and work pool, `govtargets serve` runs them here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from govtargets.flows.pipeline import pipeline
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"
PATH_PARAMETERS = ("input_dir", "warehouse")


def declared_deployments(prefect_yaml: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments` section of prefect.yaml."""
    return yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))["deployments"]


def runner_deployments(
    prefect_yaml: Path = PREFECT_YAML, overrides: dict[str, Any] | None = None
) -> list[RunnerDeployment]:
    """prefect.yaml's deployments of the pipeline flow, ready for `prefect.serve`.

    Relative paths in parameters are taken from the project folder, as `prefect deploy` does
    through its working-directory pull step; `overrides` replace parameters of every deployment.
    """
    deployments = []
    for declared in declared_deployments(prefect_yaml):
        parameters = {**declared.get("parameters", {}), **(overrides or {})}
        for name in PATH_PARAMETERS:
            if name in parameters:
                parameters[name] = str(prefect_yaml.parent / parameters[name])
        schedules = [Cron(s["cron"], timezone=s.get("timezone")) for s in declared.get("schedules") or []]
        deployments.append(
            pipeline.to_deployment(
                name=declared["name"],
                description=declared.get("description"),
                parameters=parameters,
                schedules=schedules,
            )
        )
    return deployments
