"""Dataset loading (RefCOCO-style JSON written by `softskip synth dataset`), the decoded
image cache, letterboxing and training batches."""
import json
import os
import random

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from vocab import FILLERS, encode, synonym_groups, tokenize

INPUT_SIZE = 256
PAD_VALUE = 114
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
SPLITS = ("train", "val", "test", "test-novel")


class DatasetError(Exception):
    pass


def letterbox_geometry(width, height):
    """Return (scale, new_w, new_h, offset_x, offset_y) of the centred letterbox."""
    scale = min(INPUT_SIZE / width, INPUT_SIZE / height)
    new_w, new_h = round(width * scale), round(height * scale)
    return scale, new_w, new_h, (INPUT_SIZE - new_w) // 2, (INPUT_SIZE - new_h) // 2


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise DatasetError(f"dataset file {path} is missing; generate the dataset with "
                           "`softskip synth dataset --out DIR` first") from None
    except json.JSONDecodeError as err:
        raise DatasetError(f"dataset file {path} is not valid JSON ({err}); "
                           "regenerate the dataset") from None


class Dataset:
    """Refs of one dataset directory, grouped by split, plus the image cache."""

    def __init__(self, root, log):
        self.root = root
        instances = _read_json(os.path.join(root, "instances.json"))
        refs = _read_json(os.path.join(root, "refs.json"))
        self.images = instances["images"]
        self.image_index = {img["id"]: i for i, img in enumerate(self.images)}
        self.annotations = {ann["id"]: ann for ann in instances["annotations"]}
        self.categories = {cat["id"]: cat["name"] for cat in instances["categories"]}
        # Every word or phrase that names a category ("mug", "coffee mug"), tokenized as the
        # runtime does, for the manifest.
        self.object_nouns = sorted({" ".join(tokenize(name)) for cat in instances["categories"]
                                    for name in [cat["name"], *cat.get("synonyms", [])]} - {""})
        sizes = {(img["width"], img["height"]) for img in self.images}
        if len(sizes) != 1:
            raise DatasetError(f"dataset {root} mixes image sizes {sorted(sizes)[:4]}; "
                               "the cache needs one size, so generate one size per dataset")
        self.width, self.height = sizes.pop()
        self.category_ids = sorted(self.categories)
        self.colors = sorted({ann.get("color", "") for ann in instances["annotations"]})
        # A colour that is also a category ("orange") would count as the object named in
        # "the orange one", so that "one" would never be resolved. Such words are left out.
        self.object_nouns = [noun for noun in self.object_nouns if noun not in self.colors]
        self.object_synonyms = synonym_groups(instances["categories"], self.object_nouns)
        self.objects = [[] for _ in self.images]
        for ann in instances["annotations"]:
            if ann["image_id"] in self.image_index:
                self.objects[self.image_index[ann["image_id"]]].append(
                    (ann["bbox"], self.category_ids.index(ann["category_id"]),
                     self.colors.index(ann.get("color", ""))))
        self.refs = {split: [] for split in SPLITS}
        for ref in refs:
            item = self._ref_item(ref)
            if item is not None:
                self.refs.setdefault(ref["split"], []).append(item)
        self.pixels = self._load_cache(log)

    def _ref_item(self, ref):
        if ref["image_id"] not in self.image_index:
            return None
        box = None
        if not ref.get("absent", False):
            box = self.annotations[ref["ann_id"]]["bbox"]
        return {
            "ref_id": ref["ref_id"],
            "image": self.image_index[ref["image_id"]],
            "box": box,
            "kinds": ref.get("kinds", []),
            "category": self.categories.get(ref["category_id"], "unknown"),
            "sentences": [s["sent"] for s in ref["sentences"]],
            "raw": [s.get("raw", s["sent"]) for s in ref["sentences"]],
        }

    def _load_cache(self, log):
        """Decode every image once into a uint8 array [N, h, w, 3] already fitted to the input."""
        _, new_w, new_h, _, _ = letterbox_geometry(self.width, self.height)
        path = os.path.join(self.root, f"cache-rgb-{new_w}x{new_h}.npy")
        shape = (len(self.images), new_h, new_w, 3)
        if os.path.exists(path):
            cached = np.load(path, mmap_mode="r")
            if cached.shape == shape:
                return cached
            log(f"image cache {path} has shape {cached.shape}, expected {shape}; rebuilding it")
        size_gib = np.prod(shape) / 2**30
        log(f"decoding {len(self.images)} images once into the cache {path} ({size_gib:.2f} GiB, "
            "reused by later runs; delete it to free the space)")
        pixels = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.uint8, shape=shape)
        for i, img in enumerate(self.images):
            with Image.open(os.path.join(self.root, "images", img["file_name"])) as im:
                im = im.convert("RGB")
                if im.size != (new_w, new_h):
                    im = im.resize((new_w, new_h), Image.BILINEAR)
                pixels[i] = np.asarray(im)
        pixels.flush()
        del pixels
        os.replace(path + ".tmp", path)
        return np.load(path, mmap_mode="r")

    def words(self, splits=("train", "val")):
        for split in splits:
            for item in self.refs.get(split, []):
                yield from item["sentences"]
                yield from item["raw"]


def normalise(canvas_u8):
    """uint8 [B, H, W, 3] or float 0..255 [B, 3, H, W] -> normalised float [B, 3, H, W]."""
    x = canvas_u8
    if x.dtype == torch.uint8:
        x = x.permute(0, 3, 1, 2).float()
    mean = torch.tensor(MEAN).view(1, 3, 1, 1) * 255
    std = torch.tensor(STD).view(1, 3, 1, 1) * 255
    return (x - mean) / std


def letterbox_batch(dataset, image_ids):
    """Exact centred letterbox, as the runtime does it, for a list of image indices."""
    scale, new_w, new_h, ox, oy = letterbox_geometry(dataset.width, dataset.height)
    canvas = np.full((len(image_ids), INPUT_SIZE, INPUT_SIZE, 3), PAD_VALUE, np.uint8)
    canvas[:, oy:oy + new_h, ox:ox + new_w] = dataset.pixels[np.asarray(image_ids)]
    geometry = [(scale, ox, oy)] * len(image_ids)
    return normalise(torch.from_numpy(canvas)), geometry


def jitter_batch(dataset, image_ids, rng, min_scale=0.7):
    """Random shrink and placement inside the canvas; labels stay valid (no flips)."""
    base, new_w, new_h, _, _ = letterbox_geometry(dataset.width, dataset.height)
    src = torch.from_numpy(np.ascontiguousarray(dataset.pixels[np.asarray(image_ids)]))
    src = src.permute(0, 3, 1, 2).float() - PAD_VALUE
    thetas, geometry = [], []
    for _ in image_ids:
        f = rng.uniform(min_scale, 1.0)
        span_w, span_h = new_w * f, new_h * f
        ox, oy = rng.uniform(0, INPUT_SIZE - span_w), rng.uniform(0, INPUT_SIZE - span_h)
        # Affine map from output normalised coords to input normalised coords
        # (align_corners=False); derivation: x_in = (x_out - ox) / (scale * f).
        thetas.append([[INPUT_SIZE / span_w, 0.0, (INPUT_SIZE - 2 * ox) / span_w - 1],
                       [0.0, INPUT_SIZE / span_h, (INPUT_SIZE - 2 * oy) / span_h - 1]])
        geometry.append((base * f, ox, oy))
    theta = torch.tensor(thetas, dtype=torch.float32)
    grid = F.affine_grid(theta, (len(image_ids), 3, INPUT_SIZE, INPUT_SIZE), align_corners=False)
    out = F.grid_sample(src, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return normalise(out + PAD_VALUE), geometry


def box_to_canvas(box, geometry, dataset):
    """Original [x, y, w, h] -> canvas (cx, cy, w, h); geometry = (scale, ox, oy) with
    scale from original pixels to canvas pixels."""
    scale, ox, oy = geometry
    x, y, w, h = box
    return ((x + w / 2) * scale + ox, (y + h / 2) * scale + oy, w * scale, h * scale)


def canvas_to_box(pred, geometry):
    """Canvas (cx, cy, w, h) -> original [x, y, w, h]."""
    scale, ox, oy = geometry
    cx, cy, w, h = pred
    return [(cx - w / 2 - ox) / scale, (cy - h / 2 - oy) / scale, w / scale, h / scale]


def augment_words(words, rng):
    """Spoken-style noise: fillers, a repeated word, words replaced by the unknown token."""
    words = list(words)
    if words and rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randint(0, len(words)), rng.choice(FILLERS))
    if words and rng.random() < 0.15:
        i = rng.randrange(len(words))
        words.insert(i, words[i])
    if rng.random() < 0.3:
        words = [w if rng.random() > 0.1 else "<unk>" for w in words]
    return words


class TrainSampler:
    """Batches of `images` scenes with `refs_per_image` refs each (backbone shared per scene)."""

    def __init__(self, dataset, word_ids, images, refs_per_image, seed):
        self.dataset = dataset
        self.word_ids = word_ids
        self.images = images
        self.refs_per_image = refs_per_image
        self.rng = random.Random(seed)
        self.by_image = {}
        for item in dataset.refs["train"]:
            self.by_image.setdefault(item["image"], []).append(item)
        self.image_list = sorted(self.by_image)
        if not self.image_list:
            raise DatasetError(f"dataset {dataset.root} has no train refs; "
                               "generate it with a train split")

    def tokens_for(self, item, rng, augment):
        if augment and rng.random() < 0.2:
            text = rng.choice(item["raw"])
        else:
            text = rng.choice(item["sentences"])
        words = tokenize(text)
        if augment:
            words = augment_words(words, rng)
        # "<unk>" is vocabulary entry UNK_ID, so replaced words encode as unknown.
        return encode(words, self.word_ids)

    def batch(self):
        rng = self.rng
        image_ids = rng.sample(self.image_list, min(self.images, len(self.image_list)))
        if rng.random() < 0.5:
            pixels, geometry = jitter_batch(self.dataset, image_ids, rng)
        else:
            pixels, geometry = letterbox_batch(self.dataset, image_ids)
        objects = []
        for slot, image in enumerate(image_ids):
            for box, category, color in self.dataset.objects[image]:
                objects.append((slot, box_to_canvas(box, geometry[slot], self.dataset), category, color))
        ref_image, tokens, boxes = [], [], []
        for slot, image in enumerate(image_ids):
            candidates = self.by_image[image]
            if len(candidates) >= self.refs_per_image:
                chosen = rng.sample(candidates, self.refs_per_image)
            else:
                chosen = [rng.choice(candidates) for _ in range(self.refs_per_image)]
            for item in chosen:
                ref_image.append(slot)
                tokens.append(self.tokens_for(item, rng, augment=True))
                box = item["box"]
                boxes.append(None if box is None else box_to_canvas(box, geometry[slot], self.dataset))
        return pixels, torch.tensor(ref_image), torch.tensor(tokens, dtype=torch.long), boxes, objects
