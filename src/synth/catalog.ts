/**
 * What the generated tables hold: object categories and colour names, with the words a
 * speaker may use for each, and the colour/category pairs held out of training.
 * Category ids and the order of these lists are part of the dataset format: append only.
 */
import type { Random } from "./random";

export const CATEGORY_NAMES = ["mug", "bowl", "bottle", "can", "box", "ball", "banana", "plate", "book", "apple"] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

export const COLOR_NAMES = [
  "red",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "pink",
  "white",
  "black",
  "brown",
  "gray",
] as const;
export type ColorName = (typeof COLOR_NAMES)[number];

export interface CategoryInfo {
  /** COCO category id: 1 + index in CATEGORY_NAMES. */
  id: number;
  name: CategoryName;
  /** Other nouns a speaker uses for it; the name itself comes first. */
  nouns: readonly string[];
  /** Colours this category is drawn in; undefined means every colour. */
  colors?: readonly ColorName[];
}

const NOUNS: Record<CategoryName, readonly string[]> = {
  mug: ["mug", "cup", "coffee mug"],
  bowl: ["bowl"],
  bottle: ["bottle", "flask"],
  can: ["can", "tin", "soda can"],
  box: ["box", "carton", "package"],
  ball: ["ball"],
  banana: ["banana"],
  plate: ["plate", "dish"],
  book: ["book", "notebook"],
  apple: ["apple"],
};

const NATURAL_COLORS: Partial<Record<CategoryName, readonly ColorName[]>> = {
  banana: ["yellow", "green", "brown", "orange"],
  apple: ["red", "green", "yellow", "orange", "pink"],
};

export const CATEGORIES: readonly CategoryInfo[] = CATEGORY_NAMES.map((name, index) => ({
  id: index + 1,
  name,
  nouns: NOUNS[name],
  colors: NATURAL_COLORS[name],
}));

export function categoryInfo(name: CategoryName): CategoryInfo {
  return CATEGORIES[CATEGORY_NAMES.indexOf(name)] as CategoryInfo;
}

/** Colour words, the plain name first; the others are rarer in generated text. */
export const COLOR_WORDS: Record<ColorName, readonly string[]> = {
  red: ["red", "crimson", "scarlet"],
  orange: ["orange"],
  yellow: ["yellow", "golden"],
  green: ["green"],
  blue: ["blue", "navy"],
  purple: ["purple", "violet"],
  pink: ["pink"],
  white: ["white"],
  black: ["black"],
  brown: ["brown"],
  gray: ["gray", "grey", "silver"],
};

/**
 * Base hue (degrees), saturation and lightness (0..1) of each colour name. Rendered
 * shades jitter around these by less than the distance to the nearest other name.
 */
export const COLOR_HSL: Record<ColorName, readonly [number, number, number]> = {
  red: [0, 0.78, 0.45],
  orange: [28, 0.9, 0.52],
  yellow: [53, 0.9, 0.55],
  green: [125, 0.6, 0.38],
  blue: [218, 0.75, 0.45],
  purple: [280, 0.55, 0.42],
  pink: [330, 0.75, 0.72],
  white: [40, 0.1, 0.93],
  black: [220, 0.08, 0.12],
  brown: [25, 0.55, 0.3],
  gray: [210, 0.05, 0.55],
};

/**
 * Colour/category pairs that never occur in the train, val or test splits: no object in
 * those scenes has them and no expression there names them. Only `test-novel` scenes
 * contain them, and every `test-novel` expression refers to one of them by colour.
 */
export const HELD_OUT_PAIRS: readonly (readonly [ColorName, CategoryName])[] = [
  ["blue", "mug"],
  ["red", "bottle"],
  ["green", "can"],
  ["yellow", "box"],
  ["purple", "ball"],
  ["orange", "bowl"],
];

export function isHeldOut(color: ColorName, category: CategoryName): boolean {
  return HELD_OUT_PAIRS.some(([heldColor, heldCategory]) => heldColor === color && heldCategory === category);
}

export function colorsFor(category: CategoryName): readonly ColorName[] {
  return categoryInfo(category).colors ?? COLOR_NAMES;
}

/** Draws a colour for an object of `category`, skipping held-out pairs unless `allowHeldOut`. */
export function pickColor(random: Random, category: CategoryName, allowHeldOut: boolean): ColorName {
  const allowed = colorsFor(category).filter((color) => allowHeldOut || !isHeldOut(color, category));
  return random.pick(allowed);
}
