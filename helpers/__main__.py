import sys

from . import NO_MEMORY

try:
    from .cli import main
except MemoryError:  # too little memory even to load the commands: one plain line, no traceback
    print(NO_MEMORY, file=sys.stderr)
    raise SystemExit(2) from None

raise SystemExit(main())
