"""Diacritic restoration for questions typed without marks, learnt from the corpus itself.

Cadres often type on phones without marks ("thoi han quan triet ket luan 69"). Folded keys still
meet the text in BM25, but the encoder sees a string it was hardly trained on, folded keys merge
"ban/bán/bàn", and question words ("có"/"cơ", "mấy"/"máy") blur. So at refresh time we count, over
the chunk texts, which accented form each folded syllable n-gram (1 to 3 syllables) takes most
often, and at query time an unmarked question is restored greedily by the longest known n-gram;
unknown syllables stay as typed. The restored question then runs the normal accented pipeline
(embedded as restored, BM25 on accented keys *and* folded keys, so a wrong guess costs little).

The corpus rarely contains question words ("bao nhiêu", "khi nào", "gì"), so the question
phrases of :mod:`embeddings.query` are seeded and outrank the corpus (a question asks "bao giờ",
never "bảo giờ"; "co" alone is "có", while the pair "co che" is still "cơ chế").

Besides the texts, the governance vocabulary the project already holds (abbreviation expansions,
the English glossary's Vietnamese side) is counted once, so "hội đồng" is known even where the
texts only write "HĐND". The map is small: every unigram, but a bigram or trigram only when its
best form is not what restoring its syllables one by one would give. It is saved next to the
vector index (``accents.json``) and loaded with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from embeddings.glossary import is_vietnamese_syllable
from knowledge.text import canonical_tones, has_diacritics, nfc, strip_marks

FILE = "accents.json"
VERSION = 2  # 2: numbers are tokens
MAX_N = 3
MARKED_SHARE = 0.2  # as in embeddings.query.parse: below this a question counts as unmarked
SEED_COUNT = 1_000_000  # a seeded question phrase beats any corpus form
_LETTERS = re.compile(r"[^\W\d_]+")
# A word, or a number: "sau 10 năm" is "after ten years", "thứ sáu" the sixth, and the number
# beside a word tells which (all numbers count as one token, "0").
_WORD = re.compile(r"[^\W\d_]+|\d+")
_GAP = re.compile(r"\s*")  # only whitespace between two words keeps them in one n-gram
NUMBER = "0"


def _token(word: str) -> str:
    """How an n-gram counts ``word``: lowercase, or :data:`NUMBER` for a number."""
    return NUMBER if word.isdigit() else word.lower()


def _word_runs(text: str) -> list[list[re.Match[str]]]:
    """The words and numbers of ``text`` in runs not broken by punctuation (an n-gram never
    spans a comma)."""
    runs: list[list[re.Match[str]]] = []
    end = 0
    for m in _WORD.finditer(text):
        if runs and _GAP.fullmatch(text[end : m.start()]):
            runs[-1].append(m)
        else:
            runs.append([m])
        end = m.end()
    return runs


def _runs(text: str) -> list[list[str]]:
    """Lowercase tone-canonical words of ``text`` in runs not broken by punctuation."""
    return [[canonical_tones(_token(m.group())) for m in run] for run in _word_runs(nfc(text))]


def _best(counter: Counter[str]) -> str:
    # most frequent; ties go to the form with marks (a folded form is usually a code or a name)
    return max(counter.items(), key=lambda kv: (kv[1], has_diacritics(kv[0]), kv[0]))[0]


# The vowel clusters of Vietnamese syllables, written without marks ("iê" → "ie", "ươi" → "uoi").
_NUCLEI = frozenset(
    [
        "a",
        "e",
        "i",
        "o",
        "u",
        "y",
        "ai",
        "ao",
        "au",
        "ay",
        "eo",
        "eu",
        "ia",
        "ie",
        "iu",
        "oa",
        "oe",
        "oi",
        "oo",
        "ua",
        "ue",
        "ui",
        "uo",
        "uu",
        "uy",
        "ye",
        "ieu",
        "oai",
        "oay",
        "oao",
        "oeo",
        "uay",
        "uoi",
        "uou",
        "uya",
        "uye",
        "uyu",
        "yeu",
    ]
)
_VOWELS = re.compile(r"(?<=[^aeiouy])[aeiouy]+|^[aeiouy]+")


def _possible_syllable(word: str) -> bool:
    """Whether ``word`` (folded) can be a Vietnamese syllable: onset, a real vowel cluster, coda
    ("lieu" can, "leiu" cannot). "gi" and "qu" lend their vowel to the onset ("giau", "quoc")."""
    if not is_vietnamese_syllable(word):
        return False
    nucleus = _VOWELS.search(word[2:] if word[:2] in ("gi", "qu") and len(word) > 2 else word)
    return nucleus is None or nucleus.group() in _NUCLEI


def _same_case(word: str, typed: str) -> str:
    """``word`` cased letter by letter like ``typed`` ("IoT", "UBND", "Quảng")."""
    if len(word) != len(typed):
        return word
    return "".join(w.upper() if t.isupper() else w for w, t in zip(word, typed))


class Restorer:
    """Folded n-gram → accented form, and the greedy restoration of a question."""

    def __init__(self, forms: dict[str, str] | None = None) -> None:
        self.forms = forms or {}

    def __bool__(self) -> bool:
        return bool(self.forms)

    @classmethod
    def build(cls, texts: Iterable[str], seeds: Iterable[str] = (), max_words: int = 0) -> Restorer:
        """Count n-gram forms over ``texts`` (stopping after ``max_words`` words if > 0)."""
        counts: dict[int, defaultdict[str, Counter[str]]] = {n: defaultdict(Counter) for n in range(1, MAX_N + 1)}
        seen = 0
        for text in texts:
            for run in _runs(text):
                folded = [strip_marks(w) for w in run]
                for n in range(1, MAX_N + 1):
                    for i in range(len(run) - n + 1):
                        counts[n][" ".join(folded[i : i + n])][" ".join(run[i : i + n])] += 1
                seen += len(run)
            if max_words and seen >= max_words:
                break
        for phrase in seeds:
            for run in _runs(phrase):
                key = " ".join(strip_marks(w) for w in run)
                if len(run) > MAX_N:
                    continue
                counts[len(run)][key][" ".join(run)] += SEED_COUNT
        forms = {key: _best(c) for key, c in counts[1].items()}
        restorer = cls(forms)
        for n in range(2, MAX_N + 1):
            for key, c in counts[n].items():
                best = _best(c)
                if restorer._restore_words(key.split()) != best.split():
                    forms[key] = best
        return restorer

    def _restore_words(self, folded: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(folded):
            for n in range(min(MAX_N, len(folded) - i), 0, -1):
                form = self.forms.get(" ".join(folded[i : i + n]))
                if form is not None:
                    out.extend(form.split())
                    i += n
                    break
            else:
                out.append(folded[i])
                i += 1
        return out

    def restore(self, text: str) -> str:
        """``text`` with marks put back where the corpus knows the words; case, punctuation,
        digits, unknown words and words typed with marks as typed. A question typed mostly with
        marks (at least ``MARKED_SHARE`` of its words) is returned as is."""
        if not self.forms:
            return text
        found = _LETTERS.findall(text)
        if not found or sum(1 for w in found if has_diacritics(w)) >= MARKED_SHARE * len(found):
            return text
        out, last = [], 0
        for run in _word_runs(text):
            restored = self._restore_words([self._untypo(strip_marks(_token(m.group()))) for m in run])
            for m, word in zip(run, restored):
                out.append(text[last : m.start()])
                typed = m.group()
                out.append(typed if has_diacritics(typed) or typed.isdigit() else _same_case(word, typed))
                last = m.end()
        out.append(text[last:])
        return "".join(out)

    def _untypo(self, word: str) -> str:
        """``word``, or the one corpus word two swapped letters make of it ("leiu" → "lieu"):
        the commonest slip of thumbs on a phone keyboard. Only for a word that is neither known
        nor a possible Vietnamese syllable, so a real word the corpus lacks is never changed."""
        if len(word) < 3 or word in self.forms or _possible_syllable(word):
            return word
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        known = [w for w in swaps if w in self.forms]
        return known[0] if len(known) == 1 else word

    def save(self, folder: Path, seeds: Iterable[str] = ()) -> None:
        """Write the map, with a digest of the seeds it was built with (see :func:`stale`)."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{FILE}.tmp"
        data = {"version": VERSION, "seeds": seed_digest(seeds), "forms": self.forms}
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / FILE)

    @classmethod
    def load(cls, folder: Path) -> Restorer:
        """The saved map, or an empty one (no restoration) if it is missing or unreadable."""
        data = _read(folder)
        return cls(dict(data.get("forms") or {})) if data else cls()

    @classmethod
    def load_current(cls, folder: Path, seeds: Iterable[str]) -> Restorer | None:
        """The saved map, or None when it must be built again (see :func:`stale`)."""
        data = _read(folder)
        if not data or data.get("seeds") != seed_digest(seeds):
            return None
        return cls(dict(data.get("forms") or {}))


def _read(folder: Path) -> dict | None:
    """The saved map's file of this version, or None if missing, unreadable or of another."""
    try:
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None


def seed_digest(seeds: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(seeds)).encode("utf-8")).hexdigest()[:16]


def stale(folder: Path, seeds: Iterable[str]) -> bool:
    """Whether the saved map must be built again although the texts did not change: missing,
    unreadable, of another version, or built with other seeds (a new release that knows more
    question phrases)."""
    return Restorer.load_current(folder, seeds) is None
