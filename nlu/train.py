"""`wecom-desk nlu train`: fit the intent model (nlu/model.py) on the corpus in nlu/corpus/.

Deterministic: the corpus is read in file order, the vocabulary is sorted, the folds are seeded,
lbfgs has no randomness and every fit runs on one BLAS thread, so the same corpus gives the same
arrays and the same predictions on any machine.
scikit-learn is needed here only; the service loads the arrays with numpy.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml

from .intents import INTENTS
from .model import CORPUS_DIR, STATUSES, IntentModel, _ngrams, corpus_files, corpus_hash

C = 400.0           # inverse L2 strength: of 5, 20, 60, 150, 400, 1000 by 5-fold CV on the corpus alone, the most
                    # regularised within 0.1 point of the best (88.18 % against 88.22 % out of fold)
MIN_DF = 2          # an n-gram seen once is a typo of one sentence, not a feature
FOLDS = 5
SEED = 20261205


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in corpus_files(directory):
        for i, row in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            if not isinstance(row, dict) or row.get("intent") not in INTENTS or not str(row.get("text", "")).strip():
                raise ValueError(f"{path.name} entry {i + 1}: needs text and one of the intents")
            if row.get("status") is not None and (row["intent"] != "update_progress" or row["status"] not in STATUSES):
                raise ValueError(f"{path.name} entry {i + 1}: status is one of {', '.join(STATUSES)}, on update_progress only")
            rows.append({"text": str(row["text"]), "intent": row["intent"], "lang": row.get("lang", "?"),
                         "status": row.get("status"), "file": path.name})
    return rows


@dataclass
class TrainReport:
    examples: int
    per_intent: dict[str, int]
    vocabulary: int
    cv_accuracy: float
    temperature: float
    ece_before: float
    ece_after: float
    reliability: list[tuple[str, int, float, float]]   # bin, count, mean confidence, accuracy
    status: "TrainReport | None" = None                 # the status model's own figures

    def format(self) -> str:
        lines = [f"examples: {self.examples}  vocabulary: {self.vocabulary} n-grams",
                 "per intent: " + ", ".join(f"{k} {v}" for k, v in sorted(self.per_intent.items())),
                 f"{FOLDS}-fold accuracy (out of fold): {self.cv_accuracy:.2%}",
                 f"temperature: {self.temperature:.3f}  expected calibration error: "
                 f"{self.ece_before:.3f} before, {self.ece_after:.3f} after",
                 "calibration (out of fold): confidence bin, messages, mean confidence, accuracy"]
        lines += [f"  {b:>9}  {n:5d}  {c:.3f}  {a:.3f}" for b, n, c, a in self.reliability]
        if self.status is not None:
            st = self.status
            lines += [f"status model (progress lines): {st.examples} examples, "
                      + ", ".join(f"{k} {v}" for k, v in sorted(st.per_intent.items())),
                      f"  {FOLDS}-fold accuracy (out of fold): {st.cv_accuracy:.2%}  temperature: {st.temperature:.3f}"]
        return "\n".join(lines)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _ece(probs: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[float, list[tuple[str, int, float, float]]]:
    conf = probs.max(axis=1)
    right = probs.argmax(axis=1) == y
    edges = np.linspace(0, 1, bins + 1)
    ece, table = 0.0, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            c, a = float(conf[inside].mean()), float(right[inside].mean())
            ece += inside.mean() * abs(c - a)
            table.append((f"{lo:.1f}-{hi:.1f}", int(inside.sum()), c, a))
    return float(ece), table


def _fit_lr(X: Any, y: np.ndarray) -> Any:
    """One fit on one BLAS thread. With C this weak the optimum is flat in places, and lbfgs
    stops at a point that depends on the order of floating-point sums; a thread count that
    follows the machine's cores gave coefficients 0.08 apart on the same corpus."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return LogisticRegression(C=C, max_iter=5000, tol=1e-6).fit(X, y)


def fit(texts: Sequence[str], dense: np.ndarray, labels: Sequence[str], corpus_sha256: str = "",
        classes: Sequence[str] = INTENTS) -> tuple[IntentModel, TrainReport]:
    from scipy.optimize import minimize_scalar
    from sklearn.feature_extraction.text import CountVectorizer
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    classes = tuple(classes)
    y = np.array([classes.index(label) for label in labels])

    counter = CountVectorizer(analyzer=lambda t: list(_ngrams(t)), min_df=MIN_DF)
    counts = counter.fit_transform(texts)
    grams = sorted(counter.vocabulary_)
    vocabulary = {g: i for i, g in enumerate(grams)}
    order = np.array([counter.vocabulary_[g] for g in grams])
    df = np.asarray((counts[:, order] > 0).sum(axis=0)).ravel()
    idf = np.log((1 + len(texts)) / (1 + df)) + 1.0          # scikit-learn's smooth idf

    blank = IntentModel(vocabulary, idf, np.zeros((len(classes), len(grams) + dense.shape[1])),
                        np.zeros(len(classes)), classes, 1.0, corpus_sha256)
    X = blank._features(texts, dense)

    # The folds and the final fit are independent and each is deterministic, so they run side by
    # side (joblib's processes, one per core) and give the same model as one after another.
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(X, y))
    jobs = [(X[train], y[train]) for train, _ in folds] + [(X, y)]
    fits = Parallel(n_jobs=min(len(jobs), os.cpu_count() or 1))(delayed(_fit_lr)(Xj, yj) for Xj, yj in jobs)
    oof = np.zeros((len(texts), len(classes)))
    for (_, test), clf in zip(folds, fits):
        scores = np.full((len(test), len(classes)), -1e9)
        scores[:, clf.classes_] = clf.decision_function(X[test])
        oof[test] = scores
    nll = lambda t: -np.log(_softmax(oof / t)[np.arange(len(y)), y] + 1e-12).mean()  # noqa: E731
    temperature = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded",
                                        options={"xatol": 1e-6}).x)
    ece_before, _ = _ece(_softmax(oof), y)
    ece_after, table = _ece(_softmax(oof / temperature), y)

    clf = fits[-1]
    model = IntentModel(vocabulary, idf, clf.coef_.astype(np.float64), clf.intercept_.astype(np.float64),
                        classes, round(temperature, 6), corpus_sha256)
    report = TrainReport(len(texts), dict(Counter(labels)), len(grams),
                         float((oof.argmax(axis=1) == y).mean()), temperature, ece_before, ece_after, table)
    return model, report


def train(parser: Any, out: Path, corpus_dir: Path = CORPUS_DIR) -> TrainReport:
    """`parser`: a rules-only Parser (model=None) built from the deployment's config, so the
    signals the model learns from are the ones the service will compute. Writes the intent
    model to `out` and the status model beside it (status.npz)."""
    rows = load_corpus(corpus_dir)
    feats = [parser.features(r["text"]) for r in rows]
    texts = [f[0] for f in feats]
    dense = np.vstack([f[1] for f in feats])
    digest = corpus_hash(corpus_files(corpus_dir))
    model, report = fit(texts, dense, [r["intent"] for r in rows], digest)
    model.save(out)
    status_model, report.status = train_status(parser, rows, texts, digest)
    status_model.save(out.with_name("status.npz"))
    return report


def train_status(parser: Any, rows: Sequence[dict[str, Any]], texts: Sequence[str], digest: str) -> tuple[IntentModel, "TrainReport"]:
    """The step of a progress report: a line's own `status:` label, else what the rules' cue
    words read in it; lines with neither teach nothing. N-grams only: the intent's signals say
    nothing about which step."""
    picked = [(texts[i], r["status"] or parser.rule_status(r["text"])) for i, r in enumerate(rows)
              if r["intent"] == "update_progress"]
    picked = [(t, s) for t, s in picked if s]
    return fit([t for t, _ in picked], np.zeros((len(picked), 0)), [s for _, s in picked], digest, STATUSES)
