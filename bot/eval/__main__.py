"""`python -m bot.eval`: see `bot.eval.cli`."""

from bot.eval.cli import main

raise SystemExit(main())
