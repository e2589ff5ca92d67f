import sys

try:
    from .cli import main
except MemoryError:  # too little memory even to load the commands: one plain line, no traceback
    print("python -m helpers: not enough memory to start (close other programs, or raise the limit)",
          file=sys.stderr)
    raise SystemExit(2) from None

raise SystemExit(main())
