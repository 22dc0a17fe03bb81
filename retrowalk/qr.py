"""QR codes as inline SVG (the qrcode package): the authenticator set-up and the treadmill card."""

from __future__ import annotations

import io

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str) -> SafeString:
    """The QR code as one SVG path with a viewBox (it scales; HTML has no svg: prefixed elements).

    Safe to place in a page: the drawing holds only the modules' path, never the encoded text.
    """
    out = io.BytesIO()
    qrcode.make(data, image_factory=SvgPathImage).save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - drawn by qrcode: a path, no text of ours
