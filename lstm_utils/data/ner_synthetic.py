"""The chapter's embedded default: news-like sentences with IOB-tagged entities, generated from a seed.

The entity types follow the GMB corpus {cite:p}`bos2017gmb`: ``per`` (persons), ``geo`` (places),
``org`` (organisations), ``gpe`` (nationalities, "geo-political" adjectives) and ``tim`` (dates and
times). Every word comes from the lists below (no Faker: its output changes between versions), and
every choice from NumPy's ``default_rng(seed)``, so the same seed gives the same sentences anywhere.

Context matters, on purpose:

* some words are a person in one sentence and a place in another (``Jordan said …`` vs.
  ``Jordan borders …``), and only the words **after** them tell which; a left-to-right tagger has to guess;
* a place name inside an organisation (``Bank of Japan``) is ``I-org``, not ``geo``;
* titles (``President``, ``Mr.``) begin a person, lower-case words around entities are ``O``;
* many names are **coined** from syllables (``Velomir``, ``Tarisa``), so most of them are new at test
  time: the tagger must tell a new person from a new place or organisation by the words around it.
"""

from __future__ import annotations

import re

import numpy as np

from lstm_utils.data.ner import TaggedSentence

FIRST = ("Anna", "Omar", "Lena", "Rafael", "Mei", "Tomasz", "Amara", "Kofi", "Ingrid", "Diego", "Priya", "Yusuf",
         "Hana", "Pavel", "Nadia", "Samuel", "Elif", "Mateo", "Aiko", "Bjorn", "Leila", "Carlos", "Zainab", "Viktor")
LAST = ("Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Kowalski", "Mensah", "Ferreira", "Novak", "Rahman",
        "Schmidt", "Castillo", "Ivanova", "Abebe", "Nguyen", "Park", "Osei", "Romano", "Khalil", "Brandt")
TITLES = ("President", "Minister", "Mr.", "Mrs.", "General", "Senator", "Dr.", "Chancellor")
PLACES = ("France", "Kenya", "Peru", "Japan", "Norway", "Egypt", "Brazil", "Vietnam", "Ghana", "Poland", "Canada",
          "Paris", "Nairobi", "Lima", "Tokyo", "Oslo", "Cairo", "Hanoi", "Accra", "Warsaw", "Baghdad", "Kabul",
          "New Delhi", "South Africa", "Buenos Aires", "Sri Lanka", "New Zealand", "Gaza Strip")
AMBIGUOUS = ("Jordan", "Georgia", "Chad", "Victoria", "Washington", "Sydney", "Lincoln", "Florence", "Austin")
NATIONALITIES = ("French", "Kenyan", "Peruvian", "Japanese", "Norwegian", "Egyptian", "Brazilian", "Polish",
                 "Canadian", "Iraqi", "Afghan", "Indian", "Chinese", "American", "British", "German")
ORGS = ("United Nations", "World Bank", "Red Cross", "European Union", "NATO", "Reuters", "Interpol",
        "World Health Organization", "African Union", "OPEC", "Amnesty International", "Greenpeace")
ORG_OF = ("Bank", "University", "Ministry of Health", "Supreme Court", "Central Bank")
SYLLABLES = ("ka", "lo", "mir", "ven", "ta", "dor", "ri", "sa", "bel", "on", "zu", "mar", "nel", "pa", "gor",
             "li", "vi", "ran", "tes", "ul", "bo", "kes", "ar", "min", "fa", "tu")
ORG_SUFFIXES = ("Group", "Party", "Council", "Holdings", "Front", "Institute", "Alliance", "Airlines")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SUBJECTS = ("police", "the government", "rebels", "officials", "protesters", "the army", "witnesses",
            "aid workers", "local media", "the company", "investors", "farmers")
NOUNS = ("talks", "elections", "the budget", "trade", "security", "the economy", "a new law", "oil prices",
         "the floods", "the ceasefire", "refugees", "the vaccine")
CLAUSES = {  # what follows "Velomir , who/which …" and tells which kind of name it was
    "per": ("who leads the opposition", "who heads the delegation", "who was born in the north", "who resigned"),
    "geo": ("which borders the sea", "which lies in the north", "which produces oil", "which has few roads"),
    "org": ("which represents farmers", "which runs the airline", "which employs thousands", "which lends money"),
}
VERBS = ("discussed", "criticized", "welcomed", "rejected", "supported", "announced", "postponed", "approved")

TEMPLATES = (
    "{per} said {tim} that {subject} {verb} {noun} in {geo} .",
    "{ambper} told reporters in {geo} on {tim} that {subject} {verb} {noun} .",
    "{ambper} said the {gpe} delegation {verb} {noun} .",
    "{ambgeo} borders {geo} and has {number} million people .",
    "{ambgeo} is a {gpe} ally , officials in {geo} said {tim} .",
    "{subject} in {ambgeo} {verb} {noun} on {tim} .",
    "{title} {last} met {per} in {geo} to discuss {noun} .",
    "The {org} says {subject} in {geo} {verb} {noun} .",
    "{gpe} troops arrived in {geo} on {tim} , the {org} said .",
    "A spokesman for the {orgof} said {noun} would be {verb} {tim} .",
    "{per} , a {gpe} official , {verb} {noun} at the {org} meeting .",
    "On {tim} , {subject} {verb} {noun} near {geo} .",
    "{title} {last} of {geo} {verb} the {org} plan for {noun} .",
    "Talks between {per} and {ambper} ended {tim} in {ambgeo} .",
    "The {orgof} {verb} {noun} after {gpe} {subject} complained .",
    "{subject} {verb} {noun} , {per} told the {org} .",
    "In {geo} , {number} people were hurt when {subject} clashed with police {tim} .",
    "{ambper} and {per} visited {geo} and {ambgeo} in {tim} .",
    "{anyone} [also] {verb} {noun} {tim} .",
    "{who} , {verb} {noun} [again] on {tim} .",
    "[Meanwhile] {subject} said {who} , had {verb} {noun} .",
    "{subject} in {geo} [also] {verb} the {gpe} plan for {noun} .",
)
SLOT = re.compile(r"^\{(\w+)\}$")
OPTIONAL = re.compile(r"^\[(.+)\]$")  # "[also]": the word is there in half of the sentences


def _tagged(words: str, kind: str | None) -> list[tuple[str, str]]:
    """``"New Delhi", "geo"`` → ``[("New", "B-geo"), ("Delhi", "I-geo")]``; ``kind=None`` tags everything ``O``."""
    tokens = words.split()
    if kind is None:
        return [(t, "O") for t in tokens]
    return [(t, ("B-" if i == 0 else "I-") + kind) for i, t in enumerate(tokens)]


def _coined(rng: np.random.Generator) -> str:
    """A made-up name of 2 or 3 syllables, ``"Velomir"``: the same kind of word for people, places and groups."""
    return "".join(rng.choice(SYLLABLES, size=rng.integers(2, 4))).capitalize()


def _time(rng: np.random.Generator) -> str:
    """A date or time phrase: a weekday, ``March 3``, ``2004``, ``March 2004`` or ``Tuesday night``."""
    form = rng.integers(5)
    if form == 0:
        return str(rng.choice(WEEKDAYS))
    if form == 1:
        return f"{rng.choice(MONTHS)} {rng.integers(1, 29)}"
    if form == 2:
        return str(rng.integers(1990, 2024))
    if form == 3:
        return f"{rng.choice(MONTHS)} {rng.integers(1990, 2024)}"
    return f"{rng.choice(WEEKDAYS)} {rng.choice(('night', 'morning'))}"


def _who(rng: np.random.Generator) -> list[tuple[str, str]]:
    """A coined name and a clause that tells its type, several words later: ``Velomir , which lends money``."""
    kind = str(rng.choice(("per", "geo", "org")))
    return _tagged(_coined(rng), kind) + _tagged(", " + str(rng.choice(CLAUSES[kind])), None)


def _fill(slot: str, rng: np.random.Generator) -> list[tuple[str, str]]:
    """The tokens and tags for one ``{slot}`` of a template."""
    pick = lambda words: str(rng.choice(words))  # noqa: E731
    either = lambda words, p_coined: _coined(rng) if rng.random() < p_coined else pick(words)  # noqa: E731
    if slot == "per":
        if rng.random() < 0.3:
            return _tagged(f"{pick(TITLES)} {pick(FIRST)} {either(LAST, 0.5)}", "per")
        return _tagged(f"{pick(FIRST)} {either(LAST, 0.5)}", "per")
    fillers = {
        "title": lambda: _tagged(pick(TITLES), "per"),
        "last": lambda: [(either(LAST, 0.5), "I-per")],  # always follows {title}, which began the person
        "ambper": lambda: _tagged(either(AMBIGUOUS, 0.5), "per"),  # a name alone: "Jordan said", "Velomir said"
        "ambgeo": lambda: _tagged(either(AMBIGUOUS, 0.5), "geo"),  # a place alone: "Jordan borders", "in Velomir"
        "geo": lambda: _tagged(either(PLACES, 0.4), "geo"),
        "gpe": lambda: _tagged(pick(NATIONALITIES), "gpe"),
        "org": lambda: _tagged(pick(ORGS) if rng.random() < 0.5 else f"{_coined(rng)} {pick(ORG_SUFFIXES)}", "org"),
        "orgof": lambda: _tagged(f"{pick(ORG_OF)} of {either(PLACES, 0.4)}", "org"),
        "tim": lambda: _tagged(_time(rng), "tim"),
        "anyone": lambda: _tagged(_coined(rng), str(rng.choice(("per", "per", "geo", "org")))),  # no clue at all
        "who": lambda: _who(rng),
        "subject": lambda: _tagged(pick(SUBJECTS), None),
        "noun": lambda: _tagged(pick(NOUNS), None),
        "verb": lambda: _tagged(pick(VERBS), None),
        "number": lambda: _tagged(str(rng.integers(2, 90)), None),
    }
    if slot not in fillers:
        raise ValueError(f"unknown template slot {{{slot}}}; expected one of {sorted([*fillers, 'per'])}")
    return fillers[slot]()


def generate_sentence(template: str, rng: np.random.Generator, sentence_id: str = "synthetic") -> TaggedSentence:
    """Fill every ``{slot}`` of ``template`` (space-separated tokens); plain tokens are tagged ``O``."""
    pairs: list[tuple[str, str]] = []
    for token in template.split():
        optional = OPTIONAL.match(token)
        if optional:
            pairs += [(optional.group(1), "O")] if rng.random() < 0.5 else []
            continue
        match = SLOT.match(token)
        pairs += _fill(match.group(1), rng) if match else [(token, "O")]
    words, tags = (list(x) for x in zip(*pairs))
    words[0] = words[0][:1].upper() + words[0][1:]  # "the army said …" → "The army said …"
    return TaggedSentence(sentence_id, words, tags)


def generate_sentences(n: int, seed: int = 0) -> list[TaggedSentence]:
    """``n`` sentences, templates drawn uniformly; the same ``(n, seed)`` always gives the same list."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected a positive number of sentences, got {n!r}")
    rng = np.random.default_rng(seed)
    return [generate_sentence(TEMPLATES[rng.integers(len(TEMPLATES))], rng, f"Sentence: {i + 1}") for i in range(n)]
