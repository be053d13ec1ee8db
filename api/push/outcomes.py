"""What became of each push attempt, noted as posts end and written together, in one action.

sent -> the job is deleted; 404/410 -> its subscription is deleted; 413 -> retried content-free; 429/5xx/network ->
exponential backoff; past its TTL -> dropped by the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Tx
from api.db.push import QueuedJob

BACKOFF_BASE_MS = 1000
BACKOFF_MAX_MS = 15 * 60 * 1000


@dataclass(frozen=True)
class Retry:
    at: int
    shrink: bool = False


# "done": delivered, or refused for good (the job is deleted); "gone": the push service forgot the subscription.
Outcome = Literal["done", "gone"] | Retry


def backoff_ms(job: QueuedJob) -> int:
    return int(min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2**job.attempts))


def later(job: QueuedJob) -> Retry:
    return Retry(now_ms() + backoff_ms(job))


@dataclass
class Outcomes:
    """The outcomes noted since the last write, written together in one transaction."""

    jobs: set[int] = field(default_factory=set)
    done: list[int] = field(default_factory=list)
    gone_subscriptions: set[int] = field(default_factory=set)
    retries: list[tuple[int, int, bool]] = field(default_factory=list)

    def add(self, job: QueuedJob, outcome: Outcome) -> None:
        self.jobs.add(job.id)
        if outcome == "done":
            self.done.append(job.id)
        elif outcome == "gone":
            self.gone_subscriptions.add(job.subscription_id)
        else:
            self.retries.append((job.id, outcome.at, outcome.shrink))

    def extend(self, other: Outcomes) -> None:
        self.jobs |= other.jobs
        self.done += other.done
        self.gone_subscriptions |= other.gone_subscriptions
        self.retries += other.retries


def write_outcomes(tx: Tx, outcomes: Outcomes, expired_at: int | None) -> None:
    """An action: write the outcomes; when `expired_at` is given, drop the jobs whose TTL ran out by then too."""
    sql.delete_jobs(tx, outcomes.done)
    sql.delete_subscriptions_by_id(tx, outcomes.gone_subscriptions)
    sql.retry_jobs(tx, outcomes.retries)
    if expired_at is not None:
        sql.delete_expired_jobs(tx, expired_at)
