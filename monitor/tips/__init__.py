"""Tips: what the crawlers cannot reach (a post seen on Facebook, a video, a Zalo message),
submitted by a person or a partner system with an API token, taken through the crawler's own
processing, kept as evidence and scored like any crawled item (submit.py); the tokens
(tokens.py) and the tip's image (images.py)."""

from .errors import TipError
from .images import KINDS, image_file
from .submit import VIA, TipResult, parse_seen_at, submit_tip
from .tokens import Token, create_token, list_tokens, revoke_token, token_user

__all__ = ["KINDS", "VIA", "TipError", "TipResult", "Token", "create_token", "image_file",
           "list_tokens", "parse_seen_at", "revoke_token", "submit_tip", "token_user"]  # fmt: skip
