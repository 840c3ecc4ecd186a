"""python manage.py evaluate_matching --data DIR [--json OUT] [--run OUT]"""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from matching.engine.evaluation import (
    bm25_baseline_rankings,
    cross_lingual_need_ids,
    load_split,
    report,
    write_run,
)

COLUMNS = ("ndcg@10", "recall@10", "mrr", "p@5")


class Command(BaseCommand):
    help = (
        "Load a labelled split into a throw-away database, match every need through the "
        "production path and print NDCG@10, Recall@10, MRR and P@5 for the engine and for a "
        "plain BM25 baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="directory with technologies.jsonl, "
                            "needs.jsonl and qrels.tsv")  # fmt: skip
        parser.add_argument("--json", help="write {engine: {...}, bm25: {...}} to this file")
        parser.add_argument("--run", help="write the engine's top-100 run (TSV) to this file")
        parser.add_argument(
            "--no-embeddings",
            action="store_true",
            help="match lexically only (MATCHING_EMBEDDINGS off), for a before/after comparison",
        )

    def handle(self, *args, **options):
        from matching.evaluation import (
            LoadReport,
            database_engine_rankings,
            isolated_database,
            load_split_into_database,
        )

        directory = Path(options["data"])
        for name in ("technologies.jsonl", "needs.jsonl", "qrels.tsv"):
            if not (directory / name).is_file():
                raise CommandError(f"{directory / name} is missing")
        try:
            split = load_split(directory)
        except (ValueError, KeyError) as error:
            raise CommandError(f"Cannot read the split: {error}") from error
        started = time.perf_counter()
        with isolated_database() as database:
            self.stdout.write(
                f"Loaded into throw-away database {database}: {len(split.technologies)} "
                f"technologies, {len(split.needs)} needs"
            )
            load_report = LoadReport()
            technology_ids, need_ids = load_split_into_database(split, load_report)
            self._print_load_report(load_report)
            with override_settings(MATCHING_EMBEDDINGS=not options.get("no_embeddings")):
                engine = database_engine_rankings(split, technology_ids, need_ids)
        baseline = bm25_baseline_rankings(split)
        results = report(split, {"engine": engine, "bm25": baseline})
        self._print(results)
        engine_ndcg = results["engine"]["all"]["ndcg@10"]
        baseline_ndcg = results["bm25"]["all"]["ndcg@10"]
        ratio = engine_ndcg / baseline_ndcg if baseline_ndcg else float("inf")
        cross = cross_lingual_need_ids(split)
        self.stdout.write(
            f"engine / BM25 NDCG@10 = {ratio:.3f}; cross-lingual needs: {len(cross)}; "
            f"{time.perf_counter() - started:.1f} s"
        )
        if options.get("json"):
            payload = {
                system: {column: round(results[name]["all"][column], 4) for column in COLUMNS}
                for system, name in (("engine", "engine"), ("bm25", "bm25"))
            }
            payload["cross_lingual"] = {
                system: {
                    column: round(results[name]["cross_lingual"][column], 4) for column in COLUMNS
                }
                for system, name in (("engine", "engine"), ("bm25", "bm25"))
            }
            Path(options["json"]).write_text(json.dumps(payload, indent=2), encoding="utf-8")
        if options.get("run"):
            with open(options["run"], "w", encoding="utf-8") as handle:
                write_run(engine, handle)

    def _print_load_report(self, load_report) -> None:
        """Records cut to fit or left out: the run goes on without them."""
        for file_id, fields in load_report.shortened:
            self.stdout.write(f"shortened {file_id}: {fields}")
        for file_id, reason in load_report.refused:
            self.stderr.write(f"refused {file_id}: {reason}")
        if load_report.refused:
            self.stderr.write(
                f"{len(load_report.refused)} records refused and left out of the evaluation"
            )

    def _print(self, results) -> None:
        header = f"{'system':<8}{'subset':<15}{'needs':>6}" + "".join(
            f"{column:>11}" for column in COLUMNS
        )
        self.stdout.write(header)
        subsets = [
            name
            for name in results["engine"]
            if name in ("all", "cross_lingual") or name.startswith("language_")
        ]
        for system in ("engine", "bm25"):
            for subset in subsets:
                metrics = results[system][subset]
                self.stdout.write(
                    f"{system:<8}{subset:<15}{int(metrics['needs']):>6}"
                    + "".join(f"{metrics[column]:>11.4f}" for column in COLUMNS)
                )
