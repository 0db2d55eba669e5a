"""Building blocks of the LGMDP grounding network.

Every class here is one exportable block of the block graph (or a part of one):
the backbone convolutions, the text encoder with its gate, the per-scale fusion,
the SoftSkip approximators and the decoding anchor heads.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Pad value -1e4 stays finite in float32 ONNX graphs while softmax weights it to zero.
MASK_FILL = -1e4
# Coordinate channels appended by the fusion: cell centre x, y and cell edges x0, y0, x1, y1.
COORD_CHANNELS = 6


def conv_bn_act(cin, cout, kernel, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.LeakyReLU(0.1, inplace=True),
    )


class Residual(nn.Module):
    """Darknet residual block: x + conv3x3(conv1x1(x)). Skipping it is the identity."""

    def __init__(self, channels):
        super().__init__()
        self.reduce = conv_bn_act(channels, channels // 2, 1)
        self.expand = conv_bn_act(channels // 2, channels, 3)

    def residual(self, x):
        return self.expand(self.reduce(x))

    def forward(self, x):
        return x + self.residual(x)


def coord_map(size):
    """Return the [1, 6, size, size] coordinate channels in -1..1 for a square grid."""
    edges = torch.linspace(-1.0, 1.0, size + 1)
    lo, hi = edges[:-1], edges[1:]
    centre = (lo + hi) / 2
    ys, xs = torch.meshgrid(centre, centre, indexing="ij")
    y0, x0 = torch.meshgrid(lo, lo, indexing="ij")
    y1, x1 = torch.meshgrid(hi, hi, indexing="ij")
    return torch.stack([xs, ys, x0, y0, x1, y1]).unsqueeze(0)


class TextEncoder(nn.Module):
    """Token ids -> sentence embedding and gate probabilities.

    Masked 1-D convolutions over word embeddings, then attention pooling with a few
    learned queries. Pad tokens (id 0) never influence the result, so right-padding to
    maxTokens gives the same embedding as the unpadded sentence.
    """

    def __init__(self, vocab_size, max_tokens, num_gates, embed_dim=64, hidden=128,
                 queries=2, sentence_dim=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.position = nn.Parameter(torch.zeros(1, max_tokens, embed_dim))
        self.conv1 = nn.Conv1d(embed_dim, hidden, 3, padding=1)
        self.conv2 = nn.Conv1d(hidden, hidden, 3, padding=1)
        self.attend = nn.Conv1d(hidden, queries, 1)
        self.project = nn.Linear(hidden * queries, sentence_dim)
        self.norm = nn.LayerNorm(sentence_dim)
        self.gate = nn.Sequential(nn.Linear(sentence_dim, 64), nn.ReLU(), nn.Linear(64, num_gates))
        nn.init.normal_(self.position, std=0.02)
        # Start with every block open, so phase 2 begins from the full network.
        nn.init.constant_(self.gate[2].bias, 3.0)

    def encode(self, tokens):
        """Return the sentence embedding [B, D] for int64 tokens [B, T]."""
        mask = (tokens != 0).float().unsqueeze(1)  # [B, 1, T]
        x = (self.embed(tokens) + self.position).transpose(1, 2) * mask
        x = F.leaky_relu(self.conv1(x), 0.1) * mask
        x = (x + F.leaky_relu(self.conv2(x), 0.1)) * mask
        logits = self.attend(x) + (1.0 - mask) * MASK_FILL  # [B, Q, T]
        weights = torch.softmax(logits, dim=2)
        pooled = torch.bmm(weights, x.transpose(1, 2))  # [B, Q, H]
        sentence = self.project(pooled.flatten(1))
        # Under CPU autocast the projection comes out in bfloat16, which torch 1.13's
        # layer_norm does not accept next to float32 weights. Checking the dtype first keeps
        # a no-op Cast out of the float32 export.
        if sentence.dtype != torch.float32:
            sentence = sentence.float()
        return self.norm(sentence)

    def gate_logits(self, sentence):
        return self.gate(sentence)

    def forward(self, tokens):
        sentence = self.encode(tokens)
        return sentence, torch.sigmoid(self.gate_logits(sentence))


class Fusion(nn.Module):
    """Fuse one visual scale with the sentence embedding and coordinate maps.

    FiLM conditioning, a depthwise 3x3 for local context, then a text-guided attention
    pool over the whole grid: its pooled feature is added everywhere and each cell gets
    its offset to the attended centroid, which carries relations such as "left of the bowl".
    """

    def __init__(self, cin, dim, sentence_dim, grid, heads=2):
        super().__init__()
        self.register_buffer("coords", coord_map(grid), persistent=False)
        self.heads = heads
        self.project = conv_bn_act(cin + COORD_CHANNELS, dim, 1)
        self.film1 = nn.Linear(sentence_dim, 2 * dim)
        self.local = conv_bn_act(dim, dim, 3, groups=dim)
        self.mix = conv_bn_act(dim, dim, 1)
        self.attend = nn.Conv2d(dim, heads, 1)
        self.context = nn.Linear(heads * dim, dim)
        self.film2 = nn.Linear(sentence_dim, 2 * dim)
        self.out = conv_bn_act(dim + 2 * heads, dim, 1)

    def forward(self, visual, sentence):
        batch = visual.shape[0]
        coords = self.coords.expand(batch, -1, -1, -1)
        h = self.project(torch.cat([visual, coords], 1))
        gamma, beta = self.film1(sentence).unsqueeze(-1).unsqueeze(-1).chunk(2, 1)
        h = self.mix(self.local(h * (1 + gamma) + beta))

        weights = torch.softmax(self.attend(h).flatten(2), dim=2)  # [B, heads, HW]
        pooled = torch.bmm(weights, h.flatten(2).transpose(1, 2))  # [B, heads, dim]
        centre = torch.bmm(weights, coords[:, :2].flatten(2).transpose(1, 2))  # [B, heads, 2]
        offsets = coords[:, :2].unsqueeze(1) - centre.unsqueeze(-1).unsqueeze(-1)  # [B, heads, 2, H, W]
        h = h + self.context(pooled.flatten(1)).unsqueeze(-1).unsqueeze(-1)

        gamma, beta = self.film2(sentence).unsqueeze(-1).unsqueeze(-1).chunk(2, 1)
        h = h * (1 + gamma) + beta
        return self.out(torch.cat([h, offsets.flatten(1, 2)], 1))


class Approximator(nn.Module):
    """SoftSkip: rebuild one scale's fused features from a neighbour scale's.

    factor 2 upsamples (coarser source), factor 0.5 average-pools (finer source).
    """

    def __init__(self, dim, factor):
        super().__init__()
        self.factor = factor
        self.local = conv_bn_act(dim, dim, 3, groups=dim)
        self.mix = conv_bn_act(dim, dim, 1)

    def forward(self, source):
        if self.factor > 1:
            x = F.interpolate(source, scale_factor=2.0, mode="nearest")
        else:
            x = F.avg_pool2d(source, 2)
        return self.mix(self.local(x))


class Head(nn.Module):
    """Anchor head that outputs decoded boxes [B, N, 5] = (score logit, cx, cy, w, h).

    Boxes are in model-input pixels; N = grid * grid * anchors, ordered row, column, anchor.
    """

    def __init__(self, dim, grid, stride, anchors):
        super().__init__()
        self.grid = grid
        self.stride = stride
        self.num_anchors = len(anchors)
        self.hidden = conv_bn_act(dim, dim, 1)
        self.predict = nn.Conv2d(dim, self.num_anchors * 5, 1)
        ys, xs = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
        cells = torch.stack([xs, ys], -1).float().view(grid * grid, 1, 2)
        self.register_buffer("cells", cells, persistent=False)
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32).view(1, -1, 2),
                             persistent=False)
        nn.init.constant_(self.predict.bias, 0.0)
        with torch.no_grad():
            # Rare positives: start every score near sigmoid = 0.01.
            self.predict.bias.view(self.num_anchors, 5)[:, 0] = -math.log(99.0)

    def raw(self, features):
        """Return undecoded predictions [B, grid*grid, anchors, 5]."""
        p = self.predict(self.hidden(features))
        batch = p.shape[0]
        return p.view(batch, self.num_anchors, 5, self.grid * self.grid).permute(0, 3, 1, 2)

    def decode(self, raw):
        xy = (torch.sigmoid(raw[..., 1:3]) + self.cells) * self.stride
        # Clamp keeps exp finite for untrained or out-of-range inputs.
        wh = torch.exp(raw[..., 3:5].clamp(max=6.0)) * self.anchors
        out = torch.cat([raw[..., 0:1], xy, wh], -1)
        return out.reshape(raw.shape[0], -1, 5)

    def forward(self, features):
        return self.decode(self.raw(features))
