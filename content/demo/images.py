"""Product pictures for the demo data, drawn with Pillow: studio shots of simple
product shapes (headphones, earbuds, speaker, kettle, grinder, appliance, bottle,
tube, jar, shoe, robot vacuum, phone-like slab), lit from the upper left, with a
soft shadow on a light backdrop. Nothing is downloaded.

Shapes are drawn at twice the size and scaled down, which smooths their edges.
"""

import colorsys
from collections.abc import Callable, Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SCALE = 2  # drawn at twice the size, then scaled down (anti-aliasing)

# Which shape a product gets: the first keyword found in its slug or tags.
SHAPE_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("earbuds", ("earbud", "真无线", "eb3")),
    ("headphones", ("headphone", "耳机", "wh7", "骨传导")),
    ("speaker", ("speaker", "音箱")),
    ("kettle", ("kettle", "手冲壶")),
    ("grinder", ("grinder",)),
    ("dripper", ("dripper", "滤杯")),
    ("scale", ("scale", "咖啡秤")),
    ("espresso", ("espresso", "咖啡机")),
    ("blender", ("blender", "破壁")),
    ("appliance", ("rice", "电饭煲", "air-fryer", "air fryer", "af55", "af30")),
    ("purifier", ("purifier", "净化")),
    ("vacuum", ("vacuum", "扫地", "扫拖")),
    ("bottle", ("serum", "精华")),
    ("tube", ("spf", "sunscreen", "防晒", "cleanser", "洁面")),
    ("jar", ("cream", "面霜")),
    ("shoe", ("shoe", "跑鞋", "trainer", "running", "trail")),
    ("reader", ("e-reader", "阅读器", "inkleaf")),
    ("charger", ("charger", "充电器", "gan")),
    ("powerbank", ("power bank", "充电宝", "pb20")),
]


def shape_for(*, slug: str, tags: Sequence[str] = ()) -> str:
    """The shape a product is drawn as, from its slug and tags ("phone" otherwise)."""
    words = " ".join([slug, *tags]).lower()
    for shape, keywords in SHAPE_KEYWORDS:
        if any(keyword in words for keyword in keywords):
            return shape
    return "phone"


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[index : index + 2], 16) for index in (1, 3, 5))


def _shade(color: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """``color`` lighter (amount > 0) or darker (amount < 0), in HLS lightness."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(part / 255 for part in color))
    lightness = max(0.04, min(0.96, lightness + amount))
    return tuple(
        round(part * 255) for part in colorsys.hls_to_rgb(hue, lightness, saturation)
    )


def _lit(size: tuple[int, int], color: tuple[int, int, int]) -> Image.Image:
    """A fill of ``color`` lit from the upper left: lighter there, darker at the
    lower right."""
    width, height = size
    light, dark = _shade(color, 0.16), _shade(color, -0.16)
    ramp = Image.linear_gradient("L").resize((width, height))
    ramp = ImageChops.add(
        ramp, ramp.transpose(Image.Transpose.ROTATE_90).resize((width, height)), scale=2
    )
    return Image.composite(
        Image.new("RGB", size, dark), Image.new("RGB", size, light), ramp
    )


class Canvas:
    """A transparent layer that shapes are painted onto, each filled lit."""

    def __init__(self, size: tuple[int, int]):
        self.size = size
        self.image = Image.new("RGBA", size, (0, 0, 0, 0))

    def paint(
        self,
        color: tuple[int, int, int],
        draw: Callable[[ImageDraw.ImageDraw], None],
        *,
        gloss: bool = True,
    ) -> None:
        """Fill the shape that ``draw`` makes on a mask with ``color``, lit; with a
        soft highlight along its upper left where ``gloss``."""
        mask = Image.new("L", self.size, 0)
        draw(ImageDraw.Draw(mask))
        fill = _lit(self.size, color).convert("RGBA")
        self.image.paste(fill, (0, 0), mask)
        if gloss:
            offset = mask.transform(
                self.size,
                Image.Transform.AFFINE,
                (1, 0, 6 * SCALE, 0, 1, 6 * SCALE),
            )
            rim = ImageChops.subtract(mask, offset).filter(
                ImageFilter.GaussianBlur(3 * SCALE)
            )
            white = Image.new("RGBA", self.size, (255, 255, 255, 0))
            white.putalpha(rim.point(lambda value: value * 45 // 100))
            self.image.alpha_composite(white)


def _draw_product(canvas: Canvas, shape: str, color: tuple[int, int, int]) -> None:
    """One product, centred in ``canvas`` (its size is the product's box)."""
    width, height = canvas.size
    x, y = width / 2, height / 2
    unit = min(width, height) / 10
    dark = _shade(color, -0.25)
    metal = (190, 194, 198)
    black = (40, 42, 46)

    def box(cx, cy, w, h):
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    if shape == "headphones":
        canvas.paint(
            color,
            lambda d: d.arc(
                box(x, y, 6.4 * unit, 7 * unit),
                180,
                360,
                fill=255,
                width=round(0.7 * unit),
            ),
        )
        for side in (-1, 1):
            cx = x + side * 3.0 * unit
            canvas.paint(
                dark,
                lambda d, cx=cx, side=side: d.rounded_rectangle(
                    box(cx, y + 1.2 * unit, 1.9 * unit, 3.4 * unit),
                    radius=0.9 * unit,
                    fill=255,
                ),
            )
            canvas.paint(
                color,
                lambda d, cx=cx, side=side: d.rounded_rectangle(
                    box(
                        cx + side * 0.35 * unit, y + 1.2 * unit, 1.5 * unit, 3.0 * unit
                    ),
                    radius=0.7 * unit,
                    fill=255,
                ),
            )
    elif shape == "earbuds":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 1.2 * unit, 6 * unit, 3.6 * unit),
                radius=1.6 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            dark,
            lambda d: d.line(
                (x - 2.8 * unit, y + 0.6 * unit, x + 2.8 * unit, y + 0.6 * unit),
                fill=255,
                width=max(2, round(0.12 * unit)),
            ),
            gloss=False,
        )
        for side in (-1, 1):
            cx = x + side * 1.4 * unit
            canvas.paint(
                _shade(color, 0.1),
                lambda d, cx=cx: d.ellipse(
                    box(cx, y - 1.6 * unit, 1.9 * unit, 1.9 * unit), fill=255
                ),
            )
            canvas.paint(
                _shade(color, 0.1),
                lambda d, cx=cx, side=side: d.rounded_rectangle(
                    box(cx, y - 0.4 * unit, 0.6 * unit, 2.0 * unit),
                    radius=0.3 * unit,
                    fill=255,
                ),
            )
    elif shape == "speaker":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y, 4.8 * unit, 6.6 * unit), radius=1.4 * unit, fill=255
            ),
        )
        canvas.paint(
            dark,
            lambda d: d.ellipse(
                box(x, y + 0.9 * unit, 3.2 * unit, 3.2 * unit), fill=255
            ),
        )
        canvas.paint(
            _shade(color, -0.35),
            lambda d: d.ellipse(
                box(x, y + 0.9 * unit, 1.2 * unit, 1.2 * unit), fill=255
            ),
        )
        canvas.paint(
            dark,
            lambda d: d.ellipse(
                box(x, y - 2.0 * unit, 1.0 * unit, 1.0 * unit), fill=255
            ),
        )
    elif shape == "kettle":
        canvas.paint(
            color,
            lambda d: d.polygon(
                [
                    (x - 2.6 * unit, y + 3 * unit),
                    (x + 2.6 * unit, y + 3 * unit),
                    (x + 2.1 * unit, y - 1.6 * unit),
                    (x - 2.1 * unit, y - 1.6 * unit),
                ],
                fill=255,
            ),
        )
        canvas.paint(
            color,
            lambda d: d.line(
                [
                    (x - 2.3 * unit, y + 1.8 * unit),
                    (x - 3.8 * unit, y - 0.6 * unit),
                    (x - 4.4 * unit, y - 1.6 * unit),
                ],
                fill=255,
                width=round(0.45 * unit),
                joint="curve",
            ),
        )
        canvas.paint(
            black,
            lambda d: d.arc(
                box(x + 2.6 * unit, y + 0.6 * unit, 2.6 * unit, 3.6 * unit),
                270,
                90,
                fill=255,
                width=round(0.45 * unit),
            ),
        )
        canvas.paint(
            black,
            lambda d: d.rounded_rectangle(
                box(x, y - 1.9 * unit, 3.0 * unit, 0.7 * unit),
                radius=0.3 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            metal,
            lambda d: d.rectangle(
                box(x, y + 3.2 * unit, 5.6 * unit, 0.5 * unit), fill=255
            ),
        )
    elif shape == "grinder":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 0.8 * unit, 2.6 * unit, 5.8 * unit),
                radius=0.4 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            metal,
            lambda d: d.rectangle(
                box(x, y - 2.3 * unit, 2.8 * unit, 0.5 * unit), fill=255
            ),
        )
        canvas.paint(
            black,
            lambda d: d.line(
                (x, y - 2.6 * unit, x + 2.6 * unit, y - 3.4 * unit),
                fill=255,
                width=round(0.25 * unit),
            ),
        )
        canvas.paint(
            dark,
            lambda d: d.ellipse(
                box(x + 2.7 * unit, y - 3.4 * unit, 0.9 * unit, 0.9 * unit), fill=255
            ),
        )
    elif shape == "dripper":
        canvas.paint(
            color,
            lambda d: d.polygon(
                [
                    (x - 3 * unit, y - 2 * unit),
                    (x + 3 * unit, y - 2 * unit),
                    (x + 1 * unit, y + 1.8 * unit),
                    (x - 1 * unit, y + 1.8 * unit),
                ],
                fill=255,
            ),
        )
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 2.3 * unit, 4.2 * unit, 0.6 * unit),
                radius=0.2 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            color,
            lambda d: d.arc(
                box(x + 3.0 * unit, y - 0.6 * unit, 1.6 * unit, 2.0 * unit),
                270,
                90,
                fill=255,
                width=round(0.35 * unit),
            ),
        )
    elif shape == "scale":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 1.4 * unit, 7.6 * unit, 1.4 * unit),
                radius=0.4 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            _shade(color, 0.12),
            lambda d: d.rounded_rectangle(
                box(x, y + 0.6 * unit, 6.8 * unit, 0.5 * unit),
                radius=0.2 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            (30, 40, 36),
            lambda d: d.rounded_rectangle(
                box(x + 2.2 * unit, y + 1.5 * unit, 1.8 * unit, 0.6 * unit),
                radius=0.1 * unit,
                fill=255,
            ),
            gloss=False,
        )
    elif shape in ("appliance", "espresso", "purifier", "blender"):
        tall = {"appliance": 5.4, "espresso": 6.0, "purifier": 7.4, "blender": 7.6}[
            shape
        ]
        wide = {"appliance": 6.6, "espresso": 5.6, "purifier": 4.4, "blender": 3.6}[
            shape
        ]
        if shape == "blender":
            canvas.paint(
                (205, 225, 232),
                lambda d: d.polygon(
                    [
                        (x - 1.8 * unit, y - 3.6 * unit),
                        (x + 1.8 * unit, y - 3.6 * unit),
                        (x + 1.3 * unit, y + 1.0 * unit),
                        (x - 1.3 * unit, y + 1.0 * unit),
                    ],
                    fill=255,
                ),
            )
            canvas.paint(
                color,
                lambda d: d.rounded_rectangle(
                    box(x, y + 2.4 * unit, 3.6 * unit, 2.8 * unit),
                    radius=0.5 * unit,
                    fill=255,
                ),
            )
            canvas.paint(
                black,
                lambda d: d.ellipse(
                    box(x, y + 2.4 * unit, 1.0 * unit, 1.0 * unit), fill=255
                ),
            )
        else:
            canvas.paint(
                color,
                lambda d: d.rounded_rectangle(
                    box(x, y + 3.8 * unit - tall * unit / 2, wide * unit, tall * unit),
                    radius=1.1 * unit,
                    fill=255,
                ),
            )
            top = y + 3.8 * unit - tall * unit
            if shape == "appliance":
                canvas.paint(
                    dark,
                    lambda d: d.rounded_rectangle(
                        box(x, top + 1.2 * unit, wide * unit * 0.8, 0.5 * unit),
                        radius=0.2 * unit,
                        fill=255,
                    ),
                )
                canvas.paint(
                    (24, 30, 28),
                    lambda d: d.rounded_rectangle(
                        box(x, top + 3.0 * unit, 2.0 * unit, 1.0 * unit),
                        radius=0.2 * unit,
                        fill=255,
                    ),
                    gloss=False,
                )
            elif shape == "espresso":
                canvas.paint(
                    black,
                    lambda d: d.rectangle(
                        box(x, top + 3.2 * unit, wide * unit * 0.7, 2.4 * unit),
                        fill=255,
                    ),
                )
                canvas.paint(
                    metal,
                    lambda d: d.rounded_rectangle(
                        box(x, top + 2.2 * unit, 2.6 * unit, 0.45 * unit),
                        radius=0.2 * unit,
                        fill=255,
                    ),
                )
                canvas.paint(
                    (245, 245, 240),
                    lambda d: d.rounded_rectangle(
                        box(x, top + 4.0 * unit, 1.1 * unit, 1.1 * unit),
                        radius=0.2 * unit,
                        fill=255,
                    ),
                )
            else:
                for row in range(6):
                    canvas.paint(
                        dark,
                        lambda d, row=row: d.line(
                            (
                                x - 1.5 * unit,
                                top + (1.4 + row * 0.55) * unit,
                                x + 1.5 * unit,
                                top + (1.4 + row * 0.55) * unit,
                            ),
                            fill=255,
                            width=max(2, round(0.16 * unit)),
                        ),
                        gloss=False,
                    )
    elif shape == "vacuum":
        canvas.paint(
            color,
            lambda d: d.ellipse(
                box(x, y + 1.2 * unit, 7.6 * unit, 3.0 * unit), fill=255
            ),
        )
        canvas.paint(
            dark,
            lambda d: d.rectangle(
                (x - 3.8 * unit, y + 1.2 * unit, x + 3.8 * unit, y + 2.0 * unit),
                fill=255,
            ),
            gloss=False,
        )
        canvas.paint(
            color,
            lambda d: d.ellipse(
                box(x, y + 0.6 * unit, 7.6 * unit, 3.0 * unit), fill=255
            ),
        )
        canvas.paint(
            _shade(color, 0.12),
            lambda d: d.ellipse(
                box(x, y - 0.1 * unit, 1.8 * unit, 0.9 * unit), fill=255
            ),
        )
    elif shape == "bottle":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 1.4 * unit, 2.8 * unit, 4.6 * unit),
                radius=0.5 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            black,
            lambda d: d.rectangle(
                box(x, y - 1.4 * unit, 1.2 * unit, 1.2 * unit), fill=255
            ),
        )
        canvas.paint(
            (235, 235, 230),
            lambda d: d.ellipse(
                box(x, y - 2.6 * unit, 1.3 * unit, 1.8 * unit), fill=255
            ),
        )
        canvas.paint(
            (250, 250, 246),
            lambda d: d.rectangle(
                box(x, y + 1.6 * unit, 2.0 * unit, 1.8 * unit), fill=255
            ),
            gloss=False,
        )
    elif shape == "tube":
        canvas.paint(
            color,
            lambda d: d.polygon(
                [
                    (x - 1.6 * unit, y - 3.4 * unit),
                    (x + 1.6 * unit, y - 3.4 * unit),
                    (x + 1.1 * unit, y + 2.2 * unit),
                    (x - 1.1 * unit, y + 2.2 * unit),
                ],
                fill=255,
            ),
        )
        canvas.paint(
            _shade(color, -0.3),
            lambda d: d.rounded_rectangle(
                box(x, y + 2.9 * unit, 1.6 * unit, 1.4 * unit),
                radius=0.2 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            (250, 250, 246),
            lambda d: d.rectangle(
                box(x, y - 1.0 * unit, 2.2 * unit, 1.4 * unit), fill=255
            ),
            gloss=False,
        )
    elif shape == "jar":
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y + 1.2 * unit, 5.0 * unit, 3.0 * unit),
                radius=0.6 * unit,
                fill=255,
            ),
        )
        canvas.paint(
            metal,
            lambda d: d.rounded_rectangle(
                box(x, y - 0.9 * unit, 5.2 * unit, 1.4 * unit),
                radius=0.3 * unit,
                fill=255,
            ),
        )
    elif shape == "shoe":
        canvas.paint(
            color,
            lambda d: d.polygon(
                [
                    (x - 4.2 * unit, y + 0.2 * unit),
                    (x - 3.6 * unit, y - 1.8 * unit),
                    (x - 1.6 * unit, y - 2.0 * unit),
                    (x - 0.4 * unit, y - 0.6 * unit),
                    (x + 2.6 * unit, y + 0.2 * unit),
                    (x + 4.2 * unit, y + 0.9 * unit),
                    (x + 4.2 * unit, y + 1.8 * unit),
                    (x - 4.2 * unit, y + 1.8 * unit),
                ],
                fill=255,
            ),
        )
        canvas.paint(
            (245, 245, 240),
            lambda d: d.rounded_rectangle(
                box(x, y + 2.1 * unit, 8.8 * unit, 0.9 * unit),
                radius=0.4 * unit,
                fill=255,
            ),
        )
        for lace in range(3):
            canvas.paint(
                (250, 250, 250),
                lambda d, lace=lace: d.line(
                    (
                        x - (1.6 - lace * 0.5) * unit,
                        y - (1.4 - lace * 0.35) * unit,
                        x - (1.1 - lace * 0.5) * unit,
                        y - (0.9 - lace * 0.35) * unit,
                    ),
                    fill=255,
                    width=max(2, round(0.15 * unit)),
                ),
                gloss=False,
            )
    elif shape in ("charger", "powerbank"):
        if shape == "charger":
            canvas.paint(
                color,
                lambda d: d.rounded_rectangle(
                    box(x, y + 0.6 * unit, 3.4 * unit, 4.2 * unit),
                    radius=0.7 * unit,
                    fill=255,
                ),
            )
            for prong in (-0.7, 0.7):
                canvas.paint(
                    metal,
                    lambda d, prong=prong: d.rectangle(
                        box(x + prong * unit, y - 2.2 * unit, 0.35 * unit, 1.4 * unit),
                        fill=255,
                    ),
                )
            for port in range(3):
                canvas.paint(
                    black,
                    lambda d, port=port: d.rounded_rectangle(
                        box(x, y + (0.8 + port * 0.8) * unit, 1.4 * unit, 0.35 * unit),
                        radius=0.1 * unit,
                        fill=255,
                    ),
                    gloss=False,
                )
        else:
            canvas.paint(
                color,
                lambda d: d.rounded_rectangle(
                    box(x, y + 0.4 * unit, 4.0 * unit, 6.6 * unit),
                    radius=0.8 * unit,
                    fill=255,
                ),
            )
            for dot in range(4):
                canvas.paint(
                    (120, 230, 170),
                    lambda d, dot=dot: d.ellipse(
                        box(
                            x + (dot - 1.5) * 0.5 * unit,
                            y + 3.0 * unit,
                            0.22 * unit,
                            0.22 * unit,
                        ),
                        fill=255,
                    ),
                    gloss=False,
                )
    else:  # phone, e-reader
        reader = shape == "reader"
        canvas.paint(
            color,
            lambda d: d.rounded_rectangle(
                box(x, y, 4.8 * unit if reader else 3.8 * unit, 7.2 * unit),
                radius=0.6 * unit if reader else 0.7 * unit,
                fill=255,
            ),
        )
        screen = (222, 224, 214) if reader else (28, 44, 66)
        canvas.paint(
            screen,
            lambda d: d.rounded_rectangle(
                box(
                    x,
                    y - (0.3 if reader else 0) * unit,
                    4.0 * unit if reader else 3.3 * unit,
                    5.8 * unit if reader else 6.6 * unit,
                ),
                radius=0.2 * unit,
                fill=255,
            ),
            gloss=not reader,
        )
        if reader:
            for line in range(6):
                canvas.paint(
                    (150, 152, 146),
                    lambda d, line=line: d.line(
                        (
                            x - 1.6 * unit,
                            y - (2.4 - line * 0.7) * unit,
                            x + 1.6 * unit,
                            y - (2.4 - line * 0.7) * unit,
                        ),
                        fill=255,
                        width=max(2, round(0.12 * unit)),
                    ),
                    gloss=False,
                )


def _backdrop(size: tuple[int, int], color: tuple[int, int, int]) -> Image.Image:
    """A studio backdrop: a pale tint of ``color``, lighter at the top, with a floor."""
    hue, _lightness, saturation = colorsys.rgb_to_hls(*(part / 255 for part in color))
    top = tuple(
        round(part * 255) for part in colorsys.hls_to_rgb(hue, 0.95, saturation * 0.35)
    )
    bottom = tuple(
        round(part * 255) for part in colorsys.hls_to_rgb(hue, 0.86, saturation * 0.3)
    )
    ramp = Image.linear_gradient("L").resize(size)
    return Image.composite(
        Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp
    )


def product_scene(
    products: Sequence[tuple[str, str]], *, size: tuple[int, int] = (960, 600)
) -> Image.Image:
    """A studio picture of ``products`` (shape, "#rrggbb" colour), side by side on
    a backdrop tinted by the first one's colour, each with a soft shadow."""
    width, height = size[0] * SCALE, size[1] * SCALE
    colors = [_rgb(color) for _shape, color in products] or [(120, 140, 130)]
    picture = _backdrop((width, height), colors[0]).convert("RGBA")
    count = max(1, len(products))
    slot = width / count
    edge = min(slot * 0.92, height * 0.82)
    for index, (shape, color) in enumerate(products):
        centre_x = slot * (index + 0.5)
        floor = height * 0.86
        shadow = Image.new("L", (width, height), 0)
        ImageDraw.Draw(shadow).ellipse(
            (
                centre_x - edge * 0.36,
                floor - edge * 0.12,
                centre_x + edge * 0.36,
                floor - edge * 0.02,
            ),
            fill=110,
        )
        shadow = shadow.filter(ImageFilter.GaussianBlur(edge * 0.03))
        black = Image.new("RGBA", (width, height), (20, 24, 22, 0))
        black.putalpha(shadow)
        picture.alpha_composite(black)
        canvas = Canvas((round(edge), round(edge)))
        _draw_product(canvas, shape, _rgb(color))
        # The product's box bottom touches the floor line.
        picture.alpha_composite(
            canvas.image, (round(centre_x - edge / 2), round(floor - edge * 0.88))
        )
    return picture.convert("RGB").resize(size, Image.Resampling.LANCZOS)
