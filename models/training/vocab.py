"""Tokenizer and vocabulary shared by training and export.

The runtime tokenizer must match tokenize() exactly: lowercase, every character outside
[a-z0-9'] becomes a space, split on whitespace, unknown words map to UNK_ID, then
truncate or right-pad with PAD_ID to MAX_TOKENS.
"""
import re

PAD_ID = 0
UNK_ID = 1
MAX_TOKENS = 24

_NON_WORD = re.compile(r"[^a-z0-9']+")

# Spoken-command padding the runtime normally strips; training inserts them for robustness.
FILLERS = ("uh", "um", "er", "erm", "hmm", "ah", "like", "okay", "so", "well")

# Everyday English words a speaker may add around a referring expression: function words,
# command verbs, spatial and size terms, colours, common tabletop objects and numbers.
COMMON_WORDS = """
a an the this that these those it its it's one ones some any each every other another
i me my you your we us our he she they them their there here what which who whom whose
is are was were be been being am do does did done have has had having can could will
would shall should may might must not no yes don't can't isn't it's that's there's
and or but if then than so because as of at by for from in into on onto off out over
under with without within to up down near next beside besides between behind before after
above below across against along around among through toward towards upon via about
please pick grab take get give hand bring fetch find show point look see put place move
lift hold reach touch push pull use want need like let make go come try select choose
me thanks thank could you would you can you i'd i'm i want need
left right middle center centre front back top bottom side corner edge end far close
closest nearest farthest furthest near nearer closer further farther leftmost rightmost
first second third fourth fifth last next previous one two three four five six seven
eight nine ten both all only just also very really quite more most less least much many
few several single pair lot
small smaller smallest little tiny large larger largest big bigger biggest huge medium
tall short long wide narrow thin thick round square flat high low
red green blue yellow orange purple pink brown black white gray grey silver gold cyan
magenta dark light bright pale colored coloured colour color
cup mug bowl plate glass bottle can jar box book phone pen pencil spoon fork knife
apple banana orange lemon ball toy block cube remote mouse keyboard laptop bag hat
shoe towel sponge vase pot pan kettle clock lamp candle tray basket container lid
object thing item stuff piece table desk counter shelf surface
on the to its
""".split()


def tokenize(text):
    """Split text into words the way the runtime tokenizer does."""
    return _NON_WORD.sub(" ", text.lower()).split()


def build_vocab(sentences):
    """Return the id -> word list: pad, unk, then dataset words and common words, sorted."""
    words = set(COMMON_WORDS) | set(FILLERS)
    for sentence in sentences:
        words.update(tokenize(sentence))
    words.discard("<pad>")
    words.discard("<unk>")
    return ["<pad>", "<unk>"] + sorted(words)


def synonym_groups(categories, object_nouns):
    """Return the object nouns of each category with more than one ("mug", "cup", "coffee mug").

    The runtime treats a group as one kind, so "not the mug, the cup" does not count as
    naming another object. Only nouns in `object_nouns` are kept.
    """
    groups = []
    for category in categories:
        names = [category["name"], *category.get("synonyms", [])]
        group = sorted({" ".join(tokenize(name)) for name in names} & set(object_nouns))
        if len(group) > 1:
            groups.append(group)
    return groups


def untrained_words(vocab, train_sentences):
    """Return the vocabulary words that no training sentence contains, sorted.

    Training never updates their embeddings, so they stay random. The runtime maps them
    to the unknown id instead, whose embedding training learns from words replaced at
    random. Fillers count as trained because training inserts them.
    """
    seen = set(FILLERS)
    for sentence in train_sentences:
        seen.update(tokenize(sentence))
    return sorted(word for word in vocab[2:] if word not in seen)


def runtime_word_ids(vocab, untrained):
    """Return word -> id as the runtime tokenizer maps words: untrained words are left out."""
    skip = set(untrained)
    return {word: i for i, word in enumerate(vocab) if word not in skip}


def encode(words, word_ids):
    """Map words to ids, truncated or right-padded to MAX_TOKENS."""
    ids = [word_ids.get(word, UNK_ID) for word in words[:MAX_TOKENS]]
    return ids + [PAD_ID] * (MAX_TOKENS - len(ids))
