"""Write the synthetic 决算 beside each budget (``analysis synth --doc-types budget,final``).

Each department's years are executed in order, so every 决算 opens with the previous one's
年末结转和结余 (Y3); the first year opens with its budget's 上年结转. A share ``anomaly_rate`` of
the 决算 carries one to three ``final_*`` / ``execution_*`` anomalies
(``metadata/synth/anomalies.toml`` ``[final_kinds]``), labelled like the budget's.
"""

from __future__ import annotations

import random
from pathlib import Path

from analysis.synth.execution import execute
from analysis.synth.figures import Figures
from analysis.synth.final_anomalies import (
    PRINT_PLANTERS,
    final_kinds,
    outlier_factor,
    outlier_label,
    plant_carryover_break,
)
from analysis.synth.final_document import build_final_document
from analysis.synth.labels import Collector
from analysis.synth.outliers import PendingLabel
from analysis.synth.params import anomaly_params

_EXTENSIONS = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}


def final_path(fmt: str, year: int, name: str) -> str:
    return f"{fmt}/{year}/{name}{year}年度部门决算.{_EXTENSIONS[fmt]}"


class FinalWriter:
    """Builds, damages, renders and records the 决算 of each department-year in turn."""

    def __init__(
        self,
        out: Path,
        writers: dict,
        collector: Collector,
        docs: list,
        worlds: dict,
        years: list[int],
        rate: float,
        seed: int,
    ) -> None:
        self.out, self.writers, self.collector, self.docs = out, writers, collector, docs
        self.first_year, self.seed = years[0], seed
        self.carry_out = 0
        self.offset = len(docs)
        self.plan = self._plan(rate, random.Random(f"{seed}:final-plan"))

    def _plan(self, rate: float, rng: random.Random) -> dict[int, list[str]]:
        kinds = final_kinds()
        weights = anomaly_params()["count_weights"]
        chosen = sorted(rng.sample(range(len(self.docs)), round(rate * len(self.docs))))
        plan = {}
        for i in chosen:
            pool = {
                k: v["weight"]
                for k, v in kinds.items()
                if k != "final_carryover_break" or self.docs[i][1] > self.first_year
            }
            picked = []
            for _ in range(rng.choices((1, 2, 3), weights=weights)[0]):
                kind = rng.choices(list(pool), weights=list(pool.values()))[0]
                picked.append(kind)
                del pool[kind]
            plan[i] = picked
        return plan

    def write(self, doc_id: int, fig: Figures) -> None:
        dept, year = self.docs[doc_id]
        carry_in = fig.carryover if year == self.first_year else self.carry_out
        kinds = self.plan.get(doc_id, [])
        rng = random.Random(f"{self.seed}:final-anomaly:{doc_id}")
        stream = f"{self.seed}:execution:{doc_id}"
        ex = execute(fig, carry_in, random.Random(stream))
        labels: list[PendingLabel] = []
        if "execution_outlier" in kinds:
            planned = sum(ex.budget_by_class().values())
            clean = ex.total("general") / planned if planned else 1.0
            ex = execute(fig, carry_in, random.Random(stream), rate_factor=outlier_factor(rng))
            labels.append(outlier_label(ex, clean))
        self.carry_out = ex.carry_out
        if "final_carryover_break" in kinds:
            labels.append(plant_carryover_break(ex, rng))
        doc = build_final_document(ex)
        wanted = [k for k in kinds if k in PRINT_PLANTERS]
        spare = [k for k in PRINT_PLANTERS if k not in kinds]
        rng.shuffle(spare)
        placed, need, queue = 0, len(wanted), list(wanted)
        touched: set[int] = set()
        while placed < need and queue:
            label = PRINT_PLANTERS[queue.pop(0)](doc, rng, touched)
            if label is not None:
                labels.append(label)
                placed += 1
            elif spare:  # no place for this kind in the document: plant another one
                queue.append(spare.pop())
        for label in labels:
            if label.location is None and label.table_kind in doc.tables:
                table = doc.tables[label.table_kind]
                label.location = f"{table.printed_title()}：{table.labels.get(label.row_key, '') if label.row_key is not None else ''}"
        paths = {}
        for fmt, write in self.writers.items():
            rel = final_path(fmt, year, dept.name)
            target = self.out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write(doc, target)
            paths[fmt] = rel
        self.collector.add(self.offset + doc_id, doc, paths, labels, doc_type="final_account")
