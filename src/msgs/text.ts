const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_ASCII = /[^\p{ASCII}]/gu;

/** Typographic characters that speech recognisers emit, with their ASCII spelling. */
const ASCII_SPELLINGS: Readonly<Record<string, string>> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2026": "...",
  "\u00a0": " ",
};

/**
 * Converts free text to ASCII for string fields that serializeMessage writes. Accents are
 * dropped ("café" becomes "cafe"), and curly quotes, dashes and ellipses get their ASCII
 * spelling. Any other non-ASCII character becomes "?". serializeMessage rejects non-ASCII
 * strings because @foxglove/cdr 3.5.0 corrupts them, so apply this to transcripts first.
 */
export function toAsciiText(text: string): string {
  let ascii = "";
  for (const character of text.normalize("NFKD").replace(COMBINING_MARKS, "")) {
    ascii += ASCII_SPELLINGS[character] ?? character;
  }
  return ascii.replace(NON_ASCII, "?");
}
