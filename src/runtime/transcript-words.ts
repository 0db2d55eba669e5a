/**
 * Word lists of transcript parsing (transcript.ts). Phrases are lowercase words as
 * normaliseWords writes them, separated by single spaces. Where a list is matched as a
 * prefix, longer phrases come before the phrases they start with.
 */

// "oh" too: "oh no, the blue one" is the correction "no, the blue one".
export const FILLERS = new Set(["uh", "uhh", "um", "umm", "uhm", "er", "erm", "ah", "oh", "hmm", "hm", "mm", "mhm"]);

/**
 * Acknowledgements that open a reply without changing the command ("no problem, grab the
 * bowl", "yes, the blue one"). They are stripped from the start like politeness words,
 * before correction words, so "no problem" is not read as the correction "no".
 */
export const ACKNOWLEDGEMENTS = [
  "no problem",
  "i see",
  "right so",
  "alright so",
  "okay so",
  "ok so",
  "all good",
  "all set",
  "all right",
  "alright",
  "got it",
  "thank you",
  "thanks",
  "good job",
  "well done",
  "perfect",
  "excellent",
  "awesome",
  "nice",
  "good",
  "yes",
  "yeah",
  "yep",
  "sure",
  "great",
  "cool",
  "fine",
  "so",
  "well",
];

/** Greetings and hedges before a request ("hello robot, grab the mug", "maybe grab the mug"). */
export const GREETINGS = [
  "hello",
  "hi there",
  "hi",
  "hey there",
  "hey buddy",
  "buddy",
  "good morning",
  "good afternoon",
  "good evening",
  "excuse me",
  "maybe",
  "would you be so kind as to",
  "be so kind as to",
  "sorry to bother you but",
  "sorry to bother you",
];

/** Texts that put the request off, so the robot must not act on what follows ("not now, the red can"). */
export const POSTPONING_PHRASES = new Set(["not now", "not yet", "not right now", "later", "maybe later"]);

/** Last words that put the request off ("grab the mug later", "the bowl in a minute"). */
export const TRAILING_POSTPONING = ["later", "later on", "in a minute", "in a moment", "in a second", "in a sec", "in a bit", "in a while", "after this", "after that", "tomorrow"];

/**
 * First words of a question or statement about an object, which requests no action ("did
 * you pick up the red can", "is the mug hot"). Requests phrased as questions ("could you",
 * "can I have", "where is") are command leads instead.
 */
export const QUESTION_STARTS = [
  "did",
  "does",
  "do you",
  "is",
  "are",
  "was",
  "were",
  "should",
  "shall",
  "have you",
  "has",
  "thanks for",
  "thank you for",
  "i like",
  "i love",
  // "where is the mug" requests finding it; these are questions about something else.
  "where should",
  "where shall",
  "where did",
  "where does",
  "where do",
  "where was",
  "where were",
  "where has",
  "where have",
];

/** Verbs that make a statement about an object ("the red can is hot") when no relative word comes before them. */
export const STATEMENT_VERBS = new Set(["is", "are", "was", "were", "belongs", "belong", "looks", "seems"]);

/** Words before a verb that make it part of the description ("the mug that is red"). */
export const RELATIVE_WORDS = new Set(["that", "which", "who", "where"]);

/**
 * Stop phrases that pause the current command rather than end it: a later "go ahead"
 * resumes it. STOP_PHRASES includes them, so the robot halts either way.
 */
export const PAUSE_PHRASES = new Set([
  "wait",
  "wait a minute",
  "hold on a minute",
  "just a minute",
  "one minute",
  "hold up",
  "hold it",
  // "hold up" once the trailing "up" of "pick the mug up" is stripped.
  "hold",
  "pause",
  "wait a second",
  "wait a sec",
  "wait a moment",
  "hold on",
  "hold on a second",
  "hold on a sec",
  "hold on a moment",
  "hang on",
  "hang on a second",
  "hang on a sec",
  "one moment",
  "a moment",
  "just a moment",
  "give me a second",
  "give me a moment",
  "let me think",
  "one second",
  "one sec",
  "just a second",
  "just a sec",
  "a second",
]);

/**
 * Whole-transcript stop phrases, matched after fillers and politeness words are removed.
 * A bare "no" counts as a stop because it rejects the current command without a new one.
 */
export const STOP_PHRASES = new Set([
  ...PAUSE_PHRASES,
  "stop",
  "cancel",
  "abort",
  "halt",
  "never mind",
  "nevermind",
  "forget it",
  "forget that",
  "leave it",
  "stop that",
  "cancel that",
  "stop it",
  "freeze",
  "quit",
  "stay",
  "whoa",
  "woah",
  "emergency",
  "emergency stop",
  "careful",
  "be careful",
  "watch out",
  "look out",
  "no",
  "nope",
  "nothing",
  "no thanks",
  "not now",
  // Disapproval: the robot must not go on with the current command.
  "that's wrong",
  "thats wrong",
  "that is wrong",
  "that's the wrong one",
  "wrong",
  "wrong one",
  "my mistake",
  "scratch that",
  "scratch it",
  // The task is done or should end.
  "that's it",
  "thats it",
  "done",
  "all done",
  "i'm done",
  "on second thought",
  "let go",
  "that's enough",
  "thats enough",
  "enough",
  "that's all",
  "thats all",
  "that will do",
  "that'll do",
]);

/**
 * Stop words that end a text without punctuation and still take the request back ("the
 * red mug scratch that"). Other stop phrases count at the end only as their own clause.
 */
export const TRAILING_STOPS = [
  "on second thought",
  "scratch that",
  "never mind",
  "nevermind",
  "hold on",
  "hang on",
  "one second",
  "one sec",
  "just a second",
  "just a sec",
  "cancel that",
  "forget it",
  "stop it",
  "stop that",
  "stop",
  "cancel",
  "abort",
  "halt",
  "wait",
];

/**
 * First words that warn the robot ("careful, the mug is hot", "watch out"): whatever
 * follows, it must not go on with the current command.
 */
export const WARNING_LEADS = ["careful", "be careful", "watch out", "look out", "whoa", "woah", "emergency"];

/** Whole messages that resume the command a pause interrupted ("okay, go ahead"). */
export const RESUME_PHRASES = new Set([
  "go ahead",
  "go",
  "go on",
  "continue",
  "resume",
  "carry on",
  "proceed",
  "keep going",
  "go for it",
  "as you were",
  "you can continue",
  "you can go ahead",
  "you can go on",
  "you can carry on",
  "you can proceed",
  "you may continue",
  "you may proceed",
]);

/**
 * Words that, after "but" or "and", leave an object out of a command: "pick up the red can
 * but leave the green cup". The first phrase is the command.
 */
export const EXCLUDING_LEADS = ["leave", "not", "don't touch", "do not touch", "dont touch", "don't take", "do not take", "dont take", "don't grab", "do not grab", "dont grab", "avoid", "skip", "ignore"];

/** Words that leave an object out of a command on their own: "any mug except the blue one". */
export const EXCEPTING_LEADS = ["except for", "except", "apart from", "other than", "besides", "but not"];

/**
 * Stops that, followed by a command verb without punctuation, take back the command before
 * it: "scratch that grab the bowl". Before an article they reject what follows ("never
 * mind the red mug"), so only a verb makes the rest a new command.
 */
export const LEADING_CANCELS = ["scratch that", "cancel that", "forget that", "forget it", "never mind", "nevermind", "hold on", "hang on"];

/** Stop phrases that reject the current object rather than cancel the task. */
export const REJECTION_PHRASES = new Set([
  "wrong",
  "wrong one",
  "that's wrong",
  "thats wrong",
  "that is wrong",
  "that's the wrong one",
  "my mistake",
]);

/** Leads that forbid an object: "avoid the red mug", "hands off the apple". Longer phrases first. */
const FORBIDDING_LEADS = ["keep away from", "stay away from", "keep clear of", "stay clear of", "steer clear of", "refrain from", "keep your hands off", "hands off", "avoid", "skip"];

/**
 * Leading words that cancel or reject what follows them ("don't grab the red mug",
 * "never mind the red mug", "not the red mug"). Without a second phrase the text is a
 * stop, and "not the red mug, the blue one" corrects to the second phrase. Longer first.
 */
export const REJECTING_LEADS = [
  "do not",
  "don't",
  "dont",
  "never mind",
  "nevermind",
  "not",
  "cancel",
  "stop",
  "forget",
  "leave",
  "drop",
  "ignore",
  "abort",
  "halt",
  ...FORBIDDING_LEADS,
  // "rather than the red mug, the box" and "instead of the cup, take the bowl".
  "rather than",
  "instead of",
];

/**
 * Rejecting leads that forbid an object. Said alone ("don't grab", then "the red mug" in
 * the next message), they turn the next command into a stop.
 */
export const PROHIBITING_LEADS = new Set(["do not", "don't", "dont", ...FORBIDDING_LEADS]);

/**
 * Words that negate part of an expression, which the model cannot follow. "the other one"
 * and "a different mug" exclude the object in view, which the model would pick again.
 */
export const NEGATION_WORDS = new Set([
  "not",
  "no",
  "except",
  "besides",
  "apart",
  "but",
  "non",
  "without",
  "never",
  "nor",
  "neither",
  "isnt",
  "arent",
  "dont",
  "doesnt",
  "other",
  "another",
  "different",
  "else",
  "none",
  "wrong",
  "avoid",
  "skip",
  // "the red mug is off limits"
  "limits",
]);

/** Leading phrases that mark a correction of the previous command, longest first. */
export const CORRECTION_PREFIXES = [
  "make that",
  "correction",
  "nah",
  "no not that one",
  "not that one",
  "no i mean",
  "no sorry",
  "sorry i mean",
  "i mean",
  "i meant",
  "what about",
  "how about",
  "actually",
  "i said",
  "rather",
  "instead",
  "sorry",
  "oops",
  "whoops",
  "my bad",
  "nope",
  "wait",
  "no",
];

/** Phrases that correct what came before them inside one utterance without punctuation ("the apple no wait the plate"). */
export const SELF_REPAIR_MARKS = ["no wait", "no sorry", "wait no", "sorry", "i mean", "i meant", "or rather", "actually no", "actually"];

/**
 * Leading command words, stripped repeatedly so that chains such as
 * "okay robot could you please pick up" disappear. Longer phrases come before their prefixes.
 */
export const COMMAND_PREFIXES = [
  "make it",
  "i was wondering if you could",
  "would you be able to",
  "could you be so kind as to",
  "do you mind",
  "sorry to bother you but",
  "one more thing",
  "right now",
  "bring back",
  "and then",
  "after that",
  "i think",
  "you know",
  "just",
  "only",
  "maybe",
  "kindly",
  "gently",
  "carefully",
  "slowly",
  "quickly",
  "finally",
  "then",
  "next",
  "now",
  "i would like you to",
  "i'd like you to",
  "i want you to",
  "i need you to",
  "could you please",
  "can you please",
  "would you please",
  "will you please",
  "would you mind",
  "could you",
  "can you",
  "would you",
  "will you",
  "i would like",
  "i'd like",
  "i want",
  "i need",
  "can i have",
  "could i have",
  "may i have",
  "can i get",
  "could i get",
  "i'll take",
  "i'll have",
  "i'd love",
  "go ahead with",
  "carry on with",
  "continue with",
  "proceed with",
  "go ahead and",
  "let's",
  "lets",
  "let us",
  "go for",
  "try",
  "also",
  "please",
  "hey robot",
  "robot",
  "okay",
  "ok",
  "hey",
  "now",
  "then",
  "and",
  "pick up",
  "pick",
  "picking up",
  "picking",
  "grab me",
  "grab",
  "grabbing",
  "getting me",
  "getting",
  "giving me",
  "handing me",
  "passing me",
  "bringing me",
  "fetching me",
  "fetching",
  "taking",
  "finding",
  "showing me",
  "pointing at",
  "pointing to",
  "reaching for",
  "move to",
  "move",
  "put",
  "place",
  "set",
  "stack",
  "slide",
  "carry",
  "drag",
  "throw",
  "toss",
  "lift",
  "hold",
  "push",
  "pull",
  "bring",
  "pass",
  "hand",
  "give",
  "show",
  "get me",
  "get",
  "give me",
  "hand me",
  "bring me",
  "pass me",
  "fetch me",
  "fetch",
  "take",
  "find me",
  "find",
  "show me",
  "point at",
  "point to",
  "look at",
  "where is",
  "where's",
  "locate",
  "select",
  "touch",
  "reach for",
  "reach",
  "choose",
  "use",
  "can you see",
  "see",
  "go to",
  // What is left after a verb phrase such as "could you grab me" or "show me where".
  "me",
  "us",
  "where are",
  "where",
];

/**
 * Verbs that move an object somewhere: after them the last place phrase is the
 * destination, not part of the object's description ("put the apple in the bowl").
 */
export const PLACING_VERBS = new Set(["put", "place", "set", "move", "stack", "slide", "carry", "drag", "throw", "toss", "push", "pull"]);

/** Words that start a destination after a placing verb ("into the box", "next to the bowl"). */
export const DESTINATION_STARTS = new Set(["into", "onto", "inside", "in", "on", "to", "next", "beside", "behind", "near", "under", "over"]);

/**
 * Trailing politeness, particles and destinations ("pick the cup up", "the cup for me
 * please", "put the mug down", "the bowl over there"). A destination names where the
 * object goes, not which object it is, and a pointing word cannot be seen by the model.
 */
export const TRAILING_SUFFIXES = [
  // Before "thanks", which would otherwise leave "and" behind.
  "and thank you",
  "and thanks",
  "thank you very much",
  "thank you so much",
  "thanks so much",
  "thanks a lot",
  "much appreciated",
  "thank you",
  "thanks",
  "please",
  "for me",
  "to me",
  "to us",
  "if you can",
  "if possible",
  "when you're ready",
  "when you are ready",
  "for a second",
  "for a moment",
  "right now",
  "right away",
  "now",
  "as well",
  "too",
  "also",
  "again",
  "then",
  "only",
  "carefully",
  "gently",
  "slowly",
  "quickly",
  "real quick",
  "up",
  "down",
  "over here",
  "over there",
  "right there",
  "right here",
  "here",
  "there",
  "is",
  "are",
];

/**
 * Words that point at an object instead of describing it ("pick it up", "that one"). An
 * expression of only these names nothing the model can find.
 */
export const POINTING_WORDS = new Set(["it", "that", "this", "them", "those", "these", "one", "ones", "the", "here", "there"]);

export const ORDINAL_WORDS: Record<string, string> = {
  "1st": "first",
  "2nd": "second",
  "3rd": "third",
  "4th": "fourth",
  "5th": "fifth",
  "6th": "sixth",
  "7th": "seventh",
  "8th": "eighth",
  "9th": "ninth",
  "10th": "tenth",
};

export const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];
