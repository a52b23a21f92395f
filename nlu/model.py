"""The learned intent decider: character n-grams of the canonical text plus the rules' signals,
a multinomial logistic regression, and one temperature that makes its probabilities honest.

Why these choices:
- Character n-grams need no word segmentation (Chinese, Thai) and survive typos and mixed
  scripts; the rules' signals (a configured device named, a ticket number, a notice header…)
  carry what a few thousand sentences cannot teach (the lexicon from config.yaml).
- The artifact is plain arrays (vocabulary, idf, weights, temperature) in one .npz, read with
  numpy alone: no pickle, so a new scikit-learn cannot make a shipped model unreadable, and
  `wecom-desk nlu train` reproduces it from the corpus in the repo (a test checks the hash).
- Temperature scaling on out-of-fold scores calibrates without changing which intent wins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse

from .intents import INTENTS, Signals

DEFAULT_PATH = Path(__file__).resolve().parent / "model" / "intent.npz"
# The step an engineer reports ("开拆了", "just pulled up"), for an update the rules' cue words
# miss: the same n-gram model, trained on the corpus's progress lines, beside the intent model.
STATUS_PATH = DEFAULT_PATH.with_name("status.npz")
STATUSES = ("departed", "arrived", "started", "delayed", "parts_needed")
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

NGRAMS = (1, 4)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
SIGNALS = ("skill", "symptom", "request", "hazard", "ticket_ref", "question", "period", "names_only", "elsewhere")


def model_text(canonical: str) -> str:
    """What the n-grams see: the parser's canonical text with every number one shape (#1024 and
    #77 are the same thing to an intent) and white space folded."""
    return _SPACE.sub(" ", _DIGITS.sub("0", canonical)).strip()


def dense_features(sig: Signals, rule_ranking: Sequence[tuple[str, float]]) -> np.ndarray:
    """The rules' view of a message: their booleans and their intent scores, one row."""
    row = np.zeros(len(SIGNALS) + len(INTENTS), dtype=np.float64)
    for i, name in enumerate(SIGNALS):
        row[i] = 1.0 if getattr(sig, name) else 0.0
    for name, score in rule_ranking:
        row[len(SIGNALS) + INTENTS.index(name)] = score
    return row


def _ngrams(text: str) -> Iterable[str]:
    # scikit-learn's char_wb analyzer, written out so that loading needs numpy alone and the
    # trained and the loaded model can never disagree on what an n-gram is.
    lo, hi = NGRAMS
    for word in text.split():
        w = f" {word} "
        for n in range(lo, hi + 1):
            if n > len(w):
                break
            for i in range(len(w) - n + 1):
                yield w[i:i + n]


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def corpus_hash(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda x: x.name):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class IntentModel:
    vocabulary: dict[str, int]
    idf: np.ndarray           # (V,)
    coef: np.ndarray          # (C, V + D)
    intercept: np.ndarray     # (C,)
    classes: tuple[str, ...]
    temperature: float
    corpus_sha256: str = ""

    def _features(self, texts: Sequence[str], dense: np.ndarray) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            counts: dict[int, int] = {}
            for g in _ngrams(text):
                j = self.vocabulary.get(g)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            js = np.fromiter(counts.keys(), dtype=np.int64)
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))   # sublinear tf
            w = tf * self.idf[js]
            w /= np.linalg.norm(w)
            rows.extend([r] * len(js))
            cols.extend(js.tolist())
            vals.extend(w.tolist())
        grams = sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocabulary)))
        return sparse.hstack([grams, sparse.csr_matrix(dense)], format="csr")

    def logits(self, texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
        if len(texts) == 1:
            return self._logits_one(texts[0], dense[0])[None, :]
        return np.asarray(self._features(texts, dense) @ self.coef.T) + self.intercept

    def _logits_one(self, text: str, dense: np.ndarray) -> np.ndarray:
        """One message (every chat message): the same sums as the sparse product, without
        building matrices — a tenth of the time on the callback path."""
        counts: dict[int, int] = {}
        for g in _ngrams(text):
            j = self.vocabulary.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        v = len(self.vocabulary)
        z = self.coef[:, v:] @ dense + self.intercept
        if counts:
            js = np.fromiter(counts.keys(), dtype=np.int64)
            w = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[js]
            z += self.coef[:, js] @ (w / np.linalg.norm(w))
        return z

    def probabilities(self, texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
        z = self.logits(texts, dense) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def rank(self, text: str, dense_row: np.ndarray) -> list[tuple[str, float]]:
        p = self.probabilities([text], dense_row.reshape(1, -1))[0]
        order = np.argsort(-p, kind="stable")
        return [(self.classes[i], round(float(p[i]), 4)) for i in order if p[i] >= 0.0005 or i == order[0]]

    # -- the artifact ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        grams = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        with path.open("wb") as f:
            np.savez_compressed(
                f, vocabulary=np.array("\x00".join(grams)), idf=self.idf.astype(np.float64),
                coef=self.coef.astype(np.float64), intercept=self.intercept.astype(np.float64),
                classes=np.array(list(self.classes)), temperature=np.array(self.temperature),
                corpus_sha256=np.array(self.corpus_sha256), ngrams=np.array(NGRAMS))

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH, classes_expected: Sequence[str] = INTENTS) -> "IntentModel":
        with np.load(path, allow_pickle=False) as z:
            if tuple(int(x) for x in z["ngrams"]) != NGRAMS:
                raise ValueError(f"{path}: trained with other n-grams; run `wecom-desk nlu train`")
            grams = str(z["vocabulary"]).split("\x00")
            classes = tuple(str(c) for c in z["classes"])
            if set(classes) != set(classes_expected):
                raise ValueError(f"{path}: trained for other classes; run `wecom-desk nlu train`")
            return cls(vocabulary={g: i for i, g in enumerate(grams)}, idf=z["idf"], coef=z["coef"],
                       intercept=z["intercept"], classes=classes, temperature=float(z["temperature"]),
                       corpus_sha256=str(z["corpus_sha256"]))
