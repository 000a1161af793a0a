from enum import Enum

class RecordMode(str, Enum):
    ALL = "all"
    ANY = "any"
    NEW_EPISODES = "new_episodes"
    NONE = "none"
    ONCE = "once"

def validate_record_mode(record_mode: RecordMode | str) -> RecordMode: ...
