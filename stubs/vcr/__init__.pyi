# Stubs for vcrpy 9.x: only what sagetune uses (vcrpy ships no type information).
from vcr.config import VCR as VCR
from vcr.record_mode import RecordMode as mode
from vcr.request import Request as Request

__version__: str
default_vcr: VCR
use_cassette = default_vcr.use_cassette
